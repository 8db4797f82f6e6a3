"""The helpline's two journeys in Chromium: a contact logged with the keyboard only, and a
follow-up code given to a caller and found again when they call back."""

import re

import pytest
from playwright.sync_api import expect

from helpline.models import Contact

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tab_to(page, name: str, most: int = 40) -> None:
    """Press Tab until the field called `name` has the focus, as a keyboard user would."""
    seen = []
    for _ in range(most):
        current = page.evaluate("document.activeElement && document.activeElement.name")
        if current == name:
            return
        seen.append(current)
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name!r}: {seen}")


def test_a_listener_logs_a_contact_with_the_keyboard_only(page, log_in, helpline_listener):
    log_in(helpline_listener)
    expect(page).to_have_url(re.compile(r"/helpline/$"))  # the listener's home
    expect(page.locator("[data-timer]")).not_to_have_text("0:00", timeout=5_000)  # it runs

    # The form has the focus, on the channel: the arrows move it from phone to chat.
    assert page.evaluate("document.activeElement.name") == "channel"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    tab_to(page, "caller_type")
    page.keyboard.press("ArrowDown")  # from "not recorded" to the person concerned, an adult
    tab_to(page, "tags")
    page.keyboard.press("Space")
    tab_to(page, "summary")
    page.keyboard.type("Scared of his thoughts about children; talked about help nearby.")
    tab_to(page, "code")
    page.keyboard.press("Enter")  # Enter in a text field saves the form

    expect(page.get_by_text("The contact is logged.")).to_be_visible()
    contact = Contact.objects.get()
    assert (contact.channel, contact.caller_type) == ("chat", "concerned_adult")
    assert [tag.code for tag in contact.tags.all()] == ["attraction-minors"]
    assert contact.summary.startswith("Scared of his thoughts")


def test_a_follow_up_code_is_given_and_found_again(page, log_in, helpline_listener):
    log_in(helpline_listener)
    page.get_by_label("Give the caller a follow-up code").check()
    page.get_by_label(re.compile("^Summary")).fill("First call; will call back next week.")
    page.get_by_role("button", name="Save the contact").click()
    code = page.locator("[data-code]").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
    page.get_by_role("button", name="Done: back to the log").click()

    # A week later the caller gives the code back.
    page.get_by_role("textbox", name=re.compile("^Follow-up code")).fill(
        code.lower().replace("-", " ")
    )
    page.get_by_role("button", name="Find their earlier contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Contacts with the code {code}")
    expect(page.get_by_text("First call; will call back next week.")).to_be_visible()
    page.get_by_role("button", name="Log a contact with this code").click()
    page.get_by_role("button", name="Save the contact").click()

    first, second = Contact.objects.order_by("pk")
    assert second.follow_up_id == first.follow_up_id and second.repeat
