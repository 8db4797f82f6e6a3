"""The casework services ask the rule about their actor, whatever page, endpoint or script calls
them (issue 27): until now only the pages and the API did, so a service called for someone the
rule refuses did the work. One "may" and one "may not" per rule, through the services."""

import pytest
from django.core.exceptions import PermissionDenied

from casework import services
from casework.models import (
    Appointment,
    GroupMembership,
    NonAssociation,
    Patient,
    TherapyGroup,
)
from tests.factories import (
    assign,
    at,
    book,
    book_group_session,
    make_group,
    outcome,
    register_patient,
)

# --- can_register_patient -------------------------------------------------------------------


def test_an_administrator_registers_a_referral(administrator):
    assert register_patient(administrator).created_by == administrator


def test_a_psychologist_does_not_register_a_referral(treating_psychologist):
    with pytest.raises(PermissionDenied):
        register_patient(treating_psychologist)
    assert not Patient.objects.exists()


# --- can_manage_care_team -------------------------------------------------------------------


def test_the_clinical_lead_places_and_removes_a_clinician(
    patient, clinical_lead, other_psychologist
):
    place = services.care_team_assign(
        actor=clinical_lead, patient=patient, clinician=other_psychologist, role="co"
    )
    services.care_team_end(actor=clinical_lead, membership=place)

    place.refresh_from_db()
    assert place.ends_on is not None


def test_the_treating_psychologist_does_not_open_the_file_to_a_colleague(
    patient, treating_psychologist, other_psychologist
):
    with pytest.raises(PermissionDenied):
        services.care_team_assign(
            actor=treating_psychologist,
            patient=patient,
            clinician=other_psychologist,
            role="co",
        )
    assert not patient.care_team.filter(clinician=other_psychologist).exists()
    assert not other_psychologist.has_perm("casework.access_frame", patient)


def test_the_treating_psychologist_does_not_end_a_place_in_the_care_team(
    patient, treating_psychologist
):
    place = patient.care_team.get(clinician=treating_psychologist)

    with pytest.raises(PermissionDenied):
        services.care_team_end(actor=treating_psychologist, membership=place)

    place.refresh_from_db()
    assert place.ends_on is None


# --- can_manage_groups ----------------------------------------------------------------------


@pytest.fixture
def group(administrator, treating_psychologist, patient):
    """Facilitated by the treating psychologist; their patient is a member."""
    return make_group(by=administrator, regular=[treating_psychologist], members=[patient])


def test_an_administrator_makes_a_group_allocates_and_keeps_people_apart(
    administrator, treating_psychologist, patient
):
    other = register_patient(administrator, last_name="Autre")
    group = services.group_save(
        actor=administrator,
        group=TherapyGroup(name="Thursday group", weekday=3, start_time=at(0, 18).time()),
        regular=[treating_psychologist],
    )
    membership = services.group_member_add(actor=administrator, group=group, patient=patient)
    services.group_member_end(actor=administrator, membership=membership)
    pair = services.non_association_add(
        actor=administrator, patient=patient, other=other, reason="Co-accused"
    )
    sessions = services.appointment_schedule(
        actor=administrator,
        kind=Appointment.Kind.GROUP,
        starts_at=at(7, 18),
        clinicians=[treating_psychologist],
        group=group,
    )

    assert membership.left_on is not None
    assert NonAssociation.objects.filter(pk=pair.pk).exists()
    assert len(sessions) == 1


def test_a_facilitator_does_not_manage_their_group(group, treating_psychologist, administrator):
    newcomer = register_patient(administrator, last_name="Nouveau")
    membership = GroupMembership.objects.get(group=group)
    group.name = "Renamed by a facilitator"
    refused = [
        lambda: services.group_save(
            actor=treating_psychologist, group=group, regular=[treating_psychologist]
        ),
        lambda: services.group_member_add(
            actor=treating_psychologist, group=group, patient=newcomer
        ),
        lambda: services.group_member_end(actor=treating_psychologist, membership=membership),
        lambda: services.non_association_add(
            actor=treating_psychologist, patient=newcomer, other=membership.patient, reason="x"
        ),
        lambda: services.appointment_schedule(
            actor=treating_psychologist,
            kind=Appointment.Kind.GROUP,
            starts_at=at(7, 18),
            clinicians=[treating_psychologist],
            group=group,
        ),
    ]

    for call in refused:
        with pytest.raises(PermissionDenied):
            call()

    assert TherapyGroup.objects.get(pk=group.pk).name == "Tuesday group"
    assert list(GroupMembership.objects.filter(group=group)) == [membership]
    assert GroupMembership.objects.get(pk=membership.pk).left_on is None
    assert not NonAssociation.objects.exists()
    assert not Appointment.objects.filter(group=group).exists()


# --- move_refusal: a group session moves for its group --------------------------------------


@pytest.fixture
def colleague_in_care(patient, other_psychologist, clinical_lead):
    """Also in the member's care team, but no facilitator of the group."""
    assign(patient, other_psychologist, by=clinical_lead, role="co")
    return other_psychologist


def test_a_facilitator_moves_a_group_session_and_the_care_team_an_individual_one(
    group, patient, treating_psychologist, administrator, colleague_in_care
):
    session = book_group_session(
        group, by=administrator, clinicians=[treating_psychologist], days=3
    )
    individual = book(patient, treating_psychologist, days=4)

    moved = services.appointment_reschedule(
        actor=treating_psychologist,
        appointment=session,
        starts_at=at(5, 18),
        requested_by="clinic",
        reason="Room taken",
    )
    services.appointment_cancel(actor=colleague_in_care, appointment=individual, reason="Ill")

    assert moved.supersedes == session
    individual.refresh_from_db()
    assert individual.status == Appointment.Status.CANCELLED


def test_someone_else_in_a_members_care_team_does_not_move_the_group_session(
    group, treating_psychologist, administrator, colleague_in_care
):
    session = book_group_session(
        group, by=administrator, clinicians=[treating_psychologist], days=3
    )

    with pytest.raises(PermissionDenied) as refused:
        services.appointment_reschedule(
            actor=colleague_in_care,
            appointment=session,
            starts_at=at(5, 18),
            requested_by="clinic",
            reason="Room taken",
        )
    with pytest.raises(PermissionDenied):
        services.appointment_cancel(actor=colleague_in_care, appointment=session, reason="x")

    assert "facilitators" in str(refused.value)
    session.refresh_from_db()
    assert session.status == Appointment.Status.SCHEDULED


# --- can_work_with_group: a group session's outcomes ----------------------------------------


def test_a_facilitator_records_the_groups_attendance(group, treating_psychologist, administrator):
    session = book_group_session(group, by=administrator, clinicians=[treating_psychologist])
    rows = {a.pk: {"outcome": outcome("attended")} for a in session.attendances.all()}

    changed = services.group_attendance_record(
        actor=treating_psychologist, appointment=session, rows=rows
    )

    assert changed == 1


def test_someone_who_does_not_work_with_the_group_records_no_attendance(
    group, treating_psychologist, administrator, colleague_in_care
):
    session = book_group_session(group, by=administrator, clinicians=[treating_psychologist])
    rows = {a.pk: {"outcome": outcome("attended")} for a in session.attendances.all()}

    with pytest.raises(PermissionDenied):
        services.group_attendance_record(actor=colleague_in_care, appointment=session, rows=rows)

    assert not session.attendances.filter(outcome__isnull=False).exists()
