from django.db import transaction
from django.dispatch import Signal

# Sent after commit, once per alert (kwargs: alert). The letters listen (reports.receivers) and
# draft the letter the alert sets off.
compliance_alert_raised = Signal()

# Sent after commit when something the justice system may have to hear of was recorded on
# files (kwargs: patient_ids): an intake, a closing, a mandate, an outcome. The letters listen
# (reports.receivers) and draft, at once, what falls due for those patients.
frame_recorded = Signal()


def frame_recorded_after_commit(patient_ids) -> None:
    ids = sorted(set(patient_ids))
    if ids:
        transaction.on_commit(
            lambda: frame_recorded.send(sender=None, patient_ids=ids), robust=True
        )
