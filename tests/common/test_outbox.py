"""Nothing lost, nothing sent twice, nothing stuck when the mail server fails: every e-mail goes
through the outbox (common.outbox), here against a real SMTP server on a local port that
starts, stops and hangs as a real one does."""

import datetime
import re
import socket
import threading
import time

import pytest
from django.core import mail
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from common import outbox
from common.models import OutboxMessage
from common.tasks import send_due_messages, send_message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """An SMTP server (aiosmtpd) that keeps what it receives; started and stopped at will."""

    def __init__(self, port: int):
        self.port, self.received, self.controller = port, [], None

    def start(self):
        from aiosmtpd.controller import Controller

        server = self

        class Keep:
            async def handle_DATA(self, smtp, session, envelope):
                server.received.append(envelope)
                return "250 Message accepted for delivery"

        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(db, settings):
    """The SMTP backend pointed at a local port, with nothing listening yet."""
    server = Server(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 2
    yield server
    server.stop()


def a_message(**extra) -> OutboxMessage:
    return outbox.queue(
        to=["claire.renard@just.fgov.be"],
        subject="2026/L00012",
        body="Veuillez trouver ci-joint notre courrier.",
        purpose="2026/L00012 — the justice assistant",
        **extra,
    )


def later(minutes: int) -> None:
    """Time passes: the pauses between attempts are over."""
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=1))


def test_a_message_is_kept_with_the_fact_it_tells_of_or_not_at_all(
    db, django_capture_on_commit_callbacks
):
    with pytest.raises(RuntimeError), transaction.atomic():
        a_message()
        raise RuntimeError("the fact is not recorded")
    assert not OutboxMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        message = a_message(attachment=("2026-L00012.pdf", b"%PDF-1.7", "application/pdf"))

    message.refresh_from_db()
    (sent,) = mail.outbox
    assert message.sent_at is not None and message.attempts == 1
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.attachments == [("2026-L00012.pdf", b"%PDF-1.7", "application/pdf")]
    assert (message.body, message.attachment) == ("", None)  # no archive of what was said


