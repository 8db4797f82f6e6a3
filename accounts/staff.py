"""The clinical lead's management of staff accounts: the list, and the actions on one account.

Each action checks its rule (accounts.permissions) and is logged: `staff_account_changed` is
sent with who did what to whom, and the access log records it (audit.receivers). The second
factor's reset is accounts.two_factor.reset, logged by its own signal. docs/security.md,
"Staff accounts".
"""

from dataclasses import dataclass

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions
from accounts import two_factor as second_factor
from accounts.models import User
from accounts.password_reset import password_link
from accounts.roles import Role
from common import outbox
from common.permissions import require_that
from common.text import search_key

PAGE_SIZE = 25

# Sent after each action on an account (kwargs: actor, user, created, label): the access log
# records it as a creation or an update of the user (audit.receivers).
staff_account_changed = Signal()

STATUSES = {"active": True, "deactivated": False}


@dataclass(frozen=True)
class StaffRow:
    person: User
    roles: list[Role]
    enrolled: bool
    locked: bool


# --- The list --------------------------------------------------------------------------------


def staff_list(*, query: str = "", status: str = "", role: str = "") -> QuerySet[User]:
    """Every account, active and deactivated, filtered; each with `enrolled` (a confirmed
    authenticator app) and its roles prefetched. Each word of the query must be in the first
    name, the last name or the user name, whatever the case and the accents."""
    people = User.objects.annotate(
        enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    ).prefetch_related("groups")
    if status:
        people = people.filter(is_active=STATUSES[status])
    if role:
        people = people.filter(groups__name=role)
    if query:
        people = people.filter(pk__in=_matching(query))
    return people.order_by("last_name", "first_name", "username")


def _matching(query: str) -> list[int]:
    """The ids of the accounts whose names hold every word of the query. A clinic's staff is
    a few hundred people at most: their names are compared here, as search_key spells them,
    the same on every database."""
    words = search_key(query).split()
    names = User.objects.values_list("pk", "first_name", "last_name", "username")
    return [pk for pk, *parts in names if all(word in search_key(*parts) for word in words)]


def rows(people) -> list[StaffRow]:
    """The list's rows: their roles from the prefetched groups, and one query for the locks
    of all of them."""
    people = list(people)
    locked = locked_usernames([person.get_username() for person in people])
    return [
        StaffRow(
            person=p,
            roles=[role for role in Role if role.value in {g.name for g in p.groups.all()}],
            enrolled=p.enrolled,
            locked=p.get_username() in locked,
        )
        for p in people
    ]


def locked_usernames(usernames) -> set[str]:
    """Which of these accounts are locked out now, from some address: their failed logins at
    one address within the lock-out time (AXES_COOLOFF_TIME) reach the limit
    (AXES_FAILURE_LIMIT), counted per name and address as accounts.throttling counts them.
    The one place this page knows how a lock is counted."""
    since = timezone.now() - get_cool_off()
    failures = (
        AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=get_failure_limit(None, None))
    )
    return {row["username"] for row in failures}


# --- The actions -----------------------------------------------------------------------------


def _allowed(actor, rule=None, *args, field: str | None = None) -> None:
    """The lead only (PermissionDenied otherwise), and only if the rule on this account, if
    any, names no reason against it (a ValidationError with the reason otherwise)."""
    require_that(permissions.can_manage_staff(actor))
    reason = rule(actor, *args) if rule else ""
    if reason:
        raise ValidationError({field: reason} if field else reason)


def _known_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": gettext("Choose one of the roles offered.")})


def _logged(actor, user, label, *, created: bool = False) -> None:
    staff_account_changed.send(sender=User, actor=actor, user=user, created=created, label=label)


def _give_role(user, role: str) -> None:
    """The user holds this role and no other; the clinical lead and the administrators reach
    the admin's reference data, as in the demo clinic (is_staff)."""
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups.exclude(name=role))
    user.groups.add(Group.objects.get(name=role))
    is_staff = role in (Role.CLINICAL_LEAD, Role.ADMINISTRATOR)
    if user.is_staff != is_staff and not user.is_superuser:  # a technical account keeps it
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def account_create(
    *,
    actor,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    language: str = "",
) -> User:
    """A new account with its role and no password: the user is e-mailed a link to set one
    (Django's password-reset token, valid PASSWORD_RESET_TIMEOUT)."""
    _allowed(actor)
    _known_role(role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": gettext("An account with this user name exists already.")}
        )
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
    )
    user.set_unusable_password()
    user.save()
    _give_role(user, role)
    _mail_password_link(user)
    _logged(
        actor,
        user,
        format_lazy(gettext_lazy("Account {username} created"), username=username),
        created=True,
    )
    return user


def _mail_password_link(user) -> None:
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = gettext("Your account at %(clinic)s") % {"clinic": settings.CLINIC_NAME}
        body = "\n\n".join(
            [
                gettext("Hello %(name)s,") % {"name": user.get_full_name()},
                gettext(
                    "An account has been opened for you at %(clinic)s. Your user name is "
                    "%(username)s. Choose your password at this address:"
                )
                % {"clinic": settings.CLINIC_NAME, "username": user.get_username()},
                password_link(user),
                ngettext(
                    "The link works once, for %(minutes)d minute; after that, ask for another "
                    'with "Forgot your password?" on the login page. At your first login you '
                    "will set up an authenticator app on your phone.",
                    "The link works once, for %(minutes)d minutes; after that, ask for another "
                    'with "Forgot your password?" on the login page. At your first login you '
                    "will set up an authenticator app on your phone.",
                    minutes,
                )
                % {"minutes": minutes},
            ]
        )
    outbox.queue(
        to=[user.email],
        subject=subject,
        body=body,
        purpose=f"{gettext('New account')} — {user.get_username()}",
    )


@transaction.atomic
def account_deactivate(*, actor, user) -> User:
    """The user can no longer log in; their sessions and API tokens stop working
    (accounts.sessions ends the sessions when is_active changes)."""
    _allowed(actor, permissions.deactivate_refusal, user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    _logged(
        actor,
        user,
        format_lazy(gettext_lazy("Account {username} deactivated"), username=user.username),
    )
    return user


@transaction.atomic
def account_reactivate(*, actor, user) -> User:
    _allowed(actor, permissions.reactivate_refusal, user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    _logged(
        actor,
        user,
        format_lazy(gettext_lazy("Account {username} reactivated"), username=user.username),
    )
    return user


@transaction.atomic
def account_change_role(*, actor, user, role: str) -> User:
    """The user holds this role only; their sessions end (accounts.sessions) and they log in
    again with its rights."""
    _allowed(actor)
    _known_role(role)
    _allowed(actor, permissions.change_role_refusal, user, role, field="role")
    _give_role(user, role)
    _logged(
        actor,
        user,
        format_lazy(
            gettext_lazy("Role of {username} changed to {role}"),
            username=user.username,
            role=Role(role).label,
        ),
    )
    return user


def account_unlock(*, actor, user) -> int:
    """Lifts the user's lock-out (django-axes: their failed logins are forgotten)."""
    _allowed(actor, permissions.unlock_refusal, user)
    removed = axes_reset(username=user.get_username())
    _logged(
        actor,
        user,
        format_lazy(gettext_lazy("Login lock of {username} lifted"), username=user.username),
    )
    return removed


def account_two_factor_reset(*, actor, user) -> None:
    """The user's app and recovery codes go and their sessions end; they enrol again at their
    next login (logged by accounts.two_factor.reset's own signal)."""
    _allowed(actor, permissions.two_factor_reset_refusal, user)
    second_factor.reset(actor=actor, user=user)
