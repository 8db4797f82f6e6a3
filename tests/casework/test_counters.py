"""The attendance counters of a period add up (docs/domain.md, "Attendance counters"): every
session booked in the period and not moved is planned, and in exactly one of the parts below,
so that whoever reads them (a registry, the reader of a letter) can check the sum."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import services
from casework.models import AttendanceOutcome
from casework.selectors import compliance_counters
from tests.factories import at, book, record

PARTS = (
    "attended",
    "acceptable_absences",
    "unacceptable_absences",
    "awaiting_evidence",
    "awaiting_outcome",
    "to_come",
    "cancelled_by_clinic",
)

# One session, planned and nothing else yet: each test says which part it falls in.
ONE = {
    "planned": 1,
    **dict.fromkeys(PARTS, 0),
    "attended_failed_to_comply": 0,
    "rescheduled_by_patient": 0,
    "rescheduled_by_clinic": 0,
    "failures_last_12_months": 0,
}


def counters(patient):
    return compliance_counters(patient, at(-60).date(), at(2).date())


def adds_up(counts: dict) -> bool:
    return counts["planned"] == sum(counts[part] for part in PARTS)


# --- One test per part ------------------------------------------------------------------------


def test_a_session_held_is_attended(patient, treating_psychologist):
    record(book(patient, treating_psychologist, days=-3), "attended", by=treating_psychologist)

    assert counters(patient) == {**ONE, "attended": 1}


def test_a_session_attended_without_complying_is_attended_and_counted_of_which(
    patient, treating_psychologist
):
    record(
        book(patient, treating_psychologist, days=-3),
        "attended-failed-to-comply",
        by=treating_psychologist,
    )

    assert counters(patient) == {
        **ONE,
        "attended": 1,
        "attended_failed_to_comply": 1,
        "failures_last_12_months": 1,
    }


def test_an_unacceptable_absence(patient, treating_psychologist):
    record(
        book(patient, treating_psychologist, days=-3),
        "absence-unacceptable",
        by=treating_psychologist,
    )

    assert counters(patient) == {**ONE, "unacceptable_absences": 1, "failures_last_12_months": 1}


def test_an_absence_justified_without_a_document_is_acceptable_at_once(
    patient, treating_psychologist
):
    record(
        book(patient, treating_psychologist, days=-3), "absence-family", by=treating_psychologist
    )

    assert counters(patient) == {**ONE, "acceptable_absences": 1}


def test_a_justified_absence_awaits_its_evidence_then_is_acceptable(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-3)
    record(appointment, "absence-medical", by=treating_psychologist)  # a certificate is awaited
    waiting = counters(patient)

    record(
        appointment,
        "absence-medical",
        by=treating_psychologist,
        evidence="received",
        evidence_received_on=at(-1).date(),
    )

    assert waiting == {**ONE, "awaiting_evidence": 1}
    assert counters(patient) == {**ONE, "acceptable_absences": 1}


def test_absent_awaiting_evidence_waits_until_the_absence_is_coded_again(
    patient, treating_psychologist
):
    """The document is in, but nobody has said yet whether it justifies the absence."""
    record(
        book(patient, treating_psychologist, days=-3),
        "absence-awaiting-evidence",
        by=treating_psychologist,
        evidence="received",
        evidence_received_on=at(-1).date(),
    )

    assert counters(patient) == {**ONE, "awaiting_evidence": 1}


def test_a_session_begun_without_outcome_awaits_it_and_is_never_a_no_show(
    patient, treating_psychologist
):
    book(patient, treating_psychologist, starts_at=timezone.now() - datetime.timedelta(minutes=5))

    assert counters(patient) == {**ONE, "awaiting_outcome": 1}


def test_a_session_not_begun_is_to_come_and_not_being_checked(patient, treating_psychologist):
    book(patient, treating_psychologist, starts_at=timezone.now() + datetime.timedelta(minutes=5))

    assert counters(patient) == {**ONE, "to_come": 1}


def test_a_session_cancelled_by_the_clinic_stays_planned(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-3)
    services.appointment_cancel(actor=treating_psychologist, appointment=appointment, reason="Ill")

    assert counters(patient) == {**ONE, "cancelled_by_clinic": 1}


def test_a_session_moved_is_not_planned_its_new_booking_is(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-5)
    services.appointment_reschedule(
        actor=treating_psychologist,
        appointment=appointment,
        starts_at=at(-4),
        requested_by="patient",
        reason="Ill",
    )

    assert counters(patient) == {**ONE, "awaiting_outcome": 1, "rescheduled_by_patient": 1}


def test_failures_count_over_the_last_twelve_months_whatever_the_period(
    patient, treating_psychologist
):
    old = book(patient, treating_psychologist, days=-200)
    record(old, "absence-unacceptable", by=treating_psychologist)

    recent = compliance_counters(patient, at(-30).date(), at(1).date())

    assert recent["unacceptable_absences"] == 0
    assert recent["failures_last_12_months"] == 1


# Each seeded outcome and the counters its flags move, as recorded (a document, when the
# outcome needs one, is awaited).
EFFECTS = {
    "attended": {"attended": 1},
    "attended-late": {"attended": 1},
    "attended-failed-to-comply": {
        "attended": 1,
        "attended_failed_to_comply": 1,
        "failures_last_12_months": 1,
    },
    "sent-home": {"attended": 1, "attended_failed_to_comply": 1, "failures_last_12_months": 1},
    "absence-medical": {"awaiting_evidence": 1},
    "absence-legal": {"awaiting_evidence": 1},
    "absence-employment": {"awaiting_evidence": 1},
    "absence-family": {"acceptable_absences": 1},
    "absence-religious": {"acceptable_absences": 1},
    "absence-judgement": {"acceptable_absences": 1},
    "absence-unacceptable": {"unacceptable_absences": 1, "failures_last_12_months": 1},
    "absence-awaiting-evidence": {"awaiting_evidence": 1},
}


@pytest.mark.parametrize(("code", "effect"), EFFECTS.items())
def test_each_outcome_moves_exactly_the_counters_its_flags_say(
    code, effect, patient, treating_psychologist
):
    record(book(patient, treating_psychologist, days=-3), code, by=treating_psychologist)

    assert counters(patient) == {**ONE, **effect}


def test_the_parts_add_up_to_the_sessions_planned(patient, treating_psychologist):
    for days, code in [(-9, "attended"), (-8, "absence-medical"), (-7, "absence-unacceptable")]:
        record(book(patient, treating_psychologist, days=days), code, by=treating_psychologist)
    book(patient, treating_psychologist, days=-6)
    book(patient, treating_psychologist, days=1)
    services.appointment_cancel(
        actor=treating_psychologist,
        appointment=book(patient, treating_psychologist, days=-5),
        reason="Therapist ill",
    )

    counts = counters(patient)

    assert counts["planned"] == 6
    assert adds_up(counts)


# --- Whatever happens to the sessions ---------------------------------------------------------

PERIOD = (-40, 40)  # days from today; a session on a day of its own, never today

# Any flags a clinic may give an outcome in the admin, but compliant and enforceable together
# (a constraint): counts as attended, compliant, enforceable, needs evidence.
FLAGS = st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()).filter(
    lambda flags: not (flags[1] and flags[2])
)
SESSION = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["scheduled", "rescheduled", "cancelled"]),
        "moved_by": st.sampled_from(["patient", "clinic"]),
        "outcome": st.none() | st.sampled_from(list(EFFECTS)) | FLAGS,
        "evidence": st.sampled_from(["awaited", "received"]),
    }
)
# day from today -> what happens to its session
SESSIONS = st.dictionaries(st.integers(*PERIOD).filter(bool), SESSION, max_size=8)


def _outcome(drawn) -> str:
    if isinstance(drawn, str):
        return drawn
    attended, compliant, enforceable, needs_evidence = drawn
    code = "flags-" + "".join(str(int(flag)) for flag in drawn)
    AttendanceOutcome.objects.get_or_create(
        code=code,
        defaults={
            "name_en": code,
            "counts_as_attended": attended,
            "compliant": compliant,
            "enforceable": enforceable,
            "needs_evidence": needs_evidence,
        },
    )
    return code


def _live(days: int, session: dict, patient, clinician) -> None:
    """Book the session, then cancel it, or move it (its new booking later that day), and
    record the drawn outcome on what stands if it has begun."""
    standing = book(patient, clinician, days=days)
    if session["status"] == "cancelled":
        services.appointment_cancel(actor=clinician, appointment=standing, reason="Ill")
        return
    if session["status"] == "rescheduled":
        standing = services.appointment_reschedule(
            actor=clinician,
            appointment=standing,
            starts_at=at(days, hour=15),
            requested_by=session["moved_by"],
            reason="Asked",
        )
    if session["outcome"] is not None and days < 0:
        # The service keeps the evidence "not needed" when the outcome needs none.
        details = {"evidence": session["evidence"]}
        if session["evidence"] == "received":
            details["evidence_received_on"] = at(-1).date()
        record(standing, _outcome(session["outcome"]), by=clinician, **details)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sessions=SESSIONS)
def test_every_session_is_in_exactly_one_part_and_the_parts_add_up(
    sessions, patient, treating_psychologist
):
    with transaction.atomic():
        for days, session in sessions.items():
            _live(days, session, patient, treating_psychologist)

        whole = compliance_counters(patient, at(PERIOD[0]).date(), at(PERIOD[1] + 1).date())
        # A day of its own per session: its counters are that session's.
        each = {
            days: compliance_counters(patient, at(days).date(), at(days + 1).date())
            for days in sessions
        }
        transaction.set_rollback(True)

    assert whole["planned"] == len(sessions)
    assert adds_up(whole)
    for days, counts in each.items():
        assert counts["planned"] == 1, (days, sessions[days], counts)
        assert sorted(counts[part] for part in PARTS) == [0] * 6 + [1], (sessions[days], counts)
        moved = sessions[days]["status"] == "rescheduled"
        assert counts[f"rescheduled_by_{sessions[days]['moved_by']}"] == moved
    for part in PARTS:
        assert whole[part] == sum(counts[part] for counts in each.values())


# --- On the patient page ----------------------------------------------------------------------


def test_the_patient_page_lists_planned_then_each_part_and_apart_the_others(
    patient, treating_psychologist, administrator, client_for
):
    today = timezone.localdate()
    services.mandate_update(  # a reporting period around today, whatever the date
        actor=administrator,
        mandate=patient.mandates.get(),
        starts_on=today - datetime.timedelta(days=30),
        reporting_interval_months=3,
    )
    record(book(patient, treating_psychologist, days=-3), "attended", by=treating_psychologist)
    book(patient, treating_psychologist, days=3)
    services.appointment_cancel(
        actor=treating_psychologist,
        appointment=book(patient, treating_psychologist, days=-2),
        reason="Therapist ill",
    )

    page = client_for(treating_psychologist).get(patient.get_absolute_url()).content.decode()

    the_sum, apart = (
        re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", group)
        for group in re.findall(r'<dl class="counters">(.*?)</dl>', page, re.S)
    )
    assert the_sum == [
        ("Planned", "3"),
        ("Attended", "1"),
        ("Acceptable absences", "0"),
        ("Unacceptable absences", "0"),
        ("Awaiting evidence", "0"),
        ("Awaiting outcome", "0"),
        ("To come", "1"),
        ("Cancellations by the clinic", "1"),
    ]
    assert [label for label, _ in apart] == [
        "Attended, failed to comply",
        "Rescheduled by the patient",
        "Rescheduled by the clinic",
        "Failures, last 12 months",
    ]
