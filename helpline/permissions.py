"""Who reaches the helpline. Listeners keep the log; the clinical lead and the auditor read the
statistics only; nobody else learns that the log exists (404)."""

from accounts.roles import Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_listener(user) -> bool:
    return _active(user) and user.has_role(Role.HELPLINE_LISTENER)


def may_read_statistics(user) -> bool:
    return _active(user) and any(
        user.has_role(role) for role in (Role.HELPLINE_LISTENER, Role.CLINICAL_LEAD, Role.AUDITOR)
    )
