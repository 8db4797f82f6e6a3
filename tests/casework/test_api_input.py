"""What the API reads: dates within the calendar, ids that can be ids, codes without NUL
characters, times without offsets, and an empty query value that is an error, not an absence.
Most of these were a 500 or a silent misreading, found by tests/test_api_schema.py."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from casework import services
from casework.models import TherapyGroup
from tests.factories import at, book


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def url(name, *args):
    return reverse(f"api:{name}", args=args)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "", "until": ""}, "since"),
        ({"since": "2026-01-01", "until": ""}, "until"),
        ({"since": "0001-01-01", "until": "9999-12-31"}, "since"),
        ({"since": "2026-01-01", "until": "9999-12-31"}, "until"),
    ],
)
def test_a_compliance_period_must_be_given_and_within_the_calendar(
    params, field, patient, treating_psychologist, api_for
):
    mandate = patient.mandates.get()

    response = api_for(treating_psychologist).get(
        url("mandate_compliance", patient.pk, mandate.pk), params
    )

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "starts_at",
    [
        "9999-12-31T23:30:00",
        "9999-12-31T23:30:00Z",
        "0001-01-01T00:00:00",
        "1733-04-16T15:25:43+07:27",
    ],
)
def test_a_booking_at_the_edge_of_the_calendar_is_refused(
    starts_at, patient, treating_psychologist, api_for
):
    data = {"kind": "individual", "starts_at": starts_at, "clinicians": [treating_psychologist.pk]}

    response = api_for(treating_psychologist).post(
        url("appointment_list", patient.pk), data, format="json"
    )

    assert response.status_code == 400
    assert "starts_at" in response.json()


@pytest.mark.parametrize("clinician", [0, -1, 2**63, 10**20, "99999999999999999999"])
def test_an_id_that_cannot_be_an_id_names_nothing(
    clinician, patient, treating_psychologist, api_for
):
    data = {"kind": "individual", "starts_at": at(3).isoformat(), "clinicians": [clinician]}

    response = api_for(treating_psychologist).post(
        url("appointment_list", patient.pk), data, format="json"
    )

    assert response.status_code == 400
    assert "does not exist" in response.json()["clinicians"][0]


def test_an_outcome_code_with_a_nul_character_is_refused(patient, treating_psychologist, api_for):
    appointment = book(patient, treating_psychologist, days=-2)

    response = api_for(treating_psychologist).post(
        url("appointment_outcome", patient.pk, appointment.pk),
        {"outcome": "atten\x00ded"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"outcome": ["Null characters are not allowed."]}


@pytest.mark.parametrize(
    ("start_time", "status"), [("17:30", 201), ("17:30:00+02:00", 400), ("25:00", 400)]
)
def test_a_group_starts_at_a_time_of_day_without_offset(
    start_time, status, treating_psychologist, administrator, api_for
):
    data = {
        "name": "Anger management",
        "weekday": 3,
        "start_time": start_time,
        "regular": [treating_psychologist.pk],
    }

    response = api_for(administrator).post(url("group_list"), data, format="json")

    assert response.status_code == status
    if status == 201:
        assert response.json()["start_time"] == "17:30:00"
        assert TherapyGroup.objects.get().start_time == datetime.time(17, 30)
    else:
        assert "start_time" in response.json()


def test_a_group_read_answers_its_start_time_as_the_schema_says(
    treating_psychologist, administrator, api_for
):
    group = services.group_save(
        actor=administrator,
        group=TherapyGroup(name="Tuesday group", weekday=1, start_time=datetime.time(18)),
        regular=[treating_psychologist],
    )

    body = api_for(treating_psychologist).get(url("group_detail", group.pk)).json()

    assert body["start_time"] == "18:00:00"


def test_an_api_path_that_names_no_object_answers_json(treating_psychologist, api_for):
    response = api_for(treating_psychologist).get("/api/v1/patients/not-a-number/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_pages_keep_their_404_page(treating_psychologist, client_for):
    response = client_for(treating_psychologist).get("/patients/not-a-number/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
