"""A file with something of every kind — the clinical zone, letters, a group, a patient kept
apart — and a second patient who shares its group: what the access copy must hold or leave
out, and what a destruction must take or leave.

Built once per module that imports these fixtures (mark it django_db): building it renders a
letter, about half a second, and each test only reads it or changes it in a savepoint of its
own. The personas' fixtures below stand in for tests/conftest.py's in such a module, as copies
of the world's, as Django's setUpTestData hands each test its own copy."""

import copy

import pytest
from django.utils import timezone

from assessments import services as assessment_services
from casework import services
from documents import services as document_services
from notes import services as note_services
from reports import services as letter_services
from tests.documents.files import upload
from tests.factories import (
    at,
    book,
    book_group_session,
    make_group,
    patient_in_care,
    record,
    register_patient,
)
from tests.sample_clinic import people  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def world(people):
    """The personas (tests/sample_clinic.py) and the full file, built once for the module."""
    administrator, lead = people["administrator"], people["clinical_lead"]
    patient = patient_in_care(
        administrator=administrator, lead=lead, psychologist=people["treating_psychologist"]
    )
    neighbour = make_neighbour(administrator, lead, people["other_psychologist"])
    full_file = make_full_file(
        patient,
        neighbour,
        administrator,
        people["treating_psychologist"],
        people["other_psychologist"],
    )
    return {**people, "full_file": full_file}


def _copy_of(name):
    def fixture(world, db):
        return copy.deepcopy(world[name])

    return pytest.fixture(name=name)(fixture)


treating_psychologist = _copy_of("treating_psychologist")
other_psychologist = _copy_of("other_psychologist")
administrator = _copy_of("administrator")
clinical_lead = _copy_of("clinical_lead")
helpline_listener = _copy_of("helpline_listener")
auditor = _copy_of("auditor")
full_file = _copy_of("full_file")


@pytest.fixture
def patient(full_file):
    return full_file["patient"]


@pytest.fixture
def neighbour(full_file):
    return full_file["neighbour"]


def make_neighbour(administrator, clinical_lead, other_psychologist):
    """Another patient, in the same group, with a note of their own."""
    other = register_patient(administrator, last_name="Voisin", first_name="Marc")
    services.care_team_assign(
        actor=clinical_lead, patient=other, clinician=other_psychologist, role="lead"
    )
    return other


def make_full_file(patient, neighbour, administrator, treating_psychologist, other_psychologist):
    psychologist = treating_psychologist
    group = make_group(by=administrator, regular=[psychologist], members=[patient, neighbour])
    group_session = book_group_session(group, by=administrator, clinicians=[psychologist], days=-2)
    record(group_session, "attended", by=psychologist, patient=patient)
    record(group_session, "attended", by=psychologist, patient=neighbour)
    first, second = (book(patient, psychologist, days=d) for d in (-20, -10))
    record(first, "attended", by=psychologist)
    record(second, "absence-unacceptable", by=psychologist, note_for_authority="Absent.")
    services.non_association_add(
        actor=administrator, patient=patient, other=neighbour, reason="Co-accused in 2019"
    )
    note = note_services.note_create(
        actor=psychologist,
        patient=patient,
        kind="session",
        appointment=first,
        text="Worked on the relapse prevention plan.",
    )
    note_services.note_sign(actor=psychologist, note=note)
    addendum = note_services.note_create(
        actor=psychologist,
        patient=patient,
        kind="session",
        addendum_to=note,
        text="Addendum: the plan was shared with the patient.",
    )
    note_services.note_sign(actor=psychologist, note=addendum)
    personal = note_services.note_create(
        actor=psychologist, patient=patient, kind="personal", text="My own hunch, not for file."
    )
    note_services.note_create(
        actor=psychologist,
        patient=patient,
        kind="session",
        appointment=second,
        text="Draft still being written.",
    )
    neighbour_note = note_services.note_create(
        actor=other_psychologist,
        patient=neighbour,
        kind="session",
        appointment=group_session,
        text="The neighbour's own session note.",
    )
    note_services.note_sign(actor=other_psychologist, note=neighbour_note)
    assessment = assessment_services.assessment_save(
        actor=psychologist,
        patient=patient,
        instrument="acute2007",
        assessed_on=at(-1).date(),
        facts={},
        responses={str(n): "0" for n in range(1, 8)},
    )
    assessment = assessment_services.assessment_sign(
        actor=psychologist, assessment=assessment, trained_assessor=True, complete=True
    )
    letter = letter_services.letter_draft(
        actor=psychologist,
        patient=patient,
        kind="unjustified_absence",
        mandate=patient.mandates.get(),
        attendance=second.attendances.get(),
        period_start=at(-30).date(),
        period_end=at(0).date(),
    )
    letter = letter_services.letter_sign(actor=psychologist, letter=letter)
    letter_services.letter_render(letter_id=letter.pk)
    services.compliance_evaluate(patient_ids=[patient.pk])
    note_services.plan_write(
        actor=psychologist,
        patient=patient,
        review_on=at(90).date(),
        goals=[{"goal": "Name the risk situations", "interventions": "Relapse prevention"}],
    )
    documents = [
        document_services.document_upload(
            actor=psychologist,
            patient=patient,
            kind=kind,
            dated=at(-3).date(),
            upload=upload(name=name),
            title=title,
        )
        for kind, name, title in [
            ("court_decision", "decision.pdf", "Judgment of the sentencing court"),
            ("clinical_report", "report.pdf", "Report of the previous therapist"),
        ]
    ]
    return {
        "patient": patient,
        "neighbour": neighbour,
        "group": group,
        "group_session": group_session,
        "note": note,
        "personal": personal,
        "neighbour_note": neighbour_note,
        "assessment": assessment,
        "letter": letter,
        "documents": documents,
        "today": timezone.localdate(),
    }
