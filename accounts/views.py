"""A user's own account: sessions (log out everywhere, stay logged in) and API tokens (create,
shown once; list; revoke); the clinical lead sees every token. The lead's staff accounts page
is accounts.views_staff."""

import datetime
import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.views import PasswordChangeView
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from accounts import two_factor as second_factor
from accounts.forms import ApiTokenForm, CodeForm
from accounts.models import ApiToken
from accounts.roles import Role
from accounts.sessions import SEEN, end_all_credentials
from accounts.signals import Reason
from accounts.throttling import locked_out
from common.permissions import require_that


@require_GET
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "is_lead": request.user.has_role(Role.CLINICAL_LEAD),
        },
    )


class PasswordChange(SuccessMessageMixin, PasswordChangeView):
    """Django's: every other credential of the user ends (sessions, API tokens, calendar link);
    this session goes on."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")
    success_message = gettext_lazy(
        "Your password has been changed; your other sessions ended, and your API tokens and "
        "calendar link no longer work."
    )

    def form_valid(self, form):
        response = super().form_valid(form)
        end_all_credentials(form.user, actor=form.user, reason=Reason.PASSWORD_CHANGED)
        update_session_auth_hash(self.request, form.user)  # this one, under the new generation
        return response


@require_http_methods(["POST"])
def log_out_everywhere(request):
    """Ends every credential of the user, this session included (a device left logged in, a
    doubt): sessions, API tokens, calendar link."""
    end_all_credentials(request.user, actor=request.user, reason=Reason.LOG_OUT_EVERYWHERE)
    logout(request)
    messages.success(
        request,
        _("You are logged out on every device; your API tokens and calendar link no longer work."),
    )
    return redirect("login")


@require_http_methods(["POST"])
def keep_session(request):
    """ "Stay logged in": noted as activity now, whenever the last was noted."""
    request.session[SEEN] = time.time()
    return HttpResponse(status=204)


@require_http_methods(["GET", "POST"])
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        if request.user.auth_token_set.count() >= settings.API_TOKENS_PER_USER:
            form.add_error(
                None,
                _("You have %(count)d tokens, the most allowed: revoke one first.")
                % {"count": settings.API_TOKENS_PER_USER},
            )
        else:
            _token, new_token = ApiToken.objects.create(
                user=request.user,
                name=form.cleaned_data["name"],
                expiry=datetime.timedelta(days=form.cleaned_data["days"]),
            )
            form = ApiTokenForm()
    # The new token is in this response only: not in a redirect, a message or the session.
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": request.user.auth_token_set.order_by("-created"),
            "can_list_all": permissions.can_list_all_tokens(request.user),
            "idle_days": settings.API_TOKEN_IDLE_DAYS,
        },
        status=201 if new_token else 200,
    )


@require_http_methods(["GET", "POST"])
def revoke_token(request, key: str):
    token = get_object_or_404(ApiToken, user=request.user, token_key=key)
    if request.method == "POST":
        token.delete()
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})


@require_GET
def all_tokens(request):
    """Every API token of the clinic, for the clinical lead (who has access through what)."""
    require_that(permissions.can_list_all_tokens(request.user))
    return render(
        request,
        "accounts/tokens_all.html",
        {"tokens": ApiToken.objects.select_related("user").order_by("user__last_name", "-created")},
    )


# --- Two-factor authentication -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The second step of the login: a code from the app, or a recovery code."""
    if request.user.is_verified():
        return redirect(_next(request))
    if not AxesProxyHandler.is_allowed(request, {"username": request.user.get_username()}):
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        form.add_error("code", _("This code is not right, or has been used. Try the next one."))
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next(request)})


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrolment: scan the QR code, confirm with a code, keep the recovery codes."""
    if second_factor.app_device(request.user) and not request.user.is_verified():
        return redirect("accounts:two_factor")  # enrolled already: the code, not a new secret
    device = second_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            second_factor.app_device_confirm(request, device)
            codes = second_factor.new_recovery_codes(request.user)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("code", _("This code is not right: check the time on your phone."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": second_factor.qr_svg(device),
            "secret": second_factor.secret_for_typing(device),
            "next": _next(request),
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """New recovery codes, the earlier ones void: shown once. Asked for by its address, the
    page asks first: the codes the user keeps stay valid until they confirm."""
    if request.method == "GET":
        return render(request, "accounts/recovery_codes_new.html")
    codes = second_factor.new_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": ""})


def _next(request) -> str:
    """Where to go after the second factor: a path of this site only."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return settings.LOGIN_REDIRECT_URL
