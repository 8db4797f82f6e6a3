"""The trend chart on the history page: nothing cut at its edges, the instrument's level bands
shaded and named, and readable by a screen reader."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from assessments import services
from tests.assessments.helpers import save

SVG = "{http://www.w3.org/2000/svg}"
HIGHEST = {
    "1": "20.0",
    "2": "no",
    "3": "yes",
    "4": "yes",
    "5c": 9,
    "5v": 9,
    "6": 9,
    "7": "yes",
    "8": "yes",
    "9": "yes",
    "10": "yes",
}  # 12
LOWEST = {**dict.fromkeys(HIGHEST, "no"), "1": "60.0", "2": "yes", "5c": 0, "5v": 0, "6": 0}


def sign(patient, user, instrument, day, responses=None, facts=None):
    draft = save(patient, user, instrument, responses=responses, facts=facts, assessed_on=day)
    return services.assessment_sign(actor=user, assessment=draft)


def charts(client, patient) -> dict[str, ET.Element]:
    page = client.get(reverse("assessments:list", args=[patient.pk])).content.decode()
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    parsed = [ET.fromstring(svg) for svg in svgs]  # noqa: S314 (our own page's markup)
    return {svg.find(f"{SVG}title").text.split(":")[0]: svg for svg in parsed}


def extent(text: ET.Element) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a text, at a generous 0.6 em a character."""
    x, y, size = float(text.get("x")), float(text.get("y")), float(text.get("font-size"))
    width = len(text.text) * size * 0.6
    left = {"middle": x - width / 2, "end": x - width}.get(text.get("text-anchor"), x)
    return left, y - size, left + width, y


@pytest.fixture
def static_history(patient, treating_psychologist):
    sign(patient, treating_psychologist, "static99r", datetime.date(2024, 1, 15), HIGHEST)
    sign(patient, treating_psychologist, "static99r", datetime.date(2025, 6, 2))
    sign(patient, treating_psychologist, "static99r", datetime.date(2026, 11, 2), LOWEST)


def test_no_label_is_cut_at_the_edges(static_history, patient, treating_psychologist, client_for):
    svg = charts(client_for(treating_psychologist), patient)["Static-99R"]
    _, _, width, height = (float(v) for v in svg.get("viewBox").split())

    texts = svg.findall(f"{SVG}text")
    assert {"01/2024", "06/2025", "11/2026", "12", "-3"} <= {t.text for t in texts}
    for text in texts:
        left, top, right, bottom = extent(text)
        assert left >= 0 and right <= width, text.text
        assert top >= 0 and bottom <= height, text.text


def test_the_level_bands_are_shaded_and_named_at_the_side(
    static_history, patient, treating_psychologist, client_for
):
    svg = charts(client_for(treating_psychologist), patient)["Static-99R"]

    fills = [rect.get("fill") for rect in svg.findall(f"{SVG}rect")]
    boundaries = [line for line in svg.findall(f"{SVG}line") if line.get("stroke-dasharray")]
    names = [t.text for t in svg.findall(f"{SVG}text") if t.text.startswith("Level")]
    assert len(fills) == 5 and fills[0] != fills[1] and fills[0::2] == [fills[0]] * 3
    assert len(boundaries) == 4  # readable without colour: the bands are also outlined
    assert names == [
        "Level I: very low risk",
        "Level II: below average risk",
        "Level III: average risk",
        "Level IVa: above average risk",
        "Level IVb: well above average risk",
    ]
    plot_right = max(float(line.get("x2")) for line in boundaries)
    assert all(float(t.get("x")) > plot_right for t in svg.findall(f"{SVG}text") if t.text in names)


def test_the_chart_speaks_to_screen_readers(
    static_history, patient, treating_psychologist, client_for
):
    svg = charts(client_for(treating_psychologist), patient)["Static-99R"]

    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == (
        "Static-99R: 15/01/2024: 12 (Level IVb: well above average risk), "
        "02/06/2025: 4 (Level IVa: above average risk), "
        "02/11/2026: -3 (Level I: very low risk)"
    )
    assert svg.get("aria-label") == svg.find(f"{SVG}title").text


def test_stable_bands_follow_the_clinics_cut_points_and_acute_has_none(
    patient, treating_psychologist, client_for, settings
):
    settings.STABLE_2007_BANDS = "5,14"
    sign(patient, treating_psychologist, "stable2007", datetime.date(2026, 5, 1))
    sign(
        patient,
        treating_psychologist,
        "acute2007",
        datetime.date(2026, 10, 1),
        {str(n): "1" for n in range(1, 8)},
        {},
    )

    found = charts(client_for(treating_psychologist), patient)

    stable, acute = found["STABLE-2007"], found["ACUTE-2007"]
    assert [
        t.text for t in stable.findall(f"{SVG}text") if t.text in {"Low", "Moderate", "High"}
    ] == [
        "Low",
        "Moderate",
        "High",
    ]
    assert len(stable.findall(f"{SVG}rect")) == 3
    assert acute.findall(f"{SVG}rect") == []
    assert "(" not in acute.find(f"{SVG}title").text  # no levels to name
