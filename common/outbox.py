"""The one way e-mail (and text messages, common/sms.py) leaves the clinic: nothing lost,
nothing sent twice, nothing stuck.

- `queue(...)` writes the message in the caller's transaction, beside the fact it tells of (a
  letter's dispatch, a reminder, an alert): both are kept, or neither. After the commit a
  worker is asked to send it (with no worker, this process once the response has gone: a web
  request never waits for a mail server).
- `send(message_id)` runs outside any transaction and row lock, with EMAIL_TIMEOUT: it claims
  the message, talks to the server, then marks it sent, only once the server has accepted it.
  A refusal, a timeout or a server that is down leaves it unsent, to be tried again after a
  growing pause (one minute, two, four... an hour at most), for as long as it takes: the beat
  task `send_due_messages` picks up what is due.
- A message the server accepted while the database could not record it is not sent again: the
  task retries only the recording (`Accepted`), carrying the fact that it was accepted.
- `message_sent` is sent when one is, for whoever waits for it (a letter's dispatch).

Messages still unsent after OUTBOX_ATTEMPTS_BEFORE_WARNING attempts are listed for the
administrators, who may ask for an attempt at once (docs/operations.md, "Outgoing mail").
"""

import datetime
import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from common import sms
from common.models import OutboxMessage

logger = logging.getLogger(__name__)

# Sent once a message has left (kwargs: message).
message_sent = Signal()

LONGEST_PAUSE = datetime.timedelta(hours=1)


class Accepted(Exception):
    """The server accepted the message, but the database did not record it: record it again,
    never send it again."""


def queue(
    *,
    to: list[str],
    subject: str,
    body: str,
    purpose: str,
    attachment: tuple[str, bytes, str] | None = None,
    channel: str = OutboxMessage.Channel.EMAIL,
) -> OutboxMessage:
    """A message to send, kept with the caller's transaction; sent after its commit. A text
    message (channel "sms") goes to one number, with its body only."""
    if channel == OutboxMessage.Channel.SMS and len(to) != 1:
        # Sent number after number, a retry after a failure at the second would repeat the first.
        raise ValueError("A text message goes to one number: queue one per number.")
    name, content, mimetype = attachment or ("", None, "")
    message = OutboxMessage.objects.create(
        channel=channel,
        purpose=purpose[:200],
        to=list(to),
        subject=subject[:300],
        body=body,
        attachment_name=name,
        attachment=content,
        attachment_type=mimetype,
        message_id=make_msgid(domain=_domain()),
        next_attempt_at=timezone.now(),
    )
    message_pk = message.pk
    transaction.on_commit(lambda: _send_later(message_pk), robust=True)
    return message


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"


def _send_later(message_pk: int) -> None:
    from common import after_response
    from common.tasks import send_message

    after_response.queue(send_message, message_pk)


def pause_after(attempts: int) -> datetime.timedelta:
    """How long an unsent message waits before its next attempt: 1, 2, 4... minutes
    (OUTBOX_FIRST_PAUSE_SECONDS, then twice as long each time), then an hour between attempts
    for as long as it takes."""
    first = datetime.timedelta(seconds=settings.OUTBOX_FIRST_PAUSE_SECONDS)
    return min(first * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


def _stale() -> datetime.datetime:
    # A claim older than this is a worker that died while it talked to the server.
    return timezone.now() - datetime.timedelta(seconds=2 * settings.EMAIL_TIMEOUT + 60)


def send(message_pk: int, *, accepted: bool = False) -> bool:
    """Send one message if it is due and nobody else is sending it; returns whether it left
    now. Never inside a transaction: the mail server is not to hold a row lock (the claim's
    durable block refuses to run inside another)."""
    if accepted:
        return _mark_sent(message_pk)
    now = timezone.now()
    with transaction.atomic(durable=True):
        claimed = OutboxMessage.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=_stale()),
            pk=message_pk,
            sent_at__isnull=True,
            next_attempt_at__lte=now,
        ).update(claimed_at=now, attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:
        return False  # sent already, not due yet, or another worker is sending it
    message = OutboxMessage.objects.get(pk=message_pk)
    try:
        _deliver(message)
    except Exception as error:  # refused, timed out, unreachable: tried again later
        next_attempt_at = timezone.now() + pause_after(message.attempts)
        OutboxMessage.objects.filter(pk=message_pk).update(
            claimed_at=None,
            last_error=f"{type(error).__name__}: {error}"[:500],
            next_attempt_at=next_attempt_at,
        )
        logger.warning(
            "Outgoing message %s (%s) not accepted on attempt %s, tried again at %s: %s: %s",
            message_pk,
            message.purpose,
            message.attempts,
            next_attempt_at.isoformat(timespec="seconds"),
            type(error).__name__,
            error,
        )
        return False
    return _mark_sent(message_pk)


def _deliver(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.SMS:
        [number] = message.to  # one number a message (queue)
        sms.send(number, message.body)
        return
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=message.to,
        headers={"Message-ID": message.message_id},
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    if message.attachment is not None:
        email.attach(message.attachment_name, bytes(message.attachment), message.attachment_type)
    email.send()


def _mark_sent(message_pk: int) -> bool:
    """Sent: what it said is not kept here (the outbox is no archive: a letter keeps its own
    PDF, and a file destroyed at the end of its retention leaves nothing behind in it)."""
    try:
        OutboxMessage.objects.filter(pk=message_pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), claimed_at=None, last_error="", body="", attachment=None
        )
        message = OutboxMessage.objects.get(pk=message_pk)
    except DatabaseError as error:
        raise Accepted(message_pk) from error
    message_sent.send(sender=OutboxMessage, message=message)
    return True


def due() -> list[int]:
    """The messages due for an attempt, oldest first."""
    return list(
        OutboxMessage.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=_stale()),
            sent_at__isnull=True,
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )


def waiting():
    """Every message not sent yet, whether or not its first attempt failed."""
    return OutboxMessage.objects.filter(sent_at__isnull=True)


def unsent_for_too_long():
    """The messages still unsent after several attempts: the administrators see them."""
    return OutboxMessage.objects.filter(
        sent_at__isnull=True, attempts__gte=settings.OUTBOX_ATTEMPTS_BEFORE_WARNING
    ).order_by("created_at", "pk")


def try_again_now(message_pk: int) -> None:
    """An administrator asks for an attempt at once (the server is back, say)."""
    OutboxMessage.objects.filter(pk=message_pk, sent_at__isnull=True).update(
        next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _send_later(message_pk), robust=True)
