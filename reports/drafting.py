"""Which letters fall due, and their drafts, made once, each due from the event that set it off.

`draft_due_letters` drafts every letter that an event of a file calls for and that has no draft
yet (docs/letters.md has the table, with the law behind each):

- the acceptance, once the intake is recorded under a running mandate: due from the later of
  the intake and the start of the measure;
- the periodic follow-up report, LETTER_DRAFT_AHEAD_DAYS before it is due on the mandate's
  schedule (casework.reporting: within the month after the start, then at least every six
  months for the frameworks whose law says so);
- the stopping of treatment or the end of treatment, once the episode of care is closed (its
  exit reason says which): due from the closing;
- the notice of an unjustified absence, once an outcome is coded as one: due from its recording;
- the notice of a difficulty, once an enforceable outcome is recorded on a session the patient
  came to (sent home, attended but failed to comply), or an outcome is flagged for the justice
  assistant (behaviour, a concern): due from its recording.

The daily task runs it for every file, looking LETTER_LOOKBACK_DAYS back for the events it may
have missed; each event runs it at once for its patient (casework.signals.frame_recorded,
reports.receivers), so that a notice is drafted when the absence is recorded, not the next
morning. The letter a compliance alert sets off (LETTER_FOR_ALERT) is drafted as soon as the
alert is raised. The care team is told of what was drafted, one e-mail per clinician and run.

Unique constraints on the letters make a second run, or a concurrent one, draft nothing more.
"""

import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from casework.models import (
    Appointment,
    Attendance,
    CareStage,
    ComplianceAlert,
    Episode,
    Mandate,
)
from casework.reporting import ReportPeriod, schedule_of, with_episode
from common.dates import month_bounds
from reports import catalogue, periods, services
from reports.mail import tell_care_teams
from reports.models import DRAFTED_ALREADY, Letter, LetterBatch

Origin = Letter.Origin


def _draft_once(**draft) -> Letter | None:
    """A draft made by an event (no actor), or None if it exists already: the unique
    constraints decide, in the model's validation or, for a concurrent run, the database."""
    try:
        with transaction.atomic():
            return services.letter_draft(actor=draft.pop("actor", None), **draft)
    except IntegrityError:
        return None
    except ValidationError as error:
        if any(e.code == DRAFTED_ALREADY for e in error.error_dict.get(NON_FIELD_ERRORS, [])):
            return None
        raise


def _of(queryset, patient_ids, field="patient_id"):
    return queryset if patient_ids is None else queryset.filter(**{f"{field}__in": patient_ids})


def _running(patient_ids=None):
    mandates = Mandate.objects.filter(status=Mandate.Status.ACTIVE).select_related(
        "patient", "authority", "justice_contact", "legal_framework"
    )
    return _of(mandates, patient_ids)


# --- Periodic follow-up reports ------------------------------------------------------------


def periodic_reports_due(
    today: datetime.date,
    *,
    due_from: datetime.date | None = None,
    due_by: datetime.date | None = None,
    patient_ids=None,
) -> list[tuple[Mandate, ReportPeriod]]:
    """Each report owed that falls due from `due_from` (default: LETTER_LOOKBACK_DAYS back, for
    a run that was missed) to `due_by` (default: LETTER_DRAFT_AHEAD_DAYS ahead), with its
    mandate: the schedule's own rule (casework.reporting), which the patient page shows."""
    due_from = due_from or today - datetime.timedelta(days=settings.LETTER_LOOKBACK_DAYS)
    due_by = due_by or today + datetime.timedelta(days=settings.LETTER_DRAFT_AHEAD_DAYS)
    # A closed treatment is reported by its end-of-treatment letter, even while the mandate
    # stays open with the authority.
    mandates = with_episode(_running(patient_ids).exclude(patient__status=CareStage.CLOSED))
    return [
        (mandate, period)
        for mandate in mandates
        for period in schedule_of(mandate).due_between(due_from, due_by)
    ]


def _drafted_reports() -> set[tuple[int, datetime.date]]:
    return set(
        Letter.objects.filter(kind="periodic_report", corrects__isnull=True).values_list(
            "mandate_id", "period_start"
        )
    )


