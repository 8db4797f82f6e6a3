"""The Kaplan–Meier curves drawn as SVG by pygal, for the page (and later a PDF through
WeasyPrint). A curve is a step function: it is given the corners of its steps.

pygal writes a <style> element, style attributes and a <script> of its tooltips' settings,
all of which the pages' Content-Security-Policy forbids inline (style-src and script-src are
'self'). So the script is taken out (the SVG stays static: nothing in it runs) and the SVG is
shown as an image, <img src="data:image/svg+xml;base64,…">, which img-src allows: an SVG image
is its own document, whose styles are its own and whose scripts never run. The table under
the chart carries the same numbers, and the image's alt text says what it shows."""

import base64
import math
from collections.abc import Callable, Sequence

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from clinic_statistics.follow_up import Curve

INK, BAND, MUTED, GUIDE = "#1f3a5f", "#6b86a8", "#5d6673", "#e3e7ec"
SVG = "{http://www.w3.org/2000/svg}"


def _corners(curve: Curve, value) -> list[tuple[float, float]]:
    """The step function from (0, 1): flat until each step, then down (or up, for a bound).
    Only the steps that change the level make corners: the estimate and its bounds move at
    events only, and a step that censors alone would put two more points on a flat line (the
    curve of 10,000 patients has a step for nearly every day of the window, and pygal's cost
    is per point)."""
    points = [(0.0, 1.0)]
    level = 1.0
    for step in curve.steps:
        new = value(step)
        if new is None or new == level:
            continue
        points += [(step.months, level), (step.months, new)]
        level = new
    if curve.steps:
        points.append((curve.steps[-1].months, level))
    return points


def _percent(value: float) -> str:
    return _("%(percent)s%%") % {"percent": number_format(value * 100, 0)}


def survival_svg(
    curve: Curve, *, window_years: int, label: str, at_risk: Sequence[int] = ()
) -> str:
    """The curve and its 95% interval as a static SVG document (text); with `at_risk` (the
    number still followed at each year), those numbers under the year's tick, as survival
    charts print them."""
    import pygal  # loaded when a chart is first drawn

    style = _style(
        colors=(INK, BAND, BAND),
        stroke_opacity="1",
        stroke_opacity_hover="1",
        font_family="DejaVu Sans, Liberation Sans, Arial, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
        title_font_size=14,
    )
    window = window_years * 12
    chart = pygal.XY(
        style=style,
        js=[],
        disable_xml_declaration=True,
        width=720,
        height=340,
        show_dots=False,
        range=(0, 1),
        xrange=(0, window),
        x_labels=list(range(0, window + 1, 12)),
        x_labels_major_every=1,
        y_labels=[i / 10 for i in range(11)],
        value_formatter=_percent,
        x_value_formatter=lambda months: number_format(months, 0),
        x_title=_("Months since the start of treatment"),
        y_title=_("Without the event"),
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        truncate_legend=-1,
        title=label,
        print_values=False,
        interpolate=None,
    )
    chart.add(
        _("Kaplan–Meier estimate"),
        _corners(curve, lambda s: s.survival),
        stroke_style={"width": 3},
    )
    dashed = {"width": 1.5, "dasharray": "6, 4"}
    level = _percent(0.95)
    low = _("%(level)s interval, lower bound") % {"level": level}
    high = _("%(level)s interval, upper bound") % {"level": level}
    chart.add(low, _corners(curve, lambda s: s.ci_low), stroke_style=dashed)
    chart.add(high, _corners(curve, lambda s: s.ci_high), stroke_style=dashed)
    if not at_risk:
        return _static(chart)
    return _static(chart, lambda tree, etree: _numbers_at_risk(tree, etree, at_risk))


def _numbers_at_risk(tree, etree, at_risk: Sequence[int]) -> None:
    """Writes each number under its tick of the x axis (one tick a year), "At risk" before the
    first, and moves the axis title below them."""

    def classes(element) -> str:
        return element.get("class") or ""

    def is_text(element) -> bool:
        return element.tag in ("text", f"{SVG}text")

    def text(parent, x: float, y: float, words: str, anchor: str) -> None:
        written = etree.SubElement(parent, "text")
        for name, value in (("x", x), ("y", y)):
            written.set(name, str(value))
        written.set("style", f"text-anchor: {anchor}")  # pygal's own CSS would override it
        written.set("font-size", "11")
        written.set("fill", MUTED)
        written.text = words

    axis = next(g for g in tree.iter() if classes(g).startswith("axis x"))
    ticks = [(guide, t) for guide in axis for t in guide if is_text(t)]
    for (guide, tick), number in zip(ticks, at_risk, strict=False):
        text(guide, float(tick.get("x")), float(tick.get("y")) + 17, str(number), "middle")
    if ticks:
        first = ticks[0][1]
        text(axis, float(first.get("x")) - 16, float(first.get("y")) + 17, _("At risk"), "end")
    title = _("Months since the start of treatment")
    for element in tree.iter():
        if is_text(element) and element.text == title:
            element.set("y", str(float(element.get("y")) + 12))


def _style(**chosen):
    """The clinic's chart style: white, the letters' ink, light guides, no dashes; each chart
    chooses its colours and sizes."""
    from pygal.style import Style

    return Style(
        background="white",
        plot_background="white",
        foreground=MUTED,
        foreground_strong=INK,
        foreground_subtle=GUIDE,
        opacity="1",
        guide_stroke_color=GUIDE,
        major_guide_stroke_color=GUIDE,
        guide_stroke_dasharray="0",
        major_guide_stroke_dasharray="0",
        **chosen,
    )


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _static(chart, touch: Callable | None = None) -> str:
    """The chart's SVG without its script (see above), as text; `touch(tree, etree)` may add
    to the tree first."""
    from pygal.etree import etree  # lxml's or the standard library's, as pygal chose

    tree = chart.render_tree()
    for parent in tree.iter():
        for child in list(parent):
            if child.tag in ("script", f"{SVG}script"):
                parent.remove(child)
    if touch is not None:
        touch(tree, etree)
    return etree.tostring(tree, encoding="unicode")


def bar_svg(title: str, rows: list[tuple[str, int]]) -> str:
    """A horizontal bar per row (a table of the indicators: label, count) as a static SVG
    document: shown on a page as a data: image, and inline in the annual report, which
    WeasyPrint draws. Every count is printed on its bar; the report's table beside it carries
    the same numbers."""
    import pygal  # loaded when a chart is first drawn

    style = _style(
        colors=(INK,),
        value_colors=("white",),
        opacity_hover="1",
        font_family="Liberation Sans, DejaVu Sans, Arial, sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        value_font_size=11,
        title_font_size=13,
    )
    top = max([count for _label, count in rows] + [1])
    step = max(1, math.ceil(top / 5))
    top = step * math.ceil(top / step)
    chart = pygal.HorizontalBar(
        style=style,
        js=[],
        disable_xml_declaration=True,
        width=720,
        height=max(160, 60 + 26 * len(rows)),
        title=title,
        show_legend=False,
        print_values=True,
        print_zeroes=True,
        value_formatter=lambda count: number_format(count, 0),
        truncate_label=-1,
        y_labels=list(range(0, top + 1, step)),
    )
    # pygal draws the first bar at the bottom: given bottom-up, they read as the table does.
    chart.x_labels = [label for label, _count in reversed(rows)]
    chart.add(title, [count for _label, count in reversed(rows)])
    return _static(chart)
