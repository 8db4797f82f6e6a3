"""The annual activity report: the year's indicators as a PDF in French, Dutch or English, on
the letters' letterhead, fonts and PDF/A, with charts; every figure beside its definition
(docs/statistics.md, "The annual activity report").

A request is a row (ActivityReport); a worker renders it once (common.render_once), never a
web request: WeasyPrint stays out of web processes."""

import hashlib
from typing import cast

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from audit.services import Action, record_access
from casework.services import session_counts_update
from clinic_statistics import indicators
from clinic_statistics.charts import bar_svg
from clinic_statistics.models import ActivityReport
from common import after_response, render_once
from common.db import on_commit_once
from reports import wording
from reports.rendering import letterhead, place

# The tables drawn as bar charts, in the order they come in the report.
CHARTED = ("referral_source", "exit_reason", "letters_by_type")


class _RenderAfterCommit:
    """One report queued for its worker when the transaction that asked for it commits."""

    def __init__(self, report_id: int):
        self.report_id = report_id

    def __eq__(self, other) -> bool:
        return isinstance(other, _RenderAfterCommit) and other.report_id == self.report_id

    __hash__ = None  # type: ignore[assignment]

    def __call__(self) -> None:
        from clinic_statistics.tasks import render_activity_report

        after_response.queue(render_activity_report, self.report_id)


def report_request(*, actor, year: int, language: str) -> tuple[ActivityReport, bool]:
    """Ask for the report of a year in a language: a new row, rendered by a worker once the
    transaction commits; or, if the same report is already being prepared, that one (False),
    queued again if nobody is rendering it."""
    try:
        with transaction.atomic():
            report = ActivityReport.objects.create(year=year, language=language, requested_by=actor)
    except IntegrityError:  # the same year and language, still being prepared
        pending = ActivityReport.objects.defer("pdf").get(
            year=year, language=language, pdf_sha256=""
        )
        # Nobody is rendering it (its task was lost, its worker killed): queued again, so that
        # asking again is the way out of a report stuck "being prepared".
        if ActivityReport.objects.filter(render_once.unclaimed(), pk=pending.pk).exists():
            on_commit_once(_RenderAfterCommit(pending.pk), robust=True)
        return pending, False
    on_commit_once(_RenderAfterCommit(report.pk), robust=True)
    return report, True


def charts(figures: indicators.Indicators) -> list[tuple[str, str]]:
    """The charted tables as bar charts: (the table's key, its SVG), for the report and the
    page alike, in the language active."""
    return [
        (table.key, bar_svg(table.title, [(row.label, row.count) for row in table.rows]))
        for table in (figures.table(key) for key in CHARTED)
    ]


def context(report: ActivityReport) -> dict:
    """What the template gets: the indicators computed in the report's language for the
    patients its requester may see, the charts drawn in that language."""
    with translation.override(report.language):
        figures = indicators.indicators(report.requested_by, indicators.Question(year=report.year))
        drawn = [
            # pygal's own SVG, its labels escaped by lxml: drawn inline, WeasyPrint takes no
            # data: URL
            {"key": key, "svg": mark_safe(svg)}  # noqa: S308
            for key, svg in charts(figures)
        ]
        return {
            "report": {
                "year": report.year,
                "language": report.language,
                "letterhead": letterhead(),
                "place": place(report.language),
                "date": wording.day(timezone.localdate()),
            },
            "indicators": figures,
            "charts": drawn,
        }


def report_html(report: ActivityReport) -> str:
    values = context(report)
    with translation.override(report.language):
        return render_to_string("clinic_statistics/activity_report.html", values)


def report_render(report_id: int) -> bool:
    """Render the PDF once, whatever the number of deliveries: claim, render outside any
    transaction, store only if nothing is stored yet. Returns whether this call rendered it."""
    from common.pdf import render_pdf

    report = ActivityReport.objects.select_related("requested_by").filter(pk=report_id).first()
    if report is None or report.pdf_sha256:
        return False
    if not render_once.claim(ActivityReport, report_id):
        return False
    # A report is kept: the sessions changed since the last count are counted first, rather
    # than the report saying that some are still being counted.
    session_counts_update()
    pdf = render_pdf(report_html(report))
    return render_once.store(
        ActivityReport, report_id, pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest()
    )


def report_pdf(*, actor, report: ActivityReport) -> bytes | None:
    """The stored PDF as rendered (None while being prepared); the download is logged."""
    pdf, digest = ActivityReport.objects.values_list("pdf", "pdf_sha256").get(pk=report.pk)
    if not digest:
        return None
    record_access(
        actor=actor,
        action=Action.EXPORT,
        obj=report,
        label=gettext_lazy("Statistics export: the annual activity report"),
    )
    return bytes(cast(bytes | memoryview, pdf))


def reports_render_pending() -> list[int]:
    """Queue again the reports still without a PDF that nobody is rendering: their task was
    lost (a broker restarted, a worker killed). The render itself stays idempotent."""
    from clinic_statistics.tasks import render_activity_report

    pending = list(
        ActivityReport.objects.filter(pdf_sha256="")
        .filter(render_once.unclaimed())
        .values_list("pk", flat=True)
    )
    for report_id in pending:
        render_activity_report.delay(report_id)
    return pending
