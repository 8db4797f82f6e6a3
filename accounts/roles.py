"""The clinic's roles and the global permissions each one carries.

A role is a Django group. Per-patient access is not here: it is granted per patient by the
care-team service (casework.services). What a role may do *globally* is declared below and
applied to the groups after every migration, so the table is the one place to review it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLINICAL_LEAD = "clinical_lead", _("Clinical lead")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor")
    HELPLINE_LISTENER = "helpline_listener", _("Helpline listener")


# Roles that may be members of a care team (and so receive clinical access to a patient).
CLINICIAN_ROLES = frozenset({Role.PSYCHOLOGIST, Role.CLINICAL_LEAD})

_REFERENCE_DATA = [
    "casework.view_authority",
    "casework.add_authority",
    "casework.change_authority",
    "casework.view_justicecontact",
    "casework.add_justicecontact",
    "casework.change_justicecontact",
]

# Edited in the admin. Nobody deletes them (the model admins refuse it): they are history.
# Outcome flags and compliance rules decide what the justice system is told: the clinical lead
# sets them, administrators may read them.
_REPORTING_RULES_VIEW = ["casework.view_attendanceoutcome", "casework.view_compliancerule"]
_REPORTING_RULES = [
    *_REPORTING_RULES_VIEW,
    "casework.add_attendanceoutcome",
    "casework.change_attendanceoutcome",
    "casework.add_compliancerule",
    "casework.change_compliancerule",
]
# The clinic's licensed Static-99R norms and Static-99R x STABLE-2007 table are clinical:
# entered by the clinical lead only.
_CLINICAL_TABLES = [
    "assessments.view_static99rnorm",
    "assessments.add_static99rnorm",
    "assessments.change_static99rnorm",
    "assessments.view_riskcombination",
    "assessments.add_riskcombination",
    "assessments.change_riskcombination",
]
# The helpline's lists (what a contact is about, where callers are referred): the lead's.
_HELPLINE_LISTS = [
    "helpline.view_problemtag",
    "helpline.add_problemtag",
    "helpline.change_problemtag",
    "helpline.view_referralservice",
    "helpline.add_referralservice",
    "helpline.change_referralservice",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CLINICAL_LEAD: [
        # The lead sees the whole caseload, frame and clinical, without per-patient rows.
        "casework.access_frame",
        "casework.access_clinical",
        "casework.add_patient",
        "casework.manage_care_team",
        "audit.view_accessevent",
        *_REFERENCE_DATA,
        *_REPORTING_RULES,
        *_CLINICAL_TABLES,
        *_HELPLINE_LISTS,
    ],
    Role.PSYCHOLOGIST: [
        # Patients come through the care team (object permissions), never globally.
        "casework.view_authority",
        "casework.view_justicecontact",
    ],
    Role.ADMINISTRATOR: [
        # The frame zone of every patient; never the clinical zone.
        "casework.access_frame",
        "casework.add_patient",
        "casework.manage_care_team",
        *_REFERENCE_DATA,
        *_REPORTING_RULES_VIEW,
    ],
    Role.AUDITOR: ["audit.view_accessevent"],
    Role.HELPLINE_LISTENER: [],
}


def sync_role_permissions(sender=None, using="default", **kwargs) -> None:
    """Make every role group exist with exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
    }
    if not wanted <= by_name.keys():
        return  # an app that declares some of these has not migrated yet
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([by_name[perm] for perm in perms])


def _permission_name(permission) -> str:
    """A right's name in the reader's language: the model's own (translatable) words for the
    clinic's rights. The database's copy of the name is written once, in whatever language was
    active when the table was filled, so it is read only for Django's default rights."""
    model = permission.content_type.model_class()
    custom = dict(model._meta.permissions) if model is not None else {}
    return str(custom.get(permission.codename, permission.name))


def role_register() -> list[dict]:
    """Each role, the rights it carries over every file (by their names), and the active
    accounts that hold it: the "by role" half of the access register."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    names = {
        f"{p.content_type.app_label}.{p.codename}": _permission_name(p)
        for p in Permission.objects.select_related("content_type")
    }
    holders: dict[str, list] = {role: [] for role in Role}
    for user in get_user_model().objects.filter(is_active=True).prefetch_related("groups"):
        for group in user.groups.all():
            if group.name in holders:
                holders[group.name].append(user)
    return [
        {
            "role": role,
            "rights": [names.get(perm, perm) for perm in ROLE_PERMISSIONS[role]],
            "holders": holders[role],
        }
        for role in Role
    ]
