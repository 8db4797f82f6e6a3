"""Documents on the file, in Chromium: a psychologist files the court's decision from the
patient page and downloads it back; the pages pass axe-core's accessibility checks."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from documents.models import Document
from tests.documents.files import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_accessibility_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_psychologist_files_a_court_decision_and_downloads_it(
    page, log_in, patient, treating_psychologist
):
    log_in(treating_psychologist)
    page.goto(patient.get_absolute_url())

    page.get_by_role("button", name="Documents", exact=True).click()
    expect(page.get_by_text("No document on this file yet.")).to_be_visible()
    no_accessibility_violations(page)
    page.get_by_role("button", name="Add a document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a document to the file")
    no_accessibility_violations(page)
    page.get_by_label(re.compile(r"^Kind:?$")).select_option(label="Court decision")
    page.get_by_label(re.compile(r"^Description:?$")).fill("Judgment of the sentencing court")
    page.get_by_label(re.compile(r"^File:?$")).set_input_files(
        files=[{"name": "vonnis.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Add the document").click()

    expect(page).to_have_url(re.compile(r"/documents/$"))
    expect(page.get_by_role("status")).to_contain_text("Document added to the file.")
    row = page.get_by_role("row").filter(has_text="Judgment of the sentencing court")
    expect(row).to_contain_text("Court decision")
    no_accessibility_violations(page)
    with page.expect_download() as download:
        row.get_by_role("link", name="Judgment of the sentencing court").click()
    assert download.value.suggested_filename == "vonnis.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PDF
    assert Document.objects.get().uploaded_by == treating_psychologist


def test_a_script_renamed_pdf_is_refused_on_the_page(page, log_in, patient, treating_psychologist):
    log_in(treating_psychologist)
    page.goto(f"/patients/{patient.pk}/documents/new/")
    page.get_by_label(re.compile(r"^Kind:?$")).select_option(label="Consent form")
    page.get_by_label(re.compile(r"^File:?$")).set_input_files(
        files=[{"name": "consent.pdf", "mimeType": "application/pdf", "buffer": b"#!/bin/sh\n"}]
    )
    page.get_by_role("button", name="Add the document").click()

    expect(page.get_by_text("This file is not a PDF, a PNG or a JPEG image")).to_be_visible()
    no_accessibility_violations(page)
    assert not Document.objects.exists()
