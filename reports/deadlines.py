"""Which letters fall due, and their drafts, made once by the daily run.

- A periodic follow-up report per active mandate of a patient still in care, per period, drafted
  LETTER_DRAFT_AHEAD_DAYS before the period ends and due on its last day + 1 (the mandate's
  next report date).
- A notice for each session coded as an unjustified absence, due the day it is drafted unless
  LETTER_DELAYS says otherwise.

Unique constraints on the letters make a second run, or a concurrent one, create nothing more.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.models import Appointment, Attendance, CareStage, Mandate
from casework.selectors import reporting_period
from reports import services
from reports.models import Letter


def periodic_reports_due(
    today: datetime.date,
) -> list[tuple[Mandate, datetime.date, datetime.date]]:
    """(mandate, first day, last day) of each report to draft now: the period that contains
    today, for active mandates whose period ends within LETTER_DRAFT_AHEAD_DAYS."""
    ahead = datetime.timedelta(days=settings.LETTER_DRAFT_AHEAD_DAYS)
    due = []
    # A closed treatment is reported by its end-of-treatment letter, even while the mandate
    # stays open with the authority.
    mandates = (
        Mandate.objects.filter(status=Mandate.Status.ACTIVE)
        .exclude(patient__status=CareStage.CLOSED)
        .select_related("patient", "authority", "justice_contact")
    )
    for mandate in mandates:
        if mandate.starts_on > today:
            continue
        start, end = reporting_period(mandate, today)
        last_day = end - datetime.timedelta(days=1)
        if last_day < start or end - ahead > today:
            continue
        due.append((mandate, start, last_day))
    return due


def _once(create) -> Letter | None:
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:  # drafted already (a second run, or a concurrent one)
        return None


def draft_due_letters(*, today: datetime.date | None = None) -> list[Letter]:
    """Draft every letter that has fallen due and has no draft yet. Idempotent."""
    today = today or timezone.localdate()
    drafted = []
    existing = set(
        Letter.objects.filter(kind="periodic_report", corrects__isnull=True).values_list(
            "mandate_id", "period_start"
        )
    )
    for mandate, start, last_day in periodic_reports_due(today):
        if (mandate.pk, start) in existing:
            continue
        letter = _once(
            lambda mandate=mandate, start=start, last_day=last_day: services.letter_draft(
                actor=None,
                patient=mandate.patient,
                kind="periodic_report",
                mandate=mandate,
                period_start=start,
                period_end=last_day,
                due=last_day + datetime.timedelta(days=1),
            )
        )
        if letter:
            drafted.append(letter)
    since = today - datetime.timedelta(days=settings.LETTER_ABSENCE_LOOKBACK_DAYS)
    absences = (
        Attendance.objects.filter(
            outcome__enforceable=True,
            outcome__counts_as_attended=False,
            appointment__status=Appointment.Status.SCHEDULED,
            appointment__starts_at__date__gte=since,
        )
        .exclude(pk__in=Letter.objects.filter(attendance__isnull=False).values("attendance_id"))
        .select_related("patient", "appointment")
    )
    for attendance in absences:
        mandate = (
            Mandate.objects.filter(patient=attendance.patient, status=Mandate.Status.ACTIVE)
            .order_by("-starts_on")
            .first()
        )
        if mandate is None:
            continue
        day = timezone.localdate(attendance.appointment.starts_at)
        letter = _once(
            lambda attendance=attendance, mandate=mandate, day=day: services.letter_draft(
                actor=None,
                patient=attendance.patient,
                kind="unjustified_absence",
                mandate=mandate,
                attendance=attendance,
                period_start=max(mandate.starts_on, day - datetime.timedelta(days=365)),
                period_end=day,
                due=services.due_on("unjustified_absence", start=today),
            )
        )
        if letter:
            drafted.append(letter)
    return drafted
