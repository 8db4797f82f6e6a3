"""A letter as the print template sees it: plain values only, in the letter's language.

The same dictionary serves the preview in the browser and the PDF rendered by a worker, so
that what is previewed is what is sent.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation

from common.postal import address_lines
from reports import catalogue, facts, wording

# The languages the letter templates are written in; German for the German-speaking Community,
# party to the cooperation agreements (docs/letters.md).
LETTER_LANGUAGES = {"en", "fr", "nl", "de"}


def letter_language(language: str) -> str:
    """The language a letter is written in: the recipient's, if the clinic's templates speak
    it, else the installation's."""
    return language if language in LETTER_LANGUAGES else settings.LANGUAGE_CODE


def language_of(*, patient, mandate, recipient: str) -> str:
    """The language of a letter to `recipient` (the addressee): the patient's, the justice
    assistant's or the authority's."""
    if recipient == catalogue.Recipient.PATIENT:
        return letter_language(patient.preferred_language)
    if recipient == catalogue.Recipient.JUSTICE_ASSISTANT and mandate and mandate.justice_contact:
        return letter_language(mandate.justice_contact.language)
    return letter_language(mandate.authority.language if mandate else "")


def place(language: str) -> str:
    """Where the letter is written, as its language names the place (Liège, Luik, Lüttich)."""
    return settings.CLINIC_PLACE_NAMES.get(language, settings.CLINIC_PLACE)


def lines(text: str) -> list[str]:
    return address_lines(text)  # as the models' clean() read them


def recipient_block(letter, recipient: str) -> dict:
    """Name, organisation, postal address and file reference of one recipient of the letter;
    empty values where the file does not say (reports.checks refuses to sign it then)."""
    mandate = letter.mandate
    if recipient == catalogue.Recipient.PATIENT:
        patient = letter.patient
        return {
            "name": f"{patient.first_name} {patient.last_name.upper()}",
            "organisation": "",
            "address_lines": lines(patient.address),
            "email": patient.email,
            "reference": "",
        }
    if recipient == catalogue.Recipient.JUSTICE_ASSISTANT:
        contact = mandate.justice_contact if mandate else None
        return {
            "name": contact.name if contact else "",
            "organisation": contact.service if contact else "",
            "address_lines": lines(contact.address) if contact else [],
            "email": contact.email if contact else "",
            "reference": mandate.justice_assistant_file_number if mandate else "",
        }
    if mandate is None:
        return {"name": "", "organisation": "", "address_lines": [], "email": "", "reference": ""}
    return {
        "name": mandate.authority.name,
        "organisation": mandate.authority.jurisdiction,
        "address_lines": lines(mandate.authority.address),
        "email": mandate.authority.email,
        # A reply gives the reference of the request; otherwise the authority's file number,
        # or the reference of its decision.
        "reference": letter.request_reference
        or mandate.authority_file_number
        or mandate.decision_reference,
    }


def letterhead() -> dict:
    """The clinic's name, address, contact line and logo, as every printed page of the clinic
    heads them (templates/reports/letters/_letterhead.html): the letters, the annual report."""
    return {
        "name": settings.CLINIC_NAME,
        "address_lines": lines(settings.CLINIC_ADDRESS),
        "contact_line": settings.CLINIC_CONTACT,
        "logo_url": static(settings.CLINIC_LOGO) if settings.CLINIC_LOGO else "",
    }


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
        addressee, *copies = [recipient_block(letter, code) for code in letter.recipients] or [
            recipient_block(letter, "")
        ]
        return {
            "letter": {
                "letterhead": letterhead(),
                "reference": letter.reference,
                "file_number": letter.patient.file_number,
                "recipient_reference": addressee["reference"],
                "place": place(language),
                "date": wording.day(signed_on or timezone.localdate()),
                "recipient": addressee,
                "copies": copies,
                "subject": str(letter.type.name),
                "urgent": letter.kind == "serious_risk",
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
