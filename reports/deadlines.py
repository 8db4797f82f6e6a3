"""Which letters fall due, and their drafts, made once by the daily run.

- A periodic follow-up report per active mandate of a patient still in care, per period, drafted
  LETTER_DRAFT_AHEAD_DAYS before the period ends and due on its last day + 1 (the mandate's
  next report date).
- A notice for each session coded as an unjustified absence, due the day it is drafted unless
  LETTER_DELAYS says otherwise.
- The letter a compliance alert sets off (LETTER_FOR_ALERT: stopping for absences in a row,
  difficulty for several within a window), drafted as soon as the alert is raised.

The care team is told of what was drafted (one e-mail per clinician per run).

Unique constraints on the letters make a second run, or a concurrent one, create nothing more.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.mail import mail_clinician
from casework.models import (
    Appointment,
    Attendance,
    CareStage,
    CareTeamMembership,
    ComplianceAlert,
    Mandate,
)
from casework.selectors import reporting_period
from reports import catalogue, services
from reports.models import Letter, LetterBatch


def periodic_reports_due(
    today: datetime.date, *, due_by: datetime.date | None = None
) -> list[tuple[Mandate, datetime.date, datetime.date]]:
    """(mandate, first day, last day) of each report to draft now: the period that contains
    today, for active mandates whose report falls due by `due_by` (default: within
    LETTER_DRAFT_AHEAD_DAYS)."""
    due_by = due_by or today + datetime.timedelta(days=settings.LETTER_DRAFT_AHEAD_DAYS)
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
        start, end = period_to_report(mandate, today)
        last_day = end - datetime.timedelta(days=1)
        if last_day < start or end > due_by:  # the report is due on `end`
            continue
        due.append((mandate, start, last_day))
    return due


def period_to_report(mandate: Mandate, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The reporting period [start, end) to report on as of `day`: the one that contains it,
    or, once the mandate has ended, the one that contains its last day. A mandate that ends on
    the first day of a new period reports that day with the period before, not alone."""
    last = mandate.ended_on or mandate.ends_on
    if last and day > last:
        day = last
    start, end = reporting_period(mandate, day)
    if last and start == last and start > mandate.starts_on:
        start, end = reporting_period(mandate, start - datetime.timedelta(days=1))
    if last and end == last:  # the last day would start a period of its own
        end = last + datetime.timedelta(days=1)
    return start, end


def _once(create) -> Letter | None:
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:  # drafted already (a second run, or a concurrent one)
        return None


def _drafted_reports() -> set[tuple[int, datetime.date]]:
    return set(
        Letter.objects.filter(kind="periodic_report", corrects__isnull=True).values_list(
            "mandate_id", "period_start"
        )
    )


def draft_periodic_report(
    mandate: Mandate, start: datetime.date, last_day: datetime.date, *, actor=None
) -> Letter | None:
    """The report of one period, drafted once (None if it exists already)."""
    return _once(
        lambda: services.letter_draft(
            actor=actor,
            patient=mandate.patient,
            kind="periodic_report",
            mandate=mandate,
            period_start=start,
            period_end=last_day,
            due=last_day + datetime.timedelta(days=1),
        )
    )


def draft_due_letters(*, today: datetime.date | None = None) -> list[Letter]:
    """Draft every letter that has fallen due and has no draft yet. Idempotent."""
    today = today or timezone.localdate()
    drafted = []
    existing = _drafted_reports()
    for mandate, start, last_day in periodic_reports_due(today):
        if (mandate.pk, start) not in existing and (
            letter := draft_periodic_report(mandate, start, last_day)
        ):
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
        mandate = _active_mandate(attendance.patient_id)
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
    tell_care_teams(drafted)
    return drafted


def _active_mandate(patient_id: int) -> Mandate | None:
    return (
        Mandate.objects.filter(patient_id=patient_id, status=Mandate.Status.ACTIVE)
        .select_related("authority", "justice_contact")
        .order_by("-starts_on", "-pk")
        .first()
    )