def draft_periodic_report(
    mandate: Mandate, period: ReportPeriod, *, actor=None, origin=Origin.DAILY_RUN, batch=None
) -> Letter | None:
    """The report of one period, drafted once (None if it exists already)."""
    return _draft_once(
        actor=actor,
        patient=mandate.patient,
        kind="periodic_report",
        mandate=mandate,
        period_start=period.first_day,
        period_end=period.last_day,
        due=period.due_on,
        origin=origin,
        batch=batch,
    )


def _periodic_reports(today, patient_ids) -> list[Letter]:
    drafted, existing = [], _drafted_reports()
    for mandate, period in periodic_reports_due(today, patient_ids=patient_ids):
        if (mandate.pk, period.first_day) not in existing and (
            letter := draft_periodic_report(mandate, period)
        ):
            drafted.append(letter)
    return drafted


# --- What an episode of care sets off: its intake, its closing -----------------------------


def _latest_episodes(patient_ids) -> dict[int, Episode]:
    episodes = _of(
        Episode.objects.order_by("patient_id", "-referral_received_on", "-pk"), patient_ids
    )
    latest: dict[int, Episode] = {}
    for episode in episodes:
        latest.setdefault(episode.patient_id, episode)
    return latest


def _acceptances(today, since, patient_ids) -> list[Letter]:
    """The intake recorded under a running mandate (or a mandate that starts after the
    intake): the authority and the justice assistant hear that the treatment has begun."""
    mandates = _running(patient_ids).filter(
        Q(starts_on__gte=since)
        | Q(patient__episodes__intake_on__gte=since, patient__episodes__intake_on__lte=today)
    )
    mandates = list(mandates.distinct())
    episodes = _latest_episodes({mandate.patient_id for mandate in mandates})
    drafted = []
    for mandate in mandates:
        episode = episodes.get(mandate.patient_id)
        if episode is None or episode.intake_on is None or not episode.is_open:
            continue
        began = max(episode.intake_on, mandate.starts_on)
        if not since <= began <= today:
            continue
        letter = _draft_once(
            patient=mandate.patient,
            kind="acceptance",
            mandate=mandate,
            episode=episode,
            due=services.due_on("acceptance", start=began),
            origin=Origin.INTAKE,
        )
        if letter:
            drafted.append(letter)
    return drafted


def _closings(since, patient_ids) -> list[Letter]:
    """The episode closed: a patient who stopped on their own sets off the stopping letter,
    any other reason the end of treatment; to each mandate running when it closed."""
    episodes = _of(
        Episode.objects.filter(stage=CareStage.CLOSED, closed_on__gte=since), patient_ids
    ).select_related("patient")
    drafted = []
    for episode in episodes:
        closed = episode.closed_on
        stopped = episode.exit_reason == Episode.ExitReason.STOPPED_BY_PATIENT
        kind = "stopping" if stopped else "end_of_treatment"
        mandates = (
            Mandate.objects.filter(patient_id=episode.patient_id, starts_on__lte=closed)
            .exclude(status=Mandate.Status.SUSPENDED)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=closed))
            .select_related("authority", "justice_contact")
        )
        for mandate in mandates:
            letter = _draft_once(
                patient=episode.patient,
                kind=kind,
                mandate=mandate,
                episode=episode,
                **periods.closing_period(mandate, episode, stopped=stopped),
                due=services.due_on(kind, start=closed),
                origin=Origin.CLOSING,
            )
            if letter:
                drafted.append(letter)
    return drafted


# --- What an outcome sets off: an unjustified absence, a difficulty ------------------------

# A failure to comply at a session the patient came to, or an outcome flagged for the justice
# assistant: a difficulty in carrying out the treatment (docs/letters.md).
DIFFICULTY = (
    Q(outcome__enforceable=True, outcome__counts_as_attended=True)
    | Q(notify_behaviour=True)
    | Q(notify_concern=True)
)
ABSENCE = Q(outcome__enforceable=True, outcome__counts_as_attended=False)


