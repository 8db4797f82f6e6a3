"""The outbox's tasks (ids in, common.outbox does the work) and the worker's heartbeat."""

import datetime

from celery import shared_task
from celery.signals import task_failure, worker_ready
from django.conf import settings
from django.utils import timezone

from common import outbox
from common.models import Heartbeat, TaskFailure


@shared_task(bind=True, max_retries=None)
def send_message(self, message_pk: int, accepted: bool = False) -> bool:
    """Send one message now if it is due. Accepted by the server but not recorded (the
    database was away): only the recording is tried again, never the sending."""
    try:
        return outbox.send(message_pk, accepted=accepted)
    except outbox.Accepted as error:
        if self.request.is_eager:  # no worker to come back to it (the embedded demo)
            raise
        # Recorded again after half a minute, or after the first pause if that is shorter.
        countdown = min(30, settings.OUTBOX_FIRST_PAUSE_SECONDS)
        raise self.retry(
            args=[message_pk], kwargs={"accepted": True}, countdown=countdown, exc=error
        ) from error


@shared_task
def send_due_messages() -> int:
    """Every minute (OUTBOX_SEND_DUE_SECONDS): an attempt for every message whose pause is
    over."""
    due = outbox.due()
    for message_pk in due:
        send_message.delay(message_pk)
    return len(due)


# The operations page shows the last day's failures; older ones are not kept for long.
FAILURES_KEPT = datetime.timedelta(days=90)


@shared_task
def heartbeat() -> None:
    """Sent by the beat every minute (HEARTBEAT_SECONDS): the worker that runs it shows it is
    alive (and clears old task failures away)."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"at": now})
    TaskFailure.objects.filter(at__lt=now - FAILURES_KEPT).delete()


@worker_ready.connect
def _heartbeat_at_start(sender=None, **kwargs) -> None:
    """A worker that starts says so at once, rather than at the beat's next minute."""
    heartbeat.delay()


@task_failure.connect
def _record_failure(sender=None, task_id=None, exception=None, **kwargs) -> None:
    """A task failed for good (a retry is no failure): kept for the operations page."""
    TaskFailure.objects.create(
        task=getattr(sender, "name", "")[:200],
        task_id=(task_id or "")[:50],
        error=type(exception).__name__[:200],
        at=timezone.now(),
    )
