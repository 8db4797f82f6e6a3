"""Reads of the documents on a file. Each takes the user and goes through the patient door,
with the zone of each document's kind: the frame's documents for whoever reaches the file, the
clinical ones only for whoever reads its clinical zone. Another's document answers 404."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from casework.models import Attendance
from casework.permissions import Zone
from casework.selectors import patients_visible_to
from documents.models import Document


def reads_clinical(user, patient_id) -> bool:
    return patients_visible_to(user, zone=Zone.CLINICAL).filter(pk=patient_id).exists()


def _readable(user, patient_id) -> QuerySet[Document]:
    frame = patients_visible_to(user, zone=Zone.FRAME).filter(pk=patient_id)
    clinical = patients_visible_to(user, zone=Zone.CLINICAL).filter(pk=patient_id)
    clinical_kinds = Q(kind__in=Document.CLINICAL_KINDS)
    return Document.objects.filter(
        (Q(patient__in=frame) & ~clinical_kinds) | (Q(patient__in=clinical) & clinical_kinds)
    )


def documents_of(user, patient_id) -> QuerySet[Document]:
    """The file's documents the user may read, the latest dated first."""
    return _readable(user, patient_id).select_related("uploaded_by", "attendance__appointment")


def document_for(user, patient_id, document_id) -> Document:
    """One document of the file, or 404."""
    return get_object_or_404(documents_of(user, patient_id), pk=document_id)


def sessions_awaiting_evidence(user, patient_id) -> QuerySet[Attendance]:
    """The patient's absences whose evidence is awaited, for a document to clear."""
    return (
        Attendance.objects.filter(
            patient__in=patients_visible_to(user, zone=Zone.FRAME).filter(pk=patient_id),
            evidence=Attendance.Evidence.AWAITED,
        )
        .select_related("appointment", "outcome")
        .order_by("-appointment__starts_at")
    )
