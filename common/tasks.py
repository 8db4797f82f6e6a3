"""The outbox's tasks (ids in, common.outbox does the work) and the worker's heartbeat."""

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from common import outbox
from common.models import Heartbeat


@shared_task(bind=True, max_retries=None)
def send_message(self, message_pk: int, accepted: bool = False) -> bool:
    """Send one message now if it is due. Accepted by the server but not recorded (the
    database was away): only the recording is tried again, never the sending."""
    try:
        return outbox.send(message_pk, accepted=accepted)
    except outbox.Accepted as error:
        if self.request.is_eager:  # no worker to come back to it (the embedded demo)
            raise
        raise self.retry(
            args=[message_pk], kwargs={"accepted": True}, countdown=30, exc=error
        ) from error


@shared_task
def send_due_messages() -> int:
    """Every minute: an attempt for every message whose pause is over."""
    due = outbox.due()
    for message_pk in due:
        send_message.delay(message_pk)
    return len(due)


@shared_task
def heartbeat() -> None:
    """Sent by the beat every minute: the worker that runs it shows it is alive."""
    Heartbeat.objects.update_or_create(name="worker", defaults={"at": timezone.now()})


@worker_ready.connect
def _heartbeat_at_start(sender=None, **kwargs) -> None:
    """A worker that starts says so at once, rather than at the beat's next minute."""
    heartbeat.delay()
