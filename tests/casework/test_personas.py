"""Who sees which patient, on pages and through the API: a "may" and a "may not" per rule."""

import pytest
from django.http import Http404
from django.urls import reverse

from casework.permissions import Zone
from casework.selectors import patient_for, patients_visible_to


def detail(patient):
    return reverse("workspace:patient", args=[patient.pk])


def api_detail(patient):
    return reverse("api:patient_detail", args=[patient.pk])


def test_the_treating_psychologist_sees_the_patient(patient, treating_psychologist, client_for):
    client = client_for(treating_psychologist)

    page = client.get(detail(patient))
    api = client.get(api_detail(patient))

    assert page.status_code == 200
    assert "DUPONT, Jean" in page.content.decode()
    assert api.status_code == 200
    assert api.json()["file_number"] == patient.file_number


def test_another_psychologist_gets_404_and_no_trace_of_the_patient(
    patient, other_psychologist, client_for
):
    client = client_for(other_psychologist)

    assert client.get(detail(patient)).status_code == 404
    assert client.get(api_detail(patient)).status_code == 404
    assert patient.file_number not in client.get(reverse("casework:patient_list")).content.decode()
    assert client.get(reverse("api:patient_list")).json()["count"] == 0


@pytest.mark.parametrize("persona", ["administrator", "clinical_lead"])
def test_administrators_and_the_lead_see_every_frame(persona, request, patient, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(detail(patient)).status_code == 200
    assert client.get(api_detail(patient)).status_code == 200
    assert patient.file_number in client.get(reverse("casework:patient_list")).content.decode()


def test_an_administrator_never_reaches_the_clinical_zone(patient, administrator):
    assert not patients_visible_to(administrator, zone=Zone.CLINICAL).exists()
    with pytest.raises(Http404):
        patient_for(administrator, patient.pk, zone=Zone.CLINICAL)


@pytest.mark.parametrize("persona", ["treating_psychologist", "clinical_lead"])
def test_the_care_team_and_the_lead_reach_the_clinical_zone(persona, request, patient):
    user = request.getfixturevalue(persona)

    assert patient_for(user, patient.pk, zone=Zone.CLINICAL) == patient


def test_another_psychologist_never_reaches_the_clinical_zone(patient, other_psychologist):
    with pytest.raises(Http404):
        patient_for(other_psychologist, patient.pk, zone=Zone.CLINICAL)


@pytest.mark.parametrize("persona", ["helpline_listener", "auditor"])
def test_helpline_listeners_and_auditors_see_no_patient(persona, request, patient, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(detail(patient)).status_code == 404
    assert client.get(reverse("casework:patient_list")).status_code == 403
    assert client.get(reverse("api:patient_list")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(patient, client):
    response = client.get(reverse("casework:patient_list"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/patients/"
    assert client.get(reverse("api:patient_list")).status_code == 401


def test_an_inactive_account_loses_access(patient, treating_psychologist):
    treating_psychologist.is_active = False
    treating_psychologist.save()

    assert not patients_visible_to(treating_psychologist).exists()
