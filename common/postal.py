"""Postal addresses as people type them: free text, each line of the envelope on a line of its
own (";" also ends a line)."""

import re

from django.utils.translation import gettext as _

# A postcode and a town: Belgium's 4 digits ("4000 Liège", "B-4000 Liège"), Luxembourg's
# ("L-1234 Luxembourg"), the Netherlands' 4 digits and 2 letters ("NL 1012 AB Amsterdam"),
# France's and Germany's 5 digits ("75001 Paris", "D-52062 Aachen"). The town begins with a
# letter, or an apostrophe ("5211 AB 's-Hertogenbosch").
_POSTCODE_TOWN = re.compile(
    r"(?:[A-Z]{1,2}[- ]?)?"  # the country's letters: "B-", "L-", "NL ", "D-"
    r"(?:\d{4}(?: ?[A-Z]{2})?|\d{5})"  # "4000", "1012 AB", "75001"
    r"\s+['\u2019]?[^\W\d_].*"  # the town
)


def _has_number(line: str) -> bool:
    return any(char.isdigit() for char in line)


def address_lines(text: str) -> list[str]:
    """The lines of an address as a letter prints them: split at line ends and ";", each
    trimmed, blank ones left out."""
    return [line.strip() for line in text.replace(";", "\n").splitlines() if line.strip()]


def postal_address_problem(text: str) -> str:
    """What keeps `text` from being an address a letter can be posted to, or "" if nothing.

    A postal address ends with a line holding the postcode and the town, optionally followed
    by a line naming the country; above it, a line with the street and number (or a PO box):
    any line holding a number will do, so a building's name ("Palais de justice") may come
    first. The message names what is missing and gives an example.
    """
    lines = address_lines(text)
    if not lines:
        return _(
            "Enter the postal address: the street and number, then the postcode and town on a "
            "line of their own, e.g. “Place Saint-Lambert 16” then “4000 Liège”."
        )
    if len(lines) > 1 and not _has_number(lines[-1]):
        lines = lines[:-1]  # a country ("Belgique", "Nederland") below the postcode and town
    if not _POSTCODE_TOWN.fullmatch(lines[-1]):
        return _(
            "The postcode and town are missing: put them on the last line, on their own, e.g. "
            "“4000 Liège” (a country may follow on a line of its own)."
        )
    if not any(_has_number(line) for line in lines[:-1]):
        return _(
            "The street and number are missing: put them on a line above the postcode and "
            "town, e.g. “Place Saint-Lambert 16” above “4000 Liège”."
        )
    return ""
