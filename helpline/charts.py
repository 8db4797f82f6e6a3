"""Server-side SVG bars for the helpline's statistics: presentation attributes only (the pages'
CSP allows no style attribute). A hidden count is drawn as a short pale stub labelled "×", never
at its length, so that the chart gives away nothing the table hides."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from helpline.statistics import HIDDEN

WIDTH, BAR, GAP, LABEL_WIDTH, PAD = 640, 16, 8, 260, 40
INK, MUTED = "#1f3a5f", "#5d6673"
CHAR_WIDTH = 0.6 * 12


def _label(text: str) -> str:
    most = int(LABEL_WIDTH / CHAR_WIDTH) - 1
    return text if len(text) <= most else text[: most - 1] + "…"


def bars_svg(rows: list[tuple[str, int, bool]], *, title: str) -> SafeString:
    """One horizontal bar per (label, count, hidden), each count written at the end of its bar."""
    if not rows or not any(count for _, count, _ in rows):
        return SafeString("")
    # the scale comes from the shown counts only: a hidden one must not stretch or shrink it
    largest = max((count for _, count, hidden in rows if not hidden), default=0)
    room = WIDTH - LABEL_WIDTH - PAD
    stub = 6
    height = len(rows) * (BAR + GAP) + GAP
    parts = []
    for index, (label, count, hidden) in enumerate(rows):
        y = GAP + index * (BAR + GAP)
        value = HIDDEN if hidden else count
        length = stub if hidden else (room * count / largest if largest else 0)
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
                MUTED if hidden else INK,
                SafeString(' fill-opacity="0.4"') if hidden else "",
                f"{LABEL_WIDTH + length + 6:.1f}",
                y + BAR - 4,
                INK,
                value,
            )
        )
    summary = ", ".join(f"{label}: {HIDDEN if hidden else count}" for label, count, hidden in rows)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-label="{}" class="chart"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        f"{title}: {summary}",
        f"{title}: {summary}",
        format_html_join("", "{}", ((part,) for part in parts)),
    )
