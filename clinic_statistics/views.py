"""The clinical lead's page of what happened after treatment, and its CSV: Kaplan–Meier curves
from the start of treatment to a first new offence (docs/statistics.md), each beside what it
counts, whom, how many were lost to follow-up, and the literature's base rates as context."""

import csv
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.generic import TemplateView, View

from audit.services import Action, record_access
from clinic_statistics import annual_report, exports, follow_up, indicators
from clinic_statistics.charts import data_uri, survival_svg
from clinic_statistics.forms import (
    EVENT_CHOICES,
    ActivityReportForm,
    FollowUpQueryForm,
    IndicatorsQueryForm,
)
from clinic_statistics.models import ActivityReport
from clinic_statistics.permissions import can_read_statistics
from clinic_statistics.templatetags.figures import percent
from common.http import InvalidParameter
from common.text import spreadsheet_safe
from common.views import RoleRequired

GROUP_NAMES = {
    follow_up.ALL: gettext_lazy("All patients"),
    follow_up.COMPLETED: gettext_lazy("Completed treatment"),
    follow_up.STOPPED: gettext_lazy("Stopped treatment (by the patient, or revoked)"),
    follow_up.IN_TREATMENT: gettext_lazy("Still in treatment"),
    follow_up.OTHER_EXIT: gettext_lazy(
        "Left otherwise (transferred, moved, deceased, mandate ended, other)"
    ),
    follow_up.UNKNOWN: gettext_lazy("No Static-99R at intake"),
    **{
        level: format_lazy(gettext_lazy("Static-99R level {level} at intake"), level=level)
        for level in follow_up.RISK_LEVELS
    },
}
EVENT_DEFINITIONS = {
    "sexual": gettext_lazy(
        "The first new sexual offence known to the clinic (a charge or a conviction), "
        "committed after the start of treatment."
    ),
    "violent": gettext_lazy(
        "The first new violent offence, not sexual, known to the clinic (a charge or a "
        "conviction), committed after the start of treatment."
    ),
    "any": gettext_lazy(
        "The first new offence of any category known to the clinic (a charge or a "
        "conviction), committed after the start of treatment."
    ),
}


@dataclass(frozen=True)
class Presented:
    """One group's curve as the page shows it."""

    name: str
    label: str
    curve: follow_up.Curve
    chart: str  # a data: URI of the SVG
    alt: str
    at_risk: list[tuple[int, int]]  # (years since the start, patients still followed)
    events: int
    lost: int
    lost_at_start: int
    final: follow_up.Step | None
    step_rows: str  # the rows of the table of every step, HTML (_step_rows)


def _presented(curve: follow_up.Curve, window_years: int) -> Presented:
    label = str(GROUP_NAMES.get(curve.name, curve.name))
    lost, at_start = follow_up.lost_to_follow_up(curve, window_years)
    final = next((s for s in reversed(curve.steps) if s.survival is not None), None)
    events = sum(step.events for step in curve.steps)
    at_risk = [
        (years, follow_up.at_risk_at(curve, years * 12)) for years in range(window_years + 1)
    ]
    alt = ngettext(
        "Kaplan–Meier curve, %(group)s: %(n)d patient followed from the start of treatment; "
        "the tables below give the numbers at risk and every step.",
        "Kaplan–Meier curve, %(group)s: %(n)d patients followed from the start of treatment; "
        "the tables below give the numbers at risk and every step.",
        curve.n,
    ) % {"group": label, "n": curve.n}
    return Presented(
        name=curve.name,
        label=label,
        curve=curve,
        chart=data_uri(
            survival_svg(
                curve,
                window_years=window_years,
                label=label,
                at_risk=[n for _years, n in at_risk],
            )
        ),
        alt=alt,
        at_risk=at_risk,
        events=events,
        lost=lost,
        lost_at_start=at_start,
        final=final,
        step_rows=_step_rows(curve),
    )


def _step_rows(curve: follow_up.Curve) -> str:
    """The table of every step, its rows written here rather than by a loop in the template:
    a curve of the network's patients has a step for nearly every day of the window (thousands
    at 20,000 patients), and the template's work per row cost more than the rest of the page
    (docs/performance.md). The cells are the template's own filters; a percentage repeated from
    the step before (a censoring alone moves neither the estimate nor its bounds) is formatted
    once."""
    shown: dict[float | None, str] = {}

    def share(value: float | None) -> str:
        if value not in shown:
            shown[value] = percent(value)
        return shown[value]

    return format_html_join(
        "\n",
        '<tr><td class="number">{}</td><td class="number">{}</td><td class="number">{}</td>'
        '<td class="number">{}</td><td class="number">{}</td>'
        '<td class="number">{} – {}</td></tr>',
        (
            (
                floatformat(step.months, 1),
                step.at_risk,
                step.events,
                step.censored,
                share(step.survival),
                share(step.ci_low),
                share(step.ci_high),
            )
            for step in curve.steps
        ),
    )


class FollowUpStatisticsView(RoleRequired(can_read_statistics), TemplateView):
    template_name = "clinic_statistics/follow_up.html"

    def get(self, request, *args, **kwargs):
        form = FollowUpQueryForm.from_query(request.GET)
        if not form.is_valid():  # said on the form; nothing computed
            return self.render_to_response(self.get_context_data(form=form), status=400)
        query = form.cleaned_data
        curves = follow_up.follow_up_curves(request.user, **query)
        first, last = follow_up.cohort_period(
            request.user, started_from=query["started_from"], started_to=query["started_to"]
        )
        record_access(
            actor=request.user,
            action=Action.VIEW,
            object_type="clinic_statistics.follow_up",
            label=gettext_lazy("Statistics: follow-up after treatment"),
        )
        context = self.get_context_data(
            form=form,
            query=query,
            groups=[_presented(curve, query["window_years"]) for curve in curves],
            n=sum(curve.n for curve in curves),
            first_start=first,
            last_start=last,
            event_label=dict(EVENT_CHOICES)[query["event"]],
            event_definition=EVENT_DEFINITIONS[query["event"]],
            csv_url=f"{reverse('clinic_statistics:follow_up_csv')}?{form_query(form)}",
        )
        return self.render_to_response(context)


