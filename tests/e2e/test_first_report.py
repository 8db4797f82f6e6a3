"""The first follow-up report, as the law has it: a new mandate, the intake, then the report
"within the month" (law of 29 June 1964, art. 9bis), signed once and sent to the authority
and to the justice assistant, each dispatch recorded; a sealed PDF/A that a recipient checks.
"""

import datetime
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.utils import formats, timezone
from playwright.sync_api import expect

from common.dates import add_months
from reports.models import Letter
from tests.e2e.test_journeys import label
from tests.factories import AuthorityFactory, assign, register_patient
from tests.reports.pdf_helpers import pdf_fonts, pdf_text, pdfa_identification
from tests.reports.test_sealing import certificate_authority, seal, validated  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_new_mandate_s_first_report_is_due_within_the_month_and_reaches_both_recipients(
    page,
    log_in,
    administrator,
    treating_psychologist,
    clinical_lead,
    authority,
    justice_contact,
    seal,
):
    justice_contact.email = "claire.renard@just.fgov.be"
    justice_contact.save()
    court = AuthorityFactory(name="Tribunal de première instance de Liège", kind="trial_court")
    patient = register_patient(administrator, last_name="Lemaire", first_name="Paul")
    assign(patient, treating_psychologist, by=clinical_lead)
    today = timezone.localdate()
    starts_on, intake_on = today - datetime.timedelta(days=36), today - datetime.timedelta(days=33)

    # The administrator records the mandate: the probation the court pronounced, followed by
    # the commission, with the numbers each recipient files it by.
    log_in(administrator)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="Add a mandate").click()
    page.get_by_label(label("legal framework")).select_option(value="probation")
    page.get_by_label(label("supervising authority")).select_option(label=authority.name)
    page.get_by_label(label("deciding authority")).select_option(label=court.name)
    page.get_by_label(label("decision date")).fill(
        (starts_on - datetime.timedelta(days=20)).isoformat()
    )
    page.get_by_label(label("decision reference")).fill("2026/0815")
    page.get_by_label(label("the authority's file number")).fill("CP/LG/2026/0412")
    page.get_by_label(label("start")).fill(starts_on.isoformat())
    page.get_by_label(label("required session frequency")).select_option(label="Weekly")
    page.get_by_label(label("reporting interval (months)")).fill("6")
    page.get_by_label(label("justice assistant")).select_option(label=str(justice_contact))
    page.get_by_label(label("the justice assistant's file number")).fill("MJ-LG-2026-77")
    page.get_by_label(label("basis for sharing information")).select_option(
        label="Patient's written consent"
    )
    page.get_by_label(label("consent signed on")).fill(starts_on.isoformat())
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.get_by_role("status")).to_be_visible()

    # Then the intake: it sets the law's clock, and sets the letters off at once.
    page.goto(patient.get_absolute_url())
    page.get_by_role("button", name="Record intake").click()
    page.get_by_label(label("date")).fill(intake_on.isoformat())
    page.get_by_role("button", name="Record intake").click()

    report = Letter.objects.get(patient=patient, kind="periodic_report")
    assert report.due_on == add_months(intake_on, 1)  # within the month of the intake
    assert report.recipients == ["authority", "justice_assistant"]
    due = formats.date_format(report.due_on, "DATE_FORMAT")
    page.get_by_role("link", name="Letters", exact=True).click()
    overdue = page.locator("section", has=page.get_by_role("heading", name="Overdue"))
    overdue.get_by_role("link", name="Periodic follow-up report").click()
    expect(page.locator("dl.facts")).to_contain_text(due)

    # The psychologist signs it, once.
    page.get_by_role("button", name="Log out").click()
    log_in(treating_psychologist)
    page.goto(report.get_absolute_url())
    page.get_by_role("button", name="Sign the letter").click()
    page.get_by_role("button", name="Sign the letter").click()
    expect(page.get_by_role("status").first).to_contain_text("Letter signed.")
    for _ in range(40):  # rendered (and sealed) once the page has answered
        if page.get_by_role("button", name="Download the PDF").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.get_by_role("button", name="Sign the letter")).to_have_count(0)

    # The administrator sends it: by post to the commission, by e-mail to the assistant,
    # each from the address on file.
    page.get_by_role("button", name="Log out").click()
    log_in(administrator)
    page.goto(report.get_absolute_url())
    page.get_by_role("button", name="Record the dispatch: The authority").click()
    expect(page.get_by_label("Post")).to_be_checked()
    page.get_by_role("button", name="Record the dispatch").click()
    page.get_by_role("button", name="Record the dispatch: The justice assistant").click()
    expect(page.get_by_label("E-mail")).to_be_checked()
    expect(page.get_by_label(label("To"))).to_have_value("claire.renard@just.fgov.be")
    page.get_by_role("button", name="Record the dispatch").click()
    for _ in range(20):  # the e-mail leaves from the outbox once the page has answered
        if page.get_by_role("heading", level=2, name="Sent").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.get_by_role("heading", level=2, name="Sent")).to_be_visible()
    dispatches = page.locator("section", has=page.get_by_role("heading", name="Dispatches"))
    expect(dispatches).to_contain_text("The authority: Post")
    expect(dispatches).to_contain_text("The justice assistant: E-mail")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    posted = open(download.value.path(), "rb").read()  # noqa: SIM115 (a test's temporary file)
    (message,) = [m for m in mail.outbox if "claire.renard@just.fgov.be" in m.to]
    emailed = message.attachments[0][1]

    report.refresh_from_db()
    assert report.status == "sent" and report.signed_by == treating_psychologist
    assert report.dispatches.count() == 2
    for pdf in (posted, emailed):
        assert pdf == bytes(report.pdf) and report.pdf_matches()
        assert pdfa_identification(pdf) == ("2", "B")
        assert all(pdf_fonts(pdf).values())
        text = pdf_text(pdf)
        assert "CP/LG/2026/0412" in text and "MJ-LG-2026-77" in text
    # pyHanko's validator runs an event loop of its own: not in this thread, where Playwright's
    # runs.
    with ThreadPoolExecutor(1) as validator:
        status = validator.submit(validated, emailed, seal.root).result()
    assert status.intact and status.valid and status.trusted
