"""Reminders to patients of their appointments, the day before (docs/reminders.md): only to
those who asked, in their language, with the date, time, place and the clinic's phone number
and nothing else; through the outbox, never twice; what did not go through is on the to-do
list until it does."""

import datetime
import http.server
import json
import threading

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import AppointmentReminder, Patient
from casework.services.reminders import _send_one, reminders_send
from common import outbox, sms
from common.models import OutboxMessage
from tests.factories import at, book, book_group_session, make_group
from tests.forms import browser_form, offered


@pytest.fixture(autouse=True)
def _no_sms_yet():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def asks_for(patient, reminders, **contact):
    Patient.objects.filter(pk=patient.pk).update(reminders=reminders, **contact)
    patient.refresh_from_db()
    return patient


def tomorrow_at(hour, minute=0):
    return at(1, hour, minute)


def run_and_deliver(django_capture_on_commit_callbacks, today=None) -> int:
    """A run of the task, and the outbox's sending after its commits."""
    with django_capture_on_commit_callbacks(execute=True):
        queued = reminders_send(today=today)
    return queued


def test_a_patient_who_asked_gets_one_sms_the_day_before_in_their_language_and_nothing_else(
    patient, treating_psychologist, django_capture_on_commit_callbacks, settings
):
    settings.CLINIC_PHONE = "04 123 45 67"
    asks_for(patient, "sms", phone="+32 470 11 22 33", preferred_language="fr")
    appointment = book(patient, treating_psychologist, starts_at=tomorrow_at(14, 30))

    assert run_and_deliver(django_capture_on_commit_callbacks) == 1

    [(to, text)] = sms.outbox
    assert to == "+32 470 11 22 33"
    day = timezone.localdate(appointment.starts_at)
    assert text.startswith("Rappel : vous avez un rendez-vous le ")
    assert f" {day.day} " in text and "à 14:30" in text and "04 123 45 67" in text
    # nothing else: no clinic's name (its speciality), no name, no file number
    for secret in (settings.CLINIC_NAME, patient.last_name, patient.file_number, "forensic"):
        assert secret.lower() not in text.lower()
    reminder = AppointmentReminder.objects.get()
    assert reminder.attendance.appointment == appointment
    assert reminder.message.sent_at is not None


def test_never_twice_for_the_same_appointment_however_often_it_runs(
    patient, treating_psychologist, django_capture_on_commit_callbacks
):
    asks_for(patient, "email", email="patient@example.org", preferred_language="nl")
    book(patient, treating_psychologist, starts_at=tomorrow_at(9))

    first = run_and_deliver(django_capture_on_commit_callbacks)
    again = run_and_deliver(django_capture_on_commit_callbacks)

    assert (first, again) == (1, 0)
    [message] = mail.outbox
    assert message.to == ["patient@example.org"]
    assert message.subject == "Herinnering aan uw afspraak"
    assert "Herinnering: u hebt een afspraak op" in message.body


def test_two_runs_at_once_remind_once_and_leave_no_message_behind(patient, treating_psychologist):
    asks_for(patient, "sms", phone="+32 470 11 22 33")
    attendance = book(patient, treating_psychologist, starts_at=tomorrow_at(9)).attendances.get()

    assert _send_one(attendance) is True
    assert _send_one(attendance) is False  # the other run's insert lost the race

    assert AppointmentReminder.objects.count() == 1
    assert OutboxMessage.objects.count() == 1  # the loser's message went with its insert


def test_only_tomorrows_held_appointments_of_patients_who_asked(
    patient, treating_psychologist, administrator, django_capture_on_commit_callbacks
):
    asks_for(patient, "sms", phone="+32 470 11 22 33")
    book(patient, treating_psychologist, starts_at=at(0, 23, 30))  # tonight
    book(patient, treating_psychologist, starts_at=at(2, 9))  # the day after tomorrow
    cancelled = book(patient, treating_psychologist, starts_at=tomorrow_at(11))
    services.appointment_cancel(actor=administrator, appointment=cancelled, reason="Closed")
    other = services.patient_register(
        actor=administrator,
        last_name="Autre",
        first_name="Jean",
        date_of_birth=datetime.date(1980, 1, 1),
        sex="male",
        preferred_language="fr",
        phone="+32 470 99 99 99",
        referral_source="justice_assistant",
        referral_received_on=timezone.localdate() - datetime.timedelta(days=30),
    )  # has a phone, never asked for reminders
    services.care_team_assign(
        actor=administrator, patient=other, clinician=treating_psychologist, role="lead"
    )
    book(other, treating_psychologist, starts_at=tomorrow_at(15))

    assert run_and_deliver(django_capture_on_commit_callbacks) == 0
    assert sms.outbox == []


