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


def test_an_outcome_recorded_while_the_worker_counts_is_counted_on_its_next_round(
    patient, treating_psychologist, monkeypatch
):
    """The worker has read the patient's sessions and not yet cleared the mark when an outcome
    is recorded: the outcome's mark waits for the worker's commit and stays, so the next round
    counts it (casework.services.session_counts). With a mark that only inserted when absent,
    the worker would clear it and the outcome would never be counted."""
    from casework.models import SessionCount, SessionCountPending
    from casework.services import session_counts
    from tests.factories import book, record

    monkeypatch.setattr(session_counts, "_count_later", lambda: None)  # no worker but ours
    appointment = book(patient, treating_psychologist, days=-3)
    services.session_counts_update()
    services.sessions_changed([patient.pk])  # marked again (say, a booking elsewhere)
    counting, recording = threading.Event(), threading.Event()
    write = SessionCount.objects.bulk_create

    def write_slowly(months, *args, **kwargs):
        months = list(months)  # the sessions are read (before the outcome), the mark locked
        counting.set()
        recording.wait(timeout=10)
        threading.Event().wait(0.5)  # the outcome's mark reaches the lock and waits
        return write(months, *args, **kwargs)

    monkeypatch.setattr(SessionCount.objects, "bulk_create", write_slowly)

    results = {}

    def worker():
        try:
            results["counted"] = services.session_counts_update()
        finally:
            connection.close()

    def clinician():
        # Waits outside any transaction: on SQLite a transaction begun takes the write lock.
        try:
            counting.wait(timeout=10)
            recording.set()
            results["recorded"] = record(appointment, "attended", by=treating_psychologist)
        except Exception as error:
            results["recorded"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker), threading.Thread(target=clinician)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    counted, recorded = results.get("counted"), results.get("recorded")

    # The worker counted the patient as read before the outcome; the outcome's mark, written
    # after the worker's commit, is counted by its next batch or by the next round.
    assert counted >= 1 and not isinstance(recorded, Exception), (counted, recorded)
    monkeypatch.setattr(SessionCount.objects, "bulk_create", write)
    services.session_counts_update()
    months = SessionCount.objects.filter(patient=patient)
    assert sum(months.values_list("attended", flat=True)) == 1  # not lost
    assert not SessionCountPending.objects.filter(patient=patient).exists()
