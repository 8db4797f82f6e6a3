"""The API answers as its OpenAPI schema says, whatever it is sent: schemathesis runs over every
operation of the schema, as the clinical lead with a token, against a clinic with one of
everything.

- The schema is generated in-process (no call to /api/schema/), and the requests go to the
  Django WSGI application in-process.
- Checks: no 5xx; the status code, the content type and the body are the documented ones.
- Path parameters and the ids in bodies mostly name the seeded objects, so that each endpoint
  is exercised rather than 404'd or 400'd; one case in four keeps the generated ids.
- The budget: every operation gets the whole coverage phase (each parameter's boundary values,
  about 70 % of the requests) and FUZZ_EXAMPLES random cases (5; SCHEMATHESIS_MAX_EXAMPLES=15,
  the earlier figure, or more for a deeper run by hand), so that the module fits the suite's
  time (tests/README.md).
- Repeatable: the clinic is made once for the module in a transaction rolled back at the end;
  each test (one per operation) runs in a savepoint, and so does each generated request, so
  every request meets the same data. Hypothesis is derandomized and keeps no example database.
"""

import datetime
import json
import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from accounts.roles import Role
from assessments import services as assessment_services
from casework import services
from casework.models import Appointment, TherapyGroup
from notes import services as note_services
from tests.factories import (
    AuthorityFactory,
    JusticeContactFactory,
    UserFactory,
    assign,
    at,
    book,
    mandate_data,
    record,
    register_patient,
)

OPENAPI = SchemaGenerator().get_schema(request=None, public=True)

# The edges of Python's calendar and of a 64-bit id, which random data seldom hits.
EDGES = {
    "date": ["0001-01-01", "9999-12-31"],
    "date-time": ["0001-01-01T00:00:00", "9999-12-31T23:30:00", "1733-04-16T15:25:43+07:27"],
    "id": [0, 2**63, 10**20],
}


