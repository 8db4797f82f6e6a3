import datetime

import pytest
from django.core.exceptions import ValidationError

from casework import services
from casework.models import Appointment, Attendance, TherapyGroup
from casework.selectors import compliance_counters, groups_visible_to, patient_attendances
from tests.factories import at, outcome, register_patient


@pytest.fixture
def group(treating_psychologist, other_psychologist, administrator):
    return services.group_save(
        actor=administrator,
        group=TherapyGroup(
            name="Tuesday group", weekday=1, start_time=datetime.time(18), duration_minutes=90
        ),
        regular=[treating_psychologist],
        cover=[other_psychologist],
    )


@pytest.fixture
def members(group, administrator):
    people = [register_patient(administrator, last_name=f"Member{i}") for i in range(3)]
    for person in people:
        services.group_member_add(
            actor=administrator, group=group, patient=person, joined_on=at(-60).date()
        )
    return people


def session(group, clinician, days, *, by):
    """A session of the group, booked by `by` (whoever manages the groups)."""
    return services.appointment_schedule(
        actor=by,
        kind=Appointment.Kind.GROUP,
        starts_at=at(days, 18),
        clinicians=[clinician],
        group=group,
        duration_minutes=90,
    )[0]


def test_a_group_session_expects_every_member_of_the_day(
    group, members, treating_psychologist, administrator
):
    held = session(group, treating_psychologist, -7, by=administrator)

    assert {a.patient for a in held.attendances.all()} == set(members)


def test_group_attendance_recorded_in_one_go_shows_in_each_members_file(
    group, members, treating_psychologist, administrator
):
    held = session(group, treating_psychologist, -7, by=administrator)
    rows = {
        a.pk: {
            "outcome": outcome("attended" if a.patient != members[2] else "absence-unacceptable")
        }
        for a in held.attendances.all()
    }

    changed = services.group_attendance_record(
        actor=treating_psychologist, appointment=held, rows=rows
    )

    assert changed == 3
    recent, _ = patient_attendances(members[0])
    assert [(r.appointment, r.outcome.code) for r in recent] == [(held, "attended")]
    counts = compliance_counters(members[2], at(-30).date(), at(1).date())
    assert counts["unacceptable_absences"] == 1


def test_one_bad_row_saves_no_row(group, members, treating_psychologist, administrator):
    held = session(group, treating_psychologist, -7, by=administrator)
    attendances = list(held.attendances.order_by("pk"))
    rows = {
        attendances[0].pk: {"outcome": outcome("attended")},
        attendances[1].pk: {"outcome": outcome("attended"), "notify_concern": True},
    }

    with pytest.raises(services.AttendanceRowErrors) as error:
        services.group_attendance_record(actor=treating_psychologist, appointment=held, rows=rows)

    assert list(error.value.rows) == [attendances[1].pk]
    assert not Attendance.objects.filter(appointment=held, outcome__isnull=False).exists()


def test_a_newcomer_is_expected_at_future_sessions_and_a_leaver_no_more(
    group, members, treating_psychologist, administrator
):
    past = session(group, treating_psychologist, -7, by=administrator)
    coming = session(group, treating_psychologist, 7, by=administrator)
    newcomer = register_patient(administrator, last_name="Newcomer")

    services.group_member_add(actor=administrator, group=group, patient=newcomer)
    leaver = group.members.get(patient=members[0])
    services.group_member_end(actor=administrator, membership=leaver)

    assert set(coming.attendances.values_list("patient", flat=True)) == {
        members[1].pk,
        members[2].pk,
        newcomer.pk,
    }
    assert members[0].pk in past.attendances.values_list("patient", flat=True)


def test_allocating_someone_who_must_not_meet_a_member_warns_first(group, members, administrator):
    newcomer = register_patient(administrator, last_name="Newcomer")
    services.non_association_add(
        actor=administrator, patient=newcomer, other=members[1], reason="Co-accused"
    )

    with pytest.raises(services.NonAssociationWarning) as warning:
        services.group_member_add(actor=administrator, group=group, patient=newcomer)
    assert warning.value.warnings == [
        f"{newcomer.file_number} must not meet {members[1].file_number}, who is in this group: "
        "Co-accused"
    ]
    assert not group.members.filter(patient=newcomer).exists()

    services.group_member_add(
        actor=administrator, group=group, patient=newcomer, allow_non_associations=True
    )
    assert group.members.filter(patient=newcomer).exists()


def test_a_pair_is_kept_apart_once(members, administrator):
    services.non_association_add(
        actor=administrator, patient=members[0], other=members[1], reason="Co-accused"
    )

    with pytest.raises(ValidationError):
        services.non_association_add(
            actor=administrator, patient=members[1], other=members[0], reason="Again"
        )


def test_facilitators_see_their_groups_administrators_all_others_none(
    group, treating_psychologist, other_psychologist, administrator, clinical_lead, request
):
    outsider = request.getfixturevalue("helpline_listener")
    from tests.factories import UserFactory

    stranger = UserFactory(role="psychologist")

    for user in (treating_psychologist, other_psychologist, administrator, clinical_lead):
        assert group in groups_visible_to(user)
    for user in (stranger, outsider):
        assert group not in groups_visible_to(user)


def test_a_group_needs_a_regular_facilitator_who_is_a_clinician(administrator):
    with pytest.raises(ValidationError):
        services.group_save(
            actor=administrator,
            group=TherapyGroup(name="G", weekday=0, start_time=datetime.time(9)),
            regular=[administrator],
        )
