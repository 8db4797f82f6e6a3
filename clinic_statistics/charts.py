"""The Kaplan–Meier curves drawn as SVG by pygal, for the page (and later a PDF through
WeasyPrint). A curve is a step function: it is given the corners of its steps.

pygal writes a <style> element, style attributes and a <script> of its tooltips' settings,
all of which the pages' Content-Security-Policy forbids inline (style-src and script-src are
'self'). So the script is taken out (the SVG stays static: nothing in it runs) and the SVG is
shown as an image, <img src="data:image/svg+xml;base64,…">, which img-src allows: an SVG image
is its own document, whose styles are its own and whose scripts never run. The table under
the chart carries the same numbers, and the image's alt text says what it shows."""

import base64

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


def survival_svg(curve: Curve, *, window_years: int, label: str) -> str:
    """The curve and its 95% interval as a static SVG document (text)."""
    import pygal  # loaded when a chart is first drawn
    from pygal.style import Style

    style = Style(
        background="white",
        plot_background="white",
        foreground=MUTED,
        foreground_strong=INK,
        foreground_subtle=GUIDE,
        colors=(INK, BAND, BAND),
        opacity="1",
        stroke_opacity="1",
        stroke_opacity_hover="1",
        guide_stroke_color=GUIDE,
        major_guide_stroke_color=GUIDE,
        guide_stroke_dasharray="0",
        major_guide_stroke_dasharray="0",
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
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in list(parent):
            if child.tag in ("script", f"{SVG}script"):
                parent.remove(child)
    from pygal.etree import etree  # lxml's or the standard library's, as pygal chose

    return etree.tostring(tree, encoding="unicode")


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
