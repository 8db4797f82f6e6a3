"""The patient door and the lists of patients: who may see which file, in which zone
(`patients_visible_to`, `patient_for`: one door, refusals logged), and the lists and counts
built on it."""

import dataclasses
import datetime
import functools
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import display_name
from accounts.roles import CLINICIAN_ROLES
from audit.services import note_denied
from casework.models import (
    Authority,
    CareStage,
    CareTeamMembership,
    EmergencyAccess,
    Episode,
    Mandate,
    Patient,
    PatientUserObjectPermission,
)
from casework.permissions import Zone, can_access_every_file
from common.text import search_key

if TYPE_CHECKING:  # the stubs' helper, a development dependency
    from django_stubs_ext import WithAnnotations


def patients_visible_to(user, *, zone: Zone = Zone.FRAME) -> QuerySet[Patient]:
    if not (user.is_authenticated and user.is_active):
        return Patient.objects.none()
    return Patient.objects.filter(_visible(user, zone, _opened_by(user)))


def _opened_by(user):
    """The files opened by the user in an emergency, read when first needed, once."""
    return functools.cache(
        lambda: list(
            EmergencyAccess.objects.active()
            .filter(clinician=user)
            .values_list("patient", flat=True)
        )
    )


def _visible(user, zone: Zone, opened) -> Q:
    """The rule of patients_visible_to as a filter on patients (an active user)."""
    if can_access_every_file(user, zone):
        return Q()
    grants = PatientUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        user=user,
        permission__codename=zone.codename,
        permission__content_type__app_label="casework",
    )
    # Break-the-glass: files opened in an emergency, frame and clinical, while it lasts
    # (read only: the patient-scoped views refuse anything else, emergency_only()).
    if opened():
        return Q(Exists(grants)) | Q(pk__in=opened())
    return Q(Exists(grants))


def emergency_only(user, patient: Patient) -> bool:
    """Whether the user reaches this file through an emergency access alone (no care-team
    right, no role over every file): then they may read it, not change it."""
    if can_access_every_file(user, Zone.FRAME):
        return False
    granted = PatientUserObjectPermission.objects.filter(
        content_object=patient, user=user, permission__content_type__app_label="casework"
    )
    return not granted.exists()


def visible_patient_ids(user, patient_ids) -> set[int]:
    """Which of these patients' files the user may open (to link names only where they may)."""
    return set(
        patients_visible_to(user).filter(pk__in=list(patient_ids)).values_list("pk", flat=True)
    )


def patient_for(user, patient_id, *, zone: Zone = Zone.FRAME) -> Patient:
    """The patient, or 404 — the same answer whether the file is someone else's or absent.
    A refusal is noted for the access log (who asked for which file), written after the
    request whatever the transaction does."""
    return _through_the_door(patients_visible_to(user, zone=zone), patient_id)


def _through_the_door(visible: QuerySet[Patient], patient_id) -> Patient:
    try:
        return visible.get(pk=patient_id)
    except Patient.DoesNotExist:
        note_denied(
            object_type="casework.patient",
            object_id=str(patient_id),
            patient=Patient.objects.filter(pk=patient_id).only("file_number").first(),
        )
        raise Http404 from None


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
    """The patients a user may see, filtered, with what a list row shows prefetched.
    Each word of the query must appear in the file number or the name, whatever the case and
    the accents ("lefevre" finds Lefèvre). Callers bound the query (common.http.query_search)."""
    patients = patients_visible_to(user)
    for term in search_key(query).split():
        patients = patients.filter(search_text__contains=term)
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
    return (
        patients.select_related("lead_therapist")
        .prefetch_related(_active_mandates())
        .order_by("last_name", "first_name", "pk")
    )


def patient_detail(user, patient_id) -> Patient:
    """One patient with everything the patient page shows, in a fixed number of queries;
    `clinical_readable`: whether the user may also read its clinical zone (the rule of
    patients_visible_to(zone=CLINICAL), answered by the same query)."""
    if not (user.is_authenticated and user.is_active):
        return _through_the_door(Patient.objects.none(), patient_id)
    opened = _opened_by(user)
    clinical = ExpressionWrapper(_visible(user, Zone.CLINICAL, opened), BooleanField())
    patients = (
        Patient.objects.filter(_visible(user, Zone.FRAME, opened))
        .annotate(clinical_readable=clinical)
        .prefetch_related(
            Prefetch(
                "mandates",
                queryset=Mandate.objects.select_related(
                    "authority", "decided_by", "justice_contact", "legal_framework"
                ),
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
    )
    return _through_the_door(patients, patient_id)


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


# The stages of a file still open, in their order.
OPEN_STAGES = [stage for stage in CareStage.values if stage != CareStage.CLOSED]


def caseload_by_stage(user) -> dict[str, int]:
    """How many open files are at each stage (referral, intake, in treatment). Closed files,
    most of the table once the clinic has run a few years, are not counted: the count reads
    the partial index of the open files' status (`patient_open_status`) and nothing of the
    closed ones. The patient list, filtered on "closed", counts those when asked."""
    counted = dict(
        patients_visible_to(user)
        .exclude(status=CareStage.CLOSED)
        .values_list("status")
        .annotate(n=Count("*"))  # not a column: the index alone answers
        .order_by()
    )
    return {stage: counted.get(stage, 0) for stage in OPEN_STAGES}


@dataclasses.dataclass(frozen=True)
class Caseload:
    """A clinician and the number of care teams they are in now, as plain values (a page
    of them makes no user instance)."""

    clinician_id: int
    name: str
    patients: int


def caseload_by_clinician() -> "QuerySet[Any, tuple]":
    """Each clinician with the number of care teams they are in now, the busiest first, as
    rows for `caseloads()`. Counted per clinician from the index of current places (index
    only), not by joining every place of the clinic to the clinicians and grouping them (14
    to 3 ms at 20,000 files)."""
    current = (
        CareTeamMembership.objects.filter(clinician=OuterRef("pk"), ends_on__isnull=True)
        .order_by()
        .values("clinician")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        clinicians()
        .annotate(caseload=Coalesce(Subquery(current), 0))
        .order_by("-caseload", "last_name", "first_name", "pk")
        .values_list("pk", "first_name", "last_name", "username", "caseload")
    )


def caseloads(rows) -> list[Caseload]:
    """The rows of `caseload_by_clinician()` (or a slice of them) as `Caseload`s."""
    return [
        Caseload(clinician_id=pk, name=display_name(first, last, username), patients=n)
        for pk, first, last, username, n in rows
    ]


class Referred(TypedDict):
    referred_on: datetime.date  # the referral's date, from the episode waiting for an intake


def referrals_waiting(user) -> "QuerySet[WithAnnotations[Patient, Referred]]":
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
        .filter(status__in=[CareStage.INTAKE, CareStage.IN_TREATMENT], lead_therapist__isnull=True)
        .order_by("created_at")
    )


def possible_clinicians_for(patient: Patient) -> QuerySet:
    """Who may see this patient in their agenda: the current care team and the clinical lead."""
    team = CareTeamMembership.objects.filter(
        patient=patient, ends_on__isnull=True, clinician=OuterRef("pk")
    )
    return clinicians().filter(Q(Exists(team)) | Q(groups__name="clinical_lead"))
