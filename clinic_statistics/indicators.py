"""The clinic's indicators for a year: the way in, sessions, letters, exits, risk levels and the
helpline, each with its definition and denominator (docs/statistics.md, "The indicators").

Everything is counted in the database, by aggregates with filters, a few queries for the whole
clinic whatever its size: never a loop over appointments or patients in Python. The filters
(legal framework, authority, clinician) choose the patients; the helpline's figures are its
own, anonymous, and never filtered by patient.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from assessments.selectors import level_of, main_bands, overdue_on
from casework.models import (
    SESSION_COUNTERS,
    Authority,
    CareTeamMembership,
    Episode,
    LegalFramework,
    Mandate,
    Patient,
    SessionCount,
    SessionCountPending,
)
from casework.permissions import Zone
from casework.selectors import patients_visible_to
from clinic_statistics.follow_up import INTAKE_ASSESSMENT_DAYS
from common.dates import day_bounds
from helpline import statistics as helpline_statistics
from reports import catalogue
from reports.models import Dispatch, Letter

EARLIEST_YEAR = 2000
# The risk instruments whose levels are counted, each by its main band table.
RISK_INSTRUMENTS = (("static99r", _("Static-99R")), ("stable2007", _("STABLE-2007")))
NO_LEVEL = "none"


@dataclass(frozen=True)
class Question:
    """Which year, and which patients: all the user may see, or those of a legal framework, an
    authority or a clinician during the year."""

    year: int
    legal_framework: LegalFramework | None = None
    authority: Authority | None = None
    clinician: User | None = None

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    def filters(self) -> dict[str, str]:
        """The filters as the CSV and the report print them, the year apart."""
        chosen = {
            "legal_framework": self.legal_framework,
            "authority": self.authority,
            "clinician": self.clinician,
        }
        return {key: str(value) for key, value in chosen.items() if value is not None}


@dataclass(frozen=True)
class Figure:
    """One number, with what it counts and what it is counted out of."""

    key: str
    label: str
    value: int | float | None  # None: nothing to count (a median of no one), or hidden
    definition: str
    unit: str = ""  # "", "days", "months" or "%"
    denominator: int | None = None  # the count a share, a median or a percentile is of
    part: int | None = None  # for a share: the count it is of the denominator
    hidden: bool = False  # a small count the helpline's statistics hide (helpline.statistics)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Table:
    """One count split by a category: every category is listed, zeros included."""

    key: str
    title: str
    definition: str
    rows: tuple[Row, ...]
    # Tables of the same people share their total (the figure of that key, if there is one):
    # an export must not hide it in one and show it in another (clinic_statistics.exports).
    total_key: str = ""

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Indicators:
    question: Question
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def figure(self, key: str) -> Figure:
        return next(f for s in self.sections for f in s.figures if f.key == key)

    def table(self, key: str) -> Table:
        return next(t for s in self.sections for t in s.tables if t.key == key)


def indicators(user, question: Question) -> Indicators:
    """The year's indicators for the patients the question chooses among those the user may
    see: a fixed number of queries, whatever the clinic's size."""
    patients = chosen_patients(user, question)
    return Indicators(
        question=question,
        sections=(
            _way_in(patients, question),
            _sessions(patients, question),
            _letters(patients, question),
            _exits(patients, question),
            _risk(user, patients, question),
            _helpline(question),
        ),
    )


