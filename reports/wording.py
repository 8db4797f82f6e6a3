"""How a letter writes, in its language, an authority's name inside a sentence, and a date.

Authorities are stored by their proper names ("Commission de probation de Liège",
"Strafuitvoeringsrechtbank Antwerpen"); a sentence needs the article the name takes: "décidée
par la Commission de probation", "door de Strafuitvoeringsrechtbank", "durch das
Strafvollstreckungsgericht". The article follows the name's first word (the kind of body it is,
a short and closed list in Belgian justice); a name whose first word is not on the list is
written without an article rather than with a wrong one.
"""

import datetime

from django.utils import formats, translation

# French: the first word's gender; a vowel or a mute h elides ("par l'Office").
FRENCH_FEMININE = {"chambre", "commission", "cour", "direction", "juridiction", "maison"}
FRENCH_MASCULINE = {
    "cabinet",
    "conseil",
    "juge",
    "ministère",
    "parquet",
    "procureur",
    "président",
    "service",
    "tribunal",
}
# Dutch: "het" nouns among the bodies that decide or supervise; the rest take "de".
DUTCH_NEUTER = {"hof", "parket", "openbaar"}
DUTCH_KNOWN = DUTCH_NEUTER | {
    "commissie",
    "jeugdrechtbank",
    "jeugdrechter",
    "kamer",
    "onderzoeksrechter",
    "probatiecommissie",
    "procureur",
    "rechtbank",
    "strafuitvoeringsrechtbank",
    "correctionele",
    "justitiehuis",
}
# German: the article of a compound is its last part's ("durch" takes the accusative).
GERMAN_ENDINGS = (
    ("kommission", "die"),
    ("kammer", "die"),
    ("schaft", "die"),
    ("gericht", "das"),
    ("haus", "das"),
    ("amt", "das"),
    ("richter", "den"),
    ("prokurator", "den"),
    ("anwalt", "den"),
)

BY = {"fr": "par", "nl": "door", "de": "durch", "en": "by"}
NO_BREAK = "\u00a0"


def _first_word(name: str) -> str:
    return name.split(maxsplit=1)[0].lower().strip(",.") if name.strip() else ""


def with_article(name: str, language: str) -> str:
    """The name with the definite article it takes in `language` ("la Commission de probation
    de Liège"), or the name alone when its first word is not known."""
    word = _first_word(name)
    if not word:
        return name
    if language == "fr":
        if word in FRENCH_FEMININE:
            return f"la {name}"
        if word in FRENCH_MASCULINE:
            return f"le {name}"
        if word[0] in "aeiouyhéèêâîôû":
            return f"l'{name}"
        return name
    if language == "nl":
        if word in DUTCH_NEUTER:
            return f"het {name}"
        return f"de {name}" if word in DUTCH_KNOWN else name
    if language == "de":
        for ending, article in GERMAN_ENDINGS:
            if word.endswith(ending):
                return f"{article} {name}"
        return name
    return f"the {name}"


def by_authority(name: str, language: str) -> str:
    """ "by" and the name, as a sentence says it: "par la Commission de probation de Liège",
    "door de Strafuitvoeringsrechtbank Antwerpen", "durch das Strafvollstreckungsgericht"."""
    return f"{BY.get(language, 'by')} {with_article(name, language)}"


def day(value: datetime.date | None) -> str:
    """A date as the letter's language writes it in a sentence ("1er décembre 2025",
    "7. Dezember 2026"), its day, month and year never parted at the end of a line."""
    if value is None:
        return ""
    written = formats.date_format(value, "DATE_FORMAT")
    if value.day == 1 and (translation.get_language() or "").startswith("fr"):
        written = "1er" + written.removeprefix("1")  # French writes the first "premier"
    return written.replace(" ", NO_BREAK)
