"""Therapy groups a user may work with, and the patients a patient must not meet."""

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import Http404

from audit.services import note_denied
from casework.models import (
    GroupFacilitator,
    NonAssociation,
    Patient,
    TherapyGroup,
)
from casework.permissions import can_manage_groups


def groups_visible_to(user) -> QuerySet[TherapyGroup]:
    """Administrators and the lead see every group; a clinician, those they facilitate
    (regular or cover): casework.permissions.can_work_with_group, as a query."""
    if not (user.is_authenticated and user.is_active):
        return TherapyGroup.objects.none()
    if can_manage_groups(user):
        return TherapyGroup.objects.all()
    return TherapyGroup.objects.filter(
        Exists(GroupFacilitator.objects.filter(group=OuterRef("pk"), clinician=user))
    )


def group_for(user, group_id) -> TherapyGroup:
    try:
        return groups_visible_to(user).get(pk=group_id)
    except TherapyGroup.DoesNotExist:
        note_denied(object_type="casework.therapygroup", object_id=str(group_id))
        raise Http404 from None


def non_associations_of(patient: Patient) -> list[tuple[Patient, str]]:
    """The patients this one must not meet, with the reason."""
    pairs = NonAssociation.objects.filter(Q(patient=patient) | Q(other=patient)).select_related(
        "patient", "other"
    )
    return [(p.other if p.patient_id == patient.pk else p.patient, p.reason) for p in pairs]
