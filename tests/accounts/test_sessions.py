"""Sessions end after 30 idle minutes and 8 hours whatever the activity; a user can end all of
theirs at once; a change of roles ends them; the key changes at login."""

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from accounts.sessions import SEEN, STARTED, end_all_sessions
from tests.factories import PASSWORD, pass_second_factor
from tests.forms import browser_form

HOME = "/dashboard/"


def logged_in_client(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert pass_second_factor(client, user).status_code == 302
    return client


def shift(client, **seconds_ago) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[{"seen": SEEN, "started": STARTED}[key]] = time.time() - ago
    session.save()


def is_logged_in(client) -> bool:
    return client.get(HOME).status_code == 200


def test_a_session_idle_for_29_minutes_goes_on(treating_psychologist):
    client = logged_in_client(treating_psychologist)
    shift(client, seen=29 * 60)

    assert is_logged_in(client)


def test_a_session_idle_for_over_30_minutes_ends_and_says_why(treating_psychologist):
    client = logged_in_client(treating_psychologist)
    shift(client, seen=30 * 60 + 5)

    response = client.get(HOME, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "logged out after 30 minutes without activity" in response.content.decode()
    assert not is_logged_in(client)


def test_the_idle_limit_is_a_setting(treating_psychologist, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = logged_in_client(treating_psychologist)
    shift(client, seen=6 * 60)

    assert not is_logged_in(client)


def test_activity_keeps_a_session_but_not_beyond_eight_hours(treating_psychologist):
    client = logged_in_client(treating_psychologist)
    shift(client, seen=2 * 60, started=8 * 3600 - 60)
    assert is_logged_in(client)  # active, within the 8 hours
    assert time.time() - client.session[SEEN] < 5  # the activity was noted

    shift(client, seen=0, started=8 * 3600 + 1)
    response = client.get(HOME, follow=True)

    assert "Your session has ended" in response.content.decode()
    assert not is_logged_in(client)


def test_a_request_writes_the_activity_at_most_once_a_minute(treating_psychologist):
    client = logged_in_client(treating_psychologist)
    shift(client, seen=30)
    before = client.session[SEEN]

    client.get(HOME)

    assert client.session[SEEN] == before


def test_stay_logged_in_is_activity(treating_psychologist, client):
    client = logged_in_client(treating_psychologist)
    shift(client, seen=29 * 60)

    assert client.post(reverse("accounts:keep_session")).status_code == 204
    assert time.time() - client.session[SEEN] < 5
    assert Client().post(reverse("accounts:keep_session")).status_code == 302  # to log in


def test_every_page_carries_the_idle_warning_with_the_limits(treating_psychologist, settings):
    page = logged_in_client(treating_psychologist).get(HOME).content.decode()

    assert 'id="session-warning"' in page
    assert 'data-idle-seconds="1800"' in page and 'data-warning-seconds="120"' in page
    assert "js/session.js" in page
    assert 'id="session-warning"' not in Client().get(reverse("login")).content.decode()


def test_log_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(
    treating_psychologist, other_psychologist
):
    office, home, colleague = (
        logged_in_client(treating_psychologist),
        logged_in_client(treating_psychologist),
        logged_in_client(other_psychologist),
    )
    page = office.get(reverse("accounts:account"))
    assert page.status_code == 200 and "Log out everywhere" in page.content.decode()

    response = office.post(reverse("accounts:log_out_everywhere"))

    assert response.status_code == 302
    assert not is_logged_in(office) and not is_logged_in(home)
    assert is_logged_in(colleague)
    assert is_logged_in(logged_in_client(treating_psychologist))  # a new login works


def test_a_change_of_roles_ends_the_users_sessions(treating_psychologist, other_psychologist):
    client, colleague = (
        logged_in_client(treating_psychologist),
        logged_in_client(other_psychologist),
    )

    treating_psychologist.groups.add(Group.objects.get(name=Role.CLINICAL_LEAD))

    assert not is_logged_in(client)
    assert is_logged_in(colleague)
    client = logged_in_client(treating_psychologist)
    Group.objects.get(name=Role.CLINICAL_LEAD).user_set.remove(treating_psychologist)
    assert not is_logged_in(client)
    client, colleague = (
        logged_in_client(treating_psychologist),
        logged_in_client(other_psychologist),
    )
    Group.objects.get(name=Role.PSYCHOLOGIST).user_set.clear()  # a role emptied at once
    for ended in (client, colleague):  # logged out, not merely refused a page
        assert ended.get(HOME)["Location"].startswith(reverse("login"))


def test_an_older_copy_of_the_user_saved_later_does_not_revive_ended_sessions(
    treating_psychologist,
):
    client = logged_in_client(treating_psychologist)
    stale = type(treating_psychologist).objects.get(pk=treating_psychologist.pk)

    end_all_sessions(treating_psychologist)
    stale.first_name = "Renamed"
    stale.save()

    assert not is_logged_in(client)


def test_logging_in_gives_the_session_a_new_key(treating_psychologist):
    client = Client()
    client.get(reverse("login"))
    client.post(reverse("set_language"), {"language": "fr", "next": "/login/"})
    anonymous_key = client.session.session_key

    client.post(reverse("login"), {"username": "psy.treating", "password": PASSWORD})

    assert client.session.session_key != anonymous_key
    assert "_auth_user_id" in client.session


def test_a_new_password_keeps_this_session_and_ends_the_others(treating_psychologist):
    here, elsewhere = (
        logged_in_client(treating_psychologist),
        logged_in_client(treating_psychologist),
    )
    url = reverse("accounts:password_change")
    data = browser_form(here.get(url))
    data.update(
        old_password=PASSWORD,
        new_password1="a new long passphrase 2026",
        new_password2="a new long passphrase 2026",
    )

    response = here.post(url, data, follow=True)

    assert "Your password has been changed" in response.content.decode()
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)


def test_a_wrong_old_password_changes_nothing(treating_psychologist):
    client = logged_in_client(treating_psychologist)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "x" * 20, "new_password2": "x" * 20},
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    treating_psychologist.refresh_from_db()
    assert treating_psychologist.check_password(PASSWORD)


def test_the_leads_account_page_links_the_clinics_access_pages_under_a_plain_title(
    clinical_lead, treating_psychologist, client_for
):
    lead = client_for(clinical_lead).get(reverse("accounts:account")).content.decode()
    psychologist = client_for(treating_psychologist).get(reverse("accounts:account"))

    assert re.search(r"<title>My account · [^<]*</title>", lead)
    assert lead.count(reverse("workspace:access_register")) == 1
    assert reverse("workspace:access_register") not in psychologist.content.decode()


@pytest.mark.parametrize(("flag", "value"), [("is_staff", True), ("is_superuser", True)])
def test_a_change_of_privileges_ends_the_users_sessions(
    treating_psychologist, other_psychologist, flag, value
):
    client, colleague = (
        logged_in_client(treating_psychologist),
        logged_in_client(other_psychologist),
    )
    user = type(treating_psychologist).objects.get(pk=treating_psychologist.pk)

    setattr(user, flag, value)
    user.save()

    assert client.get(HOME)["Location"].startswith(reverse("login"))
    assert is_logged_in(colleague)


def test_saving_a_user_without_a_change_of_privileges_keeps_their_sessions(
    treating_psychologist,
):
    client = logged_in_client(treating_psychologist)
    user = type(treating_psychologist).objects.get(pk=treating_psychologist.pk)

    user.first_name = "Renamed"
    user.save()

    assert is_logged_in(client)
