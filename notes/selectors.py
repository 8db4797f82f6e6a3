"""Reads of clinical notes. Each takes the user and goes through the patient door with the
clinical zone: someone who may not read the patient's clinical zone gets nothing (or 404)."""

from django.db.models import QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from casework.models import Appointment
from casework.permissions import Zone
from casework.selectors import patients_visible_to
from notes.models import ClinicalNote

SESSIONS_OFFERED = 50


def _readable(user, patient_id) -> QuerySet[ClinicalNote]:
    readable = patients_visible_to(user, zone=Zone.CLINICAL).filter(pk=patient_id)
    return ClinicalNote.objects.filter(patient__in=readable)


def notes_of(user, patient_id, *, kind: str) -> QuerySet[ClinicalNote]:
    """One kind of notes of a patient, latest first."""
    return (
        _readable(user, patient_id)
        .filter(kind=kind)
        .select_related("author", "appointment")
        .order_by("-created_at", "-pk")
    )


def note_for(user, patient_id, note_id) -> ClinicalNote:
    """One note of the patient, or 404."""
    return get_object_or_404(
        _readable(user, patient_id).select_related("author", "appointment"), pk=note_id
    )


def sessions_to_note(user, patient_id) -> QuerySet[Appointment]:
    """The patient's latest held sessions, for a session note to name. The form's field must be
    able to filter its queryset when it checks the choice: the slice is in the subquery."""
    readable = patients_visible_to(user, zone=Zone.CLINICAL).filter(pk=patient_id)
    latest = (
        Appointment.objects.held_or_due()
        .filter(attendances__patient__in=readable, starts_at__lte=timezone.now())
        .order_by("-starts_at")
        .values("pk")[:SESSIONS_OFFERED]
    )
    return Appointment.objects.filter(pk__in=Subquery(latest)).order_by("-starts_at")
