"""Every bearer credential of an account ends together — its sessions, its API tokens, its
calendar link — when trust in it ends: log out everywhere, a new password, the lead's reset of
the second factor, a deactivation. Each page says so before and after; each end is logged; new
credentials made afterwards work."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import AccessEvent
from tests.factories import PASSWORD, book, enrol, verify_session
from tests.forms import browser_form

NEW_PASSWORD = "a new long passphrase 2026"
STOP_WORKING = "API tokens and calendar link stop working"
NO_LONGER_WORK = "API tokens and calendar link no longer work"


def api_status(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(reverse("api:patient_list")).status_code


def calendar_status(link: str) -> int:
    response = Client().get(link)
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/calendar")
        assert b"BEGIN:VCALENDAR" in response.content
    return response.status_code


def logged_in(user) -> Client:
    user.refresh_from_db()  # its session generation as it is now
    client = Client()
    client.force_login(user)
    verify_session(client, user)
    return client


def new_credentials(client) -> tuple[str, str]:
    """A token and a calendar link, made on their pages as the user makes them; both work."""
    data = browser_form(client.get(reverse("accounts:tokens")))
    data["name"] = "weekly export"
    token = client.post(reverse("accounts:tokens"), data).context["new_token"]
    made = client.post(reverse("casework:calendar_feed"), {"action": "create"}).content.decode()
    link = urlsplit(re.search(r'value="(http[^"]+\.ics)"', made).group(1)).path
    assert api_status(token) == 200
    assert calendar_status(link) == 200
    return token, link


def ended_event(user, reason: str) -> AccessEvent:
    """The access log's line: on the user whose credentials ended, saying why."""
    event = AccessEvent.objects.get(
        action="update", object_type="accounts.user", object_id=str(user.pk), label__contains=reason
    )
    assert user.username in event.label and "ended" in event.label
    assert event.patient_id is None
    return event


@pytest.fixture
def clinician(patient, treating_psychologist):
    book(patient, treating_psychologist, days=1)
    return treating_psychologist


def test_log_out_everywhere_ends_the_tokens_and_the_calendar_link_and_says_so(
    clinician, other_psychologist
):
    client = logged_in(clinician)
    token, link = new_credentials(client)
    colleague_token, colleague_link = new_credentials(logged_in(other_psychologist))
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Log out everywhere" in page and STOP_WORKING in page

    response = client.post(reverse("accounts:log_out_everywhere"), follow=True)

    assert NO_LONGER_WORK in response.content.decode()
    assert api_status(token) == 401
    assert calendar_status(link) == 404
    assert api_status(colleague_token) == 200  # no one else's
    assert calendar_status(colleague_link) == 200
    assert ended_event(clinician, "logged out everywhere").user == clinician
    new_credentials(logged_in(clinician))


def test_a_new_password_ends_the_tokens_and_the_calendar_link_and_says_so(clinician):
    client = logged_in(clinician)
    token, link = new_credentials(client)
    url = reverse("accounts:password_change")
    form_page = client.get(url)
    assert STOP_WORKING in form_page.content.decode()
    data = browser_form(form_page)
    data.update(old_password=PASSWORD, new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD)

    response = client.post(url, data, follow=True)

    assert NO_LONGER_WORK in response.content.decode()
    assert client.get("/dashboard/").status_code == 200  # this session goes on
    assert api_status(token) == 401
    assert calendar_status(link) == 404
    assert ended_event(clinician, "password changed").user == clinician
    new_credentials(client)


def test_a_password_reset_by_e_mail_ends_the_tokens_and_the_calendar_link(clinician):
    """Whoever reset it read the account's mail: what the old password let anyone make ends."""
    from common.models import OutboxMessage
    from tests.accounts.test_password_reset import ask_for_a_link, choose_new_password, link_in

    token, link = new_credentials(logged_in(clinician))

    ask_for_a_link(clinician.email)
    choose_new_password(link_in(OutboxMessage.objects.get()), NEW_PASSWORD)

    assert api_status(token) == 401
    assert calendar_status(link) == 404
    assert ended_event(clinician, "ended: password reset").user == clinician
    new_credentials(logged_in(clinician))


def test_a_wrong_old_password_ends_nothing(clinician):
    client = logged_in(clinician)
    token, link = new_credentials(client)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert api_status(token) == 200
    assert calendar_status(link) == 200
    assert not AccessEvent.objects.filter(object_type="accounts.user").exists()


def test_the_leads_reset_of_a_second_factor_ends_the_tokens_and_the_calendar_link(
    clinician, clinical_lead, client_for
):
    enrol(clinician)
    token, link = new_credentials(logged_in(clinician))
    lead = client_for(clinical_lead)
    url = reverse("accounts:staff_two_factor_reset", args=[clinician.pk])
    question = lead.get(url).content.decode()
    assert STOP_WORKING in question

    response = lead.post(url, follow=True)

    assert NO_LONGER_WORK in response.content.decode()
    assert api_status(token) == 401
    assert calendar_status(link) == 404
    assert ended_event(clinician, "second factor reset").user == clinical_lead
    enrol(clinician)  # the clinician enrols again, then makes new ones
    new_credentials(logged_in(clinician))


def test_nobody_but_the_lead_may_end_someone_elses_credentials_by_a_reset(
    clinician, other_psychologist, client_for
):
    enrol(clinician)
    token, link = new_credentials(logged_in(clinician))
    url = reverse("accounts:staff_two_factor_reset", args=[clinician.pk])

    assert client_for(other_psychologist).post(url).status_code == 403

    assert api_status(token) == 200
    assert calendar_status(link) == 200


def test_a_deactivation_ends_the_tokens_and_the_calendar_link_for_good(clinician):
    token, link = new_credentials(logged_in(clinician))

    clinician.is_active = False
    clinician.save()

    assert api_status(token) == 401
    assert calendar_status(link) == 404
    assert not ApiToken.objects.filter(user=clinician).exists()
    assert ended_event(clinician, "account deactivated")
    clinician.is_active = True  # taken back: the old ones stay dead, new ones work
    clinician.save()
    assert api_status(token) == 401
    assert calendar_status(link) == 404
    new_credentials(logged_in(clinician))


def test_the_leads_deactivation_from_the_staff_page_says_the_credentials_end(
    clinician, clinical_lead, client_for
):
    token, link = new_credentials(logged_in(clinician))
    lead = client_for(clinical_lead)
    url = reverse("accounts:staff_deactivate", args=[clinician.pk])
    assert STOP_WORKING in lead.get(url).content.decode()

    response = lead.post(url, follow=True)

    assert NO_LONGER_WORK in response.content.decode()
    assert (api_status(token), calendar_status(link)) == (401, 404)
    assert ended_event(clinician, "account deactivated")


def test_other_changes_to_the_account_end_no_token(clinician):
    token, link = new_credentials(logged_in(clinician))

    clinician.first_name = "Renamed"
    clinician.is_staff = True  # ends the sessions (tests/accounts/test_sessions.py), no more
    clinician.save()

    assert api_status(token) == 200
    assert calendar_status(link) == 200
