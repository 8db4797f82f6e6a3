"""The week grid in Chromium: a psychologist books a patient into a free hour of a room from
the grid, then books another patient into the same room at the same hour and is warned; the
grid passes axe-core's checks."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import Appointment, Room
from tests.factories import patient_in_care

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def next_tuesday() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() != 1:
        day += datetime.timedelta(days=1)
    return day


def test_a_psychologist_books_a_free_room_in_the_grid_and_is_warned_of_a_taken_one(
    page, log_in, patient, administrator, clinical_lead, treating_psychologist
):
    room = Room.objects.create(name="Bureau 2")
    second = patient_in_care(
        administrator=administrator, lead=clinical_lead, psychologist=treating_psychologist
    )
    day = next_tuesday()
    log_in(treating_psychologist)

    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_role("link", name="Find a free room in the week grid").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bureau 2")
    if day.isocalendar().week != timezone.localdate().isocalendar().week:
        page.get_by_role("link", name=re.compile("Next week")).click()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("link", name=re.compile(rf"^Book {day:%a} {day.day} 10:00$")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Book an appointment")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 appointment booked.")
    booked = Appointment.objects.get(patient=patient)
    assert (booked.room, timezone.localtime(booked.starts_at).time()) == (
        room,
        datetime.time(10),
    )

    # Another patient, the same room and hour: the form warns and books nothing.
    page.goto(f"/patients/{second.pk}/appointments/new/")
    page.get_by_label(re.compile(r"^Start:?$")).fill(f"{day:%Y-%m-%d}T10:30")
    page.get_by_label(re.compile(r"^Room:?$")).select_option(label="Bureau 2")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.get_by_text("Bureau 2 is already booked at that time.")).to_be_visible()
    assert not Appointment.objects.filter(patient=second).exists()
