from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from accounts.models import ApiToken
from accounts.password_reset import password_reset_completed, password_reset_requested
from accounts.signals import Reason, credentials_ended
from accounts.staff import staff_account_changed
from accounts.throttling import account_username
from accounts.two_factor import two_factor_reset
from audit.services import Action, record_access


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender, request, user, **kwargs):
    record_access(actor=user, action=Action.LOGIN, label=gettext_lazy("Session"))


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_access(actor=user, action=Action.LOGOUT, label=gettext_lazy("Session"))


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # The name tried is kept only if it is an account's: a password typed into the name
    # field must not land in the auditor's view. A wrong API token is a failure without name.
    record_access(
        actor=None,
        action=Action.LOGIN_FAILED,
        username=account_username(None, credentials) or "",
        label=gettext_lazy("Session"),
    )


@receiver(post_save, sender=ApiToken, dispatch_uid="audit.token_created")
def _token_created(sender, instance, created, **kwargs):
    if created:
        record_access(
            actor=instance.user,
            action=Action.CREATE,
            object_type="accounts.apitoken",
            object_id=instance.token_key,
        )


@receiver(post_delete, sender=ApiToken, dispatch_uid="audit.token_deleted")
def _token_deleted(sender, instance, **kwargs):
    # Revoked by its owner, or removed by the token check once expired.
    record_access(
        actor=instance.user,
        action=Action.DELETE,
        object_type="accounts.apitoken",
        object_id=instance.token_key,
    )


@receiver(two_factor_reset, dispatch_uid="audit.two_factor_reset")
def _two_factor_reset(sender, actor, user, **kwargs):
    record_access(
        actor=actor,
        action=Action.UPDATE,
        object_type="accounts.user",
        object_id=str(user.pk),
        label=format_lazy(
            gettext_lazy("Two-factor authentication of {username} reset"),
            username=user.get_username(),
        ),
    )


@receiver(credentials_ended, dispatch_uid="audit.credentials_ended")
def _credentials_ended(sender, user, actor, reason, **kwargs):
    # Who (actor; none for a deactivation, whose request names who made it), whose, and why.
    record_access(
        actor=actor,
        action=Action.UPDATE,
        object_type="accounts.user",
        object_id=str(user.pk),
        label=format_lazy(
            gettext_lazy("Sessions, API tokens and calendar link of {username} ended: {reason}"),
            username=user.get_username(),
            reason=Reason(reason).label,
        ),
    )


@receiver(password_reset_requested, dispatch_uid="audit.password_reset_requested")
def _password_reset_requested(sender, user, limited=False, **kwargs):
    # For an address of no active account: a refusal naming no one, without the address typed
    # (it may be anyone's). The requester sees the same page either way.
    if user is None:
        record_access(
            actor=None,
            action=Action.DENIED,
            object_type="accounts.user",
            label=gettext_lazy("Password reset asked for an address of no active account"),
        )
        return
    # Beyond the hour's links (accounts.password_reset), nothing was sent: a refusal, naming
    # the account it was asked for.
    record_access(
        actor=user,
        action=Action.DENIED if limited else Action.SEND,
        object_type="accounts.user",
        object_id=str(user.pk),
        label=gettext_lazy("Password reset link not e-mailed: the hour's links were sent already")
        if limited
        else gettext_lazy("Password reset link e-mailed"),
    )


@receiver(password_reset_completed, dispatch_uid="audit.password_reset_completed")
def _password_reset_completed(sender, user, **kwargs):
    record_access(
        actor=user,
        action=Action.UPDATE,
        object_type="accounts.user",
        object_id=str(user.pk),
        label=gettext_lazy("Password reset by e-mail"),
    )


@receiver(staff_account_changed, dispatch_uid="audit.staff_account_changed")
def _staff_account_changed(sender, actor, user, created, label, **kwargs):
    # The clinical lead's actions on staff accounts (accounts.staff): who did what to whom.
    record_access(
        actor=actor, action=Action.CREATE if created else Action.UPDATE, obj=user, label=label
    )
