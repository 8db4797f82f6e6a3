"""Compliance rules: find the attendance patterns that the team must hear of, once each."""

import datetime
from collections.abc import Iterable
from itertools import groupby
from typing import NamedTuple, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import (
    Appointment,
    Attendance,
    AttendanceOutcome,
    ComplianceAlert,
    ComplianceRule,
)
from casework.signals import compliance_alert_raised
from common.dates import add_months
from common.db import max_length_of


class _Event(NamedTuple):
    """An outcome as the rules read it: a plain row, not a model instance (a full evaluation
    walks every outcome of the clinic)."""

    patient_id: int
    attendance_id: int
    starts_at: datetime.datetime
    outcome_id: int


def _occurrences(rule: ComplianceRule, matching: set[int], events: list[_Event]):
    """The events that complete the rule's pattern, in time order; `matching` holds the ids of
    the outcomes the rule counts. Each occurrence starts afresh after the previous one: N
    failures in the window, then N more, and so on."""
    if rule.kind == ComplianceRule.Kind.WITHIN_WINDOW:
        counted: list[datetime.date] = []
        for event in events:
            if event.outcome_id not in matching:
                continue
            day = timezone.localdate(event.starts_at)
            # A window rule has its window (the constraint compliance_rule_window).
            since = add_months(day, -cast(int, rule.window_months))
            counted = [d for d in counted if d > since] + [day]
            if len(counted) >= rule.threshold:
                yield event
                counted = []
    else:
        streak = 0
        for event in events:
            streak = streak + 1 if event.outcome_id in matching else 0
            if streak == rule.threshold:
                yield event


def compliance_evaluate(*, patient_ids: Iterable[int] | None = None) -> list[ComplianceAlert]:
    """Raise the alerts that are due and not yet raised, and resolve those whose grounds no
    longer hold (an outcome they counted was corrected). Running twice changes nothing more.

    The outcomes are read as plain rows in one pass, and the alerts that exist as one set, so
    that only a new or reopened alert costs a transaction: a full evaluation of a clinic with a
    million outcomes takes seconds (docs/performance.md)."""
    rules = {rule.pk: rule for rule in ComplianceRule.objects.filter(is_active=True)}
    if not rules:
        return []
    outcomes = list(AttendanceOutcome.objects.all())
    matching = {pk: {o.pk for o in outcomes if rule.matches(o)} for pk, rule in rules.items()}
    events = Attendance.objects.filter(
        outcome__isnull=False, appointment__status=Appointment.Status.SCHEDULED
    ).order_by("patient_id", "appointment__starts_at", "pk")
    alerts = ComplianceAlert.objects.filter(rule__in=list(rules))
    if patient_ids is not None:
        patient_ids = list(patient_ids)
        events = events.filter(patient_id__in=patient_ids)
        alerts = alerts.filter(patient_id__in=patient_ids)
    # (rule, attendance) of every alert, and whether it stands (not resolved).
    existing = {
        (rule_id, attendance_id): (pk, resolved_at is None)
        for pk, rule_id, attendance_id, resolved_at in alerts.values_list(
            "pk", "rule_id", "attendance_id", "resolved_at"
        )
    }
    rows = events.values_list("patient_id", "pk", "appointment__starts_at", "outcome_id")
    due = set()
    raised = []
    for _patient_id, of_patient in groupby(
        (_Event(*row) for row in rows.iterator(chunk_size=5000)), lambda e: e.patient_id
    ):
        history = list(of_patient)
        for rule_pk, rule in rules.items():
            for event in _occurrences(rule, matching[rule_pk], history):
                key = (rule_pk, event.attendance_id)
                due.add(key)
                if key in existing and existing[key][1]:
                    continue  # it stands already
                alert = _raise(rule, event)
                if alert is not None:
                    raised.append(alert)
    for key, (pk, stands) in existing.items():
        if stands and key not in due:
            _resolve(pk)
    return raised


def _raise(rule: ComplianceRule, event: _Event) -> ComplianceAlert | None:
    """A new alert, or one resolved earlier whose grounds hold again (reopened); None when it
    stands already. The unique constraint (rule, attendance) and the row lock keep this safe
    against a concurrent run."""
    with transaction.atomic():
        alert = (
            ComplianceAlert.objects.select_for_update()
            .filter(rule=rule, attendance_id=event.attendance_id)
            .first()
        )
        if alert is not None:
            if alert.resolved_at is None:
                return None
            alert.resolved_at, alert.resolution = None, ""
            alert.acknowledged_at, alert.acknowledged_by, alert.acknowledgement = None, None, ""
            alert.raised_at = timezone.now()
            alert._change_reason = "raised again: its grounds hold once more"
            alert.save()
        else:
            try:
                with transaction.atomic():
                    alert = ComplianceAlert.objects.create(
                        rule=rule, patient_id=event.patient_id, attendance_id=event.attendance_id
                    )
            except IntegrityError:
                return None
    transaction.on_commit(
        lambda: compliance_alert_raised.send(sender=ComplianceAlert, alert=alert), robust=True
    )
    return alert


@transaction.atomic
def _resolve(alert_id: int) -> None:
    """Its grounds no longer hold: resolved, with the reason in the alert and its history."""
    alert = ComplianceAlert.objects.select_for_update().get(pk=alert_id)
    if alert.resolved_at is not None:
        return
    alert.resolved_at = timezone.now()
    alert.resolution = ComplianceAlert.Resolution.GROUNDS_CHANGED
    alert._change_reason = "resolved: the outcomes it counted were corrected"
    alert.save()


def recently_recorded_patients(*, hours: int) -> list[int]:
    since = timezone.now() - datetime.timedelta(hours=hours)
    return list(
        Attendance.objects.filter(recorded_at__gte=since)
        .values_list("patient_id", flat=True)
        .distinct()
    )


ACKNOWLEDGEMENT_MAX_LENGTH = max_length_of(ComplianceAlert, "acknowledgement")


@transaction.atomic
def compliance_alert_acknowledge(
    *, actor, alert: ComplianceAlert, comment: str = ""
) -> ComplianceAlert:
    """Someone has seen the alert and says what was done; the first acknowledgement stays."""
    from audit.services import Action, record_access

    comment = comment.strip()
    if len(comment) > ACKNOWLEDGEMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "comment": _("Say it in %(max)d characters at most.")
                % {"max": ACKNOWLEDGEMENT_MAX_LENGTH}
            }
        )
    alert = ComplianceAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        raise ValidationError(_("This alert was resolved: its grounds no longer hold."))
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
        alert.acknowledgement = comment
        alert.save()
        record_access(actor=actor, action=Action.UPDATE, patient=alert.patient, obj=alert)
    return alert
