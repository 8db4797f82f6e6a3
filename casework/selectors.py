"""Permission-aware reads. Every patient-scoped view, endpoint and task comes through here."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from accounts.roles import CLINICIAN_ROLES
from casework.models import (
    Authority,
    CareStage,
    CareTeamMembership,
    Episode,
    Mandate,
    Patient,
    PatientUserObjectPermission,
)
from casework.permissions import Zone, has_global_access


def patients_visible_to(user, *, zone: Zone = Zone.FRAME) -> QuerySet[Patient]:
    if not (user.is_authenticated and user.is_active):
        return Patient.objects.none()
    if has_global_access(user, zone):
        return Patient.objects.all()
    grants = PatientUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        user=user,
        permission__codename=zone.codename,
        permission__content_type__app_label="casework",
    )
    return Patient.objects.filter(Exists(grants))


def patient_for(user, patient_id, *, zone: Zone = Zone.FRAME) -> Patient:
    """The patient, or 404 — the same answer whether the file is someone else's or absent."""
    return get_object_or_404(patients_visible_to(user, zone=zone), pk=patient_id)


def _current_lead() -> Prefetch:
    return Prefetch(
        "care_team",
        queryset=CareTeamMembership.objects.filter(
            ends_on__isnull=True, role=CareTeamMembership.Role.LEAD_THERAPIST
        ).select_related("clinician"),
        to_attr="current_leads",
    )


def _active_mandates() -> Prefetch:
    return Prefetch(
        "mandates",
        queryset=Mandate.objects.filter(status=Mandate.Status.ACTIVE).select_related("authority"),
        to_attr="active_mandates",
    )


def patient_list(
    user,
    *,
    query: str = "",
    status: str = "",
    clinician_id: int | None = None,
    authority_id: int | None = None,
) -> QuerySet[Patient]:
    """The patients a user may see, filtered, with what a list row shows prefetched."""
    patients = patients_visible_to(user)
    for term in query.split():
        patients = patients.filter(
            Q(file_number__icontains=term)
            | Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
        )
    if status:
        patients = patients.filter(status=status)
    if clinician_id:
        patients = patients.filter(
            Exists(
                CareTeamMembership.objects.filter(
                    patient=OuterRef("pk"), clinician_id=clinician_id, ends_on__isnull=True
                )
            )
        )
    if authority_id:
        patients = patients.filter(
            Exists(
                Mandate.objects.filter(
                    patient=OuterRef("pk"),
                    authority_id=authority_id,
                    status=Mandate.Status.ACTIVE,
                )
            )
        )
    return patients.prefetch_related(_current_lead(), _active_mandates()).order_by(
        "last_name", "first_name", "pk"
    )


def patient_detail(user, patient_id) -> Patient:
    """One patient with everything the patient page shows, in a fixed number of queries."""
    patients = patients_visible_to(user).prefetch_related(
        Prefetch(
            "mandates",
            queryset=Mandate.objects.select_related("authority", "justice_contact"),
        ),
        Prefetch(
            "care_team",
            queryset=CareTeamMembership.objects.select_related("clinician").order_by(
                "ends_on", "role", "starts_on"
            ),
        ),
        "episodes__referral_recorded_by",
        "episodes__intake_recorded_by",
        "episodes__treatment_started_by",
        "episodes__closed_by",
    )
    return get_object_or_404(patients, pk=patient_id)


def clinicians() -> QuerySet:
    """Staff who may join a care team."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=list(CLINICIAN_ROLES))
        .distinct()
        .order_by("last_name", "first_name")
    )


def active_authorities() -> QuerySet[Authority]:
    return Authority.objects.filter(is_active=True).order_by("name")


def caseload_by_stage(user) -> dict[str, int]:
    counts = dict(
        patients_visible_to(user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {stage: counts.get(stage, 0) for stage in CareStage.values}


def caseload_by_clinician() -> QuerySet:
    return (
        clinicians()
        .annotate(
            caseload=Count(
                "care_team_memberships",
                filter=Q(care_team_memberships__ends_on__isnull=True),
                distinct=True,
            )
        )
        .order_by("-caseload", "last_name")
    )


def referrals_waiting(user) -> QuerySet[Patient]:
    """Referrals not yet seen for an intake, longest waiting first, with their referral date."""
    referred_on = Episode.objects.filter(patient=OuterRef("pk"), stage=CareStage.REFERRAL).values(
        "referral_received_on"
    )[:1]
    return (
        patients_visible_to(user)
        .filter(status=CareStage.REFERRAL)
        .annotate(referred_on=Subquery(referred_on))
        .order_by("referred_on", "pk")
    )


def patients_without_lead_therapist(user) -> QuerySet[Patient]:
    """Files past the referral stage and still open, with nobody leading the treatment."""
    return (
        patients_visible_to(user)
        .filter(status__in=[CareStage.INTAKE, CareStage.IN_TREATMENT])
        .exclude(
            Exists(
                CareTeamMembership.objects.filter(
                    patient=OuterRef("pk"),
                    role=CareTeamMembership.Role.LEAD_THERAPIST,
                    ends_on__isnull=True,
                )
            )
        )
        .order_by("created_at")
    )
