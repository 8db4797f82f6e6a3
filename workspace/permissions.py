"""Who may use the workspace's pages that belong to no patient (rules as `can_<verb>(user)`)."""

from accounts.roles import Role


def can_read_access_register(user) -> bool:
    """The register of who has access to what (law of 30 July 2018), by role and by patient:
    the clinical lead."""
    return user.is_authenticated and user.is_active and user.has_role(Role.CLINICAL_LEAD)


def can_watch_operations(user) -> bool:
    """The administrators and the clinical lead run the clinic's office: they see how its
    background work, mail and access log are doing, the mail the server has not taken yet,
    and ask for another attempt."""
    return user.is_authenticated and (
        user.has_role(Role.ADMINISTRATOR) or user.has_role(Role.CLINICAL_LEAD)
    )


def can_compare_caseloads(user) -> bool:
    """The clinical lead shares the work among the clinicians: they see how many patients
    each one has now (the home page's busiest, and the page of all of them)."""
    return user.is_authenticated and user.is_active and user.has_role(Role.CLINICAL_LEAD)
