"""Permission-aware reads. Every patient-scoped view, endpoint and task comes through here."""

import dataclasses
import datetime
import functools
import heapq

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.roles import CLINICIAN_ROLES, ROLE_PERMISSIONS, Role
from audit.services import note_denied
from casework.models import (
    Appointment,
    Attendance,
    Authority,
    CareStage,
    CareTeamMembership,
    ComplianceAlert,
    ComplianceAlertQuerySet,
    EmergencyAccess,
    Episode,
    GroupFacilitator,
    Mandate,
    NonAssociation,
    Patient,
    PatientUserObjectPermission,
    TherapyGroup,
)
from casework.permissions import Zone, can_manage_groups, has_global_access
from common.dates import day_bounds
from common.db import AnyOf
from common.text import search_key


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
    if has_global_access(user, zone):
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
    if has_global_access(user, Zone.FRAME):
        return False
    granted = PatientUserObjectPermission.objects.filter(
        content_object=patient, user=user, permission__content_type__app_label="casework"
    )
    return not granted.exists()


def emergency_accesses_of(patient: Patient) -> list:
    """The patient's emergency accesses that still run, for the patient page."""
    return list(
        EmergencyAccess.objects.active().filter(patient=patient).select_related("clinician")
    )


def emergency_accesses_to_review() -> QuerySet:
    """Emergency accesses that opened a file, at once or approved, not reviewed yet."""
    return EmergencyAccess.objects.filter(
        reviewed_at__isnull=True,
        status__in=[EmergencyAccess.Status.OPENED, EmergencyAccess.Status.APPROVED],
    ).select_related("patient", "clinician")


def emergency_requests_to_decide() -> QuerySet:
    """Emergency accesses awaiting the clinical lead's approval, oldest first."""
    return (
        EmergencyAccess.objects.filter(status=EmergencyAccess.Status.REQUESTED)
        .select_related("patient", "clinician")
        .order_by("opened_at", "pk")
    )


def emergency_requests_of(user) -> list:
    """The user's own emergency accesses that awaited approval: those still waiting, and those
    decided within the last EMERGENCY_ACCESS_HOURS (for their home page)."""
    since = timezone.now() - datetime.timedelta(hours=settings.EMERGENCY_ACCESS_HOURS)
    return list(
        EmergencyAccess.objects.filter(clinician=user)
        .filter(
            Q(status=EmergencyAccess.Status.REQUESTED)
            | Q(
                status__in=[EmergencyAccess.Status.APPROVED, EmergencyAccess.Status.REFUSED],
                decided_at__gte=since,
            )
        )
        .select_related("patient", "decided_by")
        .order_by("-opened_at", "-pk")[:20]
    )


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


