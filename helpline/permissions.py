"""Who reaches the helpline. Listeners keep the log; the clinical lead and the auditor read the
statistics only; nobody else learns that the log exists (404)."""

from accounts.roles import Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_log_contacts(user) -> bool:
    """The helpline's listeners: they log the contacts they answer or miss, and read the log."""
    return _active(user) and user.has_role(Role.HELPLINE_LISTENER)


def can_read_statistics(user) -> bool:
    """The helpline's figures, never a contact: the listeners, the clinical lead, the auditor."""
    return _active(user) and any(
        user.has_role(role) for role in (Role.HELPLINE_LISTENER, Role.CLINICAL_LEAD, Role.AUDITOR)
    )