def test_the_server_down_for_a_while_then_back_gets_each_message_once(
    smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = a_message()

    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert message.next_attempt_at > timezone.now()  # a pause before the next attempt
    assert send_due_messages.delay().get() == 0  # not due yet: nothing tried

    later(minutes=1)
    assert send_due_messages.delay().get() == 1  # still down: tried, kept
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (None, 2)
    assert message.next_attempt_at - timezone.now() > datetime.timedelta(seconds=90)  # longer

    smtp.start()  # the server is back
    later(minutes=2)
    send_due_messages.delay().get()
    send_due_messages.delay().get()  # the next minute's run: nothing more

    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 3
    (received,) = smtp.received
    assert received.rcpt_tos == ["claire.renard@just.fgov.be"]
    assert message.message_id in received.content.decode()


def test_a_hanging_server_costs_an_attempt_its_timeout_and_nothing_else(db, settings):
    """A server that accepts the connection and never answers: the attempt gives up after
    EMAIL_TIMEOUT, the message waits for the next one."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    message = a_message()

    started = time.monotonic()
    assert outbox.send(message.pk) is False
    waited = time.monotonic() - started

    listener.close()
    message.refresh_from_db()
    assert waited < 10  # the timeout, not the server, decided (a bound, not a timing)
    assert message.sent_at is None and message.claimed_at is None
    assert "timed out" in message.last_error.lower()


def test_mail_never_goes_out_inside_a_transaction(db):
    """A row lock held while a mail server answers stops every worker that needs the row."""
    message = a_message()

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        outbox.send(message.pk)


def test_accepted_by_the_server_but_not_recorded_is_never_sent_again(smtp, monkeypatch):
    """The database went away while the server accepted the message: the task records it
    when the database is back, and sends nothing more."""
    smtp.start()
    message = a_message()
    real_update = QuerySet.update

    def database_away(queryset, **values):
        if "sent_at" in values:
            raise OperationalError("the database is restarting")
        return real_update(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", database_away)
    retried = {}
    monkeypatch.setattr(
        send_message, "retry", lambda **kwargs: retried.update(kwargs) or RuntimeError("retry")
    )
    with pytest.raises(RuntimeError, match="retry"):
        send_message.run(message.pk)  # the worker's task: accepted, not recorded, retried
    monkeypatch.setattr(QuerySet, "update", real_update)  # the database is back

    assert retried["kwargs"] == {"accepted": True}  # the retry knows the server took it
    assert send_message.run(*retried["args"], **retried["kwargs"]) is True

    message.refresh_from_db()
    assert message.sent_at is not None
    assert len(smtp.received) == 1  # one copy at the justice assistant
    assert outbox.send(message.pk) is False  # sent: whatever asks again sends nothing


def test_a_claim_keeps_a_second_worker_from_sending_the_same_message(smtp, monkeypatch):
    smtp.start()
    message = a_message()
    sent_by_the_second = []

    real_deliver = outbox._deliver

    def meanwhile_another_worker(message_row):
        sent_by_the_second.append(outbox.send(message_row.pk))  # the same task, delivered twice
        real_deliver(message_row)

    monkeypatch.setattr(outbox, "_deliver", meanwhile_another_worker)

    assert outbox.send(message.pk) is True
    assert sent_by_the_second == [False]
    assert len(smtp.received) == 1


def test_the_pause_grows_and_stays_within_an_hour():
    pauses = [outbox.pause_after(attempt).total_seconds() / 60 for attempt in range(1, 10)]

    assert pauses == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_the_first_pause_is_a_setting_and_the_others_double_it(settings):
    settings.OUTBOX_FIRST_PAUSE_SECONDS = 2
    pauses = [outbox.pause_after(attempt).total_seconds() for attempt in range(1, 5)]

    assert pauses == [2, 4, 8, 16]


# --- What the administrators see -----------------------------------------------------------


def test_mail_that_keeps_failing_is_listed_and_sent_again_on_demand(
    smtp, administrator, client_for, django_capture_on_commit_callbacks, settings
):
    message = a_message()
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=settings.OUTBOX_ATTEMPTS_BEFORE_WARNING,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        next_attempt_at=timezone.now() + datetime.timedelta(hours=1),
    )
    client = client_for(administrator)

    home = client.get(reverse("workspace:dashboard")).content.decode()
    page = client.get(reverse("workspace:unsent_messages"))

    assert reverse("workspace:unsent_messages") in home
    assert message.purpose in page.content.decode()
    assert "Connection refused" in page.content.decode()
    assert "Veuillez trouver" not in page.content.decode()  # what it says is not listed

    # The page's own "Send again" form, as the administrator submits it.
    offered = re.findall(r'name="message" value="(\d+)"', page.content.decode())
    assert offered == [str(message.pk)]

    smtp.start()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workspace:unsent_messages"), {"message": offered[0]}, follow=True
        )

    assert response.status_code == 200
    message.refresh_from_db()
    assert message.sent_at is not None and len(smtp.received) == 1
    assert message.purpose not in client.get(reverse("workspace:unsent_messages")).content.decode()


@pytest.mark.parametrize(
    ("persona", "answer"),
    [
        ("administrator", 200),
        ("clinical_lead", 200),
        ("treating_psychologist", 403),
        ("helpline_listener", 403),
        ("auditor", 403),
    ],
)
def test_only_administrators_and_the_lead_see_the_unsent_messages(
    persona, answer, request, client_for
):
    page = client_for(request.getfixturevalue(persona)).get(reverse("workspace:unsent_messages"))

    assert page.status_code == answer


def test_a_text_message_goes_to_one_number_so_a_retry_never_repeats_one(db):
    """Several numbers in one message would be sent one after the other: the gateway down at the
    second, the retry would send the first again. One number a message, refused otherwise."""

    with pytest.raises(ValueError, match="one number"):
        outbox.queue(
            channel="sms", to=["+32 470 11 22 33", "+32 470 44 55 66"], subject="", body="Hi",
            purpose="Test",
        )  # fmt: skip

    assert not OutboxMessage.objects.exists()
