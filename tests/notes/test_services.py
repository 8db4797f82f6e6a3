import pytest
from django.core.exceptions import ValidationError

from casework import services as casework_services
from notes import services
from notes.models import ClinicalNote, SignedNoteError
from tests.factories import book


@pytest.fixture
def session_note(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-1)
    return services.note_create(
        actor=treating_psychologist,
        patient=patient,
        kind="session",
        appointment=appointment,
        text="Worked on the relapse prevention plan.",
    )


def test_a_signed_note_is_final(session_note, treating_psychologist):
    services.note_sign(actor=treating_psychologist, note=session_note)

    with pytest.raises(ValidationError):
        services.note_update(actor=treating_psychologist, note=session_note, text="Changed")
    session_note.refresh_from_db()
    session_note.text = "Changed behind the service's back"
    with pytest.raises(SignedNoteError):
        session_note.save()
    with pytest.raises(SignedNoteError):
        session_note.delete()


def test_an_addendum_completes_a_signed_note(session_note, treating_psychologist, patient):
    with pytest.raises(ValidationError):  # not signed yet
        services.note_create(
            actor=treating_psychologist,
            patient=patient,
            kind="session",
            text="Correction",
            addendum_to=session_note,
        )
    services.note_sign(actor=treating_psychologist, note=session_note)

    addendum = services.note_create(
        actor=treating_psychologist,
        patient=patient,
        kind="personal",
        text="Correction: the plan was started, not finished.",
        addendum_to=session_note,
    )

    assert (addendum.kind, addendum.appointment) == ("session", session_note.appointment)
    assert list(session_note.addenda.all()) == [addendum]


def test_an_addendum_completes_the_note_itself_never_another_addendum(
    session_note, treating_psychologist, patient
):
    """The addendum page refuses this ("Add the addendum to the note itself."); the service
    behind the API allowed it: the rule is now notes.permissions.addendum_refusal, for both."""
    services.note_sign(actor=treating_psychologist, note=session_note)
    addendum = services.note_create(
        actor=treating_psychologist,
        patient=patient,
        kind="session",
        text="Correction: the plan was started, not finished.",
        addendum_to=session_note,
    )
    services.note_sign(actor=treating_psychologist, note=addendum)

    with pytest.raises(ValidationError) as refused:
        services.note_create(
            actor=treating_psychologist,
            patient=patient,
            kind="session",
            text="A correction of the correction",
            addendum_to=addendum,
        )

    assert refused.value.messages == ["Add the addendum to the note itself."]
    assert not addendum.addenda.exists()


def test_only_the_author_edits_or_signs_a_draft(session_note, clinical_lead):
    with pytest.raises(ValidationError):
        services.note_sign(actor=clinical_lead, note=session_note)


def test_a_session_note_belongs_to_one_of_the_patients_sessions(
    patient, treating_psychologist, administrator, clinical_lead
):
    from tests.factories import register_patient

    other = register_patient(administrator, last_name="Other")
    casework_services.care_team_assign(
        actor=clinical_lead, patient=other, clinician=treating_psychologist, role="lead"
    )
    foreign = book(other, treating_psychologist, days=-2)

    with pytest.raises(ValidationError) as error:
        services.note_create(
            actor=treating_psychologist,
            patient=patient,
            kind="session",
            appointment=foreign,
            text="x",
        )
    assert "appointment" in error.value.message_dict


def test_personal_notes_are_kept_apart_from_session_notes(patient, treating_psychologist):
    note = services.note_create(
        actor=treating_psychologist, patient=patient, kind="personal", text="Hypothesis to test."
    )

    assert note.appointment is None
    assert ClinicalNote.objects.filter(patient=patient, kind="session").count() == 0


def test_postgresql_refuses_to_change_a_signed_note_behind_the_model(
    session_note, treating_psychologist
):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only; CI's PostgreSQL run covers it")
    ClinicalNote.objects.filter(pk=session_note.pk).update(text="A draft may change")
    services.note_sign(actor=treating_psychologist, note=session_note)

    for change in (
        lambda notes: notes.update(text="Rewritten in bulk"),
        lambda notes: notes.update(signed_at=None),
        lambda notes: notes.delete(),
    ):
        with pytest.raises(DatabaseError, match="signed note is final"), transaction.atomic():
            change(ClinicalNote.objects.filter(pk=session_note.pk).order_by())
    assert ClinicalNote.objects.get(pk=session_note.pk).text == "A draft may change"
