"""Forgot your password: a link by e-mail to choose a new one (Django's password reset views).

- The same page and message whether or not the address is an account's, and the same work: for
  an address of no active account the message is still written, then dropped.
- The message waits in the outbox (common.outbox), sent by a worker: no mail server inside
  the request. Its link is built on SITE_URL, never on the request's Host header.
- The link lives PASSWORD_RESET_TIMEOUT seconds and works once (its token holds the password).
- At most PASSWORD_RESET_LINKS_PER_HOUR links an hour to one account, counted in the outbox
  (shared by every process): beyond, nothing is sent, the page says the same, the log says so.
- A completed reset ends the user's other sessions and lifts the lock-out of their name; they
  then log in with the new password and their second factor.
- Each request and each reset is in the access log; nothing tells the requester which.

docs/security.md, "Forgot your password"."""

import datetime

from axes.utils import reset as lift_lockout
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import default_token_generator
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.sessions import end_all_credentials
from accounts.signals import Reason
from common import outbox
from common.models import OutboxMessage

SUBJECT = "registration/password_reset_subject.txt"
BODY = "registration/password_reset_email.txt"

# For the access log (audit.receivers). user: the account e-mailed, or None for an address
# of no active account; limited: True when the account had its links for the hour already.
password_reset_requested = Signal()
# The outbox's purpose of a reset message, the same in every language: what the limit counts.
PURPOSE = "Password reset"
# user: the account whose password was reset by its link.
password_reset_completed = Signal()


def password_link(user) -> str:
    """The address where the user chooses a password: once, for PASSWORD_RESET_TIMEOUT (a new
    password voids it). Built on SITE_URL, never on the request's Host."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def _message(user) -> tuple[str, str]:
    """The subject and body of the message with the link, in the user's language."""
    context = {
        "user": user,
        "link": password_link(user),
        "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        "clinic": settings.CLINIC_NAME,
    }
    with translation.override(getattr(user, "language", "") or translation.get_language()):
        subject = "".join(render_to_string(SUBJECT, context).splitlines())
        return subject, render_to_string(BODY, context)


def _links_this_hour(user) -> int:
    """The reset messages queued for the user's address in the last hour."""
    since = timezone.now() - datetime.timedelta(hours=1)
    return OutboxMessage.objects.filter(
        purpose=PURPOSE, to=[user.email], created_at__gte=since
    ).count()


class ResetForm(PasswordResetForm):
    """Django's form, which queues its message in the outbox and logs each request."""

    def get_users(self, email):
        """Every active account with this address, those without a password yet included: an
        account the lead opened (accounts.staff) has none until its first link is used, and a
        link that expired must be asked for again here. (Django's form skips them.)"""
        field = get_user_model().get_email_field_name()
        accounts = get_user_model()._default_manager.filter(
            **{f"{field}__iexact": email, "is_active": True}
        )
        return (user for user in accounts if getattr(user, field).casefold() == email.casefold())

    def save(self, **kwargs):
        users = list(self.get_users(self.cleaned_data["email"]))
        for user in users:
            subject, body = _message(user)
            if _links_this_hour(user) >= settings.PASSWORD_RESET_LINKS_PER_HOUR:
                password_reset_requested.send(sender=ResetForm, user=user, limited=True)
                continue
            outbox.queue(to=[user.email], subject=subject, body=body, purpose=PURPOSE)
            password_reset_requested.send(sender=ResetForm, user=user, limited=False)
        if not users:
            # The same work as for an account (the message written, then dropped), and a line
            # in the log without the address typed: it may be anyone's.
            nobody = get_user_model()(pk=0, password=UNUSABLE_PASSWORD_PREFIX)
            _message(nobody)
            password_reset_requested.send(sender=ResetForm, user=None, limited=False)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    success_url = reverse_lazy("password_reset_done")

    def get_context_data(self, **kwargs):
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        return super().get_context_data(**kwargs, minutes_valid=minutes)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, which then ends every credential of the user (sessions, API tokens, calendar
    link), lifts their lock-out and logs the reset. No login here: the user logs in with the
    new password and the second factor."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        end_all_credentials(user, actor=user, reason=Reason.PASSWORD_RESET)
        # The lock guarded the old password; the person has shown they read the account's mail.
        lift_lockout(username=user.get_username())
        password_reset_completed.send(sender=PasswordResetConfirmView, user=user)
        return response
