"""The clinical lead's staff accounts page (docs/security.md, "Staff accounts"): the list, and
one page per action that asks first (GET) and does it (POST) through accounts.staff. An action
that may not be done to this account is not offered; asked for by its address, it goes back to
the list with the reason."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions, staff
from accounts.models import User
from accounts.roles import Role
from accounts.staff_forms import AccountForm, RoleForm
from common.http import InvalidParameter, query_search
from common.permissions import require_that


def _lead_only(request) -> None:
    require_that(permissions.can_manage_staff(request.user))


def _choice(value: str | None, allowed) -> str:
    if value and value not in allowed:
        raise InvalidParameter(_("Choose one of the options offered."))
    return value or ""


@require_GET
def staff_list(request):
    _lead_only(request)
    params = request.GET
    filters = {
        "query": query_search(params.get("q")),
        "status": _choice(params.get("status"), staff.STATUSES),
        "role": _choice(params.get("role"), Role.values),
    }
    page = Paginator(staff.staff_list(**filters), staff.PAGE_SIZE).get_page(params.get("page"))
    page.object_list = staff.rows(page.object_list)
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/staff_list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "query_string": query.urlencode(),
            "roles": Role.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def staff_create(request):
    _lead_only(request)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = staff.account_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Account %(username)s created; %(email)s was sent a link to choose a password.")
                % {"username": person.username, "email": person.email},
            )
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "person": None})


@require_http_methods(["GET", "POST"])
def staff_role(request, user_id: int):
    _lead_only(request)
    person = get_object_or_404(User, pk=user_id)
    form = RoleForm(request.POST or None, initial={"role": person.role})
    if request.method == "POST" and form.is_valid():
        try:
            staff.account_change_role(
                actor=request.user, user=person, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(person)s is now: %(role)s. They log in again with the new rights.")
                % {"person": person, "role": Role(form.cleaned_data["role"]).label},
            )
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "person": person})


def _confirm(request, user_id: int, action: str):
    """The question about this account (GET), or the action done (POST)."""
    _lead_only(request)
    person = get_object_or_404(User, pk=user_id)
    refusal, perform, done = ACTIONS[action]
    reason = refusal(request.user, person)
    if request.method == "POST" and not reason:
        try:
            perform(actor=request.user, user=person)
        except ValidationError as error:
            reason = " ".join(error.messages)
        else:
            messages.success(request, done() % {"person": person})
            return redirect("accounts:staff_list")
    if reason:
        messages.error(request, reason)
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_confirm.html", {"person": person, "action": action})


ACTIONS = {
    "deactivate": (
        permissions.deactivate_refusal,
        staff.account_deactivate,
        lambda: _(
            "The account of %(person)s is deactivated: they can no longer log in, and their "
            "API tokens and calendar link no longer work."
        ),
    ),
    "reactivate": (
        permissions.reactivate_refusal,
        staff.account_reactivate,
        lambda: _("The account of %(person)s is active again."),
    ),
    "unlock": (
        permissions.unlock_refusal,
        staff.account_unlock,
        lambda: _("The lock is lifted: %(person)s can log in again."),
    ),
    "two_factor_reset": (
        permissions.two_factor_reset_refusal,
        staff.account_two_factor_reset,
        lambda: _(
            "%(person)s will set up two-factor authentication again at the next login; "
            "their sessions ended, and their API tokens and calendar link no longer work."
        ),
    ),
}


@require_http_methods(["GET", "POST"])
def staff_deactivate(request, user_id: int):
    return _confirm(request, user_id, "deactivate")


@require_http_methods(["GET", "POST"])
def staff_reactivate(request, user_id: int):
    return _confirm(request, user_id, "reactivate")


@require_http_methods(["GET", "POST"])
def staff_unlock(request, user_id: int):
    return _confirm(request, user_id, "unlock")


@require_http_methods(["GET", "POST"])
def staff_two_factor_reset(request, user_id: int):
    return _confirm(request, user_id, "two_factor_reset")
