"""Repeated failed logins lock a name at an address (LOGIN_FAILURE_LIMIT) and an address for
every name at a much higher limit (LOGIN_ADDRESS_FAILURE_LIMIT), on the login page, the admin's
and the API's token check (django-axes, accounts.throttling)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AccessEvent
from tests.factories import PASSWORD, code_for, enrol

LIMIT = 10  # LOGIN_FAILURE_LIMIT's default
ADDRESS_LIMIT = 100  # LOGIN_ADDRESS_FAILURE_LIMIT's default


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


def test_ten_wrong_passwords_lock_that_name_at_that_address_only(
    treating_psychologist, other_psychologist
):
    """One person's typos lock neither their colleagues behind the same address (a clinic's
    NAT) nor their own account elsewhere: a stranger who knows a name cannot keep it locked."""
    fail(LIMIT, "psy.treating", "10.0.0.1")

    locked, colleague, elsewhere = Client(), Client(), Client()
    response = login(locked, "psy.treating", PASSWORD, "10.0.0.1")
    assert response.status_code == 429
    assert "blocked for 30 minutes" in response.content.decode()
    assert not logged_in(locked)
    assert login(colleague, "psy.other", PASSWORD, "10.0.0.1").status_code == 302
    assert logged_in(colleague)
    assert login(elsewhere, "psy.treating", PASSWORD, "10.0.0.2").status_code == 302
    assert logged_in(elsewhere)


def test_a_colleagues_success_at_the_address_does_not_lift_a_lock(
    treating_psychologist, other_psychologist
):
    fail(LIMIT, "psy.treating", "10.0.0.1")
    assert login(Client(), "psy.other", PASSWORD, "10.0.0.1").status_code == 302

    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.1").status_code == 429


def test_nine_wrong_passwords_do_not_lock_and_the_password_alone_does_not_start_again(
    treating_psychologist,
):
    """The password is half a login: the count starts again once the second factor is given
    (test_a_login_completed_with_the_second_factor_starts_the_count_again)."""
    fail(LIMIT - 1, "psy.treating", "10.0.0.1")
    client = Client()

    assert login(client, "psy.treating", PASSWORD, "10.0.0.1").status_code == 302
    assert logged_in(client)
    fail(1, "psy.treating", "10.0.0.1")
    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.1").status_code == 429


def test_in_the_demo_without_a_second_factor_the_password_completes_the_login(
    treating_psychologist, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    fail(LIMIT - 1, "psy.treating", "10.0.0.1")
    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.1").status_code == 302

    fail(LIMIT - 1, "psy.treating", "10.0.0.1")

    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.1").status_code == 302


def test_an_address_is_locked_for_every_name_only_at_the_higher_limit(
    treating_psychologist, other_psychologist
):
    """Many names tried from one machine: each name stays under its own limit, the address
    reaches LOGIN_ADDRESS_FAILURE_LIMIT."""
    for n in range(ADDRESS_LIMIT - 1):
        assert login(Client(), f"guess{n // 5}", "wrong", "10.0.0.9").status_code == 200

    still_open = Client()
    assert login(still_open, "psy.other", PASSWORD, "10.0.0.9").status_code == 302
    assert login(Client(), "guess-last", "wrong", "10.0.0.9").status_code == 429

    blocked, elsewhere = Client(), Client()
    assert login(blocked, "psy.treating", PASSWORD, "10.0.0.9").status_code == 429
    assert not logged_in(blocked)
    assert login(elsewhere, "psy.treating", PASSWORD, "10.0.0.10").status_code == 302


def test_the_address_limit_is_a_setting(treating_psychologist, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for n in range(12):
        login(Client(), f"guess{n}", "wrong", "10.0.0.9")

    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.9").status_code == 429


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
    response = login(Client(), "psy.treating", PASSWORD, "10.0.0.1")

    assert response.status_code == 429
    assert "blocked for 5 minutes" in response.content.decode()


def test_the_admin_login_is_locked_too(administrator):
    admin_login = reverse("admin:login")
    for _ in range(LIMIT):
        login(Client(), "admin", "wrong password", "10.0.0.3", url=admin_login)

    client = Client()
    response = login(client, "admin", PASSWORD, "10.0.0.3", url=admin_login)

    assert response.status_code == 429
    assert not logged_in(client)


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(other_psychologist):
    for n in range(LIMIT):
        Client().post(
            reverse("login"),
            {"username": "psy.other", "password": "x"},
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
    """It is counted under a keyed hash of itself (it may be a password typed in the wrong
    field): the same name again adds to the same count, another name to another."""
    login(Client(), typed, "wrong password", "10.0.0.1")
    login(Client(), typed, "wrong password", "10.0.0.1")
    login(Client(), typed + "2", "wrong password", "10.0.0.1")

    assert set(
        AccessEvent.objects.filter(action="login_failed").values_list("username", flat=True)
    ) == {""}
    first, other = AccessAttempt.objects.order_by("pk")
    assert first.failures_since_start == 2 and other.failures_since_start == 1
    for attempt in (first, other):
        assert typed not in attempt.username
        assert typed not in attempt.post_data and typed not in attempt.get_data
    assert first.username != other.username


def test_a_made_up_name_answers_exactly_like_an_accounts_name(treating_psychologist):
    """Status, form error, warning and lock page at every attempt: nothing tells whether a
    name is an account's."""

    def answers(name, address):
        seen = []
        for _ in range(LIMIT + 2):
            response = login(Client(), name, "wrong password", address)
            page = response.content.decode()
            seen.append(
                (
                    response.status_code,
                    "didn't match" in page,
                    "One attempt left" in page,
                    "clinical lead" in page,
                )
            )
        return seen

    real, made_up = answers("psy.treating", "10.0.0.1"), answers("psy.nobody", "10.0.0.2")

    assert real == made_up
    assert [status for status, *_ in real] == [200] * (LIMIT - 1) + [429] * 3


