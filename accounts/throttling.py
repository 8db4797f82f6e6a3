"""Lock-out of repeated failed logins (django-axes), and the API's token check counted by it.

Two counts, each over LOGIN_LOCKOUT_MINUTES: a name at an address is locked at
LOGIN_FAILURE_LIMIT failures, an address for every name at LOGIN_ADDRESS_FAILURE_LIMIT. The
settings name these functions (AXES_* in config/settings/base.py); docs/security.md says what a
clinic can change and why."""

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import (
    get_failure_limit,
    get_lockout_parameters,
    get_lockout_response,
)
from axes.middleware import AxesMiddleware
from axes.models import AccessAttempt, AccessBase
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Sum
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from accounts import token_failures


def _typed_name(request, credentials) -> str:
    name = (credentials or {}).get("username")
    if name is None and getattr(request, "method", None) == "POST":
        name = request.POST.get("username")
    return str(name or "")[:150]


def _is_account(name: str) -> bool:
    return get_user_model().objects.filter(username=name).exists()


def account_username(request, credentials) -> str | None:
    """The name tried, if it is an account's (for the access log). Anything else (a password
    typed in the wrong field, a guess) is not written there."""
    name = _typed_name(request, credentials)
    return name if name and _is_account(name) else None


# No account's name holds "#" (Django's user names: letters, digits and @.+-_).
HASHED = "#"


def counted_username(request, credentials) -> str | None:
    """The name failures are counted under (AXES_USERNAME_CALLABLE): an account's name as it
    is, so that a lock can be lifted by name; any other name under a keyed hash of itself, so
    that it is counted exactly like an account's (nothing tells the two apart) and yet never
    stored (it may be a password typed in the wrong field). None: no name (a wrong API token)."""
    name = _typed_name(request, credentials)
    if not name:
        return None
    if _is_account(name):
        return name
    return HASHED + salted_hmac("accounts.throttling.counted_username", name).hexdigest()


def lockout_parameters(request_or_attempt, credentials) -> list:
    """A name is counted at its address (a person's typos lock neither the colleagues behind
    the same address nor the account elsewhere); every failure also counts for its address,
    against LOGIN_ADDRESS_FAILURE_LIMIT (LockoutHandler). A failure without a name (a wrong
    API token) counts for its address only."""
    if isinstance(request_or_attempt, AccessBase):
        named = request_or_attempt.username is not None
    else:
        named = counted_username(request_or_attempt, credentials) is not None
    return [["username", "ip_address"], "ip_address"] if named else ["ip_address"]


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits: axes compares one number of failures
    with one limit (AXES_FAILURE_LIMIT), so the address's count is given to it shifted by the
    difference of the two limits: it reaches AXES_FAILURE_LIMIT exactly when the address
    reaches LOGIN_ADDRESS_FAILURE_LIMIT. AXES_FAILURE_LIMIT minus the result is therefore the
    number of attempts left before either lock."""

    def get_failures(self, request, credentials=None) -> int:
        shift = settings.LOGIN_ADDRESS_FAILURE_LIMIT - get_failure_limit(request, credentials)
        counts = [
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        parameters = get_lockout_parameters(request, credentials)
        return max(
            (
                count - shift if parameter == "ip_address" else count
                for parameter, count in zip(parameters, counts, strict=True)
            ),
            default=0,
        )


def login_completed(request, user) -> None:
    """The login is complete (the second factor given, where it is required): the count of
    failures of this name at this address starts again. Not at the password alone, or someone
    who knows it could guess codes for ever, logging in again between guesses. Nobody else's
    count changes: a success lifts no one else's lock."""
    AccessAttempt.objects.filter(
        username=user.get_username(), ip_address=client_address(request)
    ).delete()


@receiver(user_logged_in, dispatch_uid="accounts.throttling.login_completed")
def _on_login(sender, request, user, **kwargs):
    if request is not None and not settings.TWO_FACTOR_REQUIRED:
        login_completed(request, user)  # the password completes the login (the demo only)


def client_address(request) -> str:
    """The client's address: the peer's, or behind a trusted reverse proxy the one the proxy
    saw (config.middleware.ClientAddressMiddleware); never a header the client chose."""
    return request.META.get("REMOTE_ADDR") or ""


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def attempts_left(request) -> int | None:
    """After a failed login in this request: how many more failures are allowed before the
    lock (of the name at this address, or of the address)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return None
    return get_failure_limit(request, None) - failures


def last_attempt_warning(request) -> str:
    if attempts_left(request) != 1:
        return ""
    minutes = lockout_minutes()
    return ngettext(
        "One attempt left before logging in is blocked for %(minutes)d minute.",
        "One attempt left before logging in is blocked for %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed attempts. Logging in is blocked for %(minutes)d minute.",
        "Too many failed attempts. Logging in is blocked for %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def locked_out(request, original_response=None, credentials=None):
    """What a locked-out login gets: a page (429), or for the API a JSON error."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message(), "minutes": lockout_minutes()},
        status=429,
    )


class LoginView(auth_views.LoginView):
    """Django's login page, which warns before the last attempt."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        warning = last_attempt_warning(self.request)
        return super().get_context_data(**kwargs, last_attempt_warning=warning)


class TokenAuthentication(KnoxTokenAuthentication):
    """django-rest-knox's check of a hashed token, under the login lock-out: a wrong token
    counts as a failed login of the caller's address, and a locked-out address is refused
    before its token is looked at. Without an address (the helpline), the same holds of the
    token's beginning, counted in memory (accounts.token_failures)."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.authenticate_header(request).lower().encode():
            return None  # no token: another scheme (the session) may apply
        # A request stripped of its address (the helpline's, docs/helpline.md) has no address
        # to count failures by, and none may be written down: its failures are counted in
        # memory, by the token's beginning (accounts.token_failures).
        counted = bool(client_address(request._request))
        token = header[1] if len(header) == 2 else b""
        if counted and not AxesProxyHandler.is_allowed(request._request, {}):
            raise exceptions.Throttled(detail=lockout_message())
        if not counted and token_failures.is_locked(token):
            raise exceptions.Throttled(detail=lockout_message())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            if not counted:
                token_failures.count(token)
            # Counted by LockoutMiddleware once the view's transaction, which this refusal
            # rolls back, is over.
            request._request.failed_token = counted
            raise exceptions.AuthenticationFailed(_("Invalid or expired token.")) from None

    def validate_user(self, auth_token):
        """knox's check of the owner (active), then of the token's use: one unused for
        API_TOKEN_IDLE_DAYS is refused (the daily cleanup deletes it); a used one notes it."""
        user_and_token = super().validate_user(auth_token)
        if auth_token.is_idle():
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        auth_token.note_use()
        return user_and_token


class LockoutMiddleware(AxesMiddleware):
    """django-axes' middleware (a locked-out login gets its page), which also counts a wrong
    API token as a failed login: after the view, outside the request's transaction, so that
    the count and its line in the access log survive the API's rollback of a refusal."""

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "failed_token", False):
            user_login_failed.send(
                sender=TokenAuthentication, credentials={"token": "********"}, request=request
            )
        if getattr(request, "axes_locked_out", False):
            response = get_lockout_response(request, response, None)
        return response


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (as it described DRF's own)."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An API token, prefixed with "Token " (docs/security.md).',
        }
