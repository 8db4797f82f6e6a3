"""Therapy groups: facilitators, members joining and leaving, people who must not meet."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.models import (
    Appointment,
    Attendance,
    GroupFacilitator,
    GroupMembership,
    NonAssociation,
    Patient,
    TherapyGroup,
)
from casework.permissions import can_join_care_team, can_manage_groups
from casework.services.session_counts import sessions_changed
from common.errors import OverridableWarning
from common.permissions import require_that


class NonAssociationWarning(OverridableWarning):
    """Someone in the group must not meet the newcomer. The caller may go ahead knowingly
    (allow_non_associations)."""

    key = "non_associations"


@transaction.atomic
def group_save(
    *, actor, group: TherapyGroup, regular: list, cover: list | None = None
) -> TherapyGroup:
    """Create or update a group and its facilitators (regular and cover)."""
    require_that(can_manage_groups(actor))
    cover = [c for c in (cover or []) if c not in regular]
    if not regular:
        raise ValidationError({"regular": _("A group needs at least one regular facilitator.")})
    for field, people in (("regular", regular), ("cover", cover)):
        for clinician in people:
            if not can_join_care_team(clinician):
                raise ValidationError(
                    {field: _("%(name)s is not a clinician.") % {"name": clinician}}
                )
    group.full_clean()
    group.save()
    # Only what changes is written, one row at a time, so that the history keeps who
    # facilitated the group when (GroupFacilitator.history).
    wanted = {c.pk: "regular" for c in regular} | {c.pk: "cover" for c in cover}
    for place in GroupFacilitator.objects.filter(group=group):
        role = wanted.pop(place.clinician_id, None)
        if role is None:
            place.delete()
        elif role != place.role:
            place.role = role
            place.save()
    for clinician_id, role in wanted.items():
        GroupFacilitator.objects.create(group=group, clinician_id=clinician_id, role=role)
    return group


def non_association_warnings(group: TherapyGroup, patient: Patient) -> list[str]:
    members = GroupMembership.objects.filter(group=group, left_on__isnull=True).values_list(
        "patient", flat=True
    )
    pairs = NonAssociation.objects.filter(
        Q(patient=patient, other__in=members) | Q(other=patient, patient__in=members)
    ).select_related("patient", "other")
    return [
        _("%(patient)s must not meet %(other)s, who is in this group: %(reason)s")
        % {
            "patient": patient.file_number,
            "other": (pair.other if pair.patient_id == patient.pk else pair.patient).file_number,
            "reason": pair.reason,
        }
        for pair in pairs
    ]


@transaction.atomic
def group_member_add(
    *,
    actor,
    group: TherapyGroup,
    patient: Patient,
    joined_on: datetime.date | None = None,
    allow_non_associations: bool = False,
) -> GroupMembership:
    """Allocate a patient to a group; they are expected at its sessions from then on."""
    require_that(can_manage_groups(actor))
    joined_on = joined_on or timezone.localdate()
    if GroupMembership.objects.filter(group=group, patient=patient, left_on__isnull=True).exists():
        raise ValidationError({"patient": _("This patient is already in the group.")})
    if not allow_non_associations:
        warnings = non_association_warnings(group, patient)
        if warnings:
            raise NonAssociationWarning(warnings)
    membership = GroupMembership(group=group, patient=patient, joined_on=joined_on, added_by=actor)
    membership.full_clean(exclude=["added_by"])
    membership.save()
    upcoming = Appointment.objects.filter(
        group=group, status=Appointment.Status.SCHEDULED, starts_at__date__gte=joined_on
    ).exclude(attendances__patient=patient)
    Attendance.objects.bulk_create(
        [Attendance.expected_at(session, patient) for session in upcoming]
    )
    sessions_changed([patient.pk])
    record_access(actor=actor, action=Action.CREATE, patient=patient, obj=membership)
    return membership


@transaction.atomic
def group_member_end(
    *, actor, membership: GroupMembership, left_on: datetime.date | None = None
) -> GroupMembership:
    """A member leaves; the sessions after that day no longer expect them."""
    require_that(can_manage_groups(actor))
    if membership.left_on is not None:
        raise ValidationError(_("This patient has already left the group."))
    membership.left_on, membership.ended_by = left_on or timezone.localdate(), actor
    membership.full_clean(exclude=["added_by", "ended_by"])
    membership.save()
    # Expectations of sessions not yet held, with nothing recorded: never a record, removed.
    Attendance.objects.filter(
        patient=membership.patient,
        appointment__group=membership.group,
        appointment__starts_at__date__gt=membership.left_on,
        outcome__isnull=True,
    ).delete()
    sessions_changed([membership.patient_id])
    record_access(actor=actor, action=Action.UPDATE, patient=membership.patient, obj=membership)
    return membership


@transaction.atomic
def non_association_add(*, actor, patient: Patient, other: Patient, reason: str) -> NonAssociation:
    """Two patients who must not meet in a group: recorded by whoever manages the groups."""
    require_that(can_manage_groups(actor))
    if patient.pk == other.pk:
        raise ValidationError({"other": _("Choose another patient.")})
    first, second = sorted([patient, other], key=lambda p: p.pk)
    if NonAssociation.objects.filter(patient=first, other=second).exists():
        raise ValidationError({"other": _("These two patients are already kept apart.")})
    pair = NonAssociation(patient=first, other=second, reason=reason, recorded_by=actor)
    pair.full_clean(exclude=["recorded_by"])
    pair.save()
    for someone in (first, second):
        record_access(actor=actor, action=Action.CREATE, patient=someone, obj=pair)
    return pair
