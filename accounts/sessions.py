"""How long a session lasts: an idle limit (SESSION_IDLE_MINUTES), an absolute one
(SESSION_COOKIE_AGE), "log out everywhere", and the end of every session of a user whose roles
or privileges change; and the end of every credential of an account at once (sessions, API
tokens, calendar link) when trust in it ends. docs/security.md, "Sessions"."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.signals import Reason, credentials_ended

STARTED, SEEN = "session_started_at", "session_seen_at"
# The last activity is written at most this often: not one session write per request.
SEEN_GRANULARITY = 60


def end_all_sessions(user) -> None:
    """Every session of the user, on every device, stops working at its next request."""
    get_user_model().objects.filter(pk=user.pk).update(
        session_generation=F("session_generation") + 1
    )
    user.refresh_from_db(fields=["session_generation"])


def end_all_credentials(user, *, actor, reason: Reason) -> None:
    """Every credential that lets someone act as the user ends: their sessions, their API
    tokens, and (credentials_ended's receivers) their calendar link; the access log records
    who ended them and why. New ones made afterwards work. Called when trust in the account
    ends: log out everywhere, a new password, the lead's reset of the second factor, a
    deactivation (actor None: the user's save does not say who)."""
    from accounts.models import ApiToken

    end_all_sessions(user)
    ApiToken.objects.filter(user=user).delete()  # each in the access log, as a revocation
    credentials_ended.send(sender=end_all_credentials, user=user, actor=actor, reason=reason)


@receiver(user_logged_in, dispatch_uid="accounts.sessions.on_login")
def _on_login(sender, request, user, **kwargs):
    # login() has just given the session a new key (no fixation); the clocks start here.
    now = time.time()
    request.session[STARTED] = request.session[SEEN] = now


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="accounts.roles")
def _on_roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A change of roles (groups) ends the sessions of the users concerned: they log in again
    with their new rights, under a new session key."""
    if reverse:  # group.user_set changed: pk_set names the users; a clear, all its members
        if action == "pre_clear":  # after the clear there is no one left to find
            instance.user_set.update(session_generation=F("session_generation") + 1)
        elif action in ("post_add", "post_remove"):
            get_user_model().objects.filter(pk__in=pk_set).update(
                session_generation=F("session_generation") + 1
            )
    elif action in ("post_add", "post_remove", "post_clear"):
        end_all_sessions(instance)


# Besides roles, these flags change what a user may do: a change ends their sessions too.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "is_active")


@receiver(pre_save, sender=get_user_model(), dispatch_uid="accounts.privileges")
def _on_privileges_changed(sender, instance, update_fields=None, **kwargs):
    if instance._state.adding or not instance.pk:
        return
    if update_fields is not None and not set(update_fields) & set(PRIVILEGE_FIELDS):
        return  # e.g. the last login's time: nothing to compare
    before = sender.objects.filter(pk=instance.pk).values(*PRIVILEGE_FIELDS).first()
    if before and any(before[name] != getattr(instance, name) for name in PRIVILEGE_FIELDS):
        # The save that follows leaves the generation alone (User.save): raise it here.
        if before["is_active"] and not instance.is_active:
            # Deactivated: its tokens and calendar link end too, not merely refused while it
            # lasts (a reactivation would revive them). In the save's transaction.
            end_all_credentials(instance, actor=None, reason=Reason.DEACTIVATED)
        else:
            end_all_sessions(instance)


class SessionLimitsMiddleware:
    """After AuthenticationMiddleware: logs out a session idle for longer than
    SESSION_IDLE_MINUTES, or older than SESSION_COOKIE_AGE whatever its activity; the page
    that follows asks to log in again and says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request) -> None:
        session, now = request.session, time.time()
        started = session.setdefault(STARTED, now)
        seen = session.get(SEEN, now)
        idle = settings.SESSION_IDLE_MINUTES * 60
        if now - seen > idle:
            logout(request)
            minutes = settings.SESSION_IDLE_MINUTES
            messages.info(
                request,
                ngettext(
                    "You were logged out after %(minutes)d minute without activity.",
                    "You were logged out after %(minutes)d minutes without activity.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        elif now - started > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, _("Your session has ended: please log in again."))
        elif now - seen >= SEEN_GRANULARITY or SEEN not in session:
            session[SEEN] = now
