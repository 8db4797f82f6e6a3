"""Text as people search it: without case or accents ("lefevre" finds "Lefèvre")."""

import unicodedata


def search_key(*parts: str) -> str:
    """The parts, lower case, accents dropped, spaces collapsed: the same on every database."""
    text = unicodedata.normalize("NFKD", " ".join(parts)).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())
