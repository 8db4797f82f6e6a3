"""Every URL that takes a patient id answers 404 to anyone outside the patient's circle, and
every URL that takes a group id answers 404 to a clinician who does not facilitate the group.

The URLs are enumerated from the URL configuration, so a view added later falls under these
tests without anyone remembering to write them.
"""

import datetime

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
    "casework:week_grid",
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
    "workspace:caseloads",  # the lead's: clinicians and counts, no patient (test_views.py)
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
    # The clinic's statistics: groups of numbers, the lead's (tests/clinic_statistics).
    "api:follow_up_statistics",
    # the same statistics' page and CSV: groups of numbers, the lead's only
    # (tests/clinic_statistics/test_follow_up_page.py)
    "clinic_statistics:follow_up",
    "clinic_statistics:follow_up_csv",
    # the year's indicators and the annual report: counts of every patient the lead may see
    # (tests/clinic_statistics/test_indicators.py, test_activity_report.py)
    "clinic_statistics:indicators",
    "clinic_statistics:indicators_csv",
    "clinic_statistics:activity_report_request",
    "clinic_statistics:activity_report_pdf",
    "api:indicators_statistics",
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
    # and the read walk's lists name no route that is gone
    assert (POST_ONLY | READERS.keys() | SAMPLES.keys()) <= names


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


# The actions: a POST, and nothing to read at their address (a GET answers 405).
POST_ONLY = {
    "api:alert_acknowledge",
    "api:appointment_cancel",
    "api:appointment_outcome",
    "api:appointment_reschedule",
    "api:assessment_amend",
    "api:assessment_sign",
    "api:care_team_end",
    "api:letter_correct",
    "api:letter_cosign",
    "api:letter_dispatch",
    "api:letter_ready",
    "api:letter_sign",
    "api:letter_withdraw",
    "api:note_sign",
    "assessments:amend",
    "assessments:running_total",
}
# Pages the treating psychologist may not open, and who does: the care team is managed by the
# administrators and the lead; the access copies and the retention review are the lead's.
READERS = {
    "casework:care_team_add": "clinical_lead",
    "casework:care_team_end": "clinical_lead",
    "casework:non_association_create": "clinical_lead",
    "privacy:access_copies": "clinical_lead",
    "privacy:access_copy_json": "clinical_lead",
    "privacy:access_copy_pdf": "clinical_lead",
    "privacy:retention_review": "clinical_lead",
    "privacy:retention_destroy": "clinical_lead",
    "reports:cosign": "clinical_lead",
}


# Reads logged as what they are instead of "view": a file handed out as a download.
LOGGED_AS = {"documents:file": "export"}


def _draft_letter(clinic, people):
    from reports.services import letter_draft

    patient = clinic["patient"]
    letter = letter_draft(
        actor=people["administrator"],
        patient=patient,
        kind="difficulty",
        mandate=patient.mandates.get(),
        paragraph="Cadre.",
    )
    return {"letter_id": letter.pk}


def _letter_waiting_for_its_cosignature(clinic, people):
    from reports.services import letter_draft, letter_sign

    patient = clinic["patient"]
    letter = letter_draft(
        actor=people["administrator"],
        patient=patient,
        kind="serious_risk",
        mandate=patient.mandates.get(),
        risk_to="others",
        paragraph="Propos menaçants envers un tiers identifié.",
    )
    letter_sign(actor=people["treating_psychologist"], letter=letter)
    return {"letter_id": letter.pk}


def _signed_note(clinic, people):
    from notes.services import note_create, note_sign

    note = note_create(
        actor=people["treating_psychologist"], patient=clinic["patient"], kind="personal", text="."
    )
    return {"note_id": note_sign(actor=people["treating_psychologist"], note=note).pk}


def _file_due_for_review(clinic, people):
    # As the daily sweep flags a file whose last contact is RETENTION_REVIEW_YEARS old
    # (tests/privacy/test_retention.py makes one that way): the pages ask for the flag only.
    from privacy.models import RetentionFlag

    today = datetime.date(2056, 1, 1)
    RetentionFlag.objects.create(
        patient=clinic["patient"], last_contact=today, flagged_on=today, destroy_on=today
    )
    return {}


# Pages that show nothing for the module's samples (the sample letter is signed, the sample
# note a draft, the sample file not due for review), and the sample each one reads.
SAMPLES = {
    "notes:addendum": _signed_note,
    "reports:update": _draft_letter,
    "reports:preview": _draft_letter,
    "reports:ready": _draft_letter,
    "reports:sign": _draft_letter,
    "reports:withdraw": _draft_letter,
    "reports:cosign": _letter_waiting_for_its_cosignature,
    "privacy:retention_review": _file_due_for_review,
    "privacy:retention_destroy": _file_due_for_review,
}


@pytest.mark.parametrize("route", PATIENT_ROUTES, ids=lambda r: r.name)
def test_every_read_is_logged(route, clinic, people, url_kwargs, client_for):
    """Every patient route is checked: an action answers a GET with 405; every other route is
    read by someone who may read it, with a sample it shows, and logs exactly one view (or
    export, LOGGED_AS). A new
    route that shows nothing to the treating psychologist fails here until it is given its
    reader (READERS) or its sample (SAMPLES), or is a POST-only action (POST_ONLY)."""
    patient = clinic["patient"]
    reader = READERS.get(route.name, "treating_psychologist")
    client = client_for(people[reader])
    if route.name in SAMPLES:
        url_kwargs = {**url_kwargs, **SAMPLES[route.name](clinic, people)}
    action = LOGGED_AS.get(route.name, "view")
    before = AccessEvent.objects.filter(patient_id=patient.pk, action=action).count()

    response = client.get(url_for(route, url_kwargs))

    logged = AccessEvent.objects.filter(patient_id=patient.pk, action=action).count() - before
    if route.name in POST_ONLY:
        assert response.status_code == 405, f"{route.name}: listed as POST-only"
        assert logged == 0
        return
    assert response.status_code == 200, (
        f"{route.name} shows {reader} nothing ({response.status_code}): name who reads it in "
        "READERS, the sample it shows in SAMPLES, or list it in POST_ONLY"
    )
    assert logged == 1, f"{route.name}: {logged} views logged for one read"


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
