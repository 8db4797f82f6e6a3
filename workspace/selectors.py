"""What the composed pages read that no single zone holds: a mandate's standing on the patient
page, the referrals waiting on the home page. Each is a frozen dataclass beside the model it
speaks of, never an attribute hung on a model instance: a template or a type checker sees
every field a page may use, and a patient or a mandate means the same thing on every page."""

import datetime
from dataclasses import dataclass

from casework import selectors
from casework.models import Mandate, Patient
from casework.reporting import ReportPeriod, ReportSchedule


@dataclass(frozen=True)
class MandateStanding:
    """A mandate on the patient page: its follow-up reports as of today and, while it runs,
    the attendance counters of its current reporting period."""

    mandate: Mandate
    period: ReportPeriod  # the reporting period that holds today
    next_report: ReportPeriod | None  # the next report owed, if any (casework.reporting)
    awaiting_intake: bool  # no report is owed before the intake
    counters: dict[str, int] | None  # the current period's counters; None unless running

    @property
    def is_running(self) -> bool:
        return self.mandate.status == Mandate.Status.ACTIVE


def mandate_standings(patient: Patient, today: datetime.date) -> list[MandateStanding]:
    """Each of the patient's mandates (the page's prefetched ones), newest first as the model
    orders them, with the counters of every running one counted in one query."""
    episodes = list(patient.episodes.all())
    latest = episodes[0] if episodes else None
    intake_on = latest.intake_on if latest else None
    closed = bool(latest and not latest.is_open)
    mandates = list(patient.mandates.all())
    schedules = {
        mandate.pk: ReportSchedule(mandate, intake_on=intake_on, closed=closed)
        for mandate in mandates
    }
    periods = {mandate.pk: schedules[mandate.pk].period_on(today) for mandate in mandates}
    running = [mandate for mandate in mandates if mandate.status == Mandate.Status.ACTIVE]
    counters = selectors.compliance_counters_many(
        patient, {f"m{m.pk}": (periods[m.pk].first_day, periods[m.pk].end) for m in running}
    )
    return [
        MandateStanding(
            mandate=mandate,
            period=periods[mandate.pk],
            next_report=schedules[mandate.pk].next_report(today),
            awaiting_intake=intake_on is None,
            counters=counters.get(f"m{mandate.pk}"),
        )
        for mandate in mandates
    ]


@dataclass(frozen=True)
class WaitingReferral:
    """A referred patient with no intake yet, and how long they have waited."""

    patient: Patient
    days: int


def referrals_waiting(user, today: datetime.date, count: int) -> list[WaitingReferral]:
    """The first `count` referrals waiting for an intake, longest waiting first."""
    return [
        WaitingReferral(patient=patient, days=(today - patient.referred_on).days)
        for patient in selectors.referrals_waiting(user)[:count]
    ]