def test_the_login_page_warns_before_the_last_attempt(treating_psychologist):
    for _ in range(LIMIT - 2):
        page = login(Client(), "psy.treating", "wrong password", "10.0.0.1")
        assert "One attempt left" not in page.content.decode()

    warned = login(Client(), "psy.treating", "wrong password", "10.0.0.1")

    assert warned.status_code == 200
    assert "One attempt left before logging in is blocked for 30 minutes" in warned.content.decode()
    # Elsewhere the count is another: no warning there.
    other = login(Client(), "psy.treating", "wrong password", "10.0.0.2")
    assert "One attempt left" not in other.content.decode()


def test_the_lock_page_says_for_how_long_and_who_can_lift_it_sooner(treating_psychologist):
    fail(LIMIT, "psy.treating", "10.0.0.1")

    page = login(Client(), "psy.treating", PASSWORD, "10.0.0.1")

    assert page.status_code == 429
    text = page.content.decode()
    assert "blocked for 30 minutes" in text
    assert "clinical lead can lift the block sooner" in text
    assert reverse("password_reset") in text


def test_an_accounts_name_is_kept_with_its_failed_login(treating_psychologist):
    login(Client(), "psy.treating", "wrong password", "10.0.0.1")

    assert AccessEvent.objects.get(action="login_failed").username == "psy.treating"
    assert AccessAttempt.objects.get().username == "psy.treating"


def test_wrong_api_tokens_count_for_the_address_only(treating_psychologist, settings):
    """A wrong token names no account: it counts towards the address's limit, not the lower
    one of a name (a script with an old token does not lock a whole office out)."""
    from accounts.models import ApiToken

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 15
    _row, token = ApiToken.objects.create(user=treating_psychologist, name="script")
    url = reverse("api:patient_list")

    def wrong_tokens(times) -> list[int]:
        answers = []
        for n in range(times):
            wrong = APIClient(REMOTE_ADDR="10.0.0.7")
            wrong.credentials(HTTP_AUTHORIZATION=f"Token {n:064d}")
            answers.append(wrong.get(url).status_code)
        return answers

    assert wrong_tokens(LIMIT) == [401] * LIMIT  # past a name's limit, and no lock
    still = APIClient(REMOTE_ADDR="10.0.0.7")
    still.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert still.get(url).status_code == 200
    assert wrong_tokens(15 - LIMIT) == [401] * (15 - LIMIT - 1) + [429]  # the address's limit

    locked, elsewhere = APIClient(REMOTE_ADDR="10.0.0.7"), APIClient(REMOTE_ADDR="10.0.0.8")
    locked.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    refused = locked.get(url)
    assert refused.status_code == 429
    assert "blocked" in refused.json()["detail"]
    assert elsewhere.get(url).status_code == 200
    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.7").status_code == 429
    assert AccessEvent.objects.filter(action="login_failed", username="").count() == 15


def test_second_factor_guesses_between_password_logins_still_lock(treating_psychologist):
    """Someone who knows the password cannot guess codes for ever by logging in again between
    guesses: only a login completed with the second factor starts the count again."""
    enrol(treating_psychologist)
    two_factor = reverse("accounts:two_factor")
    for _ in range(2):
        client = Client()
        assert login(client, "psy.treating", PASSWORD).status_code == 302
        for _ in range(LIMIT // 2):
            client.post(two_factor, {"code": "000000"}, REMOTE_ADDR="10.0.0.1")

    assert login(Client(), "psy.treating", PASSWORD).status_code == 429


def test_a_login_completed_with_the_second_factor_starts_the_count_again(treating_psychologist):
    device = enrol(treating_psychologist)
    fail(LIMIT - 1, "psy.treating", "10.0.0.1")
    client = Client()
    assert login(client, "psy.treating", PASSWORD).status_code == 302
    client.post(reverse("accounts:two_factor"), {"code": code_for(device)}, REMOTE_ADDR="10.0.0.1")

    fail(LIMIT - 1, "psy.treating", "10.0.0.1")  # as many again: no lock

    assert login(Client(), "psy.treating", PASSWORD).status_code == 302
