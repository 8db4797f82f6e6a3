"""What happened after treatment: Kaplan–Meier survival curves, from the start of treatment to a
first new offence, from the follow-up checks (casework.FollowUpCheck). docs/statistics.md says
how the cohort, the start, the event, the censoring and the window are defined.

The estimator is lifelines' KaplanMeierFitter, not one of ours. Its confidence interval is the
"exponential Greenwood" one, on the log(-log S) scale: KaplanMeierFitter's documentation says
of confidence_interval_survival_function_ "Uses Greenwood's Exponential formula ("log-log" in
R)", and its _bounds computes it so (read in lifelines 0.30.3). With
V(t) = Σ d/(n(n-d)) / (log S(t))², the bounds are exp(-exp(log(-log S(t)) ± z·√V(t))), z the
normal quantile of 97.5% (a 95% interval). Unlike the plain Greenwood interval it stays within
[0, 1].
"""

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Max, Min, QuerySet

from assessments.selectors import static99r_levels
from casework.models import CareStage, Episode, FollowUpCheck
from casework.selectors import patients_visible_to

# Time is counted in months of an average length, from the days between two dates.
DAYS_PER_MONTH = 365.25 / 12

WINDOW_YEARS = (3, 5, 10)

# The event: a first new offence of these categories.
EVENTS: dict[str, frozenset[str]] = {
    "sexual": frozenset({FollowUpCheck.Category.SEXUAL}),
    "violent": frozenset({FollowUpCheck.Category.VIOLENT}),
    "any": frozenset(FollowUpCheck.Category.values),
}

# Ways to split the cohort ("": one group of everyone, named ALL).
COMPLETION, RISK_LEVEL = "completion", "risk_level"
GROUPINGS = (COMPLETION, RISK_LEVEL)
ALL = "all"

# The completion groups, from the first episode of care (the one whose intake is the start).
COMPLETED, STOPPED, IN_TREATMENT, OTHER_EXIT = "completed", "stopped", "in_treatment", "other"
STOPPED_REASONS = frozenset({Episode.ExitReason.STOPPED_BY_PATIENT, Episode.ExitReason.REVOKED})

# The risk level at intake: the first Static-99R (2016 levels) dated no later than this many
# days after the intake (it is often scored in the first weeks); none: UNKNOWN.
INTAKE_ASSESSMENT_DAYS = 90
RISK_LEVELS = ("I", "II", "III", "IVa", "IVb")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Step:
    """One time at which someone leaves the risk set: by the event, or censored."""

    months: float
    at_risk: int
    events: int
    censored: int
    survival: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Curve:
    name: str
    n: int
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Followed:
    """One patient of the cohort, as the estimator sees them: numbers only."""

    group: str
    months: float
    event: bool


def follow_up_curves(user, *, group: str = "", **question) -> list[Curve]:
    """The survival curves of the patients whose treatment started between the two dates (both
    included, either open), one per group: a few queries whatever the number of patients. The
    question is `cohort`'s (event, window_years, started_from, started_to)."""
    followed = cohort(user, group=group, **question)
    if not group:
        return [kaplan_meier(ALL, followed)]
    order = (
        (COMPLETED, STOPPED, IN_TREATMENT, OTHER_EXIT)
        if group == COMPLETION
        else (*RISK_LEVELS, UNKNOWN)
    )
    return [
        kaplan_meier(name, members)
        for name in order
        if (members := [f for f in followed if f.group == name])
    ]


def cohort(
    user,
    *,
    event: str,
    window_years: int,
    group: str = "",
    started_from: datetime.date | None = None,
    started_to: datetime.date | None = None,
) -> list[Followed]:
    """Each patient of the cohort's time from the start of treatment, in months, and whether
    it ends with the event (else it is censored there).

    - start: the intake of the patient's first episode of care with an intake;
    - event: the first new offence of the chosen categories dated after the start;
    - otherwise censored at the last known date: the latest follow-up check. A patient with no
      check (or only checks before the start) is censored at the start, time 0: nothing is
      known of them after it, and they never count as a success;
    - everything after the window is cut: censored at window_years × 12 months."""
    categories = EVENTS[event]
    window = window_years * 12
    rows = _starts(user, started_from, started_to)
    members = {patient_id for patient_id, *_rest in rows}
    # The checks (and levels) of every patient the user may see, those of the cohort kept here:
    # a filter by the visibility rule alone, rather than by the cohort's ids (20,000 at a
    # network's scale) or by the cohort recomputed in a subquery.
    visible = patients_visible_to(user)
    checks: dict[int, list[tuple[datetime.date, bool, datetime.date | None, str]]] = {}
    rows_of_checks = (
        FollowUpCheck.objects.filter(patient__in=visible)
        .order_by()  # in any order (the first offence and the last check are found below)
        .values_list("patient_id", "checked_on", "new_offence", "offence_on", "category")
    )
    for patient_id, *check in rows_of_checks:
        if patient_id in members:
            # values_list gives each row as a tuple of unknown length: these four columns.
            checks.setdefault(patient_id, []).append(tuple(check))  # type: ignore[arg-type]
    levels = static99r_levels(user, visible) if group == RISK_LEVEL else {}

    followed = []
    for patient_id, start, stage, exit_reason in rows:
        theirs = checks.get(patient_id, [])
        offences = [
            offence_on
            for _checked, new, offence_on, category in theirs
            if new and offence_on and offence_on > start and category in categories
        ]
        if offences:
            end, happened = min(offences), True
        else:
            end = max([start, *(checked for checked, *_rest in theirs)])
            happened = False
        months = (end - start).days / DAYS_PER_MONTH
        if months > window:
            months, happened = float(window), False
        if group == COMPLETION:
            name = _completion(stage, exit_reason)
        elif group == RISK_LEVEL:
            name = _level_at(start, levels.get(patient_id, ()))
        else:
            name = ALL
        followed.append(Followed(group=name, months=months, event=happened))
    return followed


