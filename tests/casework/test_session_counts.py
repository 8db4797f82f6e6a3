"""Each patient's sessions counted by month ahead of time, for the statistics
(casework.services.session_counts; docs/statistics.md, "Session counts").

What matters is that the counts kept are the counts the sessions give, after any sequence of
ordinary work, and that a change made while no worker runs is counted when one comes back."""

import datetime

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import (
    SESSION_COUNTERS,
    Appointment,
    AttendanceOutcome,
    SessionCount,
    SessionCountPending,
)
from casework.selectors import counter_expressions
from common.dates import add_months
from tests.factories import at, book, book_group_session, make_group, record, register_patient
from tests.forms import browser_form
from tests.test_admin import staff

KEPT = [name for name in SESSION_COUNTERS if not name.startswith("planned_")]


def kept(patient) -> dict[datetime.date, dict[str, int]]:
    """The months counted ahead of time, as the statistics add them up."""
    return {
        row["month"]: {name: row[name] for name in SESSION_COUNTERS}
        for row in SessionCount.objects.filter(patient=patient).values("month", *SESSION_COUNTERS)
    }


def counted_now(patient, months) -> dict[datetime.date, dict[str, int]]:
    """The same months counted from the sessions themselves, as a letter counts them."""
    from casework.models import Attendance

    result = {}
    for month in months:
        expressions, _since = counter_expressions(month, add_months(month, 1))
        row = Attendance.objects.filter(patient=patient).aggregate(
            **{name: expressions[name] for name in KEPT}
        )
        result[month] = row
    return result


def this_month(days: int) -> datetime.date:
    return timezone.localtime(at(days)).date().replace(day=1)


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """What a running worker does: each change's count runs once it commits."""

    def work(change, *args, **kwargs):
        start = len(connection.run_on_commit)
        with django_capture_on_commit_callbacks(execute=True):
            result = change(*args, **kwargs)
        # Committed: the next change asks for its own count (common.db.on_commit_once would
        # otherwise find this one, run already, still waiting in the test's transaction).
        del connection.run_on_commit[start:]
        return result

    return work


def test_ordinary_work_keeps_the_counts_the_sessions_give(
    worker, patient, treating_psychologist, administrator, clinical_lead
):
    """Bookings, outcomes, a move, a cancellation, a group joined and left: after each, the
    month's counts kept equal those counted from the sessions."""
    other = register_patient(administrator)
    attended = worker(book, patient, treating_psychologist, days=-40)
    worker(record, attended, "attended", by=treating_psychologist)
    medical = worker(book, patient, treating_psychologist, days=-33)
    worker(record, medical, "absence-medical", by=treating_psychologist)  # awaits evidence
    missed = worker(book, patient, treating_psychologist, days=-26)
    worker(record, missed, "absence-unacceptable", by=treating_psychologist)
    moved = worker(book, patient, treating_psychologist, days=5)
    worker(
        services.appointment_reschedule,
        actor=treating_psychologist,
        appointment=moved,
        starts_at=at(40),
        requested_by=Appointment.RequestedBy.PATIENT,
        reason="Travail",
        allow_conflicts=True,
    )
    cancelled = worker(book, patient, treating_psychologist, days=6)
    worker(
        services.appointment_cancel,
        actor=treating_psychologist,
        appointment=cancelled,
        reason="Congé",
    )
    group = worker(
        make_group, by=administrator, regular=[treating_psychologist], members=[patient, other]
    )
    session = worker(
        book_group_session, group, by=administrator, clinicians=[treating_psychologist]
    )
    worker(record, session, "attended", by=treating_psychologist, patient=patient)
    worker(book_group_session, group, by=administrator, clinicians=[treating_psychologist], days=9)
    membership = group.members.get(patient=other)
    worker(services.group_member_end, actor=administrator, membership=membership)
    late = register_patient(administrator)  # joins: expected at the coming session
    worker(services.group_member_add, actor=administrator, group=group, patient=late)

    months = sorted(kept(patient))
    assert months, "nothing was counted"
    assert not SessionCountPending.objects.exists()
    for person in (patient, other, late):
        rows = kept(person)
        assert {m: {n: rows[m][n] for n in KEPT} for m in rows} == counted_now(person, rows)
    totals = SessionCount.objects.filter(patient=patient).aggregate(
        **{name: Sum(name) for name in SESSION_COUNTERS}
    )
    # 3 past individual, 1 new booking of the moved one, 1 cancelled, 2 group: 7 planned.
    assert totals["planned"] == 7
    assert (totals["planned_individual"], totals["planned_group"]) == (5, 2)
    assert totals["attended"] == 2
    assert totals["awaiting_evidence"] == totals["unacceptable_absences"] == 1
    assert totals["cancelled_by_clinic"] == totals["rescheduled_by_patient"] == 1
    # The member who left is no longer expected at the group's coming session.
    assert sum(row["planned_group"] for row in kept(other).values()) == 1
    assert sum(row["planned_group"] for row in kept(late).values()) == 1


def test_a_change_made_while_no_worker_runs_is_counted_when_one_comes_back(
    patient, treating_psychologist
):
    """No worker: the change commits with its mark; the counts lag and say so until the
    worker's round counts it, once."""
    appointment = book(patient, treating_psychologist, days=-3)  # no commit hook runs here
    assert SessionCountPending.objects.filter(patient=patient).exists()
    assert kept(patient) == {}

    assert services.session_counts_update() == 1
    assert services.session_counts_update() == 0  # nothing left: a second round counts nothing
    month = this_month(-3)
    assert kept(patient)[month]["planned"] == 1

    record(appointment, "attended", by=treating_psychologist)
    assert kept(patient)[month]["attended"] == 0  # not counted yet, and marked
    assert SessionCountPending.objects.filter(patient=patient).exists()
    services.session_counts_update()
    assert kept(patient)[month]["attended"] == 1


def test_a_change_no_service_marked_is_counted_by_the_nightly_round(patient, treating_psychologist):
    """A change written past the services (an outcome's meaning changed in the database): the
    nightly round counts everyone again."""
    appointment = book(patient, treating_psychologist, days=-3)
    record(appointment, "absence-medical", by=treating_psychologist)
    services.session_counts_update()
    month = this_month(-3)
    assert kept(patient)[month]["awaiting_evidence"] == 1

    medical = AttendanceOutcome.objects.get(code="absence-medical")
    medical.compliant, medical.enforceable = False, True
    medical.save()
    assert kept(patient)[month]["unacceptable_absences"] == 0  # the count still says before
    assert services.session_counts_recount_all() >= 1
    assert kept(patient)[month]["unacceptable_absences"] == 1
    assert kept(patient)[month]["awaiting_evidence"] == 0


def test_the_admin_marks_the_patients_of_an_outcome_it_changes(
    patient, treating_psychologist, client_for, clinical_lead
):
    appointment = book(patient, treating_psychologist, days=-3)
    record(appointment, "absence-medical", by=treating_psychologist)
    services.session_counts_update()
    medical = AttendanceOutcome.objects.get(code="absence-medical")
    url = reverse("admin:casework_attendanceoutcome_change", args=[medical.pk])
    client = client_for(staff(clinical_lead))  # the lead keeps the reference tables

    data = browser_form(client.get(url))
    data["compliant"], data["enforceable"] = "", "on"
    assert client.post(url, data).status_code == 302
    assert SessionCountPending.objects.filter(patient=patient).exists()
    services.session_counts_update()
    assert kept(patient)[this_month(-3)]["unacceptable_absences"] == 1