def form_query(form: FollowUpQueryForm) -> str:
    return urlencode(
        {name: value for name, value in form.data.items() if name in form.fields and value}
    )


CSV_COLUMNS = (
    "group",
    "n",
    "months",
    "at_risk",
    "events",
    "censored",
    "survival",
    "ci_low",
    "ci_high",
)


def _decimal(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


class FollowUpCSVView(RoleRequired(can_read_statistics), View):
    """The same steps as the page, one row each, for a spreadsheet or a statistics program:
    machine-readable numbers (a dot for the decimals), the group's key, every cell made safe for
    spreadsheets. The export is written to the access log with its question."""

    def get(self, request):
        form = FollowUpQueryForm.from_query(request.GET)
        if not form.is_valid():
            raise InvalidParameter(
                " ".join(str(error) for errors in form.errors.values() for error in errors)
            )
        query = form.cleaned_data
        curves = follow_up.follow_up_curves(request.user, **query)
        record_access(
            actor=request.user,
            action=Action.EXPORT,
            object_type="clinic_statistics.follow_up",
            label=format_lazy(
                gettext_lazy("Statistics export: follow-up after treatment ({query})"),
                query=", ".join(f"{key}={value}" for key, value in query.items() if value),
            ),
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="follow-up-{query["event"]}-{query["window_years"]}y.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for curve in curves:
            for step in curve.steps:
                cells = (
                    curve.name,
                    curve.n,
                    _decimal(step.months, 2),
                    step.at_risk,
                    step.events,
                    step.censored,
                    _decimal(step.survival, 4),
                    _decimal(step.ci_low, 4),
                    _decimal(step.ci_high, 4),
                )
                writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return response


class IndicatorsView(RoleRequired(can_read_statistics), TemplateView):
    """The year's indicators, each with its definition and denominator a click away."""

    template_name = "clinic_statistics/indicators.html"

    def get(self, request, *args, **kwargs):
        form = IndicatorsQueryForm.from_query(request.GET)
        if not form.is_valid():  # said on the form; nothing computed
            return self.render_to_response(self.get_context_data(form=form), status=400)
        question = form.question()
        figures = indicators.indicators(request.user, question)
        record_access(
            actor=request.user,
            action=Action.VIEW,
            object_type="clinic_statistics.indicators",
            label=format_lazy(
                gettext_lazy("Statistics: the indicators of {year}"), year=question.year
            ),
        )
        query = form_query(form)
        context = self.get_context_data(
            form=form,
            indicators=figures,
            year_not_over=question.year >= timezone.localdate().year,
            csv_url=f"{reverse('clinic_statistics:indicators_csv')}?{query}",
            charts={key: data_uri(svg) for key, svg in annual_report.charts(figures)},
            report_form=ActivityReportForm.for_user(request.user, question.year),
            reports=ActivityReport.objects.defer("pdf")[:REPORTS_LISTED],
        )
        return self.render_to_response(context)


REPORTS_LISTED = 20


class ActivityReportRequestView(RoleRequired(can_read_statistics), View):
    """Ask for the annual activity report: a row now, its PDF made by a worker."""

    def post(self, request):
        form = ActivityReportForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                " ".join(str(error) for errors in form.errors.values() for error in errors),
            )
            return redirect("clinic_statistics:indicators")
        year = form.cleaned_data["year"]
        _report, created = annual_report.report_request(
            actor=request.user, year=year, language=form.cleaned_data["language"]
        )
        messages.success(
            request,
            gettext("The report is being prepared.")
            if created
            else gettext("This report is already being prepared."),
        )
        return redirect(f"{reverse('clinic_statistics:indicators')}?year={year}")


class ActivityReportPDFView(RoleRequired(can_read_statistics), View):
    """A prepared report's PDF, exactly as rendered; the download is logged."""

    def get(self, request, pk: int):
        report = get_object_or_404(ActivityReport.objects.defer("pdf"), pk=pk)
        pdf = annual_report.report_pdf(actor=request.user, report=report)
        if pdf is None:
            messages.info(request, gettext("The report is being prepared."))
            return redirect(f"{reverse('clinic_statistics:indicators')}?year={report.year}")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report.pdf_filename}"'
        return response


class IndicatorsCSVView(RoleRequired(can_read_statistics), View):
    """The indicators of the page, one row each, for a spreadsheet, as they may leave the
    clinic: small cells hidden by secondary suppression (clinic_statistics.exports); written
    to the access log with its question."""

    def get(self, request):
        form = IndicatorsQueryForm.from_query(request.GET)
        if not form.is_valid():
            raise InvalidParameter(
                " ".join(str(error) for errors in form.errors.values() for error in errors)
            )
        question = form.question()
        figures = indicators.indicators(request.user, question)
        record_access(
            actor=request.user,
            action=Action.EXPORT,
            object_type="clinic_statistics.indicators",
            label=format_lazy(
                gettext_lazy("Statistics export: the indicators of {year} ({filters})"),
                year=question.year,
                filters=", ".join(f"{k}={v}" for k, v in question.filters().items()) or "-",
            ),
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="indicators-{question.year}.csv"'
        writer = csv.writer(response)
        writer.writerow(exports.COLUMNS)
        for row in exports.published_rows(figures):
            writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
        return response