def _first_intakes(user) -> QuerySet:
    """The episodes of care with an intake of the patients the user may see."""
    return Episode.objects.filter(intake_on__isnull=False, patient__in=patients_visible_to(user))


def _starts(
    user, started_from: datetime.date | None, started_to: datetime.date | None
) -> list[tuple[int, datetime.date, str, str]]:
    """(patient, start, stage, exit reason) of each patient the user may see whose treatment
    started in the period, by patient: their first episode with an intake (the earliest intake,
    then the first recorded), picked here from one ordered read of those episodes. Three
    correlated subqueries per patient (the start, the stage, the exit), repeated in the filter
    and in the queries of the checks and the levels, made the cohort's SQL grow with every
    patient of the network (docs/performance.md)."""
    first: dict[int, tuple[int, datetime.date, str, str]] = {}
    for row in (
        _first_intakes(user)
        .order_by("patient_id", "intake_on", "pk")
        .values_list("patient_id", "intake_on", "stage", "exit_reason")
    ):
        first.setdefault(row[0], row)
    return [
        row
        for row in first.values()
        if (started_from is None or row[1] >= started_from)
        and (started_to is None or row[1] <= started_to)
    ]


def _completion(stage: str, exit_reason: str) -> str:
    if stage != CareStage.CLOSED:
        return IN_TREATMENT
    if exit_reason == Episode.ExitReason.COMPLETED:
        return COMPLETED
    if exit_reason in STOPPED_REASONS:
        return STOPPED
    return OTHER_EXIT


def _level_at(start: datetime.date, levels: Iterable[tuple[datetime.date, str]]) -> str:
    latest = start + datetime.timedelta(days=INTAKE_ASSESSMENT_DAYS)
    return next((level for assessed_on, level in levels if assessed_on <= latest), UNKNOWN)


def kaplan_meier(name: str, followed: Sequence[Followed]) -> Curve:
    """lifelines' Kaplan–Meier estimate of one group: a step for each time someone leaves the
    risk set (an event or a censoring), with the number at risk just before it."""
    if not followed:
        return Curve(name=name, n=0, steps=())
    from lifelines import KaplanMeierFitter  # numpy, pandas, scipy: loaded when first asked

    fitter = KaplanMeierFitter(alpha=0.05)
    fitter.fit([f.months for f in followed], event_observed=[f.event for f in followed])
    table = fitter.event_table
    # Each column read once as a whole, aligned on the event table's times (what .loc[time]
    # read for each step): pandas' row by row (iterrows, .loc) cost 0.1 ms a step, and a curve
    # of the network's patients has thousands of steps (docs/performance.md).
    survival = fitter.survival_function_.iloc[:, 0].loc[table.index].tolist()
    bounds = fitter.confidence_interval_survival_function_.loc[table.index].to_numpy().tolist()
    steps = []
    for time, removed, at_risk, observed, censored, estimate, (low, high) in zip(
        table.index.tolist(),
        table["removed"].tolist(),
        table["at_risk"].tolist(),
        table["observed"].tolist(),
        table["censored"].tolist(),
        survival,
        bounds,
        strict=True,
    ):
        if not removed:
            continue  # lifelines' row for time 0 when nobody leaves then
        steps.append(
            Step(
                months=float(time),
                at_risk=int(at_risk),
                events=int(observed),
                censored=int(censored),
                survival=_number(estimate),
                ci_low=_number(low),
                ci_high=_number(high),
            )
        )
    return Curve(name=name, n=len(followed), steps=tuple(steps))


def _number(value) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def cohort_period(
    user, *, started_from: datetime.date | None = None, started_to: datetime.date | None = None
) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and the last start of treatment in the cohort (None, None: nobody), one query:
    who is counted, said by the dates their treatment started."""
    starts = _first_intakes(user).values("patient_id").annotate(start=Min("intake_on"))
    if started_from:
        starts = starts.filter(start__gte=started_from)
    if started_to:
        starts = starts.filter(start__lte=started_to)
    # each patient's start grouped, then the first and the last of them (Django nests the two)
    found = starts.order_by().aggregate(first=Min("start"), last=Max("start"))
    return found["first"], found["last"]


def at_risk_at(curve: Curve, months: float) -> int:
    """How many of the group are still followed at this time (their time is this or later):
    the number at risk just before the first step at or after it, 0 after the last."""
    return next((step.at_risk for step in curve.steps if step.months >= months), 0)


def lost_to_follow_up(curve: Curve, window_years: int) -> tuple[int, int]:
    """(censored before the end of the window, of whom censored at the start): the patients
    whose follow-up stops before the window ends without the event — the latter have no check
    after the start at all."""
    end = window_years * 12
    lost = sum(step.censored for step in curve.steps if step.months < end)
    at_start = sum(step.censored for step in curve.steps if step.months == 0)
    return lost, at_start
