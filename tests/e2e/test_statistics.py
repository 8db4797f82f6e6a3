"""The clinical lead's indicators in Chromium: opened from the navigation, another year chosen,
the CSV and the annual report downloaded (docs/statistics.md)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import register_patient

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

    page.get_by_label("Year").select_option(str(last_year - 1))
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"year={last_year - 1}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Indicators {last_year - 1}")
    expect(page.locator("#referrals")).to_contain_text("0")
    page.locator("#referrals summary").click()  # the definition, a click away
    expect(page.locator("#referrals")).to_contain_text("referral was received during the year")

    page.get_by_label("Year").select_option(str(last_year))
    page.get_by_role("button", name="Show").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115 (a test's file)
    assert "way_in,,referrals,Referrals received,6,," in text.splitlines()
