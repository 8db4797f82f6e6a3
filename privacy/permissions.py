"""Who acts for the patient's rights over the whole file: the access copy and the end of a
file's life (retention). Rules as `can_<verb>(user)`; the services (privacy.services,
privacy.retention) refuse whoever they do not admit, the pages do not open for them."""

from accounts.roles import Role


def can_manage_privacy(user) -> bool:
    """The clinical lead: the one who answers a data-subject request (the copy holds the whole
    file) and reviews the files at the end of their retention."""
    return user.is_authenticated and user.is_active and user.has_role(Role.CLINICAL_LEAD)
