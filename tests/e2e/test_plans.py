"""A treatment plan in Chromium: written from the patient's file, reviewed as a new version;
the pages pass axe-core's checks."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from notes.models import TreatmentPlan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_accessibility_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_psychologist_writes_the_plan_then_reviews_it(
    page, log_in, patient, treating_psychologist
):
    review_on = timezone.localdate() + datetime.timedelta(days=90)
    log_in(treating_psychologist)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="Treatment plan").click()
    no_accessibility_violations(page)
    page.get_by_role("button", name="Write the plan").click()
    no_accessibility_violations(page)
    page.locator("#id_goal_1").fill("Recognise the situations of risk")
    page.locator("#id_interventions_1").fill("Relapse prevention plan")
    page.get_by_label(re.compile(r"^Next review:?$")).fill(review_on.isoformat())
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Treatment plan saved")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Version 1: Plan")
    no_accessibility_violations(page)

    page.get_by_role("button", name="Review the plan").click()
    page.locator("#id_progress_1").select_option(label="Clear progress")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=2).first).to_contain_text("Version 2: Review")
    expect(page.get_by_text("Clear progress")).to_be_visible()
    assert TreatmentPlan.objects.filter(patient=patient).count() == 2