def _notices(since, patient_ids) -> list[Letter]:
    recorded = _of(
        Attendance.objects.filter(
            ABSENCE | DIFFICULTY,
            appointment__status=Appointment.Status.SCHEDULED,
            appointment__starts_at__date__gte=since,
            recorded_at__isnull=False,
        ),
        patient_ids,
    ).select_related("patient", "appointment", "outcome")
    attendances = list(recorded)
    noticed = set(
        Letter.objects.filter(
            attendance__in=attendances, kind__in=["unjustified_absence", "difficulty"]
        ).values_list("attendance_id", "kind")
    )
    mandates = _active_mandates({attendance.patient_id for attendance in attendances})
    drafted = []
    for attendance in attendances:
        mandate = mandates.get(attendance.patient_id)
        if mandate is None:
            continue  # nobody to tell
        outcome = attendance.outcome
        absent = outcome.enforceable and not outcome.counts_as_attended
        kind = "unjustified_absence" if absent else "difficulty"
        if (attendance.pk, kind) in noticed:
            continue
        letter = _draft_notice(
            kind,
            mandate,
            attendance,
            recorded=attendance.recorded_at,
            origin=Origin.ATTENDANCE,
            attendance=attendance,
        )
        if letter:
            drafted.append(letter)
    return drafted


def _draft_notice(kind, mandate, session, *, recorded, origin, **set_off_by) -> Letter | None:
    """A notice about one session, counting the year up to it, due from when what set it off
    (the outcome, the alert) was recorded."""
    return _draft_once(
        patient=mandate.patient,
        kind=kind,
        mandate=mandate,
        **periods.notice_period(mandate, timezone.localdate(session.appointment.starts_at), kind),
        due=services.due_on(kind, start=timezone.localdate(recorded)),
        origin=origin,
        **set_off_by,
    )


def _active_mandates(patient_ids) -> dict[int, Mandate]:
    """Each patient's current mandate: the latest started of their running ones."""
    current: dict[int, Mandate] = {}
    for mandate in _running(patient_ids).order_by("patient_id", "-starts_on", "-pk"):
        current.setdefault(mandate.patient_id, mandate)
    return current


# --- Everything at once ----------------------------------------------------------------------


def draft_due_letters(*, today: datetime.date | None = None, patient_ids=None) -> list[Letter]:
    """Draft every letter that has fallen due and has no draft yet, of every file or of the
    patients given; then tell the care teams. Idempotent."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=settings.LETTER_LOOKBACK_DAYS)
    if patient_ids is not None:
        patient_ids = list(patient_ids)
    drafted = (
        _acceptances(today, since, patient_ids)
        + _periodic_reports(today, patient_ids)
        + _closings(since, patient_ids)
        + _notices(since, patient_ids)
    )
    tell_care_teams(drafted)
    return drafted


def draft_for_alert(alert_id: int) -> Letter | None:
    """The letter a compliance alert sets off, drafted once; None if its rule's kind sets off
    none, or the patient has no active mandate (nobody to tell). Due from the alert."""
    alert = (
        ComplianceAlert.objects.select_related("rule", "patient", "attendance__appointment")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or Letter.objects.filter(alert=alert).exists():
        return None
    kind = settings.LETTER_FOR_ALERT.get(alert.rule.kind, "")
    mandate = _active_mandates([alert.patient_id]).get(alert.patient_id)
    if kind not in catalogue.TYPES or mandate is None:
        return None
    letter = _draft_notice(
        kind, mandate, alert.attendance, recorded=alert.raised_at, origin=Origin.ALERT, alert=alert
    )
    if letter:
        tell_care_teams([letter])
    return letter


# --- Every periodic report due this month, in one action ----------------------------------


def reports_due_in_month(today: datetime.date) -> list[tuple[Mandate, ReportPeriod]]:
    """The periodic reports that fall due in today's month."""
    first, last = month_bounds(today)
    return periodic_reports_due(today, due_from=first, due_by=last)


def batch_run(batch_id: int) -> int:
    """Draft the reports of a batch, counting progress as it goes; run again, it drafts
    nothing more and counts the same. Returns how many it drafted."""
    batch = LetterBatch.objects.select_related("requested_by").get(pk=batch_id)
    due = reports_due_in_month(batch.month)
    LetterBatch.objects.filter(pk=batch_id).update(total=len(due))
    existing, drafted = _drafted_reports(), []
    for index, (mandate, period) in enumerate(due, start=1):
        if (mandate.pk, period.first_day) not in existing and (
            letter := draft_periodic_report(
                mandate, period, actor=batch.requested_by, origin=Origin.BATCH, batch=batch
            )
        ):
            drafted.append(letter)
        LetterBatch.objects.filter(pk=batch_id).update(done=index)
    tell_care_teams(drafted)
    LetterBatch.objects.filter(pk=batch_id).update(
        done=len(due), drafted=F("drafted") + len(drafted), finished_at=timezone.now()
    )
    return len(drafted)
