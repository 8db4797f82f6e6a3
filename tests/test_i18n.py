"""French and Dutch from the start: complete catalogues that hold what the source says, compiled,
and used by the pages; and German for what a letter prints (the interface speaks en/fr/nl,
letters also go out in German)."""

import contextlib
import datetime
import html
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import dateformat, formats, translation

from accounts.roles import Role
from casework import services as casework_services
from casework.models import Appointment, Episode
from reports import catalogue as letter_catalogue
from reports import rendering
from reports import services as letters
from tests.conftest import require
from tests.factories import (
    AuthorityFactory,
    JusticeContactFactory,
    assign,
    book,
    mandate_data,
    record,
    register_patient,
)
from tests.reports.test_letters import draft, the_episode_for

LOCALE = Path(__file__).resolve().parent.parent / "locale"
ENTRY = re.compile(r'^(?:msgctxt "(.*)"\n)?msgid "(.+)"\nmsgstr "(.+)"$', re.MULTILINE)
UNTRANSLATED = re.compile(r'^msgstr(\[\d\])? ""$(?!\n")', re.MULTILINE)


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

    untranslated = [b for b in blocks if UNTRANSLATED.search(b)]
    assert untranslated == []
    assert "#, fuzzy" not in text


# --- the catalogues hold what the source says. `make messages` writes them (makemessages
# --no-location --no-obsolete); makemessages, run here on a copy of the source (the checkout is
# never written to), gives the messages they must hold, no more, no fewer, in two seconds or so.
#
# Seen failing, each change made for the check and undone: `_("A string the catalogues do not
# hold")` added to casework/views/agenda.py failed the test below for fr, nl and de, naming
# that msgid as missing; the entry "Accounts" deleted from locale/fr failed it for fr with
# "Accounts" missing; an entry for "A msgid the source no longer says" added to locale/fr, with
# that msgid obsolete; and a `{% translate "An English sentence only in this letter" %}` in
# templates/reports/letters/stopping.html also failed the German letters' test further down.

MAKE_MESSAGES = "make messages"  # the Makefile's target: makemessages, then compilemessages
EXTENSIONS = {".py", ".html", ".txt"}  # the files makemessages reads for the "django" domain
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


@dataclass
class Entry:
    """One message of a catalogue: its fields (strings joined, escapes kept), its comments
    (flags "#,", source locations "#:"), and whether it is obsolete ("#~")."""

    fields: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.fields.get("msgctxt"), self.fields["msgid"], self.fields.get("msgid_plural"))

    @property
    def translated(self) -> bool:
        strings = [value for name, value in self.fields.items() if name.startswith("msgstr")]
        return bool(strings) and all(strings)

    @property
    def fuzzy(self) -> bool:
        return any(line.startswith("#,") and "fuzzy" in line for line in self.comments)

    @property
    def locations(self) -> list[str]:
        return [
            place for line in self.comments if line.startswith("#:") for place in line.split()[1:]
        ]


def read_catalogue(path: Path) -> dict[tuple, Entry]:
    """Every message of a .po file (the header, msgid "", left out) by context, msgid and
    plural; obsolete ones too, marked."""
    entries = {}
    for block in path.read_text().split("\n\n"):
        entry, last = Entry(), None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                entry.obsolete, line = True, line[2:].strip()
            if line.startswith("#"):
                entry.comments.append(line)
            elif match := FIELD.match(line):
                last = match[1]
                entry.fields[last] = match[2]
            elif last and line.startswith('"'):
                entry.fields[last] += line[1:-1]
        if entry.fields.get("msgid"):
            entries[entry.key] = entry
    return entries


