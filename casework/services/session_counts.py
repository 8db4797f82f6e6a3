"""Each patient's session counters by month, counted ahead of time for the statistics
(casework.models.session_counts; docs/statistics.md, "Session counts").

Whatever changes a patient's sessions (a booking, a cancellation, a move, an outcome, a member
joining or leaving a group) calls sessions_changed() inside its own transaction: the mark
commits with the change or not at all. A worker then counts the marked patients again
(session_counts_update), after the commit and every few minutes besides; every night it counts
everyone again (session_counts_recount_all), which also picks up a change of an outcome's
meaning in the admin."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from casework.models import (
    SESSION_COUNTERS,
    Appointment,
    Attendance,
    AttendanceOutcome,
    Patient,
    SessionCount,
    SessionCountPending,
)
from casework.selectors.compliance import counter_filters
from common.db import on_commit_once

# Patients counted again in one transaction: their months are replaced at once, and a batch
# holds the locks of its marks only for as long as it takes.
BATCH = 500


def sessions_changed(patient_ids: Iterable[int]) -> None:
    """Mark the patients' counts out of date, within the caller's transaction, and have a
    worker count them again once it commits.

    A mark already there is written again (its time moved on): the row lock orders it after a
    worker counting the patient right now, so the change is counted next time, never lost
    between the worker's reading and its clearing of the mark."""
    ids = sorted(set(patient_ids))
    if not ids:
        return
    now = timezone.now()
    SessionCountPending.objects.bulk_create(
        [SessionCountPending(patient_id=pk, marked_at=now) for pk in ids],
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=["marked_at"],
    )
    on_commit_once(_count_later, robust=True)


def outcome_meaning_changed(outcome: AttendanceOutcome) -> None:
    """An outcome's flags changed (in the admin): every patient who has it is counted again."""
    sessions_changed(
        Attendance.objects.filter(outcome=outcome).values_list("patient", flat=True).distinct()
    )


def _count_later() -> None:
    from casework.tasks import count_sessions

    count_sessions.delay()


def _expressions() -> dict:
    """The kept counters (SESSION_COUNTERS) as aggregates on Attendance."""
    filters = counter_filters(timezone.now())  # "now" only parts counters not kept
    planned = filters["planned"]
    group = Q(appointment__kind=Appointment.Kind.GROUP)
    filters |= {"planned_individual": planned & ~group, "planned_group": planned & group}
    return {name: Count("pk", filter=filters[name]) for name in SESSION_COUNTERS}


@transaction.atomic
def _count_batch(size: int) -> int:
    marked = list(
        SessionCountPending.objects.select_for_update(skip_locked=True)
        .order_by("marked_at", "patient")
        .values_list("patient", flat=True)[:size]
    )
    if not marked:
        return 0
    months = (
        Attendance.objects.filter(patient__in=marked)
        .annotate(month=TruncMonth("appointment__starts_at", output_field=DateField()))
        .values("patient", "month")
        .annotate(**_expressions())
        .values_list("patient", "month", *SESSION_COUNTERS)
        .order_by()
    )
    SessionCount.objects.filter(patient__in=marked).delete()
    SessionCount.objects.bulk_create(
        SessionCount(
            patient_id=patient, month=month, **dict(zip(SESSION_COUNTERS, counts, strict=True))
        )
        for patient, month, *counts in months
    )
    SessionCountPending.objects.filter(patient__in=marked).delete()
    return len(marked)


def session_counts_update(*, batch: int = BATCH) -> int:
    """Count again the sessions of every marked patient, a batch at a time; returns how many
    were counted. Idempotent: run twice, or by two workers at once, it counts each mark once
    (a batch skips the marks another worker holds)."""
    counted = 0
    while done := _count_batch(batch):
        counted += done
    return counted


def session_counts_recount_all(*, batch: int = BATCH) -> int:
    """Mark every patient, then count them all again (every night; and after a bulk import).
    A patient left with no session loses their months."""
    now = timezone.now()
    with transaction.atomic():
        SessionCountPending.objects.bulk_create(
            [
                SessionCountPending(patient_id=pk, marked_at=now)
                for pk in Patient.objects.values_list("pk", flat=True).iterator()
            ],
            update_conflicts=True,
            unique_fields=["patient"],
            update_fields=["marked_at"],
            batch_size=BATCH,
        )
    return session_counts_update(batch=batch)
