"""French and Dutch from the start: complete catalogues, compiled, and used by the pages."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
ENTRY = re.compile(r'^msgid "(.+)"\nmsgstr "(.+)"$', re.MULTILINE)


def catalogue(language: str) -> str:
    return (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()


def entries(language: str):
    """Single-line, singular entries: enough to check the compiled file against its source."""
    for msgid, msgstr in ENTRY.findall(catalogue(language)):
        if msgid:
            yield msgid.replace('\\"', '"'), msgstr.replace('\\"', '"')


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_string_is_translated_and_none_is_fuzzy(language):
    text = catalogue(language)
    blocks = text.split("\n\n")[1:]  # after the header

    untranslated = [b for b in blocks if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', b, re.M)]
    assert untranslated == []
    assert "#, fuzzy" not in text


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_compiled_catalogue_matches_its_source(language):
    checked = 0
    with translation.override(language):
        for msgid, msgstr in entries(language):
            assert translation.gettext(msgid) == msgstr, msgid
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Journal des accès"), ("nl", "Toegangslogboek")]
)
def test_pages_speak_the_chosen_language(language, expected, clinical_lead, client_for):
    client = client_for(clinical_lead)
    client.post(reverse("set_language"), {"language": language, "next": "/"})

    page = client.get(reverse("casework:dashboard")).content.decode()

    assert f'<html lang="{language}"' in page
    assert expected in page


def test_the_login_page_follows_the_browsers_language(db, client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9").content.decode()

    assert '<html lang="nl"' in page
    assert "Inloggen" in page
