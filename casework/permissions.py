"""Who may do what with patients. The one place for these rules (docs/architecture.md):
`can_<verb>(user)` for a role, `<verb>_refusal(user, obj)` for an object (why not, or "").
The pages and the API ask them, and so do the services (casework.services), through
common.permissions.require and require_that.

Per-patient access is a guardian object permission granted by the care-team service; the
clinical lead and the administrators carry the same permission globally through their role
(accounts.roles). Django superusers pass every check: they are technical accounts, never
clinic staff.
"""

import enum

from django.utils.translation import gettext as _

from accounts.roles import CLINICIAN_ROLES, Role


class Zone(enum.Enum):
    """Frame access also allows editing the frame (identity, mandates, episodes)."""

    FRAME = "casework.access_frame"
    CLINICAL = "casework.access_clinical"

    @property
    def codename(self) -> str:
        return self.value.split(".", 1)[1]


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def can_access_every_file(user, zone: Zone) -> bool:
    """This zone of every patient's file, through the role (the clinical lead, and the
    administrators for the frame), without a place in each care team."""
    return _active(user) and user.has_perm(zone.value)


def can_register_patient(user) -> bool:
    return _active(user) and user.has_perm("casework.add_patient")


def can_manage_care_team(user) -> bool:
    return _active(user) and user.has_perm("casework.manage_care_team")


def can_view_reference_data(user) -> bool:
    return _active(user) and user.has_perm("casework.view_authority")


def can_edit_reference_data(user) -> bool:
    return _active(user) and user.has_perm("casework.change_authority")


def can_use_casework(user) -> bool:
    """Clinicians and whoever sees the frame of every patient work from the casework home
    (patients, agendas, groups, letters); not the helpline's listeners, nor the auditor."""
    return _active(user) and (can_join_care_team(user) or can_access_every_file(user, Zone.FRAME))


def can_join_care_team(user) -> bool:
    """A clinician (a psychologist, the clinical lead) may take a place in a care team."""
    return user.is_active and any(role in CLINICIAN_ROLES for role in user.roles)


def can_break_glass(user) -> bool:
    """Emergency access: a clinician who does not already see every file (the lead does;
    administrators, helpline listeners and auditors treat no one)."""
    return (
        _active(user) and can_join_care_team(user) and not can_access_every_file(user, Zone.FRAME)
    )


def can_decide_emergency_requests(user) -> bool:
    """Approving or refusing an emergency access that awaits approval: the clinical lead."""
    return _active(user) and user.has_role(Role.CLINICAL_LEAD)


def can_review_emergency_accesses(user) -> bool:
    """Reviewing each emergency access afterwards (who, which file, why, what was read): the
    clinical lead."""
    return _active(user) and user.has_role(Role.CLINICAL_LEAD)


def emergency_review_refusal(user, access) -> str:
    """Why this emergency access cannot be reviewed now ("" when it can), for a user who may
    review them: each opening is reviewed once; a request never approved opened nothing."""
    if access.reviewed_at is not None:
        return _("This emergency access has been reviewed already.")
    if access.status not in (access.Status.OPENED, access.Status.APPROVED):
        return _("Nothing was opened: there is nothing to review.")
    return ""


def emergency_decision_refusal(user, access) -> str:
    """Why this emergency access cannot be approved or refused now ("" when it can), for a
    user who may decide requests."""
    if access.status in (access.Status.APPROVED, access.Status.REFUSED):
        return _("This request has been decided already.")
    if access.status != access.Status.REQUESTED:
        return _("This emergency access was opened at once: it awaits no approval.")
    if access.clinician_id == user.pk:
        return _("You cannot decide your own request: another clinical lead does.")
    return ""


def can_manage_groups(user) -> bool:
    """Creating groups and allocating patients: whoever sees every patient's frame."""
    return can_access_every_file(user, Zone.FRAME)


def can_see_clinic_agenda(user) -> bool:
    return can_access_every_file(user, Zone.FRAME)


def can_work_with_group(user, group) -> bool:
    """The group rule. A group's facilitators, regular or cover, and whoever manages groups
    (administrators, the clinical lead) work with the group: they see its members' file
    numbers and names and, for the group's own sessions only, the members' outcomes and notes
    for the authority, and they record them and move the sessions. That is the frame of those
    sessions and nothing more: a member's file, other appointments and the clinical zone stay
    behind the patient door (404) unless the facilitator is in that member's care team.
    Every page and endpoint that shows members logs who saw them.

    selectors.groups_visible_to is the same rule as a query."""
    if not (user.is_authenticated and user.is_active):
        return False
    return can_manage_groups(user) or group.facilitation.filter(clinician=user.pk).exists()


def move_refusal(user, appointment) -> str:
    """Why this user may not move (reschedule, cancel) this appointment; "" when they may.
    Whoever sees the patient moves an individual appointment; a group session moves for the
    whole group, so only those who work with the group move it."""
    if appointment.group_id and not can_work_with_group(user, appointment.group):
        return _("This is a group session: its facilitators or an administrator may move it.")
    return ""


def record_follow_up_refusal(user, patient) -> str:
    """Why the user may not record a follow-up check for this patient ("" when they may).

    A check is frame: facts from the justice record (a new charge or conviction, or none), as a
    letter from the justice assistant or an extract of the record brings them, never what was
    said in therapy. So it is recorded by whoever keeps the patient's frame: the clinicians of
    the patient's care team, and those who keep every patient's frame — the clinical lead and
    the administrators, who register the mandates and the justice system's correspondence
    (docs/domain.md) and already read every frame (docs/role-matrix.md). An emergency access
    is read only and grants nothing here; helpline listeners and auditors keep no frame."""
    if not _active(user):
        return _("Log in to record a follow-up check.")
    if can_access_every_file(user, Zone.FRAME):
        return ""
    if can_join_care_team(user) and user.has_perm(Zone.FRAME.value, patient):
        return ""
    return _(
        "Only the patient's care team, the clinical lead and the administrators record "
        "follow-up checks."
    )
