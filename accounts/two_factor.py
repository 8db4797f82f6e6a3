"""Two-factor authentication (django-otp): a TOTP app and single-use recovery codes.

After the password, a session is not verified: every page sends it to enrolment (no device
yet) or to the code (docs/security.md, "Two-factor authentication"). Codes are checked under
the login lock-out (accounts.throttling): a wrong code is a failed login of the account."""

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.dispatch import Signal
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.throttling import login_completed

# Sent when the clinical lead resets a user's second factor (the access log records it).
two_factor_reset = Signal()

RECOVERY = "recovery"
# What an unverified session may still reach: the second factor itself, and leaving.
OPEN_BEFORE_VERIFICATION = {
    "accounts:two_factor",
    "accounts:two_factor_setup",
    "accounts:keep_session",
    "logout",
    "login",
    "set_language",
}


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: the same secret until it is confirmed by a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False
    )


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG (no image request, no inline style). It carries a
    viewBox rather than a size, so that the stylesheet's box scales the whole code (a fixed
    size drawn in a smaller box showed one corner); the quiet zone is the standard's four
    modules."""
    return segno.make(device.config_url, error="m").svg_inline(omitsize=True, border=4)


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for an app that cannot scan."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def app_device_confirm(request, device: TOTPDevice) -> None:
    """The enrolled app becomes the user's (any earlier one goes), and this session is
    verified under a new key."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session.cycle_key()
    otp_login(request, device)
    login_completed(request, device.user)


def new_recovery_codes(user) -> list[str]:
    """TWO_FACTOR_RECOVERY_CODES fresh single-use codes, replacing any earlier ones."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(request, code: str) -> bool:
    """A code from the app or a recovery code (used up). On success the session is verified
    and given a new key (its privileges changed); on failure the lock-out counts it."""
    user, code = request.user, "".join(code.split()).lower()
    for device in (app_device(user), StaticDevice.objects.filter(user=user).first()):
        if device is not None and device.verify_token(code):
            request.session.cycle_key()
            otp_login(request, device)
            login_completed(request, user)
            return True
    user_login_failed.send(
        sender=verify, credentials={"username": user.get_username()}, request=request
    )
    return False


def reset(*, actor, user) -> None:
    """The clinical lead's reset: the user's devices go, and every credential of theirs ends
    (sessions, API tokens, calendar link: whoever has the phone may have those too); at the
    next login they enrol again."""
    from accounts.sessions import end_all_credentials
    from accounts.signals import Reason

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    two_factor_reset.send(sender=reset, actor=actor, user=user)
    end_all_credentials(user, actor=actor, reason=Reason.SECOND_FACTOR_RESET)


class TwoFactorMiddleware:
    """After the OTP middleware: a logged-in session that has not given its second factor
    reaches nothing but the second factor (and leaving). The API answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (settings.TWO_FACTOR_REQUIRED and user.is_authenticated) or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_VERIFICATION:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Give your second factor on the login page first.")}, status=403
            )
        step = "accounts:two_factor" if app_device(user) else "accounts:two_factor_setup"
        return redirect_to_login(request.get_full_path(), reverse(step))
