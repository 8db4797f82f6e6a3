"""Compliance rules: find the attendance patterns that the team must hear of, once each."""

import datetime
from collections.abc import Iterable
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Appointment, Attendance, ComplianceAlert, ComplianceRule
from casework.signals import compliance_alert_raised
from common.dates import add_months


def _occurrences(rule: ComplianceRule, events: list[Attendance]) -> Iterable[Attendance]:
    """The attendances that complete the rule's pattern, in time order. Each occurrence starts
    afresh after the previous one: N failures in the window, then N more, and so on."""
    matching = [e for e in events if rule.matches(e.outcome)]
    if rule.kind == ComplianceRule.Kind.WITHIN_WINDOW:
        counted: list[Attendance] = []
        for event in matching:
            day = timezone.localdate(event.appointment.starts_at)
            since = add_months(day, -rule.window_months)
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
    """Raise the alerts that are due and not yet raised, and resolve those whose grounds no
    longer hold (an outcome they counted was corrected). Running twice changes nothing more."""
    rules = {rule.pk: rule for rule in ComplianceRule.objects.filter(is_active=True)}
    if not rules:
        return []
    events = (
        Attendance.objects.filter(
            outcome__isnull=False, appointment__status=Appointment.Status.SCHEDULED
        )
        .select_related("outcome", "appointment")
        .order_by("patient_id", "appointment__starts_at", "pk")
    )
    standing = ComplianceAlert.objects.filter(rule__in=list(rules), resolved_at__isnull=True)
    if patient_ids is not None:
        patient_ids = list(patient_ids)
        events = events.filter(patient_id__in=patient_ids)
        standing = standing.filter(patient_id__in=patient_ids)
    alerts_of: dict[int, list[ComplianceAlert]] = {}
    for alert in standing:
        alerts_of.setdefault(alert.patient_id, []).append(alert)
    raised = []
    for patient_id, history in groupby(events.iterator(chunk_size=2000), lambda e: e.patient_id):
        history = list(history)
        due = set()
        for rule in rules.values():
            for event in _occurrences(rule, history):
                due.add((rule.pk, event.pk))
                alert = _raise(rule, event)
                if alert is not None:
                    raised.append(alert)
        for alert in alerts_of.pop(patient_id, []):
            if (alert.rule_id, alert.attendance_id) not in due:
                _resolve(alert)
    for alerts in alerts_of.values():  # patients with no outcome left that counts
        for alert in alerts:
            _resolve(alert)
    return raised


def _raise(rule: ComplianceRule, attendance: Attendance) -> ComplianceAlert | None:
    """A new alert, or one resolved earlier whose grounds hold again (reopened); None when it
    stands already. The unique constraint (rule, attendance) and the row lock keep this safe
    against a concurrent run."""
    with transaction.atomic():
        alert = (
            ComplianceAlert.objects.select_for_update()
            .filter(rule=rule, attendance=attendance)
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
                        rule=rule, patient_id=attendance.patient_id, attendance=attendance
                    )
            except IntegrityError:
                return None
    transaction.on_commit(
        lambda: compliance_alert_raised.send(sender=ComplianceAlert, alert=alert), robust=True
    )
    return alert


@transaction.atomic
def _resolve(alert: ComplianceAlert) -> None:
    """Its grounds no longer hold: resolved, with the reason in the alert and its history."""
    alert = ComplianceAlert.objects.select_for_update().get(pk=alert.pk)
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


ACKNOWLEDGEMENT_MAX_LENGTH = ComplianceAlert._meta.get_field("acknowledgement").max_length


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