def caseload_by_stage(user) -> dict[str, int]:
    counts = dict(
        patients_visible_to(user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {stage: counts.get(stage, 0) for stage in CareStage.values}


def caseload_by_clinician() -> QuerySet:
    """Each clinician with the number of care teams they are in now. Counted per clinician
    from the index of current places (index only), not by joining every place of the clinic
    to the clinicians and grouping them (14 to 3 ms at 20,000 files)."""
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
        .filter(status__in=[CareStage.INTAKE, CareStage.IN_TREATMENT], lead_therapist__isnull=True)
        .order_by("created_at")
    )


# --- Agenda, attendance, compliance ---------------------------------------------------------


def _agenda_prefetch(appointments, *, with_clinicians: bool = False):
    """What agenda rows show; the clinicians of each session only for agendas that name
    them (the clinic's: a clinician's own agenda is theirs)."""
    related = [
        Prefetch(
            "attendances",
            queryset=Attendance.objects.select_related("patient", "outcome").order_by(
                "patient__last_name"
            ),
            to_attr="attendance_list",  # a list: no queryset made per row
        )
    ]
    if with_clinicians:
        related.append("clinicians")
    return appointments.select_related("patient", "group").prefetch_related(*related)


@dataclasses.dataclass(frozen=True)
class Reach:
    """Whom a user may see, read once for a page or a task: the ids of their patients and of
    the groups they may work with, or None for each when they see every patient and group.

    A clinician's ids are a few hundred; handed to the planner as a list (one array
    parameter: common.db.AnyOf), they let it start from the clinician's own rows
    (appointments, waiting outcomes, alerts, letters) instead of every row of the clinic
    checked against the permissions (docs/performance.md). Read once per page and passed to
    each selector that needs it: never kept beyond the request."""

    user: object
    patient_ids: list[int] | None
    group_ids: list[int] | None

    @property
    def sees_everyone(self) -> bool:
        return self.patient_ids is None

    def patients_q(self, prefix: str = "") -> Q:
        """A filter on rows of the patients within reach (`prefix`: the path to the patient's
        id, e.g. "attendance__"); an empty filter when every patient is."""
        return (
            Q() if self.patient_ids is None else Q(AnyOf(f"{prefix}patient_id", self.patient_ids))
        )


def reach_of(user) -> Reach:
    if has_global_access(user, Zone.FRAME):
        return Reach(user, None, None)
    # Unordered: a set of ids, not a list to show (the patients' order cost a sort of them all).
    patient_ids = list(patients_visible_to(user).order_by().values_list("pk", flat=True))
    groups = groups_visible_to(user).order_by().values_list("pk", flat=True)
    return Reach(user, patient_ids, list(groups))


def appointments_visible_to(reach: Reach) -> QuerySet[Appointment]:
    """What a user may see of the agenda, as of now: the appointments of the patients they may
    see, and the sessions of the groups they may see (a facilitator takes a group's attendance:
    casework.permissions.may_work_with_group). Being booked on an appointment grants
    nothing: a clinician who leaves a care team no longer sees that patient's appointments."""
    if reach.sees_everyone:
        return Appointment.objects.all()
    return Appointment.objects.filter(
        Q(AnyOf("patient_id", reach.patient_ids)) | Q(AnyOf("group_id", reach.group_ids))
    )


def agenda(
    reach: Reach,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    clinician_id: int | None = None,
    with_clinicians: bool = False,
) -> QuerySet[Appointment]:
    """Appointments that stand or were cancelled (not the superseded ones), in time order."""
    appointments = (
        appointments_visible_to(reach).current().filter(starts_at__gte=start, starts_at__lt=end)
    )
    if clinician_id:
        appointments = appointments.filter(clinicians=clinician_id)
    return _agenda_prefetch(appointments, with_clinicians=with_clinicians).order_by(
        "starts_at", "pk"
    )


@dataclasses.dataclass
class AgendaDay:
    """One day of an agenda: its first sessions and how many it has in all."""

    day: datetime.date
    appointments: list[Appointment]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.appointments)


def agenda_days(
    reach: Reach,
    first: datetime.date,
    length: int,
    *,
    rows_per_day: int,
    clinician_id: int | None = None,
    with_clinicians: bool = False,
) -> list[AgendaDay]:
    """Each day of the agenda from `first` over `length` days, with its first `rows_per_day`
    sessions and its total, in one query (and the prefetches) whatever the number of days: a
    page shows a bounded number of rows however busy the agenda is. Each row carries its
    day's total, counted in the same pass as the ranks (one scan of the week, not two)."""
    appointments = agenda(
        reach,
        *day_bounds(first, length),
        clinician_id=clinician_id,
        with_clinicians=with_clinicians,
    )
    local_day = TruncDate("starts_at", tzinfo=timezone.get_current_timezone())
    rank = Window(RowNumber(), partition_by=[local_day], order_by=["starts_at", "pk"])
    total = Window(Count("pk"), partition_by=[local_day])
    days = {first + datetime.timedelta(days=i): [] for i in range(length)}
    totals: dict[datetime.date, int] = {}
    for appointment in appointments.annotate(rank=rank, day_total=total).filter(
        rank__lte=rows_per_day
    ):
        day = timezone.localdate(appointment.starts_at)
        days[day].append(appointment)
        totals[day] = appointment.day_total
    return [AgendaDay(day, shown, totals.get(day, 0)) for day, shown in days.items()]


def awaiting_outcome(
    reach: Reach, *, before: datetime.datetime | None = None
) -> QuerySet[Appointment]:
    """The user's sessions begun (before `before`, default now) with at least one attendance
    still waiting for its outcome.

    Found in two steps: the waiting attendances of the patients and groups within reach (a
    clinician's), then which of their appointments the user is booked on. Joined in one
    query, the planner hashed every session the clinician is booked on, past and future
    (docs/performance.md). Whoever sees everyone starts from their own sessions instead."""
    # The attendance's own time: the index of waiting attendances is read by patient and time,
    # past sessions only (the future ones, all waiting, are never visited).
    waiting = Attendance.objects.filter(
        outcome__isnull=True, starts_at__lt=before or timezone.now()
    )
    if reach.sees_everyone:
        waiting = waiting.filter(appointment__clinicians=reach.user)
    else:
        waiting = _within(reach, waiting)
    # Through the door already: the attendances are of the user's patients and groups.
    appointments = Appointment.objects.held_or_due().filter(
        AnyOf("pk", waiting.values_list("appointment_id", flat=True).distinct()),
        clinicians=reach.user,
    )
    return _agenda_prefetch(appointments).order_by("starts_at", "pk")


