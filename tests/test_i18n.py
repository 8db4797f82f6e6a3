"""French and Dutch from the start: complete catalogues, compiled, and used by the pages."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import dateformat, formats, translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
ENTRY = re.compile(r'^(?:msgctxt "(.*)"\n)?msgid "(.+)"\nmsgstr "(.+)"$', re.MULTILINE)


def catalogue(language: str) -> str:
    return (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()


def entries(language: str):
    """Single-line, singular entries: enough to check the compiled file against its source."""
    for context, msgid, msgstr in ENTRY.findall(catalogue(language)):
        if msgid:
            yield context, msgid.replace('\\"', '"'), msgstr.replace('\\"', '"')


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
        for context, msgid, msgstr in entries(language):
            found = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            assert found == msgstr, msgid
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Journal des accès"), ("nl", "Toegangslogboek")]
)
def test_pages_speak_the_chosen_language(language, expected, clinical_lead, client_for):
    client = client_for(clinical_lead)
    client.post(reverse("set_language"), {"language": language, "next": "/"})

    page = client.get(reverse("workspace:dashboard")).content.decode()

    assert f'<html lang="{language}"' in page
    assert expected in page


def test_the_login_page_follows_the_browsers_language(db, client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9").content.decode()

    assert '<html lang="nl"' in page
    assert "Inloggen" in page


# --- dates: Django writes the day and month names; the project's catalogue must leave them be.
# Django looks them up with the same msgids as any other string ("Monday", "February"), and
# the project's catalogue (LOCALE_PATHS) wins over Django's own. An entry for one of those
# msgids with another translation changes every date of the site: the therapy groups'
# weekday choices (casework/models/groups.py) made "Monday".."Sunday" entries, translated
# "Lundi".."Dimanche" and "Maandag".."Zondag", so "l j F Y" reads "Mardi 10 février 2026"
# mid-sentence instead of "mardi 10 février 2026".

SAMPLE_DAYS = [datetime.date(2026, 2, 9) + datetime.timedelta(days=n) for n in range(7)] + [
    datetime.date(2026, month, 10) for month in range(1, 13)
]
NAMES = "l|D|F|N|b|E"  # weekday, its abbreviation, month, its abbreviations, standalone month


def date_names(language: str) -> list[str]:
    with translation.override(language):
        return [dateformat.format(day, NAMES) for day in SAMPLE_DAYS]


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_catalogue_leaves_djangos_day_and_month_names_alone(language, settings):
    ours = date_names(language)
    settings.LOCALE_PATHS = []  # Django's catalogues only (the signal drops cached catalogues)

    assert ours == date_names(language)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "mardi 10 février 2026"), ("nl", "dinsdag 10 februari 2026")],
)
def test_a_date_with_its_weekday_reads_in_lower_case_mid_sentence(language, expected):
    with translation.override(language):
        assert dateformat.format(datetime.date(2026, 2, 10), "l j F Y") == expected


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_month_names_are_lower_case_mid_sentence(language):
    months = [datetime.date(2026, month, 10) for month in range(1, 13)]
    with translation.override(language):
        written = [formats.date_format(day, "DATE_FORMAT") for day in months] + [
            dateformat.format(day, "j N Y, j b Y") for day in months
        ]

    assert [text for text in written if text != text.lower()] == []
