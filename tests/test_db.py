"""common.db: AnyOf, a filter on a list of ids, and counts, several counts in one query: the
same answers whatever the database; max_length_of, the length a text column holds."""

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from casework.models import Appointment, Attendance, Patient
from common.db import AnyOf, counts, max_length_of
from tests.factories import book, register_patient


@pytest.fixture
def patients(administrator):
    return [register_patient(administrator, last_name=f"Any{n}") for n in range(3)]


def test_it_keeps_the_rows_whose_id_is_listed(patients):
    first, _, third = patients

    kept = Patient.objects.filter(AnyOf("pk", [first.pk, third.pk, 0]))

    assert set(kept) == {first, third}


def test_an_empty_list_keeps_nothing_even_within_an_or(patients):
    first = patients[0]

    assert not Patient.objects.filter(AnyOf("pk", []))
    assert list(Patient.objects.filter(Q(AnyOf("pk", [])) | Q(pk=first.pk))) == [first]


def test_it_follows_a_relation(patient, treating_psychologist):
    session = book(patient, treating_psychologist)

    kept = Attendance.objects.filter(AnyOf("appointment__patient_id", [patient.pk]))

    assert [attendance.appointment for attendance in kept] == [session]
    assert not Attendance.objects.filter(AnyOf("appointment__patient_id", [patient.pk + 1]))


def test_on_postgresql_the_ids_travel_as_one_array(patients):
    ids = [patient.pk for patient in patients] * 200

    _, params = Patient.objects.filter(AnyOf("pk", ids)).query.sql_with_params()

    if connection.vendor == "postgresql":
        # One parameter whatever the length: the statement stays short and its parsing is
        # cached by the driver (docs/performance.md).
        assert params == (ids,)
    else:
        assert params == tuple(ids)


# --- counts: several counts in one statement


def test_counts_reads_each_querysets_count_in_one_query(
    patients, patient, treating_psychologist, django_assert_num_queries
):
    first, second, _ = patients
    book(patient, treating_psychologist, days=-1)
    book(patient, treating_psychologist, days=2)
    with_params = Patient.objects.filter(AnyOf("pk", [first.pk, second.pk]), last_name="Any0")
    past = Attendance.objects.filter(patient=patient, starts_at__lt=timezone.now())

    with django_assert_num_queries(1):
        counted = counts(
            everyone=Patient.objects.order_by("last_name"),
            with_params=with_params,
            past=past.select_related("appointment"),
            distinct=Attendance.objects.values("patient").distinct(),
        )

    assert counted == {
        "everyone": Patient.objects.count(),
        "with_params": 1,
        "past": 1,
        "distinct": 1,
    }


def test_counts_of_nothing_are_zero_without_a_query(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert counts(none=Patient.objects.none(), empty=Patient.objects.filter(pk__in=[])) == {
            "none": 0,
            "empty": 0,
        }


# --- max_length_of: what a service says before full_clean refuses a text


def test_max_length_of_is_the_columns_own():
    assert max_length_of(Appointment, "change_reason") == 300
    assert max_length_of(Appointment, "place") == 120


@pytest.mark.parametrize("name", ["duration_minutes", "patient", "attendances"])
def test_max_length_of_a_field_without_one_is_a_mistake_said_at_once(name):
    # A number, a foreign key, a reverse relation: no length to tell anyone.
    with pytest.raises(TypeError, match=f"casework.Appointment.{name} has no max_length"):
        max_length_of(Appointment, name)


# --- prepared statements (PostgreSQL): planned once per connection


def test_a_statement_run_again_on_a_connection_is_prepared_on_postgresql(patients):
    for _ in range(2):
        assert not Patient.objects.filter(last_name="Nobody").exists()

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [statement for (statement,) in cursor.fetchall()]
        # Bound by the server: the value is a parameter, not part of the statement.
        assert any(re.search(r'"casework_patient"."last_name" = \$\d', text) for text in prepared)
    else:
        assert "prepare_threshold" not in connection.settings_dict["OPTIONS"]
