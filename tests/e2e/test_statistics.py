"""The clinical lead's indicators in Chromium: opened from the navigation, another year chosen,
the CSV downloaded, the annual report asked for, made by a worker (in-process here, once the
response has gone) and downloaded as a PDF/A (docs/statistics.md)."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import register_patient
from tests.reports.pdf_helpers import pdf_text, pdfa_identification

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_lead_reads_another_year_and_downloads_it(page, log_in, clinical_lead, administrator):
    last_year = timezone.localdate().year - 1
    for n in range(6):  # six referrals last year: the CSV shows them (five or more)
        register_patient(
            administrator,
            last_name=f"Indic{n}",
            referral_received_on=datetime.date(last_year, 3, 1 + n),
        )
    log_in(clinical_lead)
    page.get_by_role("link", name="Indicators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Indicators {last_year}")
    referrals = page.locator("#referrals")
    expect(referrals).to_contain_text("6")

    question = page.get_by_role("search", name="What to count")
    question.get_by_label("Year").select_option(str(last_year - 1))
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"year={last_year - 1}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Indicators {last_year - 1}")
    expect(page.locator("#referrals")).to_contain_text("0")
    page.locator("#referrals summary").click()  # the definition, a click away
    expect(page.locator("#referrals")).to_contain_text("referral was received during the year")

    question.get_by_label("Year").select_option(str(last_year))
    page.get_by_role("button", name="Show").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115 (a test's file)
    assert "way_in,,referrals,Referrals received,6,," in text.splitlines()

    # The annual report, in Dutch: a worker makes it once the response has gone.
    report = page.get_by_role("region", name="The annual activity report")
    expect(report.get_by_label("Year")).to_have_value(str(last_year))  # the year shown
    report.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Prepare the annual report").click()
    expect(page.get_by_text("The report is being prepared")).to_be_visible()
    link = page.get_by_role("link", name="Download the PDF")
    for _attempt in range(40):
        if link.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"activity-report-{last_year}-nl.pdf"
    pdf = open(download.value.path(), "rb").read()  # noqa: SIM115 (a test's temporary file)
    assert pdfa_identification(pdf) == ("2", "B")
    text = " ".join(pdf_text(pdf).split())
    assert f"Jaarverslag {last_year}" in text
    assert settings.CLINIC_NAME in text  # the letters' letterhead
    assert "Ontvangen aanmeldingen 6" in text  # the referrals, with their Dutch label
