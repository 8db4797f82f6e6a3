"""The patients' reminders sent by a real Celery worker through the Redis broker: the task
delivered twice (the beat's hour and a duplicate) reminds once, and the text message leaves
through the outbox's own task."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from casework.models import AppointmentReminder, Patient
from casework.tasks import send_appointment_reminders
from common import sms
from common.models import OutboxMessage
from config.celery import app
from tests.conftest import wait_until
from tests.factories import at, book


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_reminder_goes_out_the_day_before_once_on_a_real_worker(
    redis_broker, patient, treating_psychologist
):
    Patient.objects.filter(pk=patient.pk).update(reminders="sms", phone="+32 470 11 22 33")
    book(patient, treating_psychologist, starts_at=at(1, 10))
    sms.outbox.clear()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        send_appointment_reminders.delay()
        send_appointment_reminders.delay()
        assert wait_until(lambda: OutboxMessage.objects.filter(sent_at__isnull=False).exists())
        time.sleep(1.0)  # let any duplicate delivery finish

    assert AppointmentReminder.objects.count() == 1
    assert [to for to, _text in sms.outbox] == ["+32 470 11 22 33"]
