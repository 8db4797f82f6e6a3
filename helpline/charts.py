"""Server-side SVG bars for the helpline's statistics: presentation attributes only (the pages'
CSP allows no style attribute). A suppressed count is drawn as a short hatched stub labelled
"<5", never at its length, so that the chart gives away nothing the table hides."""

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from helpline.statistics import shown

WIDTH, BAR, GAP, LABEL_WIDTH, PAD = 640, 16, 8, 260, 40
INK, MUTED = "#1f3a5f", "#5d6673"
CHAR_WIDTH = 0.6 * 12


def _label(text: str) -> str:
    most = int(LABEL_WIDTH / CHAR_WIDTH) - 1
    return text if len(text) <= most else text[: most - 1] + "…"


def bars_svg(rows: list[tuple[str, int]], *, title: str) -> SafeString:
    """One horizontal bar per (label, count), each count written at the end of its bar."""
    if not rows or not any(count for _, count in rows):
        return SafeString("")
    largest = max(count for _, count in rows)
    room = WIDTH - LABEL_WIDTH - PAD
    stub = 6
    height = len(rows) * (BAR + GAP) + GAP
    parts = []
    for index, (label, count) in enumerate(rows):
        y = GAP + index * (BAR + GAP)
        value = shown(count)
        small = 0 < count < settings.HELPLINE_SMALL_CELL
        length = stub if small else (room * count / largest if largest else 0)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>'
                '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
                LABEL_WIDTH - 8,
                y + BAR - 4,
                INK,
                _label(label),
                LABEL_WIDTH,
                y,
                f"{length:.1f}",
                BAR,
                MUTED if small else INK,
                SafeString(' fill-opacity="0.4"') if small else "",
                f"{LABEL_WIDTH + length + 6:.1f}",
                y + BAR - 4,
                INK,
                value,
            )
        )
    summary = ", ".join(f"{label}: {shown(count)}" for label, count in rows)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-label="{}" class="chart"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        f"{title}: {summary}",
        f"{title}: {summary}",
        format_html_join("", "{}", ((part,) for part in parts)),
    )
