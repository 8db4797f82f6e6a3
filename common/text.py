"""Text as people search it: without case or accents ("lefevre" finds "Lefèvre")."""

import unicodedata


def search_key(*parts: str) -> str:
    """The parts, lower case, accents dropped, spaces collapsed: the same on every database."""
    text = unicodedata.normalize("NFKD", " ".join(parts)).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())


def spreadsheet_safe(value) -> str:
    """A CSV cell that a spreadsheet shows as text: one starting like a formula (=, +, -, @)
    gets a leading apostrophe, so that opening the file never runs it (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