def po_file(locale: Path, language: str) -> Path:
    return locale / language / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def from_the_source(tmp_path_factory):
    """The locale folder as makemessages writes it from the source as it is now, in a copy of
    the project's source files: the committed catalogues merged with the source's messages,
    each with where the source says it (the German letters' test below reads those)."""
    tools = ("xgettext", "msguniq", "msgmerge", "msgattrib")
    require(all(map(shutil.which, tools)), "GNU gettext is not installed (Debian's gettext)")
    project = tmp_path_factory.mktemp("catalogues") / "project"
    base = Path(settings.BASE_DIR)
    left_out = {base / "locale", Path(settings.VAR_DIR)}

    def not_source(folder, names):
        paths = [Path(folder, name) for name in names]
        return [
            path.name
            for path in paths
            if path.name.startswith(".")  # .venv, .git: makemessages ignores them too
            or path in left_out
            or (path.is_file() and path.suffix not in EXTENSIONS)
        ]

    shutil.copytree(base, project, ignore=not_source)
    shutil.copytree(base / "locale", project / "locale")
    # makemessages reads the folder it runs in and writes to the locale/ it finds there;
    # LOCALE_PATHS points at that copy too, so that nothing reaches the checkout's.
    with contextlib.chdir(project), override_settings(LOCALE_PATHS=[project / "locale"]):
        call_command(
            "makemessages",
            locale=["fr", "nl", "de"],
            no_obsolete=True,
            verbosity=0,
            stdout=io.StringIO(),
        )
    return project / "locale"


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_the_catalogue_holds_every_message_of_the_source_and_no_other(language, from_the_source):
    committed = read_catalogue(po_file(LOCALE, language))
    current = {key for key, entry in committed.items() if not entry.obsolete}
    source = set(read_catalogue(po_file(from_the_source, language)))

    missing = sorted(source - current, key=str)
    obsolete = sorted(set(committed) - source, key=str)

    assert (missing, obsolete) == ([], []), (
        f"locale/{language} does not hold what the source says: run `{MAKE_MESSAGES}`, "
        "translate what it adds (msgattrib --untranslated, --only-fuzzy) and commit locale/. "
        f"Missing (context, msgid, plural): {missing}; obsolete: {obsolete}"
    )
    assert len(source) > 1000


def test_the_catalogues_keep_no_source_locations():
    # As `make messages` writes them: a line moved in the code changes no catalogue. (It failed
    # on the catalogues as they were before they were regenerated with --no-location.)
    located = [lang for lang in ("fr", "nl", "de") if "\n#: " in catalogue(lang)]

    assert located == [], f"run `{MAKE_MESSAGES}`: it writes no source locations"


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
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


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_the_catalogue_leaves_djangos_day_and_month_names_alone(language, settings):
    ours = date_names(language)
    settings.LOCALE_PATHS = []  # Django's catalogues only (the signal drops cached catalogues)

    assert ours == date_names(language)


# German writes them with a capital, as every noun ("Dienstag, 10. Februar 2026"): Django's own
# names, which the test above holds the catalogue to.
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


# --- German: what a letter prints. The interface does not speak German, so its catalogue need
# not be complete; but a letter to the German-speaking Community is written in German
# throughout (reports.rendering.LETTER_LANGUAGES).

LETTER_SOURCES = ("templates/reports/letters/", "reports/catalogue.py", "reports/facts.py")


def printed_in_letters(from_the_source) -> list[Entry]:
    """The German catalogue's entries that a letter prints: those whose source is a letter
    template, the catalogue of letter types (the subject) or the facts a letter states. The
    committed catalogue says no source; makemessages, run on the source, does. A message the
    catalogue lacks comes as an empty entry."""
    committed = read_catalogue(po_file(LOCALE, "de"))
    return [
        committed.get(key, Entry(fields=dict(entry.fields, msgstr="")))
        for key, entry in read_catalogue(po_file(from_the_source, "de")).items()
        if any(location.startswith(LETTER_SOURCES) for location in entry.locations)
    ]


def test_every_string_a_letter_prints_is_translated_into_german(from_the_source):
    printed = printed_in_letters(from_the_source)

    assert len(printed) > 50
    assert [e.key for e in printed if not e.translated or e.fuzzy or e.obsolete] == []


