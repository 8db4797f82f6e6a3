"""When a mandate's follow-up reports are owed, and the period each one covers: one rule, read
by the patient page, the API's counters, the letters' deadlines and the draft form alike.

The law sets the rhythm (law of 29 June 1964 on probation, art. 9bis; law of 17 May 2006; law
of 5 May 2014 on internment, art. 57 §5; docs/letters.md, "The law"): the specialised service
reports "within the month" after the measure starts, then "at least once every six months". The
framework's reference data says which law applies (casework.models.LegalFramework), so:

- the clock starts at the start of the measure or the intake, whichever is later (the clinic
  cannot report on a treatment it has not begun);
- the first report is due `first_report_within_months` after that (the mandate's interval
  where the framework sets no first report), each next one `reporting_interval_months` after
  the one before;
- the period a report covers closes REPORT_SIGNING_DAYS before it is due, so that it is
  complete when it is signed: the last outcomes recorded, no session still to come;
- periods follow each other without gap from the start of the measure, and stop with it: the
  last one closes on the measure's last day (a last day alone joins the period before).
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from casework.models import CareStage, Episode, Mandate
from common.dates import add_months

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ReportPeriod:
    number: int  # 1 for the first report of the mandate
    first_day: datetime.date
    last_day: datetime.date  # included
    due_on: datetime.date

    @property
    def end(self) -> datetime.date:
        """The day after the last: the period as [first_day, end)."""
        return self.last_day + ONE_DAY


class ReportSchedule:
    """The follow-up reports of one mandate, given the patient's latest episode of care: its
    intake (None: not yet) and whether it is closed."""

    def __init__(self, mandate: Mandate, *, intake_on: datetime.date | None, closed: bool = False):
        self.mandate = mandate
        self.intake_on = intake_on
        # Reports are owed while the measure runs and the treatment has begun and not ended
        # (a closed treatment is told by its end-of-treatment letter instead).
        self.owed = mandate.status == Mandate.Status.ACTIVE and intake_on is not None and not closed
        self.signing = datetime.timedelta(days=settings.REPORT_SIGNING_DAYS)
        self.start = mandate.starts_on
        self.last = mandate.ended_on or mandate.ends_on  # the measure's last day, if known
        # Before the intake the schedule is provisional, from the start of the measure.
        self.clock = max(self.start, intake_on) if intake_on else self.start
        step = mandate.reporting_interval_months
        self.step = step
        self.first = mandate.legal_framework.first_report_within_months or step

    def periods(self) -> Iterator[ReportPeriod]:
        """Every period, in order; endless for a measure without an end."""
        first_day, number = self.start, 1
        due = add_months(self.clock, self.first)
        while True:
            last_day = max(first_day, due - self.signing)
            ends_here = self.last is not None and (
                last_day >= self.last or last_day + ONE_DAY == self.last
            )
            if ends_here:
                last_day = max(first_day, self.last)
            yield ReportPeriod(number, first_day, last_day, last_day + self.signing)
            if ends_here:
                return
            # Each from the one before, so that two reports are never more than the interval
            # apart (28 February + 6 months is 28 August, not 31 August).
            first_day, number, due = last_day + ONE_DAY, number + 1, add_months(due, self.step)

    def period_on(self, day: datetime.date) -> ReportPeriod:
        """The period that holds `day` (the first before the measure starts, the last after
        it ended)."""
        for period in self.periods():
            if day <= period.last_day:
                return period
        return period  # the measure ended before `day`: its last period

    def due_between(self, first: datetime.date, last: datetime.date) -> list[ReportPeriod]:
        """The reports owed that fall due from `first` to `last`, both included."""
        due = []
        if not self.owed:
            return due
        for period in self.periods():
            if period.due_on > last:
                break
            if period.due_on >= first:
                due.append(period)
        return due

    def next_report(self, today: datetime.date) -> ReportPeriod | None:
        """The next report owed on or after today: none for a measure that is not running, nor
        before the intake (the first falls due a month after it), nor once the treatment has
        ended."""
        if not self.owed:
            return None
        for period in self.periods():
            if period.due_on >= today:
                return period
        return None  # the measure has ended and its last report was due before today


def _latest_episode(field: str) -> Subquery:
    return Subquery(
        Episode.objects.filter(patient=OuterRef("patient"))
        .order_by("-referral_received_on", "-pk")
        .values(field)[:1]
    )


def with_episode(mandates: QuerySet[Mandate]) -> QuerySet[Mandate]:
    """Mandates with the intake and the stage of their patient's latest episode of care, read
    in the same query (what `schedule_of` needs)."""
    return mandates.annotate(
        latest_intake_on=_latest_episode("intake_on"), latest_stage=_latest_episode("stage")
    )


def schedule_of(mandate: Mandate) -> ReportSchedule:
    """The mandate's schedule, from its patient's latest episode of care (read now unless
    `with_episode` brought it)."""
    if hasattr(mandate, "latest_stage"):
        intake_on, stage = mandate.latest_intake_on, mandate.latest_stage
    else:
        episode = (
            Episode.objects.filter(patient_id=mandate.patient_id)
            .order_by("-referral_received_on", "-pk")
            .first()
        )
        intake_on, stage = (episode.intake_on, episode.stage) if episode else (None, None)
    return ReportSchedule(mandate, intake_on=intake_on, closed=stage == CareStage.CLOSED)
