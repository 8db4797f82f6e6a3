"""Every URL that takes a patient id answers 404 to anyone outside the patient's circle.

The URLs are enumerated from the URL configuration, so a view added later falls under these
tests without anyone remembering to write them.
"""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from casework.models import CareTeamMembership, Episode, Mandate, Patient
from tests.url_walk import routes

# URLs that never show a patient's data. Any other URL must take patient_id.
NOT_PATIENT_SCOPED = {
    "home",
    "login",
    "logout",
    "set_language",
    "casework:dashboard",
    "casework:patient_list",
    "casework:patient_create",
    "casework:authority_list",
    "casework:authority_create",
    "casework:authority_update",
    "casework:justice_contact_list",
    "casework:justice_contact_create",
    "casework:justice_contact_update",
    "audit:event_list",
    "api:patient_list",
    "api:authority_list",
    "api:authority_detail",
    "api:justice_contact_list",
    "api:justice_contact_detail",
    "api_schema",
    "api_docs",
}

PATIENT_ROUTES = [route for route in routes() if "patient_id" in route.kwargs]


def test_every_url_is_either_patient_scoped_or_known_not_to_be():
    unclassified = [
        route.name
        for route in routes()
        if "patient_id" not in route.kwargs
        and route.name not in NOT_PATIENT_SCOPED
        and not route.name.startswith("admin:")
    ]
    assert unclassified == [], (
        "New URLs must take patient_id (and resolve it through casework.selectors) or be "
        f"listed in NOT_PATIENT_SCOPED: {unclassified}"
    )


def test_the_walk_finds_the_patient_pages_and_endpoints():
    names = {route.name for route in PATIENT_ROUTES}
    assert {"casework:patient_detail", "casework:mandate_update", "api:patient_detail"} <= names


@pytest.fixture
def url_kwargs(patient):
    return {
        "patient_id": patient.pk,
        "mandate_id": patient.mandates.get().pk,
        "episode_id": patient.episodes.get().pk,
        "membership_id": patient.care_team.get().pk,
    }


def url_for(route, url_kwargs) -> str:
    missing = route.kwargs - url_kwargs.keys()
    assert not missing, f"{route.name}: add a sample value for {missing} to url_kwargs"
    return reverse(route.name, kwargs={key: url_kwargs[key] for key in route.kwargs})


def snapshot(patient):
    patient.refresh_from_db()
    return (
        patient.updated_at,
        Patient.objects.count(),
        Mandate.objects.count(),
        Episode.objects.count(),
        list(CareTeamMembership.objects.values_list("pk", "ends_on")),
        list(Episode.objects.values_list("pk", "stage")),
    )


@pytest.mark.parametrize("route", PATIENT_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", ["other_psychologist", "helpline_listener", "auditor"])
def test_outsiders_get_404_and_change_nothing(
    route, persona, request, patient, url_kwargs, client_for
):
    client = client_for(request.getfixturevalue(persona))
    url = url_for(route, url_kwargs)
    before = snapshot(patient)

    assert client.get(url).status_code == 404
    response = client.post(url, {"on": "2026-02-01", "exit_reason": "completed"})
    assert response.status_code == 404
    assert snapshot(patient) == before


@pytest.mark.parametrize("route", PATIENT_ROUTES, ids=lambda r: r.name)
def test_anonymous_visitors_are_sent_to_log_in(route, patient, url_kwargs, client):
    response = client.get(url_for(route, url_kwargs))
    if route.is_api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("route", PATIENT_ROUTES, ids=lambda r: r.name)
def test_every_read_by_the_treating_psychologist_is_logged(
    route, patient, url_kwargs, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    before = AccessEvent.objects.filter(patient=patient, action="view").count()

    response = client.get(url_for(route, url_kwargs))

    if response.status_code == 405:  # an action endpoint (POST only) shows nothing
        return
    # the care-team pages are the administrators' and the lead's: 403, but the file exists
    assert response.status_code in (200, 403), response.status_code
    logged = AccessEvent.objects.filter(patient=patient, action="view").count() - before
    assert logged == (1 if response.status_code == 200 else 0)
