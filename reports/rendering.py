"""A letter as the print template sees it: plain values only, in the letter's language.

The same dictionary serves the preview in the browser and the PDF rendered by a worker, so
that what is previewed is what is sent.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import formats, timezone, translation

from common.postal import address_lines
from reports import catalogue, facts

LETTER_LANGUAGES = {"en", "fr", "nl"}


def letter_language(language: str) -> str:
    """The language a letter is written in: the recipient's, if the clinic's templates speak
    it (German letters are on the roadmap), else the installation's."""
    return language if language in LETTER_LANGUAGES else settings.LANGUAGE_CODE


def _lines(text: str) -> list[str]:
    return address_lines(text)  # as the models' clean() read them


def _recipient(letter) -> dict:
    if letter.recipient == catalogue.Recipient.PATIENT:
        patient = letter.patient
        return {
            "name": f"{patient.first_name} {patient.last_name.upper()}",
            "organisation": "",
            "address_lines": _lines(patient.address),
        }
    mandate = letter.mandate
    if (
        letter.recipient == catalogue.Recipient.JUSTICE_ASSISTANT
        and mandate
        and mandate.justice_contact
    ):
        contact = mandate.justice_contact
        return {
            "name": contact.name,
            "organisation": contact.service,
            "address_lines": _lines(contact.address),
        }
    if mandate:
        return {
            "name": mandate.authority.name,
            "organisation": mandate.authority.jurisdiction,
            "address_lines": _lines(mandate.authority.address),
        }
    return {"name": "", "organisation": "", "address_lines": []}


def _recipient_reference(letter) -> str:
    """The authority's reference for its own file; a patient's letter names none."""
    if letter.recipient == catalogue.Recipient.PATIENT:
        return ""
    return letter.request_reference or (letter.mandate.decision_reference if letter.mandate else "")


def _signatory(user) -> dict:
    return {"name": user.get_full_name() or user.get_username(), "title": str(user.role.label)}


def context(letter, stated: dict | None = None) -> dict:
    """Everything the template gets. `stated`: the facts frozen at signing, if signed."""
    language = letter_language(letter.language)
    with translation.override(language):
        signed_on = timezone.localdate(letter.signed_at) if letter.signed_at else None
        signatories = [
            _signatory(user) for user in (letter.signed_by, letter.cosigned_by) if user is not None
        ]
        return {
            "letter": {
                "letterhead": {
                    "name": settings.CLINIC_NAME,
                    "address_lines": _lines(settings.CLINIC_ADDRESS),
                    "contact_line": settings.CLINIC_CONTACT,
                    "logo_url": static(settings.CLINIC_LOGO) if settings.CLINIC_LOGO else "",
                },
                "reference": letter.reference,
                "recipient_reference": _recipient_reference(letter),
                "place": settings.CLINIC_PLACE,
                "date": formats.date_format(signed_on or timezone.localdate(), "DATE_FORMAT"),
                "recipient": _recipient(letter),
                "subject": str(letter.type.name),
                "signatories": signatories,
                "language": language,
                "is_draft": not letter.is_signed,
            },
            "facts": stated if stated is not None else facts.build(letter),
        }


def render_html(letter, stated: dict | None = None) -> str:
    values = context(letter, stated)
    with translation.override(values["letter"]["language"]):
        return render_to_string(f"reports/letters/{letter.kind}.html", values)
