import pytest
from django.urls import reverse

from casework.models import Authority, Mandate, Patient

NEW_PATIENT = {
    "last_name": "Thiry",
    "first_name": "Alain",
    "date_of_birth": "1969-09-09",
    "sex": "male",
    "preferred_language": "fr",
    "referral_source": "authority",
    "referral_received_on": "2026-01-15",
}


def test_an_administrator_registers_a_patient_through_the_api(administrator, api_for):
    response = api_for(administrator).post(reverse("api:patient_list"), NEW_PATIENT, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "referral"
    assert body["file_number"].endswith("-0001")
    assert "referral_source" not in body


def test_a_psychologist_may_not_register_a_patient_through_the_api(treating_psychologist, api_for):
    response = api_for(treating_psychologist).post(
        reverse("api:patient_list"), NEW_PATIENT, format="json"
    )

    assert response.status_code == 403
    assert not Patient.objects.exists()


def test_bad_input_gets_field_errors_and_changes_nothing(administrator, api_for):
    data = {**NEW_PATIENT, "date_of_birth": "2099-01-01", "sex": "unknown"}

    response = api_for(administrator).post(reverse("api:patient_list"), data, format="json")

    assert response.status_code == 400
    assert "sex" in response.json()
    fixed = {**data, "sex": "male"}
    response = api_for(administrator).post(reverse("api:patient_list"), fixed, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["date_of_birth"]
    assert "aged 12 to 110" in response.json()["date_of_birth"][0]
    assert not Patient.objects.exists()


def test_the_treating_psychologist_updates_identity_but_not_the_file_number(
    patient, treating_psychologist, api_for
):
    url = reverse("api:patient_detail", args=[patient.pk])

    response = api_for(treating_psychologist).patch(
        url, {"phone": "+32 4 123 45 67", "file_number": "X"}, format="json"
    )

    patient.refresh_from_db()
    assert response.status_code == 200
    assert patient.phone == "+32 4 123 45 67"
    assert patient.file_number != "X"


def test_mandates_through_the_api_are_validated_like_the_form(
    patient, administrator, authority, api_for
):
    url = reverse("api:mandate_list", args=[patient.pk])
    data = {
        "authority": authority.pk,
        "legal_framework": "conditional_release",
        "decision_date": "2026-01-02",
        "starts_on": "2026-01-10",
        "session_frequency": "weekly",
        "sharing_basis": "legal_basis",
    }
    client = api_for(administrator)

    refused = client.post(url, data, format="json")
    accepted = client.post(url, {**data, "legal_basis": "Loi du 17 mai 2006"}, format="json")

    assert refused.status_code == 400
    assert refused.json() == {"legal_basis": ["Name the legal basis for sharing information."]}
    assert accepted.status_code == 201
    assert accepted.json()["reporting_interval_months"] == 6
    assert Mandate.objects.filter(patient=patient).count() == 2
    listed = client.get(url).json()
    assert listed["count"] == 2


def test_a_mandate_of_another_patient_is_404_under_this_one(
    patient, administrator, authority, api_for
):
    from tests.factories import register_patient

    other = register_patient(administrator, last_name="Autre")
    foreign = Mandate.objects.get(patient=patient)

    url = reverse("api:mandate_detail", args=[other.pk, foreign.pk])
    assert api_for(administrator).get(url).status_code == 404


def test_the_care_team_through_the_api(
    patient, administrator, treating_psychologist, other_psychologist, api_for
):
    url = reverse("api:care_team_list", args=[patient.pk])
    data = {"clinician": other_psychologist.pk, "role": "co"}

    assert api_for(treating_psychologist).post(url, data, format="json").status_code == 403
    created = api_for(administrator).post(url, data, format="json")
    assert created.status_code == 201, created.json()

    end = reverse("api:care_team_end", args=[patient.pk, created.json()["id"]])
    assert api_for(treating_psychologist).post(end).status_code == 403
    ended = api_for(administrator).post(end)
    assert ended.status_code == 200
    assert ended.json()["ends_on"] is not None
    again = api_for(administrator).post(end)
    assert again.status_code == 400


def test_an_administrator_cannot_be_put_in_a_care_team_through_the_api(
    patient, administrator, api_for
):
    url = reverse("api:care_team_list", args=[patient.pk])

    response = api_for(administrator).post(
        url, {"clinician": administrator.pk, "role": "co"}, format="json"
    )

    assert response.status_code == 400
    assert "clinician" in response.json()


def test_episodes_are_listed_with_their_waiting_time(patient, treating_psychologist, api_for):
    response = api_for(treating_psychologist).get(reverse("api:episode_list", args=[patient.pk]))

    assert response.status_code == 200
    assert response.json()["results"][0]["stage"] == "referral"


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator", "clinical_lead"])
def test_staff_read_authorities(persona, request, authority, api_for):
    response = api_for(request.getfixturevalue(persona)).get(reverse("api:authority_list"))

    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == authority.name


@pytest.mark.parametrize("persona", ["helpline_listener", "auditor"])
def test_helpline_and_audit_read_no_authorities(persona, request, authority, api_for):
    response = api_for(request.getfixturevalue(persona)).get(reverse("api:authority_list"))

    assert response.status_code == 403


def test_only_administrators_and_the_lead_edit_reference_data(
    authority, treating_psychologist, administrator, api_for
):
    url = reverse("api:authority_detail", args=[authority.pk])

    assert (
        api_for(treating_psychologist).patch(url, {"phone": "1"}, format="json").status_code == 403
    )
    assert api_for(administrator).patch(url, {"phone": "1"}, format="json").status_code == 200
    assert Authority.objects.get().phone == "1"


def test_a_justice_contact_needs_a_valid_email(administrator, api_for):
    response = api_for(administrator).post(
        reverse("api:justice_contact_list"),
        {"name": "X", "service": "Maison de justice", "language": "fr", "email": "not-an-email"},
        format="json",
    )

    assert response.status_code == 400
    assert "email" in response.json()
