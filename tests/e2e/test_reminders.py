"""A reminder in Chromium: the administrator records that the patient asked for reminders by
SMS, on the patient's form; the day before the appointment the reminder goes out, once."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from casework.models import Patient
from casework.tasks import send_appointment_reminders
from common import sms
from tests.factories import at, book

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_patient_asks_for_sms_reminders_and_one_goes_out_the_day_before_not_twice(
    page, log_in, patient, administrator, treating_psychologist
):
    sms.outbox.clear()
    book(patient, treating_psychologist, starts_at=at(1, 10))
    log_in(administrator)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).first.click()

    page.get_by_label(re.compile(r"^Phone:?$")).fill("+32 470 11 22 33")
    page.get_by_label(re.compile(r"^Appointment reminders:?$")).select_option(
        label="By text message (SMS)"
    )
    results = Axe().run(page)  # the patient's form, with its reminders
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("button", name=re.compile("Save")).click()

    expect(page.locator("dl.facts").first).to_contain_text("By text message (SMS)")
    assert Patient.objects.get(pk=patient.pk).reminders == "sms"

    send_appointment_reminders.delay()  # the beat's run at 09:05
    send_appointment_reminders.delay()  # and at 10:05: nothing more

    [(to, text)] = sms.outbox
    assert to == "+32 470 11 22 33"
    assert "à 10:00" in text  # in the patient's language (French)
