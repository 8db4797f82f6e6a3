"""Reads of clinical notes. Each takes the user and goes through the patient door with the
clinical zone: someone who may not read the patient's clinical zone gets nothing (or 404)."""

import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from casework.models import Appointment, CareStage, CareTeamMembership
from casework.permissions import Zone
from casework.selectors import patients_visible_to
from notes.models import ClinicalNote, TreatmentPlan

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


# --- Treatment plans ------------------------------------------------------------------------

# The to-do list shows the plans whose review falls within this many days (or is overdue).
PLAN_REVIEW_NOTICE_DAYS = 14


def plans_of(user, patient_id) -> QuerySet[TreatmentPlan]:
    """Every version of the patient's plan, the latest first, each with its goals."""
    readable = patients_visible_to(user, zone=Zone.CLINICAL).filter(pk=patient_id)
    return (
        TreatmentPlan.objects.filter(patient__in=readable)
        .select_related("written_by")
        .prefetch_related("goals")
        .order_by("-version")
    )


def plan_version_for(user, patient_id, version: int) -> TreatmentPlan:
    """One version of the patient's plan, or 404."""
    return get_object_or_404(plans_of(user, patient_id), version=version)


def plans_to_review(user, *, today=None) -> QuerySet[TreatmentPlan]:
    """The latest version of each plan the user may read whose review is due within
    PLAN_REVIEW_NOTICE_DAYS (or overdue), or whose patient's treatment has ended (the plan is
    then to be closed, each goal summed up): a plan
    closed at the end of the treatment is reviewed no more. Those of the user's own care
    teams: the lead reads every file, but reviews the plans of their own patients."""
    today = today or timezone.localdate()
    latest = Subquery(
        TreatmentPlan.objects.filter(patient=OuterRef("patient"))
        .order_by("-version")
        .values("version")[:1]
    )
    theirs = CareTeamMembership.objects.filter(clinician=user, ends_on__isnull=True)
    return (
        TreatmentPlan.objects.filter(
            Q(review_on__lte=today + datetime.timedelta(days=PLAN_REVIEW_NOTICE_DAYS))
            | Q(patient__status=CareStage.CLOSED),  # the treatment ended: sum the goals up
            patient__in=patients_visible_to(user, zone=Zone.CLINICAL),
            version=latest,
        )
        .filter(patient__in=theirs.values("patient"))
        .exclude(kind=TreatmentPlan.Kind.CLOSING)
        .select_related("patient")
        .order_by("review_on", "pk")
    )
