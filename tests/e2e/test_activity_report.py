"""The annual activity report, as the clinical lead gets it: asked for on the indicators page,
made by a worker (in-process here, once the response has gone), then downloaded from the same
page as a PDF/A that holds the year's figures."""

import re

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import expect

from reports import wording
from tests.reports.pdf_helpers import pdf_text, pdfa_identification

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_lead_asks_for_the_annual_report_in_dutch_and_downloads_it(page, log_in, clinical_lead):
    year = timezone.localdate().year - 1
    log_in(clinical_lead)
    page.goto(f"/statistics/indicators/?year={year}")
    page.locator("#report_language").select_option("nl")
    page.get_by_role("button", name="Prepare the annual report").click()
    expect(page.get_by_text("The report is being prepared")).to_be_visible()

    download_link = page.get_by_role("link", name="Download the PDF")
    for _attempt in range(40):  # the worker renders it once the response has gone
        if download_link.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == f"activity-report-{year}-nl.pdf"
    pdf = open(download.value.path(), "rb").read()  # noqa: SIM115 (a test's temporary file)
    assert pdfa_identification(pdf) == ("2", "B")
    text = pdf_text(pdf)
    assert re.search(rf"\b{year}\b", text)
    assert settings.CLINIC_NAME in text  # the letters' letterhead
    with translation.override("nl"):  # written in Dutch: today's date, as a Dutch letter has it
        assert " ".join(wording.day(timezone.localdate()).split()) in text
