"""Every URL that takes a patient id answers 404 to anyone outside the patient's circle, and
every URL that takes a group id answers 404 to a clinician who does not facilitate the group.

The URLs are enumerated from the URL configuration, so a view added later falls under these
tests without anyone remembering to write them.
"""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from casework.models import CareTeamMembership, Episode, Mandate, Patient
from tests.sample_clinic import clinic, people, url_for  # noqa: F401 (fixtures)
from tests.url_walk import routes

pytestmark = pytest.mark.django_db

# The walk runs hundreds of cases that only read one clinic: it is built once for the module
# (tests/sample_clinic.py), and each case runs in a savepoint rolled back after it.


@pytest.fixture
def treating_psychologist(people):
    return people["treating_psychologist"]


@pytest.fixture
def other_psychologist(people):
    return people["other_psychologist"]


@pytest.fixture
def helpline_listener(people):
    return people["helpline_listener"]


@pytest.fixture
def auditor(people):
    return people["auditor"]


@pytest.fixture
def patient(clinic):
    return clinic["patient"]


# URLs that take neither a patient id nor a group id: each shows only what its own view
# filters for the user (their agenda, their groups...) or nothing about patients at all.
NOT_PATIENT_SCOPED = {
    "casework:agenda",
    "casework:clinic_agenda",
    "workspace:todo",
    "casework:calendar_feed",
    "casework:calendar_ics",
    "casework:group_list",
    "casework:group_create",
    "api:instrument_list",
    "home",
    "login",
    "logout",
    "set_language",
    "healthz",
    "readyz",
    "workspace:dashboard",
    "workspace:access_register",  # the lead's, a file number in the query (test_access_register)
    "workspace:unsent_messages",  # what each e-mail is, never what it says (tests/common)
    "workspace:operations",  # states and counts, no patient (tests/common/test_operations)
    "reports:dashboard",  # filtered by the patients each user may see (tests/reports)
    "reports:batch_create",
    "reports:batch",
    "casework:patient_list",
    "casework:emergency_access",  # a file number in the form (test_emergency_access.py)
    "casework:emergency_review",  # the lead's
    "casework:emergency_decide",  # the lead's (test_emergency_requests.py)
    "privacy:retention",  # the lead's: files due for review (tests/privacy/test_retention.py)
    # The helpline knows no patient (tests/helpline/test_isolation.py).
    "helpline:log",
    "helpline:missed",
    "helpline:new_code",
    "helpline:contacts",
    "helpline:contact",
    "helpline:statistics",
    "helpline:statistics_csv",
    "api:helpline_contact_list",
    "api:helpline_contact_detail",
    "api:helpline_statistics",
    "casework:patient_create",
    "casework:authority_list",
    "casework:authority_create",
    "casework:authority_update",
    "casework:justice_contact_list",
    "casework:justice_contact_create",
    "casework:justice_contact_update",
    "audit:event_list",
    "audit:event_export",  # the auditor's and the lead's (tests/audit/test_access_log_tools.py)
    "audit:resolve_integrity_alert",
    "api:patient_list",
    "api:outcome_list",
    "api:group_list",
    "api:authority_list",
    "api:authority_detail",
    "api:justice_contact_list",
    "api:justice_contact_detail",
    "api_schema",
    "api_docs",
    "accounts:tokens",  # a user's own API tokens (tests/accounts/test_tokens.py)
    "accounts:all_tokens",
    "accounts:revoke_token",
    "accounts:account",  # the user's own sessions and password (tests/accounts/test_sessions.py)
    "accounts:password_change",
    "accounts:log_out_everywhere",
    "accounts:keep_session",
    "accounts:two_factor",  # the second factor (tests/accounts/test_two_factor.py)
    "accounts:two_factor_setup",
    "accounts:recovery_codes",
    "accounts:staff_list",  # the lead's staff accounts page (tests/accounts/test_staff.py)
    "accounts:staff_create",
    "accounts:staff_role",  # a user id, the lead's only
    "accounts:staff_deactivate",
    "accounts:staff_reactivate",
    "accounts:staff_unlock",
    "accounts:staff_two_factor_reset",
    # "Forgot your password?" and a new account's first password (no login; accounts/
    # password_reset.py, tests/accounts/test_password_reset.py)
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}

PATIENT_ROUTES = [route for route in routes() if "patient_id" in route.kwargs]
GROUP_ROUTES = [route for route in routes() if "group_id" in route.kwargs]


def test_every_url_is_either_patient_scoped_or_known_not_to_be():
    unclassified = [
        route.name
        for route in routes()
        if not {"patient_id", "group_id"} & route.kwargs
        and route.name not in NOT_PATIENT_SCOPED
        and not route.name.startswith("admin:")
    ]
    assert unclassified == [], (
        "New URLs must take patient_id (and resolve it through casework.selectors) or be "
        f"listed in NOT_PATIENT_SCOPED: {unclassified}"
    )


def test_the_walk_finds_the_patient_pages_and_endpoints():
    names = {route.name for route in PATIENT_ROUTES}
    assert {"workspace:patient", "casework:mandate_update", "api:patient_detail"} <= names


@pytest.fixture
def url_kwargs(clinic):
    """A sample of everything a patient URL can name, all belonging to `patient`."""
    return clinic["url_kwargs"]


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
    before = AccessEvent.objects.filter(patient_id=patient.pk, action="view").count()

    response = client.get(url_for(route, url_kwargs))

    if response.status_code == 405:  # an action endpoint (POST only) shows nothing
        return
    # the care-team pages are the administrators' and the lead's: 403, but the file exists;
    # a page that does not apply to the sample (the addendum of a draft) sends back: 302
    assert response.status_code in (200, 302, 403), response.status_code
    logged = AccessEvent.objects.filter(patient_id=patient.pk, action="view").count() - before
    assert logged == (1 if response.status_code == 200 else 0)


# --- Group-scoped URLs ----------------------------------------------------------------------


@pytest.fixture
def group_kwargs(clinic):
    group = clinic["group"]
    return {
        "group_id": group.pk,
        "membership_id": group.members.get().pk,
        "appointment_id": clinic["session"].pk,
    }


@pytest.mark.parametrize("route", GROUP_ROUTES, ids=lambda r: r.name)
def test_a_clinician_outside_the_group_gets_404(
    route, group_kwargs, other_psychologist, client_for
):
    client = client_for(other_psychologist)
    url = url_for(route, group_kwargs)

    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("route", GROUP_ROUTES, ids=lambda r: r.name)
def test_the_facilitator_reaches_every_group_page(
    route, group_kwargs, treating_psychologist, client_for
):
    response = client_for(treating_psychologist).get(url_for(route, group_kwargs))

    # 403: managing the group (members, sessions, settings) is for administrators and the lead
    assert response.status_code in (200, 403, 405), response.status_code
