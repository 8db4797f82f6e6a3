"""Reads of letters, through the patient door (the frame zone)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from casework.selectors import patients_visible_to
from reports.models import Letter


def letters_of(user, patient_id) -> QuerySet[Letter]:
    visible = patients_visible_to(user).filter(pk=patient_id)
    return (
        Letter.objects.filter(patient__in=visible)
        .select_related("mandate__authority", "signed_by", "cosigned_by", "corrects")
        .defer("pdf")
        .order_by("-created_at", "-pk")
    )


def letter_for(user, patient_id, letter_id) -> Letter:
    return get_object_or_404(
        letters_of(user, patient_id).select_related("patient", "mandate__justice_contact"),
        pk=letter_id,
    )
