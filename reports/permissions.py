"""Who may do what with letters. Letters belong to the frame: whoever may open the patient's
file reads, drafts and dispatches them; signing is a clinician's act."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from casework.permissions import Zone, can_access_every_file
from casework.selectors import patients_visible_to

# Why someone may not sign or co-sign, whatever the letter's state (403 in the API).
NOT_A_SIGNER = _("A clinician of the care team, or the clinical lead, signs letters.")
NOT_THE_COSIGNER = _("The clinical lead co-signs a signed serious-risk alert.")


def can_sign(user, letter) -> bool:
    """A clinician who may read the patient's clinical zone (the care team, the lead): the
    one who knows the treatment vouches for what the letter states."""
    return (
        user.is_authenticated
        and patients_visible_to(user, zone=Zone.CLINICAL).filter(pk=letter.patient_id).exists()
    )


def can_cosign(user, letter) -> bool:
    """The second signature a serious-risk alert needs: the clinical lead, not the signer."""
    return (
        user.is_authenticated
        and user.has_role(Role.CLINICAL_LEAD)
        and (user.pk != letter.signed_by_id)
    )


def sign_refusal(user, letter) -> str:
    """Why this user may not sign this letter now; empty when they may."""
    if letter.is_signed:
        return str(_("This letter is already signed."))
    if not can_sign(user, letter):
        return str(NOT_A_SIGNER)
    return ""


def cosign_refusal(user, letter) -> str:
    """Why this user may not co-sign this letter now; empty when they may."""
    waiting = letter.type.needs_cosignature and letter.is_signed and not letter.cosigned_at
    if not (waiting and can_cosign(user, letter)):
        return str(NOT_THE_COSIGNER)
    return ""


def can_queue_batches(user) -> bool:
    """Preparing every report of the month is work on every file: who sees every frame."""
    return user.is_authenticated and can_access_every_file(user, Zone.FRAME)
