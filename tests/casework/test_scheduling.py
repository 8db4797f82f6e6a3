import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import services
from casework.models import Appointment, Attendance
from casework.selectors import compliance_counters
from tests.factories import at, book, record, register_patient


def test_booking_an_appointment_expects_the_patient(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=3)

    assert appointment.ends_at - appointment.starts_at == datetime.timedelta(minutes=60)
    assert list(appointment.clinicians.all()) == [treating_psychologist]
    attendance = appointment.attendances.get()
    assert (attendance.patient, attendance.outcome) == (patient, None)


def test_only_the_care_team_sees_patients_in_its_agenda(patient, other_psychologist):
    with pytest.raises(ValidationError) as error:
        book(patient, other_psychologist)

    assert "not in this patient's care team" in str(error.value)


def test_a_closed_file_takes_no_appointment(patient, treating_psychologist, administrator):
    services.episode_close(
        actor=administrator,
        episode=patient.episodes.get(),
        on=datetime.date(2026, 2, 1),
        exit_reason="moved",
    )

    with pytest.raises(ValidationError):
        book(patient, treating_psychologist)


def test_double_booking_a_clinician_or_a_patient_warns(
    patient, treating_psychologist, administrator, clinical_lead
):
    other = register_patient(administrator, last_name="Autre")
    services.care_team_assign(
        actor=clinical_lead, patient=other, clinician=treating_psychologist, role="lead"
    )
    book(patient, treating_psychologist, days=2, hour=10)

    with pytest.raises(services.SchedulingConflict) as clinician_busy:
        book(other, treating_psychologist, days=2, hour=10, allow_conflicts=False)
    with pytest.raises(services.SchedulingConflict) as patient_busy:
        book(patient, clinical_lead, days=2, hour=10, minute=30, allow_conflicts=False)

    assert clinician_busy.value.warnings == [
        f"{treating_psychologist} already has an appointment at that time."
    ]
    assert patient_busy.value.warnings == [
        f"Patient {patient.file_number} already has an appointment at that time."
    ]
    # Back to back is no conflict; insisting books anyway.
    book(other, treating_psychologist, days=2, hour=11, allow_conflicts=False)
    book(other, treating_psychologist, days=2, hour=10, allow_conflicts=True)
    assert Appointment.objects.count() == 3


def test_a_weekly_series_keeps_its_cadence_when_one_occurrence_moves(
    patient, treating_psychologist
):
    series = book(patient, treating_psychologist, days=1, repeat="weekly", occurrences=4)
    third = series[2]

    moved = services.appointment_reschedule(
        actor=treating_psychologist,
        appointment=third,
        starts_at=third.starts_at + datetime.timedelta(days=2),
        requested_by="patient",
        reason="Job interview",
    )

    standing = Appointment.objects.held_or_due().filter(patient=patient).order_by("starts_at")
    days = [timezone.localtime(a.starts_at).date() for a in standing]
    first = timezone.localdate(series[0].starts_at)
    offsets = [(day - first).days for day in days]
    assert offsets == [0, 7, 16, 21]
    assert (moved.series, moved.series_index) == (third.series, 2)
    assert all(timezone.localtime(a.starts_at).hour == 10 for a in standing)


def test_a_monthly_series_falls_on_the_same_day_of_the_month(patient, treating_psychologist):
    start = datetime.datetime(2026, 1, 31, 14, 0, tzinfo=timezone.get_current_timezone())

    series = book(patient, treating_psychologist, starts_at=start, repeat="monthly", occurrences=3)

    assert [timezone.localtime(a.starts_at).date() for a in series] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
    ]


def test_a_series_moved_twice_counts_once(patient, treating_psychologist, administrator):
    appointment = book(patient, treating_psychologist, days=-20)
    first_move = services.appointment_reschedule(
        actor=administrator,
        appointment=appointment,
        starts_at=at(-15),
        requested_by="patient",
        reason="Ill",
    )
    second_move = services.appointment_reschedule(
        actor=administrator,
        appointment=first_move,
        starts_at=at(-10),
        requested_by="clinic",
        reason="Therapist ill",
    )
    record(second_move, "attended", by=treating_psychologist)

    counters = compliance_counters(patient, at(-30).date(), at(1).date())

    assert counters["planned"] == 1
    assert counters["attended"] == 1
    assert counters["rescheduled_by_patient"] == 1
    assert counters["rescheduled_by_clinic"] == 1
    assert second_move.supersedes.supersedes == appointment
    appointment.refresh_from_db()
    assert (appointment.status, appointment.change_reason) == ("rescheduled", "Ill")
    assert Attendance.objects.filter(patient=patient).count() == 3  # nothing deleted


def test_a_moved_or_cancelled_appointment_cannot_move_again(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=5)
    services.appointment_cancel(
        actor=treating_psychologist, appointment=appointment, reason="Clinic closed"
    )

    with pytest.raises(ValidationError):
        services.appointment_reschedule(
            actor=treating_psychologist,
            appointment=appointment,
            starts_at=at(6),
            requested_by="clinic",
            reason="x",
        )
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert appointment.change_requested_by == "clinic"


def test_cancelling_needs_a_reason_and_an_outcome_blocks_it(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-1)

    with pytest.raises(ValidationError):
        services.appointment_cancel(actor=treating_psychologist, appointment=appointment, reason="")
    record(appointment, "attended", by=treating_psychologist)
    with pytest.raises(ValidationError):
        services.appointment_cancel(
            actor=treating_psychologist, appointment=appointment, reason="x"
        )


def test_an_overlong_reason_is_refused_not_truncated(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=3)

    with pytest.raises(ValidationError) as error:
        services.appointment_cancel(
            actor=treating_psychologist, appointment=appointment, reason="x" * 301
        )

    assert "reason" in error.value.message_dict
