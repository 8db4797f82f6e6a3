"""What a page looks like where people use it: on a phone, and with the keyboard."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import book

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours as the browser computes them ("rgb(r, g, b)")."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_outcome_form_fits_a_phone(page, log_in, patient, treating_psychologist):
    """On a 390 px screen the outcome form needs no sideways scrolling (it was 482 px wide)."""
    appointment = book(patient, treating_psychologist)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(treating_psychologist)

    page.goto(reverse("casework:outcome", args=[patient.pk, appointment.pk]))

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide"


def test_the_headers_keyboard_focus_stands_out_from_the_header(page, log_in, treating_psychologist):
    """The focus ring of a link in the dark header has at least 3:1 contrast against it
    (WCAG 2.2, 1.4.11 and 2.4.13): Pico's light blue ring was lost on the navy."""
    log_in(treating_psychologist)
    page.goto("/")
    link = page.locator(".site-header a").first

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the clinic's name, the header's first link
    expect(link).to_be_focused()
    style = link.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineColor, "
        "s.outlineWidth, getComputedStyle(document.querySelector('.site-header'))"
        ".backgroundColor]; }"
    )
    outline_style, outline_colour, outline_width, header = style
    assert outline_style != "none" and float(outline_width.removesuffix("px")) >= 2, style
    assert contrast(outline_colour, header) >= 3, style
