"""The filters the pages use have their indexes (docs/performance.md)."""

import pytest
from django.db import connection

from casework import selectors
from casework.selectors.agenda import _within


def indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def test_the_todo_list_and_the_agendas_have_their_indexes(db):
    assert {"attendance_awaiting_outcome", "attendance_evidence_awaited"} <= indexes(
        "casework_attendance"
    )
    assert {"appointment_time", "appointment_group_time"} <= indexes("casework_appointment")


def test_the_home_pages_read_the_latest_open_alerts_from_their_index(db):
    assert {"alert_open_by_patient", "alert_open_latest"} <= indexes("casework_compliancealert")


def test_patient_search_reads_the_trigram_index_on_postgresql(patient, administrator):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's; CI's PostgreSQL run covers it")
    sql, params = selectors.patient_list(administrator, query="upon").query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table: leave the planner only bitmap scans, which is how a GIN index is read.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "patient_search_trigram" in plan


def test_an_attendance_keeps_its_sessions_time(patient, treating_psychologist, administrator):
    from casework import services
    from casework.models import Attendance
    from tests.factories import book, book_group_session, make_group

    individual = book(patient, treating_psychologist, days=3, hour=9)
    group = make_group(by=administrator, regular=[treating_psychologist])
    session = book_group_session(
        group, by=administrator, clinicians=[treating_psychologist], days=5
    )
    services.group_member_add(
        actor=administrator, group=group, patient=patient, joined_on=individual.starts_at.date()
    )  # joined after the session was booked: expected at it, at its time
    for appointment in (individual, session):
        (attendance,) = Attendance.objects.filter(appointment=appointment, patient=patient)
        assert attendance.starts_at == appointment.starts_at

    # Appointments do not move; one that did would take its attendances with it.
    individual.starts_at = individual.starts_at.replace(hour=11)
    individual.save()
    assert individual.attendances.get().starts_at == individual.starts_at


def test_awaiting_outcome_reads_the_waiting_index_by_patient_and_time(
    patient, treating_psychologist
):
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's; CI's PostgreSQL run covers it")
    from django.utils import timezone

    from casework.models import Attendance

    reach = selectors.reach_of(treating_psychologist)
    waiting = _within(
        reach, Attendance.objects.filter(outcome__isnull=True, starts_at__lt=timezone.now())
    ).values_list("appointment_id", flat=True)
    sql, params = waiting.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table: between two indexes the planner's choice follows whatever statistics
        # the tests before this one left (it flipped under pytest -n). Leave it only index-only
        # scans, which is how the page reads this index at scale: without an index that holds
        # the patient, the time and the session, the plan falls back to a (disabled) scan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Only Scan using attendance_awaiting_outcome" in plan  # it holds the session
    assert "starts_at" in plan.split("attendance_awaiting_outcome", 1)[1]  # read by time too
    assert "casework_appointment" not in plan  # no visit to the sessions themselves


def test_the_count_by_stage_reads_the_open_files_only(db, administrator):
    assert "patient_open_status" in indexes("casework_patient")
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's; CI's PostgreSQL run covers it")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        selectors.caseload_by_stage(administrator)  # one who sees every file
    # its values in place; before it, the user's roles, read once
    (sql,) = (q["sql"] for q in captured.captured_queries if "casework_patient" in q["sql"])
    with connection.cursor() as cursor:
        # A tiny table: leave the planner index-only scans, which is how the home page reads
        # this index at scale (a plain scan, or the status index of every file, would read
        # the closed files too).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Only Scan using patient_open_status" in plan
