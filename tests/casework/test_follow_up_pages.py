"""Follow-up checks on the patient's page: recorded through a form, as people fill it, by
whoever keeps the patient's frame (casework.permissions.record_follow_up_refusal), and listed
on the patient's page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import FollowUpCheck
from tests.forms import browser_form, offered

pytestmark = pytest.mark.django_db

KEEPERS = ["treating_psychologist", "clinical_lead", "administrator"]
OUTSIDERS = ["other_psychologist", "helpline_listener", "auditor"]


def form_url(patient):
    return reverse("casework:follow_up_check_create", args=[patient.pk])


def patient_url(patient):
    return reverse("workspace:patient", args=[patient.pk])


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.mark.parametrize("persona", KEEPERS)
def test_the_care_team_the_lead_and_the_administrators_record_a_check_from_the_page(
    persona, request, patient, client_for
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert form_url(patient) in client.get(patient_url(patient)).content.decode()

    page = client.get(form_url(patient))
    data = browser_form(page)
    data.update(
        checked_on=days_ago(10).isoformat(),
        source=offered(page, "source")[0],
        new_offence="on",
        offence_on=days_ago(40).isoformat(),
        kind="conviction",
        category="sexual",
    )
    assert {"conviction"} <= set(offered(page, "kind"))
    assert {"sexual", "violent", "other"} == set(offered(page, "category"))
    response = client.post(form_url(patient), data)

    assert response.status_code == 302, response.content.decode()
    check = FollowUpCheck.objects.get()
    assert (check.patient, check.recorded_by, check.new_offence) == (patient, user, True)
    assert (check.offence_on, check.kind, check.category) == (days_ago(40), "conviction", "sexual")
    shown = client.get(patient_url(patient)).content.decode()
    assert "New offence" in shown and "Sexual offence" in shown and "Conviction" in shown


def test_a_check_that_found_nothing_is_listed_as_such(patient, administrator, client_for):
    client = client_for(administrator)
    data = browser_form(client.get(form_url(patient)))  # today, the first source, no offence

    assert client.post(form_url(patient), data).status_code == 302

    check = FollowUpCheck.objects.get()
    assert (check.checked_on, check.new_offence, check.offence_on) == (
        timezone.localdate(),
        False,
        None,
    )
    assert "Nothing new" in client.get(patient_url(patient)).content.decode()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_anyone_else_finds_no_patient_there(persona, request, patient, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(form_url(patient)).status_code == 404
    assert client.post(form_url(patient), {"checked_on": "2026-01-01"}).status_code == 404
    assert not FollowUpCheck.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"offence_on": ""}, "Give the date of the new offence."),
        (
            {"offence_on": timezone.localdate().isoformat(), "checked_on": days_ago(1).isoformat()},
            "The offence cannot come after the check that found it.",
        ),
        ({"kind": ""}, "Say whether it is a charge or a conviction."),
    ],
)
def test_bad_input_says_what_is_wrong_and_writes_nothing(
    change, message, patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    data = browser_form(client.get(form_url(patient)))
    data.update(
        new_offence="on", offence_on=days_ago(5).isoformat(), kind="charge", category="violent"
    )
    data.update(change)

    response = client.post(form_url(patient), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FollowUpCheck.objects.exists()


def test_the_message_is_in_the_users_language(patient, treating_psychologist, client_for):
    treating_psychologist.language = "fr"
    treating_psychologist.save()
    client = client_for(treating_psychologist)
    data = browser_form(client.get(form_url(patient)))
    data.update(new_offence="on", kind="charge", category="violent")

    response = client.post(form_url(patient), data)

    assert "Indiquez la date de la nouvelle infraction." in response.content.decode()
    assert not FollowUpCheck.objects.exists()
