def can_read_access_log(user) -> bool:
    """The auditor and the clinical lead: who accessed which file, never what it says."""
    return user.is_authenticated and user.is_active and user.has_perm("audit.view_accessevent")