def test_a_moved_appointment_is_reminded_at_its_new_time(
    patient, treating_psychologist, django_capture_on_commit_callbacks
):
    asks_for(patient, "sms", phone="+32 470 11 22 33", preferred_language="en")
    booked = book(patient, treating_psychologist, starts_at=tomorrow_at(9))
    run_and_deliver(django_capture_on_commit_callbacks)
    services.appointment_reschedule(
        actor=treating_psychologist,
        appointment=booked,
        starts_at=tomorrow_at(16),
        requested_by="patient",
        reason="Work",
        allow_conflicts=True,
    )

    assert run_and_deliver(django_capture_on_commit_callbacks) == 1
    assert ["at 09:00" in text for _to, text in sms.outbox] == [True, False]
    assert "at 16:00" in sms.outbox[1][1]


def test_each_member_of_a_group_who_asked_is_reminded(
    patient, treating_psychologist, administrator, django_capture_on_commit_callbacks
):
    asks_for(patient, "email", email="patient@example.org", preferred_language="en")
    group = make_group(by=administrator, regular=[treating_psychologist], members=[patient])
    book_group_session(group, by=administrator, clinicians=[treating_psychologist], days=1)

    assert run_and_deliver(django_capture_on_commit_callbacks) == 1
    assert "Reminder: you have an appointment on" in mail.outbox[0].body


def test_the_gateway_down_then_back_the_todo_list_says_so_meanwhile_and_it_goes_once(
    patient,
    treating_psychologist,
    client_for,
    django_capture_on_commit_callbacks,
    settings,
    monkeypatch,
):
    settings.OUTBOX_ATTEMPTS_BEFORE_WARNING = 2
    asks_for(patient, "sms", phone="+32 470 11 22 33")
    book(patient, treating_psychologist, starts_at=tomorrow_at(10))
    todo = reverse("workspace:todo")
    client = client_for(treating_psychologist)

    def down(self, to, text):
        raise OSError("gateway unreachable")

    monkeypatch.setattr(sms.LocmemBackend, "send", down)
    run_and_deliver(django_capture_on_commit_callbacks)  # the first attempt fails
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1
    assert "Reminders not delivered" not in client.get(todo).content.decode()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    outbox.send(message.pk)  # the next attempt fails too: now it is on the to-do list

    page = client.get(todo).content.decode()
    assert "Reminders not delivered" in page and patient.file_number in page
    assert "gateway unreachable" in page

    monkeypatch.undo()  # the gateway is back
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.send(message.pk) is True
    assert outbox.send(message.pk) is False
    run_and_deliver(django_capture_on_commit_callbacks)  # the next hour's run

    assert len(sms.outbox) == 1
    assert "Reminders not delivered" not in client.get(todo).content.decode()


def test_the_reminders_are_chosen_on_the_patients_form_and_each_change_is_kept(
    patient, administrator, client_for
):
    client = client_for(administrator)
    url = reverse("casework:patient_update", args=[patient.pk])
    page = client.get(url)
    assert offered(page, "reminders") == ["email", "sms"]  # and "No reminders"
    data = browser_form(page) | {"reminders": "sms", "phone": ""}

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert refused.context["form"].errors["reminders"] == [
        "Give the patient's mobile phone number for reminders by SMS."
    ]
    patient.refresh_from_db()
    assert patient.reminders == ""

    assert client.post(url, data | {"phone": "+32 470 11 22 33"}).status_code == 302
    assert (
        client.post(url, data | {"phone": "+32 470 11 22 33", "reminders": ""}).status_code == 302
    )

    changes = [
        (h.reminders, h.history_user)
        for h in patient.history.order_by("history_date", "history_id")
        if h.prev_record is None or h.prev_record.reminders != h.reminders
    ]
    assert changes[-2:] == [("sms", administrator), ("", administrator)]  # asked, then stopped
    shown = client.get(patient.get_absolute_url()).content.decode()
    assert "No reminders" in shown


class _Gateway(http.server.BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received, _Gateway.status = [], 200
    settings.SMS_BACKEND = "common.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    yield _Gateway
    server.shutdown()


def test_the_http_gateway_gets_the_number_and_text_with_its_token(gateway):
    sms.send("+32 470 11 22 33", "Reminder")

    assert gateway.received == [
        ("Bearer secret-token", {"to": "+32 470 11 22 33", "text": "Reminder"})
    ]


def test_a_gateway_that_refuses_leaves_the_message_to_be_tried_again(
    gateway, patient, treating_psychologist, django_capture_on_commit_callbacks
):
    gateway.status = 503
    asks_for(patient, "sms", phone="+32 470 11 22 33")
    book(patient, treating_psychologist, starts_at=tomorrow_at(10))

    run_and_deliver(django_capture_on_commit_callbacks)

    message = OutboxMessage.objects.get()
    assert (message.sent_at, message.attempts) == (None, 1)
    assert "503" in message.last_error
