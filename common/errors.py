"""Errors that mean the same on a page and in the API."""

from django.core.exceptions import ValidationError


class OverridableWarning(ValidationError):
    """Something to know before going on, which the person may override knowingly: a double
    booking, patients who must not meet, a possible second file for one person.

    Pages show the warnings above the form, with an "allow_..." checkbox to go ahead; the API
    answers 409 with the warnings under `key`, and the caller sends the request again with the
    "allow_..." field set. Nothing is written until then.
    """

    key = "warnings"

    def __init__(self, warnings: list[str]):
        super().__init__(warnings, code=self.key)
        self.warnings = warnings
