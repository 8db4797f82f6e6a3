"""The PDF maker reads only our static files: the bundled fonts and stylesheet, nothing else;
and what it makes is fit for an archive (PDF/A-2b, ISO 19005-2)."""

import subprocess

import pytest
from django.core.management import call_command
from django.template import Context, Template

from common.pdf import RefusedResource, render_pdf, static_path
from tests.reports.pdf_helpers import (
    output_intents,
    pdf_fonts,
    pdf_pages,
    pdf_text,
    pdfa_identification,
)

SHEET = '<link rel="stylesheet" href="/static/css/letter.css">'


def test_a_letter_uses_the_fonts_bundled_with_the_project():
    pdf = render_pdf(f"<html><head>{SHEET}</head><body><p>Bonjour, <b>Liège</b></p></body></html>")

    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    listing = fonts.stdout.decode()
    assert "Letter-Serif" in listing  # the @font-face of letter.css, from static/fonts
    assert "DejaVu" not in listing  # not the server's fonts: the letter looks the same anywhere
    assert pdf_text(pdf).startswith("Bonjour, Liège")
    assert pdf_pages(pdf) == 1


def test_a_pdf_is_made_for_the_archive_pdfa_2b_with_every_font_embedded():
    pdf = render_pdf(
        f"<html><head>{SHEET}</head><body><p>Bonjour, <b>Liège</b> <i>(copie)</i></p>"
        "<p style=\"font-family: 'Letter Sans'\">1 / 1</p></body></html>"
    )

    assert pdf.startswith(b"%PDF-1.7")  # PDF/A-2 is built on PDF 1.7 (ISO 32000-1)
    assert pdfa_identification(pdf) == ("2", "B")  # ISO 19005-2, level B, in the XMP
    assert output_intents(pdf) == ["/GTS_PDFA1"]  # with its sRGB ICC profile
    fonts = pdf_fonts(pdf)
    assert len(fonts) >= 3 and all(fonts.values()), fonts  # ISO 19005-2, 6.2.11.4: embedded


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://example.org/tracker.png">',
        '<img src="http://127.0.0.1:8000/static/favicon.svg">',
        '<img src="file:///etc/passwd">',
        '<img src="/static/../config/settings/base.py">',
        '<img src="/static/%2e%2e/pyproject.toml">',
        '<img src="/media/anything.png">',
        '<img src="/static/fonts/missing.ttf">',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<link rel="stylesheet" href="https://fonts.example.org/css">',
        "<style>@import url(http://example.org/x.css);</style>",
    ],
)
def test_anything_but_our_static_files_is_refused(html):
    with pytest.raises(RefusedResource):
        render_pdf(f"<html><body>{html}<p>x</p></body></html>")


def test_static_paths_are_read_from_the_static_url_only():
    assert static_path("https://letter.invalid/static/fonts/LiberationSerif-Regular.ttf") == (
        "fonts/LiberationSerif-Regular.ttf"
    )
    assert static_path("https://letter.invalid/static/css/../fonts/x.ttf") is None
    assert static_path("https://letter.invalid/static/css/letter.css?v=2") is None
    assert static_path("https://elsewhere.invalid/static/css/letter.css") is None


def test_a_letter_renders_with_productions_static_files_named_by_their_hash(settings, tmp_path):
    """Production collects the static files with their content's hash in each name (the
    manifest storage); the letter's stylesheet and fonts are found under those names too."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    sheet = Template(
        '{% load static %}<link rel="stylesheet" href="{% static "css/letter.css" %}">'
    )
    html = sheet.render(Context())
    assert "letter.css" not in html  # a hashed name: css/letter.<hash>.css

    pdf = render_pdf(f"<html><head>{html}</head><body><p>Bonjour, <b>Liège</b></p></body></html>")

    assert (
        "Letter-Serif"
        in subprocess.run(
            ["pdffonts", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    )
