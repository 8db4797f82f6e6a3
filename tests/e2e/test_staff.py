"""The clinical lead's staff accounts page in Chromium: a locked-out colleague who also lost
their phone is let in again, and is asked to set up the second factor anew. The rules of each
action are tested with the test client (tests/accounts/test_staff.py)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD, code_for, enrol

NEW_PASSWORD = "a new long passphrase 2026"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_lead_lifts_a_colleagues_lock_and_resets_their_second_factor(
    page, log_in, clinical_lead, treating_psychologist, expected_statuses
):
    colleague = treating_psychologist
    enrol(colleague)  # their phone, set up long ago (and now lost)
    for _ in range(10):  # wrong passwords, from the computer this browser runs on
        Client(REMOTE_ADDR="127.0.0.1").post(
            reverse("login"), {"username": colleague.username, "password": "not it"}
        )
    # The colleague finds the door shut, and the page says who can open it sooner.
    expected_statuses.add((429, "/login/"))
    page.goto("/login/")
    page.get_by_label("User name").fill(colleague.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logging in is blocked")
    expect(page.get_by_role("alert")).to_contain_text("The clinical lead can lift the block")

    log_in(clinical_lead)
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts")
    page.get_by_label("Name or user name").fill(colleague.last_name)
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=colleague.username)
    expect(row).to_contain_text("Locked out")
    expect(row).to_contain_text("Psychologist")

    row.get_by_role("link", name="Lift the lock").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lift a lock-out")
    page.get_by_role("button", name="Lift the lock").click()
    expect(page.get_by_role("status")).to_contain_text(f"{colleague} can log in again")
    row = page.get_by_role("row").filter(has_text=colleague.username)
    expect(row).not_to_contain_text("Locked out")
    expect(row.get_by_role("link", name="Lift the lock")).to_have_count(0)

    row.get_by_role("link", name="Reset second factor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset a second factor")
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("set up two-factor authentication again")
    expect(page.get_by_role("row").filter(has_text=colleague.username)).to_contain_text("Not yet")

    # The colleague, at their desk: the password works, and the second factor is set up anew.
    page.get_by_role("button", name="Log out").click()
    page.goto("/login/")
    page.get_by_label("User name").fill(colleague.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/two-factor/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")


def test_a_forgotten_password_is_chosen_anew_from_the_e_mailed_link(page, treating_psychologist):
    colleague = treating_psychologist
    device = enrol(colleague)
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(colleague.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    # The link, from the message the outbox sent (the test's mailbox).
    (message,) = mail.outbox
    assert message.to == [colleague.email]
    link = re.search(r"https?://\S+(/password/reset/\S+/\S+/)", message.body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")

    # The new password opens the door, the second factor still guards it; the old one is dead.
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("User name").fill(colleague.username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label(re.compile("^Code")).fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"^(?!.*/(login|two-factor)/)"))
    colleague.refresh_from_db()
    assert not colleague.check_password(PASSWORD)