def english_pieces(from_the_source) -> set[str]:
    """What the letters say in English, cut at their placeholders: the pieces of two words or
    more, and the words of five letters or more ("on", "and" are not telling); and the labels
    they print from the frame (a session's kind, why the treatment ended, a signatory's title)."""
    with translation.override("en"):
        pieces = {
            str(label)
            for label in (*Appointment.Kind.labels, *Episode.ExitReason.labels, *Role.labels)
        }
    for entry in printed_in_letters(from_the_source):
        for text in filter(None, entry.key[1:]):
            for piece in re.split(r"%\(\w+\)[sd]", text.replace('\\"', '"')):
                piece = piece.strip(" ,.:;()—")
                if " " in piece or len(piece) >= 5:
                    pieces.add(piece)
    return pieces


@pytest.fixture
def german_speaking_patient(administrator, clinical_lead, treating_psychologist):
    """A patient of the German-speaking Community: the patient, the probation commission and the
    justice assistant read German."""
    patient = register_patient(
        administrator,
        first_name="Lukas",
        last_name="Schmitz",
        preferred_language="de",
        address="Hauptstraße 12\n4700 Eupen",
    )
    assign(patient, treating_psychologist, by=clinical_lead)
    authority = AuthorityFactory(
        name="Bewährungskommission Eupen",
        region="german_speaking",
        language="de",
        address="Klötzerbahn 27\n4700 Eupen",
    )
    assistant = JusticeContactFactory(
        name="Anna Kessel",
        service="Justizhaus Eupen",
        language="de",
        address="Aachener Straße 62\n4700 Eupen",
    )
    casework_services.mandate_create(
        actor=administrator,
        patient=patient,
        **mandate_data(authority, justice_contact=assistant),
    )
    return patient


def the_subject_and_the_signatorys_title(kind: str, language: str) -> tuple[str, str]:
    with translation.override(language):
        return str(letter_catalogue.get(kind).name), str(Role.PSYCHOLOGIST.label)


@pytest.mark.parametrize("kind", list(letter_catalogue.TYPES))
def test_every_letter_to_a_german_speaking_recipient_is_written_in_german(
    kind,
    german_speaking_patient,
    administrator,
    treating_psychologist,
    clinical_lead,
    from_the_source,
):
    patient = german_speaking_patient
    book(patient, treating_psychologist, days=-20)  # a session of the period, still unrecorded
    attended = book(patient, treating_psychologist, days=-12)
    record(attended, "attended", by=treating_psychologist)
    missed = book(patient, treating_psychologist, days=-5)
    absence = record(missed, "absence-unacceptable", by=treating_psychologist)
    the_episode_for(kind, patient, administrator)
    letter = draft(
        kind, patient, administrator, absence, paragraph="Die Person erscheint regelmäßig."
    )
    letter = letters.letter_sign(actor=treating_psychologist, letter=letter)
    if letter.type.needs_cosignature:
        letter = letters.letter_cosign(actor=clinical_lead, letter=letter)

    page = html.unescape(rendering.render_html(letter))

    assert letter.language == "de"
    assert '<html lang="de">' in page
    (english_subject, english_title), (subject, title) = (
        the_subject_and_the_signatorys_title(kind, language) for language in ("en", "de")
    )
    assert subject != english_subject
    assert f"<strong>Betreff:</strong> {subject}</p>" in page
    assert title != english_title
    assert f"<p>{title}</p>" in page  # under the signature
    if kind != "attendance_certificate":  # a certificate is not a letter to someone
        assert "Sehr geehrte Damen und Herren," in page
        assert "Mit freundlichen Grüßen" in page
    assert "Madam, Sir," not in page
    english = [
        piece
        for piece in english_pieces(from_the_source)
        if re.search(rf"\b{re.escape(piece)}\b", page)
    ]
    assert english == []