def chosen_patients(user, question: Question) -> QuerySet[Patient]:
    """The patients the user may see, narrowed by the question's filters. A filter holds for a
    patient at any time of the year: a mandate under that framework or authority in force on
    one of its days (a patient whose mandate changed counts under both), or the clinician in
    their care team on one of its days."""
    patients = patients_visible_to(user)
    first, last = question.first_day, question.last_day
    in_force = Mandate.objects.filter(patient=OuterRef("pk"), starts_on__lte=last).filter(
        Q(ended_on__isnull=True, ends_on__isnull=True)
        | Q(ended_on__gte=first)
        | Q(ended_on__isnull=True, ends_on__gte=first)
    )
    if question.legal_framework is not None:
        patients = patients.filter(
            Exists(in_force.filter(legal_framework=question.legal_framework))
        )
    if question.authority is not None:
        patients = patients.filter(Exists(in_force.filter(authority=question.authority)))
    if question.clinician is not None:
        patients = patients.filter(
            Exists(
                CareTeamMembership.objects.filter(
                    patient=OuterRef("pk"), clinician=question.clinician, starts_on__lte=last
                ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
            )
        )
    return patients


def _of(rows: QuerySet, patients: QuerySet, path: str = "patient") -> QuerySet:
    """The rows of the chosen patients. When they are every patient (the user sees every file
    and no filter narrows them), no semi-join with them: 5 to 30 ms a statement at a
    network's size, for nothing."""
    if not patients.query.where:
        return rows
    return rows.filter(**{f"{path}__in": patients})


def _in_care_on(day: datetime.date) -> Q:
    """An episode past its intake and not closed before the day (closed on it: still there)."""
    return Q(intake_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gte=day))


def _percentiles(
    rows: QuerySet, value, shares: tuple[float, ...]
) -> tuple[int, list[datetime.timedelta | None]]:
    """How many rows, and the value at each share (nearest rank: the smallest value with at
    least that share of the rows at or below it), each read by the database at its rank: one
    query each, asked even of no rows, so that the page's queries do not depend on the data."""
    ordered = rows.annotate(value=value).order_by("value").values_list("value", flat=True)
    n = rows.count()
    ranks = [max(math.ceil(share * n), 1) for share in shares]
    return n, [next(iter(ordered[rank - 1 : rank]), None) for rank in ranks]


def _days(span: datetime.timedelta | None, per: float = 1) -> float | None:
    return None if span is None else round(span.days / per, 1)


DAYS_PER_MONTH = 365.25 / 12


