"""Enforcing a permission rule. The rules live in each app's permissions.py, in two shapes:
`can_<verb>(user) -> bool` for a role (may this user do this at all?) and
`<verb>_refusal(user, obj) -> str` for an object (why not, or "" when they may).

A service, an API view or a function view that must refuse calls one of these with the rule's
answer, `require(permissions.sign_refusal(actor, letter))` or
`require_that(permissions.can_manage_groups(actor))`; a page class for some roles is
`RoleRequired(rule)` (common.views). So `raise PermissionDenied` is written here and in the
mixins only (house rule 2, tests/test_house_rules.py), and who may do what once per app."""

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise


def require(refusal: str | Promise) -> None:
    """PermissionDenied (403) when an object rule names a reason, with that reason."""
    if refusal:
        raise PermissionDenied(refusal)


def require_that(allowed: bool, refusal: str | Promise = "") -> None:
    """PermissionDenied (403) when a role rule does not admit the user; `refusal` says why,
    where the app has words for it."""
    if allowed:
        return
    if refusal:
        raise PermissionDenied(refusal)
    raise PermissionDenied
