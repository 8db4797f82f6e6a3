from django.dispatch import Signal

# Sent after commit, once per alert (kwargs: alert). The letters listen (reports.receivers) and
# draft the letter the alert sets off.
compliance_alert_raised = Signal()
