"""Repeated failed logins lock the account and, separately, the address (django-axes), on the
login page, the admin's and the API's token check."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AccessEvent
from tests.factories import PASSWORD

LIMIT = 10  # LOGIN_FAILURE_LIMIT's default


def login(client, username, password, address="10.0.0.1", url=None):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(times, username, address):
    for _ in range(times):
        login(Client(), username, "wrong password", address)


def test_ten_wrong_passwords_lock_the_account_even_from_another_address(treating_psychologist):
    fail(LIMIT, "psy.treating", "10.0.0.1")

    client = Client()
    response = login(client, "psy.treating", PASSWORD, "10.0.0.2")

    assert response.status_code == 429
    assert "blocked for 30 minutes" in response.content.decode()
    assert not logged_in(client)


def test_nine_wrong_passwords_do_not_lock_and_a_success_starts_the_count_again(
    treating_psychologist,
):
    fail(LIMIT - 1, "psy.treating", "10.0.0.1")
    client = Client()

    assert login(client, "psy.treating", PASSWORD, "10.0.0.1").status_code == 302
    assert logged_in(client)
    fail(LIMIT - 1, "psy.treating", "10.0.0.1")
    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.1").status_code == 302


def test_ten_failures_from_one_address_lock_that_address_for_every_account(
    treating_psychologist, other_psychologist
):
    for n in range(LIMIT):
        login(Client(), f"guess{n}", "wrong password", "10.0.0.9")

    blocked, elsewhere = Client(), Client()
    assert login(blocked, "psy.other", PASSWORD, "10.0.0.9").status_code == 429
    assert not logged_in(blocked)
    assert login(elsewhere, "psy.other", PASSWORD, "10.0.0.10").status_code == 302


def test_the_lock_lifts_after_the_configured_time(treating_psychologist, settings):
    fail(LIMIT, "psy.treating", "10.0.0.1")
    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.1").status_code == 429

    # The failures are older than the lock-out time (30 minutes).
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31)
    )

    client = Client()
    assert login(client, "psy.treating", PASSWORD, "10.0.0.1").status_code == 302
    assert logged_in(client)


def test_the_lock_out_time_and_limit_are_settings(treating_psychologist, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=5)

    fail(3, "psy.treating", "10.0.0.1")
    response = login(Client(), "psy.treating", PASSWORD, "10.0.0.2")

    assert response.status_code == 429
    assert "blocked for 5 minutes" in response.content.decode()


def test_the_admin_login_is_locked_too(administrator):
    admin_login = reverse("admin:login")
    for _ in range(LIMIT):
        login(Client(), "admin", "wrong password", "10.0.0.3", url=admin_login)

    client = Client()
    response = login(client, "admin", PASSWORD, "10.0.0.4", url=admin_login)

    assert response.status_code == 429
    assert not logged_in(client)


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(other_psychologist):
    for n in range(LIMIT):
        Client().post(
            reverse("login"),
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    response = Client().post(
        reverse("login"),
        {"username": "psy.other", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429


@pytest.mark.parametrize("typed", ["correct horse battery staple", "not-an-account"])
def test_a_name_that_is_no_account_is_stored_nowhere(treating_psychologist, typed):
    login(Client(), typed, "wrong password", "10.0.0.1")

    failed = AccessEvent.objects.get(action="login_failed")
    assert failed.username == ""
    attempt = AccessAttempt.objects.get()
    assert attempt.username is None
    assert typed not in attempt.post_data and typed not in attempt.get_data


def test_an_accounts_name_is_kept_with_its_failed_login(treating_psychologist):
    login(Client(), "psy.treating", "wrong password", "10.0.0.1")

    assert AccessEvent.objects.get(action="login_failed").username == "psy.treating"
    assert AccessAttempt.objects.get().username == "psy.treating"


def test_wrong_api_tokens_lock_the_address_out_of_the_api(treating_psychologist):
    from accounts.models import ApiToken

    _row, token = ApiToken.objects.create(user=treating_psychologist, name="script")
    url = reverse("api:patient_list")
    for n in range(LIMIT):
        wrong = APIClient(REMOTE_ADDR="10.0.0.7")
        wrong.credentials(HTTP_AUTHORIZATION=f"Token {n:064d}")
        assert wrong.get(url).status_code in (401, 429)

    locked, elsewhere = APIClient(REMOTE_ADDR="10.0.0.7"), APIClient(REMOTE_ADDR="10.0.0.8")
    locked.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    refused = locked.get(url)
    assert refused.status_code == 429
    assert "blocked" in refused.json()["detail"]
    assert elsewhere.get(url).status_code == 200
    assert AccessEvent.objects.filter(action="login_failed", username="").count() == LIMIT
