"""What the letters listen to: a compliance alert, or an event of a file, sets letters off; a
worker process starts."""

from celery.signals import worker_process_init
from django.dispatch import receiver

from casework.signals import compliance_alert_raised, frame_recorded
from common import outbox

WARM_UP = (
    '<link rel="stylesheet" href="/static/css/letter.css">'
    "<p>Échauffement — <b>opwarming</b> — <i>warm-up</i> 1 / 1</p>"
)


@receiver(compliance_alert_raised, dispatch_uid="reports.draft_for_alert")
def draft_letter_for_alert(sender, alert, **kwargs):
    # Sent after the alert's commit; the draft is made by a task (once, whatever the retries).
    from common import after_response
    from reports.tasks import draft_letter_for_alert

    after_response.queue(draft_letter_for_alert, alert.pk)


@receiver(frame_recorded, dispatch_uid="reports.draft_due_for_patients")
def draft_letters_due(sender, patient_ids, **kwargs):
    # Sent after the commit: a task drafts what the event set off (once, whatever the retries).
    from common import after_response
    from reports.tasks import draft_letters_due_for

    after_response.queue(draft_letters_due_for, list(patient_ids))


@receiver(outbox.message_sent, dispatch_uid="reports.dispatch_delivered")
def dispatch_delivered(sender, message, **kwargs):
    from reports.services import dispatch_delivered

    dispatch_delivered(message=message)


@worker_process_init.connect(dispatch_uid="reports.warm_up")
def warm_up_letters(**kwargs):
    """A worker process's first letter would pay for loading the fonts and the stylesheet, and
    pyHanko (half a second): pay it when the process starts instead, not while a clinic waits
    for a letter. The seal itself is read by the first letter, whose render fails if it cannot
    be: not here, where it would stop the process and every other task with it."""
    from common.pdf import render_pdf
    from reports import sealing  # noqa: F401

    render_pdf(WARM_UP)
