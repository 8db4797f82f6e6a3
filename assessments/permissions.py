"""What may be done to an assessment, once its patient's clinical file is open to the user
(the patient door, casework.selectors, decides that first: 404 otherwise).

Each rule returns why not, or "" when it may: the pages do not offer a form that would be
refused (ServiceFormView.refusal), and the services refuse with the same words.
"""

from django.utils.translation import gettext as _


def edit_refusal(user, assessment) -> str:
    if assessment.is_signed:
        return _("This assessment is signed and final: amend it instead.")
    if assessment.assessor_id != user.pk:
        return _("Only the assessor can change a draft.")
    return ""


def sign_refusal(user, assessment) -> str:
    if assessment.is_signed:
        return _("This assessment is already signed.")
    if assessment.assessor_id != user.pk:
        return _("Only the assessor can sign.")
    return ""


def discard_refusal(user, assessment) -> str:
    if assessment.is_signed:
        return _("This assessment is signed and final: it can never be discarded.")
    if assessment.assessor_id != user.pk:
        return _("Only the assessor can discard a draft.")
    return ""
