"""What the API reads and answers at its edges."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_an_api_path_that_names_no_object_answers_json(treating_psychologist, api_for):
    response = api_for(treating_psychologist).get("/api/v1/patients/not-a-number/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_pages_keep_their_404_page(treating_psychologist, client_for):
    response = client_for(treating_psychologist).get("/patients/not-a-number/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
