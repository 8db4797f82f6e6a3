"""HTTP answers carry what every page of a clinic's files needs, whoever wrote the view."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "url",
    [
        lambda patient: patient.get_absolute_url(),
        lambda patient: reverse("api:patient_detail", args=[patient.pk]),
        lambda patient: reverse("api:appointment_list", args=[patient.pk]),
        lambda patient: reverse("casework:agenda"),
        lambda patient: reverse("casework:patient_list"),
    ],
)
def test_nothing_that_names_a_patient_is_kept_by_a_browser_or_proxy(
    url, patient, treating_psychologist, client_for
):
    response = client_for(treating_psychologist).get(url(patient))

    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_even_a_404_or_the_login_page_is_not_stored(client, treating_psychologist, client_for):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
    assert "no-store" in client_for(treating_psychologist).get("/patients/999/")["Cache-Control"]


def test_a_nul_character_in_a_form_post_is_a_400_that_changes_nothing(
    patient, administrator, client_for
):
    response = client_for(administrator).post(
        reverse("casework:patient_update", args=[patient.pk]), {"last_name": "Du\x00pont"}
    )

    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    patient.refresh_from_db()
    assert patient.last_name == "Dupont"
