"""Compliance: each patient's counters of outcomes over the mandate, and the alerts raised."""

import datetime
import heapq

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from casework.models import (
    Appointment,
    Attendance,
    ComplianceAlert,
    ComplianceAlertQuerySet,
    Patient,
)
from casework.selectors.agenda import Reach
from common.dates import day_bounds
from common.db import AnyOf


def counter_filters(now: datetime.datetime) -> dict[str, Q]:
    """What puts a session in each counter of docs/domain.md, whatever the period: filters on
    Attendance. `now` parts the sessions awaiting their outcome from those to come.

    Every session that was not moved is planned, and in exactly one of attended, acceptable or
    unacceptable absences, awaiting evidence, awaiting outcome, to come, cancelled by the
    clinic: whoever reads them can check the sum. The others count apart."""
    # A moved session is out: its new booking counts in its place, wherever it falls.
    moved = Q(appointment__status=Appointment.Status.RESCHEDULED)
    cancelled = Q(appointment__status=Appointment.Status.CANCELLED)
    stands = Q(appointment__status=Appointment.Status.SCHEDULED)
    attended = stands & Q(outcome__counts_as_attended=True)
    absent = stands & Q(outcome__counts_as_attended=False)
    # Justified once the outcome says so and no document is awaited any more; until then an
    # absence that is not a failure waits for its evidence.
    justified = Q(outcome__compliant=True) & ~Q(evidence=Attendance.Evidence.AWAITED)
    not_failure = absent & Q(outcome__enforceable=False)
    no_outcome = stands & Q(outcome__isnull=True)
    begun = Q(appointment__starts_at__lt=now)
    return {
        "planned": stands | cancelled,
        "attended": attended,
        "acceptable_absences": not_failure & justified,
        "unacceptable_absences": absent & Q(outcome__enforceable=True),
        "awaiting_evidence": not_failure & ~justified,
        "awaiting_outcome": no_outcome & begun,
        "to_come": no_outcome & ~begun,
        "cancelled_by_clinic": cancelled,
        "attended_failed_to_comply": attended & Q(outcome__compliant=False),
        "rescheduled_by_patient": moved
        & Q(appointment__change_requested_by=Appointment.RequestedBy.PATIENT),
        "rescheduled_by_clinic": moved
        & Q(appointment__change_requested_by=Appointment.RequestedBy.CLINIC),
    }


def counter_expressions(start: datetime.date, end: datetime.date) -> tuple[dict, datetime.datetime]:
    """The counters of docs/domain.md over [start, end), as aggregate expressions on Attendance
    (counter_filters), with the failures of the year up to its end; and the earliest session
    time they read."""
    since, until = day_bounds(start, (end - start).days)
    year_ago = until - datetime.timedelta(days=365)
    in_period = Q(appointment__starts_at__gte=since, appointment__starts_at__lt=until)
    expressions = {
        name: Count("pk", filter=in_period & condition)
        for name, condition in counter_filters(min(timezone.now(), until)).items()
    }
    expressions["failures_last_12_months"] = Count(
        "pk",
        filter=Q(
            appointment__status=Appointment.Status.SCHEDULED,
            appointment__starts_at__gte=year_ago,
            appointment__starts_at__lt=until,
            outcome__enforceable=True,
        ),
    )
    return expressions, min(since, year_ago)


def compliance_counters_many(
    patient: Patient, periods: dict[str, tuple[datetime.date, datetime.date]]
) -> dict[str, dict[str, int]]:
    """The counters of one patient over several periods (one per mandate...), in one query."""
    if not periods:
        return {}
    aggregates, earliest = {}, None
    for key, (start, end) in periods.items():
        expressions, since = counter_expressions(start, end)
        earliest = since if earliest is None else min(earliest, since)
        aggregates.update({f"{key}__{name}": value for name, value in expressions.items()})
    row = Attendance.objects.filter(
        patient=patient, appointment__starts_at__gte=earliest
    ).aggregate(**aggregates)
    result: dict[str, dict[str, int]] = {key: {} for key in periods}
    for name, value in row.items():
        key, counter = name.split("__", 1)
        result[key][counter] = value
    return result


def compliance_counters(
    patient: Patient, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """The counters of docs/domain.md for one patient over [start, end), in one query."""
    return compliance_counters_many(patient, {"period": (start, end)})["period"]


def latest_open_alerts(reach: Reach, count: int) -> list[ComplianceAlert]:
    """The `count` latest open alerts about the patients within reach, latest first.

    Whoever sees everyone reads them from the index of the latest open alerts. A clinician's
    are found from their patients (the index of open alerts by patient), as bare times and
    ids, and the latest picked here: asked for the latest ten of their patients' alerts,
    PostgreSQL walked the clinic's open alerts from the latest until ten were theirs, 7,000
    rows when theirs were older than the rest (docs/performance.md)."""
    alerts = ComplianceAlert.objects.open()
    if not reach.sees_everyone:
        theirs = alerts.filter(reach.patients_q()).order_by().values_list("raised_at", "pk")
        alerts = alerts.filter(AnyOf("pk", [pk for _, pk in heapq.nlargest(count, theirs)]))
    return list(
        alerts.select_related(
            "rule", "patient", "attendance__appointment", "attendance__outcome"
        ).order_by("-raised_at", "-pk")[:count]
    )


EARLIER_ALERTS_SHOWN = 10


def recent_alerts(patient: Patient) -> list[ComplianceAlert]:
    """The patient's open alerts and the latest acknowledged or resolved ones, latest first:
    an alert dealt with stays visible, with who dealt with it and how. One query: the alerts
    dealt with are ranked, and all the open ones kept."""
    is_open = ComplianceAlertQuerySet.OPEN
    latest = Window(
        RowNumber(),
        partition_by=[ExpressionWrapper(is_open, output_field=BooleanField())],
        order_by=[F("raised_at").desc(), F("pk").desc()],
    )
    return list(
        ComplianceAlert.objects.filter(patient=patient)
        .annotate(latest=latest)
        .filter(is_open | Q(latest__lte=EARLIER_ALERTS_SHOWN))
        .select_related("rule", "acknowledged_by", "attendance__appointment", "attendance__outcome")
        .order_by("-raised_at", "-pk")
    )
