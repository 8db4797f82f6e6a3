"""Server-side SVG: a small line chart of totals over time, for pages and, later, PDFs."""

import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, PAD_LEFT, PAD, PAD_BOTTOM = 560, 180, 36, 14, 28


def trend_svg(
    points: list[tuple[datetime.date, int]], *, low: int, high: int, label: str
) -> SafeString:
    """A line of (date, total) points between `low` and `high`; the totals are labelled, so
    the chart reads without colour and a screen reader gets the figures from its title."""
    if not points:
        return SafeString("")
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    span = max(last - first, 1)

    def x(day: datetime.date) -> float:
        if len(points) == 1:
            return PAD_LEFT + (WIDTH - PAD_LEFT - PAD) / 2
        return PAD_LEFT + (day.toordinal() - first) / span * (WIDTH - PAD_LEFT - PAD)

    def y(total: int) -> float:
        return PAD + (high - total) / max(high - low, 1) * (HEIGHT - PAD - PAD_BOTTOM)

    summary = ", ".join(f"{day:%d/%m/%Y}: {total}" for day, total in points)
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#e3e7ec"/>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#5d6673">{}</text>',
        (
            (
                PAD_LEFT,
                WIDTH - PAD,
                f"{y(v):.1f}",
                f"{y(v):.1f}",
                PAD_LEFT - 6,
                f"{y(v) + 3:.1f}",
                v,
            )
            for v in sorted({low, high, (low + high) // 2})
        ),
    )
    line = " ".join(f"{x(day):.1f},{y(total):.1f}" for day, total in points)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="#1f3a5f"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#1f3a5f">{}</text>'
        '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#5d6673">{}</text>',
        (
            (
                f"{x(day):.1f}",
                f"{y(total):.1f}",
                f"{x(day):.1f}",
                f"{y(total) - 8:.1f}",
                total,
                f"{x(day):.1f}",
                HEIGHT - 8,
                f"{day:%m/%Y}",
            )
            for day, total in points
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'class="trend" aria-label="{}"><title>{}</title>{}'
        '<polyline points="{}" fill="none" stroke="#1f3a5f" stroke-width="2"/>{}</svg>',
        WIDTH,
        HEIGHT,
        f"{label}: {summary}",
        f"{label}: {summary}",
        grid,
        line,
        dots,
    )
