"""API tokens (django-rest-knox): hashed at rest, named, expiring, created and revoked by their
owner, listed for the clinical lead."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import AccessEvent
from tests.forms import browser_form

URL = "api:patient_list"


def call_api(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(reverse(URL))


def test_a_token_authenticates_api_calls_as_its_owner(patient, treating_psychologist):
    _row, token = ApiToken.objects.create(user=treating_psychologist, name="script")

    assert APIClient().get(reverse(URL)).status_code == 401
    response = call_api(token)

    assert response.status_code == 200
    assert [p["file_number"] for p in response.json()["results"]] == [patient.file_number]


def test_a_stolen_database_row_of_a_token_cannot_authenticate(patient, treating_psychologist):
    _row, token = ApiToken.objects.create(user=treating_psychologist, name="script")
    row = ApiToken.objects.values().get()

    assert token not in {str(value) for value in row.values()}  # the token is not stored
    for stolen in (row["digest"], row["token_key"], row["digest"][:64]):
        assert call_api(stolen).status_code == 401
    assert call_api(token).status_code == 200


def test_an_expired_token_is_refused(patient, treating_psychologist):
    row, token = ApiToken.objects.create(user=treating_psychologist, name="script")
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))

    assert call_api(token).status_code == 401


def test_a_deactivated_users_token_is_refused(patient, treating_psychologist):
    _row, token = ApiToken.objects.create(user=treating_psychologist, name="script")
    treating_psychologist.is_active = False
    treating_psychologist.save()

    assert call_api(token).status_code == 401


def test_a_user_creates_a_named_token_shown_once_and_it_works(
    patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    data = browser_form(client.get(reverse("accounts:tokens")))
    assert data["days"] == "90"  # API_TOKEN_DAYS offered
    data.update(name="weekly export", days="30")

    response = client.post(reverse("accounts:tokens"), data)

    assert response.status_code == 201
    token = response.context["new_token"]
    row = ApiToken.objects.get(user=treating_psychologist)
    assert row.name == "weekly export"
    assert row.expiry.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    assert call_api(token).status_code == 200
    again = client.get(reverse("accounts:tokens")).content.decode()
    assert "weekly export" in again and token not in again
    created = AccessEvent.objects.get(action="create", object_type="accounts.apitoken")
    assert created.user == treating_psychologist


@pytest.mark.parametrize(
    "data, field",
    [({"name": "", "days": "30"}, "name"), ({"name": "x", "days": "4000"}, "days")],
)
def test_a_token_form_with_bad_input_says_why_and_creates_nothing(
    treating_psychologist, client_for, data, field
):
    response = client_for(treating_psychologist).post(reverse("accounts:tokens"), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_user_has_at_most_the_configured_number_of_tokens(
    treating_psychologist, client_for, settings
):
    settings.API_TOKENS_PER_USER = 2
    client = client_for(treating_psychologist)
    for n in range(3):
        response = client.post(reverse("accounts:tokens"), {"name": f"t{n}", "days": "30"})

    assert ApiToken.objects.filter(user=treating_psychologist).count() == 2
    assert "revoke one first" in response.content.decode()


def test_the_owner_revokes_a_token_after_confirming(patient, treating_psychologist, client_for):
    row, token = ApiToken.objects.create(user=treating_psychologist, name="script")
    client = client_for(treating_psychologist)
    url = reverse("accounts:revoke_token", args=[row.token_key])

    assert client.get(url).status_code == 200  # the question first
    assert ApiToken.objects.exists()
    assert client.post(url).status_code == 302

    assert not ApiToken.objects.exists()
    assert call_api(token).status_code == 401
    assert AccessEvent.objects.filter(action="delete", object_type="accounts.apitoken").exists()


def test_nobody_else_may_revoke_a_token(treating_psychologist, other_psychologist, client_for):
    row, _token = ApiToken.objects.create(user=treating_psychologist, name="script")
    url = reverse("accounts:revoke_token", args=[row.token_key])

    for persona in (other_psychologist,):
        assert client_for(persona).post(url).status_code == 404
    assert ApiToken.objects.exists()


def test_the_lead_lists_every_token_and_others_may_not(
    treating_psychologist, clinical_lead, administrator, auditor, client_for
):
    ApiToken.objects.create(user=treating_psychologist, name="weekly export")
    url = reverse("accounts:all_tokens")

    listed = client_for(clinical_lead).get(url)
    assert listed.status_code == 200
    assert "weekly export" in listed.content.decode()
    for persona in (treating_psychologist, administrator, auditor):
        assert client_for(persona).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302  # to the login page


# --- Last use, and the end of unused tokens -------------------------------------------------


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def test_a_token_notes_its_last_use_at_most_once_a_minute(patient, treating_psychologist):
    row, token = ApiToken.objects.create(user=treating_psychologist, name="script")
    assert row.last_used_at is None

    assert call_api(token).status_code == 200
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None and timezone.now() - first < datetime.timedelta(seconds=5)
    assert call_api(token).status_code == 200  # within the minute: not written again
    row.refresh_from_db()
    assert row.last_used_at == first

    ApiToken.objects.filter(pk=row.pk).update(last_used_at=ago(seconds=61))
    assert call_api(token).status_code == 200
    row.refresh_from_db()
    assert timezone.now() - row.last_used_at < datetime.timedelta(seconds=5)


def page_of_owner(user, client_for) -> str:
    return client_for(user).get(reverse("accounts:tokens")).content.decode()


def test_the_token_lists_show_the_last_use_or_never_used(
    patient, treating_psychologist, clinical_lead, client_for
):
    used, token = ApiToken.objects.create(user=treating_psychologist, name="weekly export")
    ApiToken.objects.create(user=treating_psychologist, name="spare")
    call_api(token)
    march_4th = datetime.datetime(2026, 3, 4, 12, tzinfo=datetime.UTC)
    ApiToken.objects.filter(pk=used.pk).update(last_used_at=march_4th)

    for page in (
        client_for(treating_psychologist).get(reverse("accounts:tokens")),
        client_for(clinical_lead).get(reverse("accounts:all_tokens")),
    ):
        text = page.content.decode()
        assert "Last used" in text
        assert "04/03/2026" in text  # SHORT_DATE_FORMAT
        assert text.count("never used") == 1
    assert "unused for 30 days stops working" in page_of_owner(treating_psychologist, client_for)


@pytest.mark.parametrize(
    ("created_days_ago", "used_days_ago", "works"),
    [
        (29, None, True),  # never used: counted from its creation
        (31, None, False),
        (100, 29, True),  # used: counted from its last use
        (100, 31, False),
    ],
)
def test_a_token_unused_for_the_idle_days_stops_working(
    patient, treating_psychologist, created_days_ago, used_days_ago, works
):
    row, token = ApiToken.objects.create(
        user=treating_psychologist, name="script", expiry=datetime.timedelta(days=365)
    )
    ApiToken.objects.filter(pk=row.pk).update(
        created=ago(days=created_days_ago),
        last_used_at=ago(days=used_days_ago) if used_days_ago is not None else None,
    )

    assert call_api(token).status_code == (200 if works else 401)


def test_the_idle_days_are_a_setting(patient, treating_psychologist, settings):
    settings.API_TOKEN_IDLE_DAYS = 5
    row, token = ApiToken.objects.create(user=treating_psychologist, name="script")
    ApiToken.objects.filter(pk=row.pk).update(created=ago(days=6))

    assert call_api(token).status_code == 401


def test_the_daily_cleanup_deletes_unused_and_expired_tokens_and_logs_it(
    treating_psychologist, settings
):
    from accounts.tasks import delete_unused_tokens

    idle, _t = ApiToken.objects.create(user=treating_psychologist, name="idle")
    expired, _t = ApiToken.objects.create(user=treating_psychologist, name="expired")
    kept, _t = ApiToken.objects.create(user=treating_psychologist, name="in use")
    ApiToken.objects.filter(pk=idle.pk).update(created=ago(days=31))
    ApiToken.objects.filter(pk=expired.pk).update(expiry=ago(seconds=1))
    ApiToken.objects.filter(pk=kept.pk).update(created=ago(days=200), last_used_at=ago(days=1))

    assert delete_unused_tokens() == 2

    assert list(ApiToken.objects.values_list("name", flat=True)) == ["in use"]
    deleted = AccessEvent.objects.filter(action="delete", object_type="accounts.apitoken")
    assert set(deleted.values_list("object_id", flat=True)) == {idle.token_key, expired.token_key}
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.tasks.delete_unused_tokens" in tasks
