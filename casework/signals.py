from django.dispatch import Signal

# Sent after commit, once per alert (kwargs: alert). The letters will listen here to draft the
# notice that may follow; nothing listens yet.
compliance_alert_raised = Signal()
