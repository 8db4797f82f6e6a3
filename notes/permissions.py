"""What may be done to a clinical note, once its patient's clinical zone is open to the user
(the patient door, casework.selectors, decides that first: 404 otherwise).

Each rule returns why not, or "" when it may: the pages do not offer a form that would be
refused (ServiceFormView.refusal), and the services (notes.services) refuse with the same words
(a 400 in the API).
"""

from django.utils.translation import gettext as _


def edit_refusal(user, note) -> str:
    """A draft changes at its author's hand only; a signed note never changes."""
    if note.is_signed:
        return _("This note is signed and final: write an addendum instead.")
    if note.author_id != user.pk:
        return _("Only the author can change or sign a draft note.")
    return ""


def sign_refusal(user, note) -> str:
    """Its author signs a draft, once."""
    if note.is_signed:
        return _("This note is already signed.")
    return edit_refusal(user, note)


def addendum_refusal(user, note) -> str:
    """An addendum completes a signed note, the note itself: never a draft, never another
    addendum. Whoever reads the clinical zone may write one."""
    if not note.is_signed:
        return _("Sign the note first: an addendum completes a signed note.")
    if note.addendum_to_id:
        return _("Add the addendum to the note itself.")
    return ""


def plan_write_refusal(latest) -> str:
    """A plan is written, then reviewed, until the end of the treatment closes it."""
    if latest is not None and latest.kind == "closing":
        return _("The treatment plan was closed at the end of the treatment.")
    return ""


def plan_close_refusal(latest) -> str:
    """The end of the treatment sums up the goals of a plan, once."""
    if latest is None:
        return _("Write the treatment plan first: its end sums up its goals.")
    return plan_write_refusal(latest)