def _within(reach: Reach, attendances: QuerySet[Attendance]) -> QuerySet[Attendance]:
    """Attendances of the patients and groups within reach."""
    if reach.sees_everyone:
        return attendances
    within = reach.patients_q()
    if reach.group_ids:  # else no join to the appointments at all
        within |= Q(AnyOf("appointment__group_id", reach.group_ids))
    return attendances.filter(within)


def awaiting_evidence(reach: Reach) -> QuerySet[Attendance]:
    """Outcomes of the user's sessions that wait for a document (a certificate...)."""
    return (
        _within(
            reach,
            Attendance.objects.filter(
                evidence=Attendance.Evidence.AWAITED,
                appointment__clinicians=reach.user,
                appointment__status=Appointment.Status.SCHEDULED,  # held or due
            ),
        )
        .select_related("appointment", "patient", "outcome")
        .order_by("appointment__starts_at")
    )


def patient_attendances(patient: Patient, *, past: int = 10, upcoming: int = 10):
    """A patient's latest and next sessions, individual and group alike, superseded ones out:
    the latest `past` before now, latest first, and the next `upcoming`, soonest first. Two
    plain statements, each reading its few rows from now outwards, whatever the length of the
    file (one statement ranking the whole file in a window cost more to build than both:
    docs/performance.md); the clinicians of both lists in one more."""
    now = timezone.now()
    sessions = (
        Attendance.objects.filter(patient=patient)
        .exclude(appointment__status=Appointment.Status.RESCHEDULED)
        .select_related("appointment__group", "outcome")
    )
    # The attendance's own time, its session's (Attendance.starts_at).
    recent = list(sessions.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:past])
    coming = list(sessions.filter(starts_at__gte=now).order_by("starts_at", "pk")[:upcoming])
    prefetch_related_objects(recent + coming, "appointment__clinicians")
    return recent, coming


def _counter_expressions(
    start: datetime.date, end: datetime.date
) -> tuple[dict, datetime.datetime]:
    """The counters of docs/domain.md over [start, end), as aggregate expressions on Attendance.

    Every session of the period that was not moved is planned, and in exactly one of
    attended, acceptable or unacceptable absences, awaiting evidence, awaiting outcome, to
    come, cancelled by the clinic: whoever reads them can check the sum. The others count
    apart."""
    since, until = day_bounds(start, (end - start).days)
    year_ago = until - datetime.timedelta(days=365)
    now = min(timezone.now(), until)
    in_period = Q(appointment__starts_at__gte=since, appointment__starts_at__lt=until)
    # A moved session is out: its new booking counts in its place, wherever it falls.
    moved = in_period & Q(appointment__status=Appointment.Status.RESCHEDULED)
    cancelled = in_period & Q(appointment__status=Appointment.Status.CANCELLED)
    stands = in_period & Q(appointment__status=Appointment.Status.SCHEDULED)
    attended = stands & Q(outcome__counts_as_attended=True)
    absent = stands & Q(outcome__counts_as_attended=False)
    # Justified once the outcome says so and no document is awaited any more; until then an
    # absence that is not a failure waits for its evidence.
    justified = Q(outcome__compliant=True) & ~Q(evidence=Attendance.Evidence.AWAITED)
    not_failure = absent & Q(outcome__enforceable=False)
    no_outcome = stands & Q(outcome__isnull=True)
    begun = Q(appointment__starts_at__lt=now)
    expressions = {
        "planned": Count("pk", filter=stands | cancelled),
        "attended": Count("pk", filter=attended),
        "acceptable_absences": Count("pk", filter=not_failure & justified),
        "unacceptable_absences": Count("pk", filter=absent & Q(outcome__enforceable=True)),
        "awaiting_evidence": Count("pk", filter=not_failure & ~justified),
        "awaiting_outcome": Count("pk", filter=no_outcome & begun),
        "to_come": Count("pk", filter=no_outcome & ~begun),
        "cancelled_by_clinic": Count("pk", filter=cancelled),
        "attended_failed_to_comply": Count("pk", filter=attended & Q(outcome__compliant=False)),
        "rescheduled_by_patient": Count(
            "pk", filter=moved & Q(appointment__change_requested_by=Appointment.RequestedBy.PATIENT)
        ),
        "rescheduled_by_clinic": Count(
            "pk", filter=moved & Q(appointment__change_requested_by=Appointment.RequestedBy.CLINIC)
        ),
        "failures_last_12_months": Count(
            "pk",
            filter=Q(
                appointment__status=Appointment.Status.SCHEDULED,
                appointment__starts_at__gte=year_ago,
                appointment__starts_at__lt=until,
                outcome__enforceable=True,
            ),
        ),
    }
    return expressions, min(since, year_ago)


