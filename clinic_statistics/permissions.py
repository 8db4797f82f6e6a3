"""Who reads the clinic's statistics on its patients."""

from accounts.roles import Role


def can_read_statistics(user) -> bool:
    """The clinical lead, who already reads every file, frame and clinical.

    The helpline's statistics (helpline.permissions.can_read_statistics) are also the
    listeners' and the auditor's: they count anonymous calls. These are made of patients'
    files — new offences (GDPR art. 10) and risk levels (clinical) — in groups that can be
    small enough to point at someone: the auditor reads the access log and nothing clinical,
    the listeners know no patient, and the administrators and psychologists see the files
    they work with, not the clinic's outcomes."""
    return bool(
        user and user.is_authenticated and user.is_active and user.has_role(Role.CLINICAL_LEAD)
    )
