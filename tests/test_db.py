"""common.db.AnyOf: a filter on a list of ids, the same rows whatever the database."""

import pytest
from django.db import connection
from django.db.models import Q

from casework.models import Attendance, Patient
from common.db import AnyOf
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
