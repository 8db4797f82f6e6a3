"""The filters the pages use have their indexes (docs/performance.md)."""

import pytest
from django.db import connection

from casework import selectors


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
