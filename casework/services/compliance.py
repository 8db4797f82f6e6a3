"""Compliance rules: find the attendance patterns that the team must hear of, once each."""

import datetime
from collections.abc import Iterable
from itertools import groupby

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.models import Appointment, Attendance, ComplianceAlert, ComplianceRule
from casework.models.patients import _add_months
from casework.signals import compliance_alert_raised


def _occurrences(rule: ComplianceRule, events: list[Attendance]) -> Iterable[Attendance]:
    """The attendances that complete the rule's pattern, in time order. Each occurrence starts
    afresh after the previous one: N failures in the window, then N more, and so on."""
    matching = [e for e in events if rule.matches(e.outcome)]
    if rule.kind == ComplianceRule.Kind.WITHIN_WINDOW:
        counted: list[Attendance] = []
        for event in matching:
            day = timezone.localdate(event.appointment.starts_at)
            since = _add_months(day, -rule.window_months)
            counted = [
                e for e in counted if timezone.localdate(e.appointment.starts_at) > since
            ] + [event]
            if len(counted) >= rule.threshold:
                yield event
                counted = []
    else:
        streak = 0
        for event in events:
            streak = streak + 1 if rule.matches(event.outcome) else 0
            if streak == rule.threshold:
                yield event


def compliance_evaluate(*, patient_ids: Iterable[int] | None = None) -> list[ComplianceAlert]:
    """Raise the alerts that are due and not yet raised; running twice raises nothing more."""
    rules = list(ComplianceRule.objects.filter(is_active=True))
    if not rules:
        return []
    events = (
        Attendance.objects.filter(
            outcome__isnull=False, appointment__status=Appointment.Status.SCHEDULED
        )
        .select_related("outcome", "appointment")
        .order_by("patient_id", "appointment__starts_at", "pk")
    )
    if patient_ids is not None:
        events = events.filter(patient_id__in=list(patient_ids))
    raised = []
    for _patient_id, history in groupby(events.iterator(chunk_size=2000), lambda e: e.patient_id):
        history = list(history)
        for rule in rules:
            for event in _occurrences(rule, history):
                alert = _raise(rule, event)
                if alert is not None:
                    raised.append(alert)
    return raised


def _raise(rule: ComplianceRule, attendance: Attendance) -> ComplianceAlert | None:
    # The unique constraint (rule, attendance) makes this safe against a concurrent run.
    if ComplianceAlert.objects.filter(rule=rule, attendance=attendance).exists():
        return None
    try:
        with transaction.atomic():
            alert = ComplianceAlert.objects.create(
                rule=rule, patient_id=attendance.patient_id, attendance=attendance
            )
    except IntegrityError:
        return None
    transaction.on_commit(
        lambda: compliance_alert_raised.send(sender=ComplianceAlert, alert=alert), robust=True
    )
    return alert


def recently_recorded_patients(*, hours: int) -> list[int]:
    since = timezone.now() - datetime.timedelta(hours=hours)
    return list(
        Attendance.objects.filter(recorded_at__gte=since)
        .values_list("patient_id", flat=True)
        .distinct()
    )


@transaction.atomic
def compliance_alert_acknowledge(*, actor, alert: ComplianceAlert) -> ComplianceAlert:
    from audit.services import Action, record_access

    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record_access(actor=actor, action=Action.UPDATE, patient=alert.patient, obj=alert)
    return alert
