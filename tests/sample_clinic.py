"""One small clinic with everything a URL can name, built once per test module that uses it
(the URL walks: tests/casework/test_patient_urls.py, tests/test_role_matrix.py). Import the
fixtures into the module; mark it django_db: each case runs in a savepoint of its own."""

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from casework import services
from notes import services as note_services
from tests.factories import (
    UserFactory,
    at,
    book,
    book_group_session,
    make_group,
    patient_in_care,
    record,
)


@pytest.fixture(scope="module")
def people(module_db):
    from accounts.roles import Role

    return {
        "treating_psychologist": UserFactory(username="psy.treating", role=Role.PSYCHOLOGIST),
        "other_psychologist": UserFactory(username="psy.other", role=Role.PSYCHOLOGIST),
        "administrator": UserFactory(username="admin", role=Role.ADMINISTRATOR),
        "clinical_lead": UserFactory(username="lead", role=Role.CLINICAL_LEAD),
        "helpline_listener": UserFactory(username="helpline", role=Role.HELPLINE_LISTENER),
        "auditor": UserFactory(username="auditor", role=Role.AUDITOR),
        "facilitator": UserFactory(username="psy.facilitator", role=Role.PSYCHOLOGIST),
    }


@pytest.fixture(scope="module")
def clinic(people):
    """One patient in the treating psychologist's care team, with everything a patient URL or
    a group URL can name."""
    psychologist, lead = people["treating_psychologist"], people["clinical_lead"]
    administrator = people["administrator"]
    patient = patient_in_care(administrator=administrator, lead=lead, psychologist=psychologist)
    # A second facilitator, outside the care team: the group's pages, not the patient's file.
    group = make_group(
        by=administrator, regular=[psychologist, people["facilitator"]], members=[patient]
    )
    session = book_group_session(group, by=administrator, clinicians=[psychologist], days=-3)
    return {
        "patient": patient,
        "group": group,
        "session": session,
        **_samples(patient, psychologist),
    }


def _samples(patient, psychologist) -> dict:
    first, second = (book(patient, psychologist, days=d) for d in (-20, -10))
    for appointment in (first, second):
        record(appointment, "absence-unacceptable", by=psychologist)
    alert = services.compliance_evaluate(patient_ids=[patient.pk])[0]
    note = note_services.note_create(
        actor=psychologist, patient=patient, kind="session", appointment=first, text="Note"
    )
    assessment = assessment_services.assessment_save(
        actor=psychologist,
        patient=patient,
        instrument="acute2007",
        assessed_on=at(-1).date(),
        facts={},
        responses={str(n): "0" for n in range(1, 8)},
    )
    from reports.services import letter_draft, letter_render, letter_sign

    letter = letter_draft(
        actor=psychologist,
        patient=patient,
        kind="unjustified_absence",
        mandate=patient.mandates.get(),
        attendance=second.attendances.get(),
        period_start=at(-30).date(),
        period_end=at(0).date(),
    )
    # Signed and rendered: its PDF can be read, like a letter that went out.
    letter = letter_sign(actor=psychologist, letter=letter)
    letter_render(letter_id=letter.pk)
    # A copy of the file for the patient, made as a worker makes it.
    from privacy.services import access_copy_render, access_copy_request

    lead = next(iter(patient.care_team.all())).assigned_by
    copy = access_copy_request(actor=lead, patient=patient, request_received_on=at(0).date())
    access_copy_render(copy_id=copy.pk)
    from documents.services import document_upload
    from tests.documents.files import upload

    document = document_upload(
        actor=psychologist,
        patient=patient,
        kind="court_decision",
        dated=at(-1).date(),
        upload=upload(),
    )
    from notes.services import plan_write

    plan_write(
        actor=psychologist,
        patient=patient,
        review_on=at(60).date(),
        goals=[{"goal": "Name the risk situations", "interventions": "Relapse prevention"}],
    )
    return {
        "url_kwargs": {
            "letter_id": letter.pk,
            "assessment_id": assessment.pk,
            "instrument": "acute2007",
            "patient_id": patient.pk,
            "mandate_id": patient.mandates.get().pk,
            "episode_id": patient.episodes.get().pk,
            "membership_id": patient.care_team.get().pk,
            "appointment_id": second.pk,
            "alert_id": alert.pk,
            "note_id": note.pk,
            "copy_id": copy.pk,
            "document_id": document.pk,
            "version": 1,
        }
    }


def url_for(route, url_kwargs) -> str:
    missing = route.kwargs - url_kwargs.keys()
    assert not missing, f"{route.name}: add a sample value for {missing} to url_kwargs"
    return reverse(route.name, kwargs={key: url_kwargs[key] for key in route.kwargs})
