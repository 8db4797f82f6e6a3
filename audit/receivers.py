from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy

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
    # Django has already masked the password in `credentials`; keep only the name tried.
    record_access(
        actor=None,
        action=Action.LOGIN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        label=gettext_lazy("Session"),
    )
