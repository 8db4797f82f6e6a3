"""Server-side SVG: a small line chart of totals over time, for the assessments page.

Presentation attributes only (no style attribute, no script): the pages' CSP allows neither,
and a PDF renderer would need none. The chart reads without colour: every total is written above
its point, the level bands are told apart by dashed boundaries and named at the side, and a
screen reader gets the figures, with their levels, from the title.
"""

import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from assessments.instruments.base import BandTable

WIDTH, PLOT_HEIGHT = 640, 150  # 640: the width of a card's text column (40rem)
MIN_PLOT_WIDTH = 320  # long band labels (a translation) widen the chart rather than this
PAD_LEFT = 36  # the totals of the grid lines
PAD_TOP = 20  # the total written above the highest point
PAD_BOTTOM = 28  # the dates
PAD_RIGHT = 14  # without bands; with bands, their labels' column
INSET = 30  # the first and last points stand this far inside, so their dates are never cut
FONT, SMALL = 12, 11
# An average character's width, in ems, a little generous: the band labels are measured on
# the server, since the SVG must leave them room before any browser draws them.
CHAR_WIDTH = 0.6
DATE_GAP = 56  # the least room between two dates' centres ("11/2026" is about 46 wide)
LABEL_GAP = SMALL + 2  # the least room between two band labels' baselines

INK, MUTED, GRID, BOUNDARY = "#1f3a5f", "#5d6673", "#e3e7ec", "#aab3bf"
FILLS = ("#e9eef5", "#f7f8fa")  # light, alternating: the band is told by its boundary and name


def _n(value: float) -> str:
    """A coordinate, to a tenth (format_html escapes its arguments before any format spec)."""
    return f"{value:.1f}"


def _text_width(text: str, size: int) -> float:
    return len(text) * size * CHAR_WIDTH


def trend_svg(
    points: list[tuple[datetime.date, int]],
    *,
    low: int,
    high: int,
    label: str,
    bands: BandTable | None = None,
) -> SafeString:
    """A line of (date, total) points between `low` and `high`, over the bands of `bands`
    (the instrument's main band table) shaded and named at the right."""
    if not points:
        return SafeString("")
    band_rows = _bands_in_range(bands, low, high) if bands else []
    gutter = (
        max(_text_width(str(band.label), SMALL) for band, _, _ in band_rows) + 16
        if band_rows
        else PAD_RIGHT
    )
    plot_width = max(WIDTH - PAD_LEFT - round(gutter), MIN_PLOT_WIDTH)
    width = PAD_LEFT + plot_width + round(gutter)
    height = PAD_TOP + PLOT_HEIGHT + PAD_BOTTOM
    right = PAD_LEFT + plot_width
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    span = max(last - first, 1)

    def x(day: datetime.date) -> float:
        if len(points) == 1:
            return PAD_LEFT + plot_width / 2
        return PAD_LEFT + INSET + (day.toordinal() - first) / span * (plot_width - 2 * INSET)

    def y(total: float) -> float:
        # Half a point beyond each end: a band of whole totals fills its rows exactly.
        return PAD_TOP + (high + 0.5 - total) / (high - low + 1) * PLOT_HEIGHT

    shading = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
        (
            (
                PAD_LEFT,
                _n(y(top + 0.5)),
                plot_width,
                _n(y(bottom - 0.5) - y(top + 0.5)),
                FILLS[i % 2],
            )
            for i, (_band, bottom, top) in enumerate(band_rows)
        ),
    )
    boundaries = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-dasharray="4 3"/>',
        (
            (PAD_LEFT, right, _n(y(top + 0.5)), _n(y(top + 0.5)), BOUNDARY)
            for _, _, top in band_rows[:-1]
        ),
    )
    band_labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
        (
            (right + 8, _n(baseline), SMALL, MUTED, str(band.label))
            for (band, _, _), baseline in zip(
                band_rows,
                _spread([y((bottom + top) / 2) + SMALL / 3 for _, bottom, top in band_rows]),
                strict=True,
            )
        ),
    )
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
        '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>',
        (
            (PAD_LEFT, right, _n(y(v)), _n(y(v)), GRID, PAD_LEFT - 6, _n(y(v) + 3), SMALL, MUTED, v)
            for v in sorted({low, high, (low + high) // 2})
        ),
    )
    line = " ".join(f"{x(day):.1f},{y(total):.1f}" for day, total in points)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="{}"/>'
        '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}" '
        'stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>',
        ((x(day), y(total), INK, x(day), y(total) - 8, FONT, INK, total) for day, total in points),
    )
    dates = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>',
        (
            (_n(x(day)), height - 8, SMALL, MUTED, f"{day:%m/%Y}")
            for day in _dates_with_room(points, x)
        ),
    )
    summary = ", ".join(_point_summary(day, total, bands) for day, total in points)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" class="trend" aria-label="{}"><title>{}</title>{}{}{}{}'
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>{}{}</svg>',
        width,
        height,
        width,
        height,
        f"{label}: {summary}",
        f"{label}: {summary}",
        shading,
        boundaries,
        grid,
        band_labels,
        line,
        INK,
        dots,
        dates,
    )


def _bands_in_range(table: BandTable, low: int, high: int) -> list[tuple]:
    """(band, lowest total, highest total) of each band, within [low, high], lowest first."""
    rows = []
    for band in table.bands:
        bottom = low if band.lower is None else max(band.lower, low)
        top = high if band.upper is None else min(band.upper, high)
        if bottom <= top:
            rows.append((band, bottom, top))
    return sorted(rows, key=lambda row: row[1])


def _spread(baselines: list[float]) -> list[float]:
    """Band labels at their bands' middles (lowest band first, so descending y), moved apart
    where a narrow band would make two of them overlap."""
    spread: list[float] = []
    for baseline in baselines:
        if spread and spread[-1] - baseline < LABEL_GAP:
            baseline = spread[-1] - LABEL_GAP
        spread.append(baseline)
    return spread


def _dates_with_room(points, x) -> list[datetime.date]:
    """The dates to write under the axis: the first, the last, and between them as many as
    fit without overlapping."""
    days = [day for day, _ in points]
    kept = [days[0]]
    for day in days[1:]:
        if x(day) - x(kept[-1]) >= DATE_GAP:
            kept.append(day)
    if kept[-1] != days[-1]:
        if len(kept) > 1 and x(days[-1]) - x(kept[-1]) < DATE_GAP:
            kept.pop()
        kept.append(days[-1])
    return kept


def _point_summary(day: datetime.date, total: int, bands: BandTable | None) -> str:
    text = f"{day:%d/%m/%Y}: {total}"
    if bands is None:
        return text
    band = next((b for b in bands.bands if b.contains(total)), None)
    return f"{text} ({band.label})" if band else text
