"""Follow-up checks: what the clinic learns of a patient's record after treatment (frame zone).
Who records them (casework.permissions.record_follow_up_refusal), through the API and the
service, and bad input that changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AccessEvent
from casework import services
from casework.models import FollowUpCheck

pytestmark = pytest.mark.django_db

NO_OFFENCE = {"checked_on": "2026-06-01", "source": "justice_record", "new_offence": False}
OFFENCE = {
    "checked_on": "2026-06-01",
    "source": "justice_assistant",
    "new_offence": True,
    "offence_on": "2026-03-10",
    "kind": "charge",
    "category": "sexual",
}


def url(patient):
    return reverse("api:follow_up_check_list", args=[patient.pk])


# --- Who may record a check -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["treating_psychologist", "clinical_lead", "administrator"])
def test_the_care_team_the_lead_and_the_administrators_record_a_check(
    persona, request, patient, api_for
):
    user = request.getfixturevalue(persona)

    response = api_for(user).post(url(patient), OFFENCE, format="json")

    assert response.status_code == 201, response.json()
    check = FollowUpCheck.objects.get()
    assert (check.patient, check.recorded_by, check.category) == (patient, user, "sexual")
    assert check.offence_on == datetime.date(2026, 3, 10)
    assert AccessEvent.objects.filter(
        user=user,
        action="create",
        object_type="casework.followupcheck",
        object_id=str(check.pk),
        patient_id=patient.pk,
    ).exists()
    assert check.history.count() == 1  # kept like the rest of the frame


@pytest.mark.parametrize("persona", ["other_psychologist", "helpline_listener", "auditor"])
def test_anyone_else_finds_no_patient_there_and_records_nothing(persona, request, patient, api_for):
    user = request.getfixturevalue(persona)

    assert api_for(user).post(url(patient), NO_OFFENCE, format="json").status_code == 404
    assert api_for(user).get(url(patient)).status_code == 404
    assert not FollowUpCheck.objects.exists()


@pytest.mark.parametrize("persona", ["other_psychologist", "helpline_listener", "auditor"])
def test_the_service_refuses_whoever_does_not_keep_the_patients_frame(persona, request, patient):
    with pytest.raises(PermissionDenied, match="Only the patient's care team"):
        services.follow_up_check_record(
            actor=request.getfixturevalue(persona),
            patient=patient,
            checked_on=datetime.date(2026, 6, 1),
            source="justice_record",
        )
    assert not FollowUpCheck.objects.exists()


def test_a_deactivated_account_records_nothing(treating_psychologist, patient):
    treating_psychologist.is_active = False
    treating_psychologist.save()

    with pytest.raises(PermissionDenied, match="Log in"):
        services.follow_up_check_record(
            actor=treating_psychologist,
            patient=patient,
            checked_on=datetime.date(2026, 6, 1),
            source="justice_record",
        )
    assert not FollowUpCheck.objects.exists()


def test_an_emergency_access_reads_the_checks_and_records_none(
    other_psychologist, treating_psychologist, patient, api_for
):
    services.follow_up_check_record(
        actor=treating_psychologist,
        patient=patient,
        checked_on=datetime.date(2026, 6, 1),
        source="justice_record",
    )
    services.emergency_access_open(
        actor=other_psychologist,
        file_number=patient.file_number,
        reason="Police call: the patient is missing after threats, we need his file now.",
    )
    client = api_for(other_psychologist)

    assert client.get(url(patient)).status_code == 200
    assert client.post(url(patient), NO_OFFENCE, format="json").status_code == 403
    with pytest.raises(PermissionDenied):  # the rule itself, whatever calls the service
        services.follow_up_check_record(
            actor=other_psychologist,
            patient=patient,
            checked_on=datetime.date(2026, 6, 2),
            source="justice_record",
        )
    assert FollowUpCheck.objects.count() == 1


def test_the_care_team_reads_the_patients_checks_latest_first(
    treating_psychologist, patient, api_for
):
    client = api_for(treating_psychologist)
    client.post(url(patient), NO_OFFENCE, format="json")
    client.post(url(patient), {**OFFENCE, "checked_on": "2026-09-01"}, format="json")

    response = client.get(url(patient))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["checked_on"], r["new_offence"], r["category"]) for r in rows] == [
        ("2026-09-01", True, "sexual"),
        ("2026-06-01", False, ""),
    ]
    assert AccessEvent.objects.filter(
        user=treating_psychologist, action="view", object_type="casework.followupcheck"
    ).exists()


# --- Bad input: a 400 that says what is wrong, and nothing written --------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"offence_on": None}, "offence_on"),  # an offence without its date
        ({"kind": ""}, "kind"),
        ({"category": ""}, "category"),
        ({"offence_on": "2026-07-01"}, "offence_on"),  # after the check that found it
        ({"category": "fraud"}, "category"),  # not a category
        ({"kind": "rumour"}, "kind"),
        ({"source": "newspaper"}, "source"),
        ({"checked_on": "2099-01-01"}, "checked_on"),  # in the future
        ({"checked_on": "1985-01-01", "offence_on": "1984-01-01"}, "checked_on"),  # age 4
        ({"new_offence": False}, "offence_on"),  # no offence, yet one described
    ],
)
def test_bad_input_gets_a_400_naming_the_field_and_writes_nothing(
    change, field, treating_psychologist, patient, api_for
):
    events = AccessEvent.objects.count()

    response = api_for(treating_psychologist).post(
        url(patient), {**OFFENCE, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not FollowUpCheck.objects.exists()
    assert AccessEvent.objects.count() == events


def test_the_messages_are_translated(treating_psychologist, patient, api_for):
    client = api_for(treating_psychologist)

    response = client.post(
        url(patient),
        {**OFFENCE, "offence_on": "2026-07-01"},
        format="json",
        headers={"accept-language": "fr"},
    )

    assert response.status_code == 400
    assert response.json()["offence_on"] == [
        "L'infraction ne peut pas être postérieure au contrôle qui l'a constatée."
    ]


def test_the_database_refuses_an_offence_without_its_date(treating_psychologist, patient):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpCheck.objects.create(
            patient=patient,
            checked_on=datetime.date(2026, 6, 1),
            source="patient",
            new_offence=True,
            kind="charge",
            category="other",
            recorded_by=treating_psychologist,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpCheck.objects.create(
            patient=patient,
            checked_on=datetime.date(2026, 6, 1),
            offence_on=datetime.date(2026, 6, 2),
            source="patient",
            new_offence=True,
            kind="charge",
            category="other",
            recorded_by=treating_psychologist,
        )
