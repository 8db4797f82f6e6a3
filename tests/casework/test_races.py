"""Two people act at the same moment: exactly one wins, the other is told, nothing doubles.

These tests open real concurrent transactions (threads with their own connections), so they
need committed data: `transactional_db`. On SQLite, IMMEDIATE transactions already queue
writers; PostgreSQL is where a check-then-insert race shows.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from casework import services
from casework.models import Appointment
from tests.factories import at

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls):
    """Run the calls in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            with transaction.atomic():
                results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_identical_bookings_at_the_same_moment_book_once(patient, treating_psychologist):
    for day in range(1, 6):  # several rounds: one lucky ordering must not hide the race

        def booking(day=day):
            return services.appointment_schedule(
                actor=treating_psychologist,
                kind=Appointment.Kind.INDIVIDUAL,
                starts_at=at(day, 9),
                clinicians=[treating_psychologist],
                patient=patient,
            )

        results = at_once(booking, booking)

        booked = [r for r in results if isinstance(r, list)]
        refused = [r for r in results if isinstance(r, services.SchedulingConflict)]
        assert (len(booked), len(refused)) == (1, 1), results
        assert Appointment.objects.filter(starts_at=at(day, 9)).count() == 1
        assert isinstance(refused[0], ValidationError)