def _edge_bindings(openapi: dict) -> dict[str, dict]:
    """Every request field that carries a date, a moment or an id (by its name: the same
    binding serves every operation) is sent the edge values of its kind now and then."""
    bindings = {}
    for name, component in openapi["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        for field, definition in component.get("properties", {}).items():
            items = definition.get("items", {})
            if definition.get("format") in ("date", "date-time"):
                bindings[f"body.{field}"] = definition["format"]
            elif definition.get("type") == "integer" and "maximum" not in definition:
                bindings[f"body.{field}"] = "id"
            elif items.get("type") == "integer" and "maximum" not in items:
                bindings[f"body.{field}[*]"] = "id"
    return {key: {"dictionary": kind, "probability": 0.5} for key, kind in bindings.items()}


# Explicit, so that no schemathesis.toml lying around changes the run. The coverage phase sends
# each parameter's boundary values (empty and longest strings, enum values, ...) within the
# schema; fuzzing sends random data, valid and invalid, with the edges above now and then: in
# the body fields found above, and in every query parameter that takes a date (an edge value
# is only sent where the schema allows it, so `?kind=0001-01-01` is not).
CONFIG = schemathesis.Config.from_dict(
    {
        "dictionaries": {kind: {"values": values} for kind, values in EDGES.items()},
        "parameters": _edge_bindings(OPENAPI),
        "generation": {"dictionaries": {"string": {"dictionary": "date", "probability": 0.5}}},
        "phases": {
            "coverage": {"generation": {"mode": "positive"}},
            "fuzzing": {"generation": {"mode": "all"}},
        },
    }
)
schema = schemathesis.openapi.from_dict(OPENAPI, config=CONFIG)
APP = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Random cases per operation, after the coverage phase's (see the docstring).
FUZZ_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
# Generated ids are kept in one case of this many; the others name seeded objects.
KEEP_GENERATED_IDS_ONE_IN = 4


class Clinic:
    """One of everything the API shows, made through the services as the app makes it."""

    def __init__(self):
        lead = UserFactory(username="schema.lead", role=Role.CLINICAL_LEAD)
        administrator = UserFactory(username="schema.admin", role=Role.ADMINISTRATOR)
        psychologist = UserFactory(username="schema.psy", role=Role.PSYCHOLOGIST)
        newcomer = UserFactory(username="schema.newcomer", role=Role.PSYCHOLOGIST)
        authority = AuthorityFactory(email="greffe@justice.example")
        # Django accepts internationalised domains: so must the schema's e-mail format.
        contact = JusticeContactFactory(email="claire.renard@médiation.be")
        self.token = ApiToken.objects.create(user=lead, name="schemathesis")[1]

        patient = register_patient(administrator, email="jean.dupont@exämple.be")
        register_patient(administrator, last_name="Martin")  # a second row in the lists
        assign(patient, psychologist, by=lead)
        mandate = services.mandate_create(
            actor=administrator,
            patient=patient,
            **mandate_data(authority, justice_contact=contact),
        )
        attended = book(patient, psychologist, days=-21)
        record(attended, "attended", by=psychologist)
        for days in (-14, -7):
            record(book(patient, psychologist, days=days), "absence-unacceptable", by=psychologist)
        (alert,) = services.compliance_evaluate(patient_ids=[patient.pk])
        awaiting = book(patient, psychologist, days=-2)
        coming = book(patient, psychologist, days=5)
        moved = book(patient, psychologist, days=9)
        services.appointment_reschedule(  # answers change_requested_by and change_reason
            actor=psychologist,
            appointment=moved,
            starts_at=at(10),
            requested_by=Appointment.RequestedBy.PATIENT,
            reason="Work",
            allow_conflicts=True,
        )

        group = services.group_save(
            actor=administrator,
            group=TherapyGroup(name="Tuesday group", weekday=1, start_time=datetime.time(18)),
            regular=[psychologist],
            cover=[lead],
        )
        services.group_member_add(
            actor=administrator, group=group, patient=patient, joined_on=at(-60).date()
        )
        (session,) = services.appointment_schedule(
            actor=administrator,  # who manages the groups books their sessions
            kind=Appointment.Kind.GROUP,
            starts_at=at(-3, 18),
            clinicians=[psychologist],
            group=group,
            duration_minutes=90,
        )

        draft = note_services.note_create(
            actor=lead, patient=patient, kind="session", appointment=attended, text="Draft."
        )
        signed = note_services.note_sign(
            actor=lead,
            note=note_services.note_create(
                actor=lead, patient=patient, kind="personal", text="Seen."
            ),
        )
        stable = {
            "actor": lead,
            "patient": patient,
            "instrument": "stable2007",
            "facts": {"child_victims": "no"},
            "trained_assessor": True,
            "complete": True,
        }
        assessment = assessment_services.assessment_save(
            **stable, assessed_on=at(-1).date(), responses={str(n): "1" for n in range(1, 14)}
        )
        final = assessment_services.assessment_sign(
            actor=lead,
            assessment=assessment_services.assessment_save(
                **stable, assessed_on=at(-30).date(), responses={str(n): "0" for n in range(1, 14)}
            ),
        )

        from reports import services as letter_services

        letter_draft = letter_services.letter_draft(
            actor=lead, patient=patient, kind="difficulty", mandate=mandate, paragraph="Cadre."
        )
        letter_signed = letter_services.letter_sign(
            actor=lead,
            letter=letter_services.letter_draft(
                actor=lead, patient=patient, kind="difficulty", mandate=mandate, paragraph="Cadre."
            ),
        )
        letter_services.letter_render(letter_id=letter_signed.pk)

        from helpline.models import Contact

        helpline_contact = Contact.objects.create(
            listener=UserFactory(role=Role.HELPLINE_LISTENER),
            channel="phone",
            started_at=at(0),
        )

        p = patient.pk
        appointments = [attended.pk, awaiting.pk, coming.pk, moved.pk, session.pk]
        # By path, or else by the path's last parameter.
        self.path_parameters = {
            "/api/v1/authorities/{id}/": [{"id": authority.pk}],
            "/api/v1/justice-contacts/{id}/": [{"id": contact.pk}],
            "{group_id}": [{"group_id": group.pk}],
            "/api/v1/groups/{group_id}/sessions/{appointment_id}/attendance/": [
                {"group_id": group.pk, "appointment_id": session.pk}
            ],
            "{patient_id}": [{"patient_id": p}],
            "{mandate_id}": [{"patient_id": p, "mandate_id": mandate.pk}],
            "{appointment_id}": [{"patient_id": p, "appointment_id": a} for a in appointments],
            "{alert_id}": [{"patient_id": p, "alert_id": alert.pk}],
            "{note_id}": [{"patient_id": p, "note_id": n} for n in (draft.pk, signed.pk)],
            "{letter_id}": [
                {"patient_id": p, "letter_id": n} for n in (letter_draft.pk, letter_signed.pk)
            ],
            "{assessment_id}": [
                {"patient_id": p, "assessment_id": a} for a in (assessment.pk, final.pk)
            ],
            "{membership_id}": [
                {"patient_id": p, "membership_id": m.pk} for m in patient.care_team.all()
            ],
            # the lead's answer is 404 (the helpline's contacts are the listeners')
            "{contact_id}": [{"contact_id": helpline_contact.pk}],
        }

        # Ids and codes in bodies, by field name, wherever they appear in the body.
        self.body_values = {
            "clinicians": [[psychologist.pk]],
            "clinician": [newcomer.pk, psychologist.pk],
            "regular": [[psychologist.pk]],
            "cover": [[lead.pk], []],
            "authority": [authority.pk],
            "mandate": [mandate.pk],
            "justice_contact": [contact.pk, None],
            "appointment": [attended.pk, awaiting.pk],
            "addendum_to": [signed.pk, None],
            "outcome": ["attended", "absence-unacceptable", "absence-medical"],
            "attendance": list(session.attendances.values_list("pk", flat=True)),
        }

    def known_path_parameters(self, path: str) -> list[dict]:
        if path in self.path_parameters:
            return self.path_parameters[path]
        names = [part for part in path.split("/") if part.startswith("{")]
        return self.path_parameters[names[-1]] if names else []


@pytest.fixture(scope="module")
def clinic(django_db_setup, django_db_blocker):
    """Made once for the whole module (not per operation: that would double the run time), in
    a transaction that is rolled back after the module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield Clinic()
        transaction.set_rollback(True)


@pytest.fixture
def wsgi_calls_keep_the_test_transaction():
    """The WSGI handler closes the database connection around each request; the test client
    does not, and neither may we: the connection holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _name_seeded_objects(value, known: dict[str, list], pick: int):
    """The body with every field that names an object (an id, an outcome code) set to one of
    the clinic's, at any depth (group attendance rows)."""
    if isinstance(value, dict):
        return {
            key: known[key][pick % len(known[key])]
            if key in known
            else _name_seeded_objects(item, known, pick)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_name_seeded_objects(item, known, pick) for item in value]
    return value


def _fingerprint(case) -> int:
    """A number that depends only on what the case sends (stable across runs and processes:
    no hash(), and no repr() of an object that shows its address, as the body's NotSet does)."""
    body = None if isinstance(case.body, NotSet) else case.body
    sent = [case.method, case.path, case.path_parameters, case.query, body]
    return zlib.crc32(json.dumps(sent, sort_keys=True, default=repr).encode())


@schema.parametrize()
@settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=FUZZ_EXAMPLES,
    # The fixtures are set up once per operation, not per example: that is the point.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_schema_says(case, clinic, db, wsgi_calls_keep_the_test_transaction):
    known = clinic.known_path_parameters(case.path)
    fingerprint = _fingerprint(case)
    if fingerprint % KEEP_GENERATED_IDS_ONE_IN:
        if known:
            case.path_parameters = {**case.path_parameters, **known[fingerprint % len(known)]}
        if isinstance(case.body, dict):
            case.body = _name_seeded_objects(case.body, clinic.body_values, fingerprint)
    with transaction.atomic():
        response = case.call(app=APP, headers={"Authorization": f"Token {clinic.token}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
