"""Who may read the access log and act on it. Rules as `can_<verb>(user)`; the pages ask them
through RoleRequired, the log's tools (audit.verifying) before they act."""

from accounts.roles import Role


def can_read_access_log(user) -> bool:
    """The auditor and the clinical lead: who accessed which file, never what it says."""
    return user.is_authenticated and user.is_active and user.has_perm("audit.view_accessevent")


def can_approve_rebaselining(user) -> bool:
    """After a restore from a backup, the clinical lead signs off the access log's new start
    (audit.verifying.rebaseline_after_restore)."""
    return user.is_authenticated and user.is_active and user.has_role(Role.CLINICAL_LEAD)
