"""The access register (Belgian law of 30 July 2018, art. 9): who can reach a file, and why."""

import dataclasses

from django.contrib.auth import get_user_model

from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS, Role
from casework.models import (
    GroupFacilitator,
    Patient,
    PatientUserObjectPermission,
)
from casework.permissions import Zone


@dataclasses.dataclass
class AccessHolder:
    """Someone who can open a patient's file, and through what."""

    user: User
    zones: list[Zone]
    reasons: list[str]


def access_holders(patient: Patient) -> list[AccessHolder]:
    """Everyone who can reach this patient's file now: the care team (per-patient rights),
    whoever holds a right over every file through their role, and the facilitators of the
    patient's groups (the group's pages: name and attendance, not the file)."""
    from django.utils.translation import gettext as _

    holders: dict[int, AccessHolder] = {}

    def add(user, zone: Zone | None, reason: str) -> None:
        holder = holders.setdefault(user.pk, AccessHolder(user, [], []))
        if zone is not None and zone not in holder.zones:
            holder.zones.append(zone)
        if reason not in holder.reasons:
            holder.reasons.append(reason)

    granted = PatientUserObjectPermission.objects.filter(content_object=patient).select_related(
        "user", "permission"
    )
    team = {
        m.clinician_id: m
        for m in patient.care_team.filter(ends_on__isnull=True).select_related("clinician")
    }
    for grant in granted:
        zone = next(z for z in Zone if z.codename == grant.permission.codename)
        membership = team.get(grant.user_id)
        reason = (
            _("care team: %(role)s since %(date)s")
            % {"role": membership.get_role_display(), "date": membership.starts_on}
            if membership
            else _("a right given for this file")
        )
        add(grant.user, zone, reason)
    # Rights over every file come from roles (accounts.roles), and superusers pass every check.
    zones_of = {
        role: [z for z in Zone if z.value in perms] for role, perms in ROLE_PERMISSIONS.items()
    }
    active = get_user_model().objects.filter(is_active=True)
    for user in (
        active.filter(groups__name__in=[role for role, zones in zones_of.items() if zones])
        .prefetch_related("groups")
        .distinct()
    ):
        for group in user.groups.all():
            for zone in zones_of.get(group.name, []):
                add(user, zone, _("every file, as %(role)s") % {"role": Role(group.name).label})
    for user in active.filter(is_superuser=True):
        for zone in Zone:
            add(user, zone, _("every file: a technical superuser account"))
    facilitators = GroupFacilitator.objects.filter(
        group__members__patient=patient, group__members__left_on__isnull=True
    ).select_related("clinician", "group")
    for facilitation in facilitators:
        add(
            facilitation.clinician,
            None,
            _("facilitates the group %(group)s (its pages only)") % {"group": facilitation.group},
        )
    return sorted(holders.values(), key=lambda h: (h.user.last_name, h.user.first_name))
