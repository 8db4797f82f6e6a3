"""The listener's log: a contact in a few keystrokes, a missed one in one click, follow-up
codes shown once and found again, the time on the line, and bad input changing nothing."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from helpline import services
from helpline.models import Contact, FollowUpCode, ProblemTag, ReferralService
from tests.forms import browser_form, offered

pytestmark = pytest.mark.django_db

LOG = reverse("helpline:log")


@pytest.fixture
def listener_client(helpline_listener, client_for):
    return client_for(helpline_listener)


def test_a_contact_is_logged_from_what_the_form_offers(listener_client, helpline_listener):
    page = listener_client.get(LOG)
    assert page.status_code == 200
    data = browser_form(page, 1)  # the first form is the missed-contact buttons
    data["channel"] = offered(page, "channel", 1)[2]  # chat
    data["caller_type"] = "concerned_adult"
    data["tags"] = offered(page, "tags", 1)[:2]
    data["referral"] = offered(page, "referral", 1)[1]
    data["summary"] = "Afraid of acting out; talked through a safety plan."
    data["duration_minutes"] = "25"

    response = listener_client.post(LOG, data)

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.channel, contact.caller_type, contact.duration_minutes) == (
        "chat",
        "concerned_adult",
        25,
    )
    assert contact.tags.count() == 2 and contact.referral is not None
    assert contact.listener == helpline_listener
    assert contact.started_at.second == 0  # to the minute, no finer
    assert not contact.missed and not contact.repeat


def test_the_duration_runs_from_when_the_form_opened(listener_client):
    import datetime

    from django.utils import timezone

    page = listener_client.get(LOG)
    data = browser_form(page, 1)
    data["duration_minutes"] = ""  # no script ran: the server counts from the form's opening
    opened = timezone.now() - datetime.timedelta(minutes=7)  # the call lasted seven minutes
    data["started_at"] = opened.isoformat()
    listener_client.post(LOG, data)
    contact = Contact.objects.get()
    assert contact.duration_minutes == 7
    assert abs((contact.started_at - opened).total_seconds()) < 120  # it began then


def test_a_missed_contact_is_one_click(listener_client):
    page = listener_client.get(LOG).content.decode()
    assert 'name="channel" value="phone"' in page  # a button of its own
    response = listener_client.post(reverse("helpline:missed"), {"channel": "phone"})
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.missed and contact.channel == "phone" and contact.duration_minutes == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": "9999"}, "duration_minutes"),
        ({"channel": "fax"}, "channel"),
        ({"code": "ZZZ-ZZZ"}, "code"),
        ({"referral": "999999"}, "referral"),
    ],
)
def test_bad_input_gets_a_message_and_logs_nothing(listener_client, change, field):
    page = listener_client.get(LOG)
    response = listener_client.post(LOG, {**browser_form(page, 1), **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Contact.objects.exists()


def test_a_missed_contact_on_no_channel_is_refused(listener_client):
    response = listener_client.post(reverse("helpline:missed"), {"channel": "pigeon"}, follow=True)
    assert "Choose the channel." in response.content.decode()
    assert not Contact.objects.exists()


# --- Follow-up codes ------------------------------------------------------------------------


def give_code(client) -> str:
    page = client.get(LOG)
    data = {**browser_form(page, 1), "give_code": "on", "duration_minutes": "12"}
    response = client.post(LOG, data)
    assert response["Location"] == reverse("helpline:new_code")
    shown = client.get(reverse("helpline:new_code")).content.decode()
    return re.search(r"data-code>([A-Z0-9]{3}-[A-Z0-9]{3})<", shown).group(1)


def test_a_code_is_shown_once_and_kept_only_as_a_keyed_hash(listener_client):
    code = give_code(listener_client)

    again = listener_client.get(reverse("helpline:new_code"), follow=True)
    assert code not in again.content.decode()  # shown once
    stored = FollowUpCode.objects.get()
    assert code.replace("-", "") not in stored.digest
    assert stored.digest == FollowUpCode.digest_of(code)
    assert Contact.objects.get().follow_up == stored


def test_a_repeat_caller_is_found_by_their_code(listener_client):
    code = give_code(listener_client)
    found = listener_client.get(reverse("helpline:contacts"), {"code": code.lower()})
    assert found.status_code == 200
    assert list(found.context["contacts"]) == [Contact.objects.get()]

    # the next contact, with the code the caller says: linked, and a repeat contact
    page = listener_client.get(LOG, {"code": code})
    data = browser_form(page, 1)
    assert data["code"] == code
    listener_client.post(LOG, data)
    second = Contact.objects.latest("pk")
    assert second.follow_up == Contact.objects.earliest("pk").follow_up
    assert second.repeat
    detail = listener_client.get(reverse("helpline:contact", args=[second.pk]))
    assert [c.pk for c in detail.context["same_caller"]] == [Contact.objects.earliest("pk").pk]


def test_an_unknown_code_finds_nothing_and_says_so(listener_client):
    give_code(listener_client)
    found = listener_client.get(reverse("helpline:contacts"), {"code": "ABC-DEF"})
    assert "No contact has this code" in found.content.decode()
    assert list(found.context["contacts"]) == []


# --- The time on the line ---------------------------------------------------------------------


@override_settings(HELPLINE_BREAK_AFTER_MINUTES=120)
def test_a_break_is_suggested_after_two_hours_on_the_line_today(
    listener_client, helpline_listener, contact_at
):
    contact_at(helpline_listener, minutes=70)
    contact_at(helpline_listener, minutes=45)
    contact_at(helpline_listener, minutes=300, days=1)  # yesterday: does not count
    page = listener_client.get(LOG).content.decode()
    assert "On the line today: 115 minutes." in page
    assert "take a break" not in page

    contact_at(helpline_listener, minutes=10)
    page = listener_client.get(LOG).content.decode()
    assert "On the line today: 125 minutes." in page
    assert "take a break" in page


def test_a_colleagues_time_is_not_mine(helpline_listener, contact_at):
    from tests.factories import UserFactory

    colleague = UserFactory(role="helpline_listener")
    contact_at(colleague, minutes=200)
    assert services.shift_of(helpline_listener).minutes == 0
    assert services.shift_of(colleague).break_due


def test_the_lists_come_seeded_in_three_languages():
    assert ProblemTag.objects.filter(code="fear-acting-out", name_nl__startswith="Angst").exists()
    assert ReferralService.objects.filter(name_fr="Médecin généraliste").exists()


def test_paging_the_contacts_asks_for_no_code(listener_client, helpline_listener, contact_at):
    for _ in range(30):
        contact_at(helpline_listener)
    page = listener_client.get(reverse("helpline:contacts"), {"page": "2"})
    assert page.status_code == 200
    assert len(page.context["contacts"]) == 5
    assert not page.context["lookup"].errors  # the lookup is not what was asked