def draft_for_alert(alert_id: int) -> Letter | None:
    """The letter a compliance alert sets off, drafted once; None if its rule's kind sets off
    none, or the patient has no active mandate (nobody to tell)."""
    alert = (
        ComplianceAlert.objects.select_related("rule", "patient", "attendance__appointment")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or Letter.objects.filter(alert=alert).exists():
        return None
    kind = settings.LETTER_FOR_ALERT.get(alert.rule.kind, "")
    mandate = _active_mandate(alert.patient_id)
    if kind not in catalogue.TYPES or mandate is None:
        return None
    day = timezone.localdate(alert.attendance.appointment.starts_at)
    letter = _once(
        lambda: services.letter_draft(
            actor=None,
            patient=alert.patient,
            kind=kind,
            mandate=mandate,
            period_start=max(mandate.starts_on, day - datetime.timedelta(days=365)),
            period_end=max(day, mandate.starts_on),
            alert=alert,
        )
    )
    if letter:
        tell_care_teams([letter])
    return letter


def tell_care_teams(letters: list[Letter]) -> int:
    """E-mail each clinician of the patients' current care teams the letters drafted for them,
    in one message per clinician. Returns how many were sent."""
    if not letters:
        return 0
    by_clinician: dict = {}
    memberships = CareTeamMembership.objects.filter(
        patient_id__in={letter.patient_id for letter in letters}, ends_on__isnull=True
    ).select_related("clinician")
    for membership in memberships:
        if membership.clinician.is_active and membership.clinician.email:
            entry = by_clinician.setdefault(membership.clinician.pk, (membership.clinician, []))
            entry[1].extend(
                letter for letter in letters if letter.patient_id == membership.patient_id
            )
    for clinician, theirs in by_clinician.values():
        mail_clinician(clinician, lambda theirs=theirs: _letters_due_mail(theirs))
    return len(by_clinician)


def _letters_due_mail(letters: list[Letter]) -> tuple[str, str, list[str]]:
    count = len(letters)
    subject = ngettext(
        "%(count)d letter to the justice system to prepare",
        "%(count)d letters to the justice system to prepare",
        count,
    ) % {"count": count}
    intro = _(
        "These letters have been drafted from the file and wait for you. They state facts "
        "about the frame of the treatment only."
    )
    lines = [
        _("%(reference)s — %(letter)s — file %(file)s, due %(date)s")
        % {
            "reference": letter.reference,
            "letter": letter.type.name,
            "file": letter.patient.file_number,
            "date": formats.date_format(letter.due_on, "SHORT_DATE_FORMAT")
            if letter.due_on
            else "—",
        }
        for letter in sorted(
            letters, key=lambda letter: (letter.due_on or datetime.date.max, letter.pk)
        )
    ]
    return subject, intro, lines


# --- Every periodic report due this month, in one action ----------------------------------


def month_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def reports_due_in_month(today: datetime.date):
    """The periodic reports due in today's month: those of the periods that contain the
    month's eve and end (fall due) by the month's last day."""
    first, last = month_bounds(today)
    return periodic_reports_due(first - datetime.timedelta(days=1), due_by=last)


def batch_run(batch_id: int) -> int:
    """Draft the reports of a batch, counting progress as it goes; run again, it drafts
    nothing more and counts the same. Returns how many it drafted."""
    batch = LetterBatch.objects.select_related("requested_by").get(pk=batch_id)
    due = reports_due_in_month(batch.month)
    LetterBatch.objects.filter(pk=batch_id).update(total=len(due))
    existing, drafted = _drafted_reports(), []
    for index, (mandate, start, last_day) in enumerate(due, start=1):
        if (mandate.pk, start) not in existing and (
            letter := draft_periodic_report(mandate, start, last_day, actor=batch.requested_by)
        ):
            drafted.append(letter)
        LetterBatch.objects.filter(pk=batch_id).update(done=index)
    tell_care_teams(drafted)
    LetterBatch.objects.filter(pk=batch_id).update(
        done=len(due), drafted=F("drafted") + len(drafted), finished_at=timezone.now()
    )
    return len(drafted)
