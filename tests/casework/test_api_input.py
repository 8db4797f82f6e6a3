"""What the API reads and answers at its edges."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from casework import services
from casework.models import TherapyGroup


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
