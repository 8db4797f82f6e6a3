"""Wrong API tokens on the helpline's endpoints are counted like any failed login, though the
helpline knows no address: by a keyed hash of the token's first characters (the part that finds
a token), in memory only. After LOGIN_FAILURE_LIMIT of them, tokens beginning so are refused
(429) for LOGIN_LOCKOUT_MINUTES; nothing with an address is written anywhere."""

import datetime
import secrets
import time
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import AccessEvent
from tests.helpline.test_anonymity import ADDRESS, FORWARDED, every_log  # noqa: F401

LIMIT = 3
PREFIX_LENGTH = 15  # knox finds a token by its first 15 characters
URL = reverse("api:helpline_contact_list")


@pytest.fixture(autouse=True)
def _small_limit_and_empty_count(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    cache.clear()
    yield
    cache.clear()


def call(token: str):
    """From a listener's machine: the helpline's middleware strips what would identify it."""
    client = APIClient(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=FORWARDED)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(URL)


def wrong(prefix: str) -> str:
    return prefix + secrets.token_hex(32)[PREFIX_LENGTH:]


def test_wrong_tokens_are_counted_without_an_address_and_refused_after_the_limit(
    helpline_listener, every_log
):
    _row, right = ApiToken.objects.create(user=helpline_listener, name="phone desk")
    guessed = secrets.token_hex(8)[:PREFIX_LENGTH]
    events = AccessEvent.objects.count()

    for _ in range(LIMIT):
        assert call(wrong(guessed)).status_code == 401
    refused = call(wrong(guessed))

    assert refused.status_code == 429
    assert "blocked" in refused.json()["detail"]
    assert call(right).status_code == 200  # another token's beginning: not this count's
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()
    assert AccessEvent.objects.count() == events  # the helpline writes no line
    for record in every_log:
        written = f"{record.getMessage()} {record.__dict__!r}"
        assert ADDRESS not in written and FORWARDED not in written
    kept = repr(list(cache._cache.items()))  # the count's key is a keyed hash: no token in it
    assert guessed not in kept and ADDRESS not in kept


def test_the_refusal_lasts_the_lockout_time(helpline_listener):
    guessed = secrets.token_hex(8)[:PREFIX_LENGTH]
    for _ in range(LIMIT):
        call(wrong(guessed))
    assert call(wrong(guessed)).status_code == 429

    later = time.time() + datetime.timedelta(minutes=30).total_seconds() + 1
    with mock.patch("time.time", return_value=later):
        assert call(wrong(guessed)).status_code == 401


def test_fewer_wrong_tokens_than_the_limit_refuse_nothing(helpline_listener):
    guessed = secrets.token_hex(8)[:PREFIX_LENGTH]
    for _ in range(LIMIT - 1):
        assert call(wrong(guessed)).status_code == 401

    assert call(wrong(guessed)).status_code == 401


def test_guesses_at_one_listeners_token_lock_that_token_alone(helpline_listener):
    row, right = ApiToken.objects.create(user=helpline_listener, name="phone desk")
    _other, other_right = ApiToken.objects.create(user=helpline_listener, name="chat desk")

    for _ in range(LIMIT):
        assert call(wrong(row.token_key)).status_code == 401

    assert call(right).status_code == 429  # as an account is locked by guesses at its password
    assert call(other_right).status_code == 200
