"""Who may manage the clinic's staff accounts, and what may be done to one account.

`can_manage_staff(user)` opens the staff pages; each `<verb>_refusal(actor, user)` says why
this action may not be done to this account, or "" when it may. The pages do not offer an
action that would be refused, and the services (accounts.staff) refuse with the same words.
docs/security.md, "Staff accounts".
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from accounts.roles import Role


def can_manage_staff(user) -> bool:
    """The clinical lead creates, deactivates and reactivates accounts, gives their role,
    lifts a lock-out and resets a second factor."""
    return user.is_authenticated and user.is_active and user.has_role(Role.CLINICAL_LEAD)


def can_list_all_tokens(user) -> bool:
    """Every API token of the clinic, whose it is and when it was last used (who has access
    through what): the clinical lead."""
    return user.is_authenticated and user.is_active and user.has_role(Role.CLINICAL_LEAD)


def _last_active_lead(user) -> bool:
    if not (user.is_active and user.has_role(Role.CLINICAL_LEAD)):
        return False
    leads = get_user_model().objects.filter(is_active=True, groups__name=Role.CLINICAL_LEAD)
    return not leads.exclude(pk=user.pk).exists()


def deactivate_refusal(actor, user) -> str:
    if not user.is_active:
        return _("This account is deactivated already.")
    if user.pk == actor.pk:
        return _("You cannot deactivate your own account.")
    if _last_active_lead(user):
        return _("The clinic would have no clinical lead left.")
    return ""


def reactivate_refusal(actor, user) -> str:
    if user.is_active:
        return _("This account is active already.")
    return ""


def change_role_refusal(actor, user, role: str) -> str:
    if role != Role.CLINICAL_LEAD and _last_active_lead(user):
        return _(
            "This is the last active clinical lead: give the role to someone else first, "
            "or the clinic would have no clinical lead left."
        )
    return ""


def unlock_refusal(actor, user, *, locked: bool | None = None) -> str:
    """`locked`: whether the account is locked out, when the caller knows it already."""
    from accounts.staff import locked_usernames

    if locked is None:
        locked = user.get_username() in locked_usernames([user.get_username()])
    if not locked:
        return _("This account is not locked out.")
    return ""


def two_factor_reset_refusal(actor, user, *, enrolled: bool | None = None) -> str:
    """`enrolled`: whether the account has set up its second factor, when the caller knows."""
    from accounts.two_factor import app_device

    if enrolled is None:
        enrolled = app_device(user) is not None
    if not enrolled:
        return _("This account has not set up its second factor: there is nothing to reset.")
    return ""