def compliance_counters_many(
    patient: Patient, periods: dict[str, tuple[datetime.date, datetime.date]]
) -> dict[str, dict[str, int]]:
    """The counters of one patient over several periods (one per mandate...), in one query."""
    if not periods:
        return {}
    aggregates, earliest = {}, None
    for key, (start, end) in periods.items():
        expressions, since = _counter_expressions(start, end)
        earliest = since if earliest is None else min(earliest, since)
        aggregates.update({f"{key}__{name}": value for name, value in expressions.items()})
    row = Attendance.objects.filter(
        patient=patient, appointment__starts_at__gte=earliest
    ).aggregate(**aggregates)
    result: dict[str, dict[str, int]] = {key: {} for key in periods}
    for name, value in row.items():
        key, counter = name.split("__", 1)
        result[key][counter] = value
    return result


def compliance_counters(
    patient: Patient, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """The counters of docs/domain.md for one patient over [start, end), in one query."""
    return compliance_counters_many(patient, {"period": (start, end)})["period"]


def latest_open_alerts(reach: Reach, count: int) -> list[ComplianceAlert]:
    """The `count` latest open alerts about the patients within reach, latest first.

    Whoever sees everyone reads them from the index of the latest open alerts. A clinician's
    are found from their patients (the index of open alerts by patient), as bare times and
    ids, and the latest picked here: asked for the latest ten of their patients' alerts,
    PostgreSQL walked the clinic's open alerts from the latest until ten were theirs, 7,000
    rows when theirs were older than the rest (docs/performance.md)."""
    alerts = ComplianceAlert.objects.open()
    if not reach.sees_everyone:
        theirs = alerts.filter(reach.patients_q()).order_by().values_list("raised_at", "pk")
        alerts = alerts.filter(AnyOf("pk", [pk for _, pk in heapq.nlargest(count, theirs)]))
    return list(
        alerts.select_related(
            "rule", "patient", "attendance__appointment", "attendance__outcome"
        ).order_by("-raised_at", "-pk")[:count]
    )


EARLIER_ALERTS_SHOWN = 10


def recent_alerts(patient: Patient) -> list[ComplianceAlert]:
    """The patient's open alerts and the latest acknowledged or resolved ones, latest first:
    an alert dealt with stays visible, with who dealt with it and how. One query: the alerts
    dealt with are ranked, and all the open ones kept."""
    is_open = ComplianceAlertQuerySet.OPEN
    latest = Window(
        RowNumber(),
        partition_by=[ExpressionWrapper(is_open, output_field=BooleanField())],
        order_by=[F("raised_at").desc(), F("pk").desc()],
    )
    return list(
        ComplianceAlert.objects.filter(patient=patient)
        .annotate(latest=latest)
        .filter(is_open | Q(latest__lte=EARLIER_ALERTS_SHOWN))
        .select_related("rule", "acknowledged_by", "attendance__appointment", "attendance__outcome")
        .order_by("-raised_at", "-pk")
    )


def groups_visible_to(user) -> QuerySet[TherapyGroup]:
    """Administrators and the lead see every group; a clinician, those they facilitate
    (regular or cover): casework.permissions.may_work_with_group, as a query."""
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


def possible_clinicians_for(patient: Patient) -> QuerySet:
    """Who may see this patient in their agenda: the current care team and the clinical lead."""
    team = CareTeamMembership.objects.filter(
        patient=patient, ends_on__isnull=True, clinician=OuterRef("pk")
    )
    return clinicians().filter(Q(Exists(team)) | Q(groups__name="clinical_lead"))


def non_associations_of(patient: Patient) -> list[tuple[Patient, str]]:
    """The patients this one must not meet, with the reason."""
    pairs = NonAssociation.objects.filter(Q(patient=patient) | Q(other=patient)).select_related(
        "patient", "other"
    )
    return [(p.other if p.patient_id == patient.pk else p.patient, p.reason) for p in pairs]


# --- The access register (Belgian law of 30 July 2018, art. 9) -----------------------------


@dataclasses.dataclass
class AccessHolder:
    """Someone who can open a patient's file, and through what."""

    user: object
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
