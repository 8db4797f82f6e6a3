"""Who may file which document, once the patient's file is open to the user (the patient door,
casework.selectors, decides that first: 404 otherwise). Each rule returns why not, or "" when
it may; the upload page offers only the kinds allowed, and documents.services refuses the
others with the same words."""

from django.utils.translation import gettext as _

from documents.models import Document


def kind_refusal(kind: str, *, reads_clinical: bool) -> str:
    """A clinical document is filed by whoever reads the file's clinical zone (its care team's
    clinicians, the clinical lead); a frame document by whoever reaches the file."""
    if kind not in Document.Kind.values:
        return _("Choose a kind of document.")
    if kind in Document.CLINICAL_KINDS and not reads_clinical:
        return _("Only the care team's clinicians and the clinical lead file a clinical document.")
    return ""


def kinds_offered(*, reads_clinical: bool) -> list[tuple[str, object]]:
    return [
        (value, label)
        for value, label in Document.Kind.choices
        if not kind_refusal(value, reads_clinical=reads_clinical)
    ]
