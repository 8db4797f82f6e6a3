"""A letter e-mailed while the mail server is down: it says so until the server takes it, then
it is sent, once; an emergency access never waits for the mail server."""

import datetime

from django.urls import reverse
from django.utils import timezone

from common.models import OutboxMessage
from common.tasks import send_due_messages
from reports import services as letters
from reports.models import Letter
from tests.common.test_outbox import smtp  # noqa: F401 (a fixture)
from tests.reports.test_letters import draft, sign_fully, the_episode_for


def test_a_letter_emailed_while_the_server_is_down_goes_once_it_is_back(
    smtp,
    patient,
    administrator,
    treating_psychologist,
    clinical_lead,
    client_for,
    django_capture_on_commit_callbacks,
):
    the_episode_for("periodic_report", patient, administrator)
    letter = sign_fully(
        draft("periodic_report", patient, administrator), treating_psychologist, clinical_lead
    )
    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_dispatch(
            actor=administrator, letter=letter, recipient="authority", channel="post"
        )
        emailed = letters.letter_dispatch(
            actor=administrator,
            letter=letter,
            recipient="justice_assistant",
            channel="email",
            to="claire.renard@just.fgov.be",
        )

    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENDING  # not "sent": the e-mail has not left
    page = client_for(administrator).get(letter.get_absolute_url()).content.decode()
    assert "E-mail not yet delivered" in page and "e-mail not yet delivered" in page
    dashboard = client_for(administrator).get(reverse("reports:dashboard"))
    sections = {key: rows for key, _title, rows, _more in dashboard.context["shown"]}
    assert letter in sections["sent"] and letter not in sections["to_send"]

    smtp.start()  # the server is back, and the minute's run comes
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=1))
    send_due_messages.delay().get()
    send_due_messages.delay().get()

    letter.refresh_from_db()
    emailed.refresh_from_db()
    assert letter.status == Letter.Status.SENT
    assert emailed.sent_at == emailed.message.sent_at is not None
    (received,) = smtp.received  # once
    assert received.rcpt_tos == ["claire.renard@just.fgov.be"]
    assert letter.pdf_filename in received.content.decode()


def test_an_emergency_access_is_opened_while_the_mail_server_is_down(
    smtp,
    patient,
    other_psychologist,
    clinical_lead,
    client_for,
    django_capture_on_commit_callbacks,
):
    from tests.forms import browser_form

    client = client_for(other_psychologist)
    url = reverse("casework:emergency_access")
    data = browser_form(client.get(url))
    data.update(
        file_number=patient.file_number,
        reason="Appel de la police : la personne est introuvable depuis hier soir.",
        understood="on",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302  # the access is open, whatever the mail server does
    (message,) = OutboxMessage.objects.all()
    assert message.to == [clinical_lead.email] and message.sent_at is None
    assert message.attempts == 1 and message.last_error  # tried after the commit, kept
    assert "introuvable" not in message.body  # never the reason: e-mail leaves the clinic