def _way_in(patients: QuerySet, question: Question) -> Section:
    first, last = question.first_day, question.last_day
    episodes = _of(Episode.objects.all(), patients)
    counts = episodes.aggregate(
        referrals=Count("pk", filter=Q(referral_received_on__range=(first, last))),
        admissions=Count("pk", filter=Q(intake_on__range=(first, last))),
        caseload_first=Count("patient", distinct=True, filter=_in_care_on(first)),
        caseload_last=Count("patient", distinct=True, filter=_in_care_on(last)),
    )
    by_source = dict(
        episodes.filter(referral_received_on__range=(first, last))
        .values_list("referral_source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    waited, (median_wait, p90_wait) = _percentiles(
        episodes.filter(intake_on__range=(first, last)),
        ExpressionWrapper(F("intake_on") - F("referral_received_on"), DurationField()),
        (0.5, 0.9),
    )
    treated, (median_length, p90_length) = _percentiles(
        episodes.filter(closed_on__range=(first, last), intake_on__isnull=False),
        ExpressionWrapper(F("closed_on") - F("intake_on"), DurationField()),
        (0.5, 0.9),
    )
    wait_definition = _(
        "Days from the referral received to the first appointment (the intake), for the "
        "episodes of care whose intake was during the year. Nearest rank: half (nine in "
        "ten) of them waited this long or less."
    )
    length_definition = _(
        "Months from the intake to the closing, for the episodes of care closed during the "
        "year (30.4 days a month). Nearest rank: half (nine in ten) of them lasted this long "
        "or less."
    )
    return Section(
        key="way_in",
        title=str(_("Referrals, waiting and caseload")),
        figures=(
            Figure(
                "referrals",
                str(_("Referrals received")),
                counts["referrals"],
                str(_("Episodes of care whose referral was received during the year.")),
            ),
            Figure(
                "waiting_median_days",
                str(_("Waiting time to the first appointment, median")),
                _days(median_wait),
                str(wait_definition),
                unit="days",
                denominator=waited,
            ),
            Figure(
                "waiting_p90_days",
                str(_("Waiting time to the first appointment, 90th percentile")),
                _days(p90_wait),
                str(wait_definition),
                unit="days",
                denominator=waited,
            ),
            Figure(
                "caseload_first_day",
                str(_("Caseload on 1 January")),
                counts["caseload_first"],
                str(
                    _(
                        "Patients in care on 1 January: an episode of care whose intake was "
                        "on or before that day and that was not closed before it."
                    )
                ),
            ),
            Figure(
                "caseload_last_day",
                str(_("Caseload on 31 December")),
                counts["caseload_last"],
                str(
                    _(
                        "Patients in care on 31 December: an episode of care whose intake "
                        "was on or before that day and that was not closed before it."
                    )
                ),
            ),
            Figure(
                "admissions",
                str(_("Admissions")),
                counts["admissions"],
                str(_("Episodes of care whose intake (the first appointment) was in the year.")),
            ),
            Figure(
                "length_median_months",
                str(_("Length in treatment, median")),
                _days(median_length, DAYS_PER_MONTH),
                str(length_definition),
                unit="months",
                denominator=treated,
            ),
            Figure(
                "length_p90_months",
                str(_("Length in treatment, 90th percentile")),
                _days(p90_length, DAYS_PER_MONTH),
                str(length_definition),
                unit="months",
                denominator=treated,
            ),
        ),
        tables=(
            Table(
                "referral_source",
                str(_("Referrals by source")),
                str(_("The referrals received during the year, by who referred the patient.")),
                tuple(
                    Row(code, str(label), by_source.get(code, 0))
                    for code, label in Episode.ReferralSource.choices
                ),
                total_key="referrals",
            ),
        ),
    )


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _sessions(patients: QuerySet, question: Question) -> Section:
    """The year's sessions, added up from each patient's months counted ahead of time
    (casework.models.session_counts): twelve rows a patient, never the year's sessions."""
    months = _of(SessionCount.objects.all(), patients).filter(
        month__gte=question.first_day, month__lte=question.last_day
    )
    counts = {
        name: value or 0
        for name, value in months.aggregate(
            **{name: Sum(name) for name in SESSION_COUNTERS}
        ).items()
    }
    waiting = _of(SessionCountPending.objects.all(), patients).count()
    decided = (
        counts["attended"]
        + counts["acceptable_absences"]
        + counts["unacceptable_absences"]
        + counts["awaiting_evidence"]
    )
    rescheduled = counts["rescheduled_by_patient"] + counts["rescheduled_by_clinic"]
    per_patient = _("Counted per patient expected: a group session with six members counts six. ")
    note = str(
        _(
            "A session moved to another time counts once, at its new time; the counts are "
            "those of the compliance counters the letters state."
        )
    )
    if waiting:
        note += " " + ngettext(
            "Recent changes to %(count)d file are still being counted: look again in a minute.",
            "Recent changes to %(count)d files are still being counted: look again in a minute.",
            waiting,
        ) % {"count": waiting}
    return Section(
        key="sessions",
        title=str(_("Sessions")),
        note=note,
        figures=(
            Figure(
                "sessions_planned",
                str(_("Sessions planned")),
                counts["planned"],
                str(per_patient)
                + str(_("Sessions of the year not moved: held, missed, to come or cancelled.")),
            ),
            Figure(
                "sessions_individual",
                str(_("Individual sessions planned")),
                counts["planned_individual"],
                str(_("Planned sessions with one patient: intakes, sessions, assessments.")),
            ),
            Figure(
                "sessions_group",
                str(_("Group sessions planned")),
                counts["planned_group"],
                str(per_patient) + str(_("Planned sessions of a therapy group.")),
            ),
            Figure(
                "sessions_held",
                str(_("Sessions attended")),
                counts["attended"],
                str(_("Planned sessions whose outcome counts as attended.")),
            ),
            Figure(
                "sessions_cancelled",
                str(_("Sessions cancelled by the clinic")),
                counts["cancelled_by_clinic"],
                str(_("Planned sessions the clinic cancelled.")),
            ),
            Figure(
                "sessions_rescheduled",
                str(_("Sessions moved")),
                rescheduled,
                str(
                    _(
                        "Sessions moved to another time, at the patient's or the clinic's "
                        "request (not among the planned: their new booking is)."
                    )
                ),
            ),
            Figure(
                "attendance_rate",
                str(_("Attendance rate")),
                _share(counts["attended"], decided),
                str(
                    _(
                        "Sessions attended, out of the planned sessions whose outcome is "
                        "recorded (attended or absent; cancelled ones and those awaiting an "
                        "outcome are left out)."
                    )
                ),
                unit="%",
                denominator=decided,
                part=counts["attended"],
            ),
            Figure(
                "unjustified_absences",
                str(_("Unjustified absences")),
                counts["unacceptable_absences"],
                str(
                    _(
                        "Absences whose outcome is a failure the authority must hear of "
                        "(an unacceptable absence)."
                    )
                ),
            ),
        ),
    )


def _letters(patients: QuerySet, question: Question) -> Section:
    first, last = question.first_day, question.last_day
    since, until = day_bounds(first, (datetime.date(question.year + 1, 1, 1) - first).days)
    letters = _of(Letter.objects.all(), patients)
    by_kind = dict(
        letters.filter(signed_at__gte=since, signed_at__lt=until)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    due = (
        letters.filter(due_on__range=(first, last), corrects__isnull=True)
        .exclude(status=Letter.Status.WITHDRAWN)
        .annotate(signed_on=TruncDate("signed_at"))
    )
    signed = Q(signed_at__isnull=False, signed_on__lte=F("due_on"))
    counts = due.aggregate(due=Count("pk"), signed=Count("pk", filter=signed))
    # Sent in time: every dispatch has left by the end of the day it was due. Asked in the
    # WHERE clause, as a semi- and an anti-join (in the aggregate's FILTER they were two
    # subplans run for every letter due: 235 against 165 ms at the network's size).
    dispatches = Dispatch.objects.filter(letter=OuterRef("pk"))
    late = dispatches.filter(Q(sent_at__isnull=True) | Q(sent_at__date__gt=OuterRef("due_on")))
    counts["sent"] = due.filter(signed, Exists(dispatches)).exclude(Exists(late)).count()
    denominator = _(
        "Out of the letters due during the year (withdrawn letters and corrections left out)."
    )
    return Section(
        key="letters",
        title=str(_("Letters to the justice system")),
        figures=(
            Figure(
                "letters_due",
                str(_("Letters due")),
                counts["due"],
                str(_("Letters whose legal deadline fell during the year."))
                + " "
                + str(denominator),
            ),
            Figure(
                "letters_signed_on_time",
                str(_("Signed by the deadline")),
                _share(counts["signed"], counts["due"]),
                str(_("Letters signed on or before the day they were due."))
                + " "
                + str(denominator),
                unit="%",
                denominator=counts["due"],
                part=counts["signed"],
            ),
            Figure(
                "letters_sent_on_time",
                str(_("Signed and sent by the deadline")),
                _share(counts["sent"], counts["due"]),
                str(
                    _(
                        "Letters signed and sent to every recipient (an e-mail delivered, "
                        "a letter posted or handed over) on or before the day they were due."
                    )
                )
                + " "
                + str(denominator),
                unit="%",
                denominator=counts["due"],
                part=counts["sent"],
            ),
        ),
        tables=(
            Table(
                "letters_by_type",
                str(_("Letters signed, by type")),
                str(_("The letters signed during the year, corrections included.")),
                tuple(
                    Row(code, str(kind.name), by_kind.get(code, 0))
                    for code, kind in catalogue.TYPES.items()
                ),
            ),
        ),
    )


def _exits(patients: QuerySet, question: Question) -> Section:
    by_reason = dict(
        _of(Episode.objects.all(), patients)
        .filter(closed_on__range=(question.first_day, question.last_day))
        .values_list("exit_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Section(
        key="exits",
        title=str(_("Exits")),
        tables=(
            Table(
                "exit_reason",
                str(_("Episodes of care closed, by reason")),
                str(_("The episodes of care closed during the year, by why they ended.")),
                tuple(
                    Row(code, str(label), by_reason.get(code, 0))
                    for code, label in Episode.ExitReason.choices
                ),
            ),
        ),
    )


def _risk(user, patients: QuerySet, question: Question) -> Section:
    """The levels of the patients in care during the year: at intake (the first assessment
    dated no later than INTAKE_ASSESSMENT_DAYS after the intake of their latest episode begun
    by the year's end) and the latest one signed by the year's end."""
    first, last = question.first_day, question.last_day
    in_care = _of(patients_visible_to(user, zone=Zone.CLINICAL), patients, "pk").filter(
        Exists(
            Episode.objects.filter(patient=OuterRef("pk"), intake_on__lte=last).filter(
                Q(closed_on__isnull=True) | Q(closed_on__gte=first)
            )
        )
    )
    latest_intake = Episode.objects.filter(patient=OuterRef("pk"), intake_on__lte=last).order_by(
        "-intake_on", "-pk"
    )
    in_care = in_care.annotate(intake=Subquery(latest_intake.values("intake_on")[:1])).annotate(
        intake_until=ExpressionWrapper(
            F("intake") + datetime.timedelta(days=INTAKE_ASSESSMENT_DAYS),
            output_field=DateField(),
        )
    )
    annotations = {}
    for code, _name in RISK_INSTRUMENTS:
        annotations[f"{code}_intake"] = level_of(
            code, since=OuterRef("intake"), until=OuterRef("intake_until"), first=True
        )
        annotations[f"{code}_latest"] = level_of(code, since=None, until=last, first=False)
    tables = []
    counted = in_care.annotate(**annotations)
    for code, name in RISK_INSTRUMENTS:
        for moment, title in (
            ("intake", _("{instrument} level at intake")),
            ("latest", _("{instrument} level, latest by 31 December")),
        ):
            column = f"{code}_{moment}"
            found = dict(counted.values_list(column).annotate(n=Count("pk")).order_by())
            rows = [Row(band, label, found.get(band, 0)) for band, label in main_bands(code)]
            known = {band for band, _label in main_bands(code)}
            rows.append(
                Row(
                    NO_LEVEL,
                    str(_("No assessment")),
                    sum(n for level, n in found.items() if level not in known),
                )
            )
            tables.append(
                Table(
                    column,
                    str(title).format(instrument=name),
                    str(
                        _(
                            "The patients in care during the year, by the level of their "
                            "first assessment signed within 90 days of their intake."
                        )
                        if moment == "intake"
                        else _(
                            "The patients in care during the year, by the level of their "
                            "latest assessment signed by 31 December."
                        )
                    ),
                    tuple(rows),
                    total_key="in_care",
                )
            )
    overdue = overdue_on(in_care.values("pk"), last)
    return Section(
        key="risk",
        title=str(_("Risk levels")),
        note=str(
            _(
                "A level is the one that counts: the clinician's override, or the band of the "
                "clinic's current table. An amended assessment counts as amended."
            )
        ),
        figures=(
            Figure(
                "assessments_overdue",
                str(_("Assessments overdue on 31 December")),
                overdue,
                str(
                    _(
                        "Standing assessments of the patients in care during the year whose "
                        "next due date had passed on 31 December."
                    )
                ),
            ),
        ),
        tables=tuple(tables),
    )


def _helpline(question: Question) -> Section:
    figures = helpline_statistics.figures(question.year)
    missed = next(t for t in figures.tables if t.key == "missed")
    return Section(
        key="helpline",
        title=str(_("Helpline")),
        note=str(
            _(
                "The helpline is anonymous: its figures are its own, never joined to a "
                "patient, and the filters do not apply to them."
            )
        ),
        figures=(
            Figure(
                "helpline_contacts",
                str(_("Helpline contacts")),
                None if figures.contacts.total_hidden else figures.contacts.total,
                str(_("Calls, chats and e-mails to the helpline during the year.")),
                hidden=figures.contacts.total_hidden,
            ),
            Figure(
                "helpline_missed",
                str(_("Helpline contacts missed")),
                None if missed.rows[0].total_hidden else missed.rows[0].total,
                str(_("Contacts nobody answered.")),
                hidden=missed.rows[0].total_hidden,
            ),
        ),
    )
