"""Agendas and attendance: whose sessions a user reaches (`Reach`), the agenda by day, and
the outcomes and evidence still awaited."""

import dataclasses
import datetime
import functools

from django.conf import settings
from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from accounts.models import User
from casework.models import (
    Appointment,
    Attendance,
    Patient,
)
from casework.models.appointments import AppointmentQuerySet
from casework.permissions import Zone, can_access_every_file
from casework.selectors.groups import groups_visible_to
from casework.selectors.patients import patients_visible_to
from common.dates import day_bounds
from common.db import AnyOf, planned_for_their_values


def _agenda_prefetch(appointments, *, with_clinicians: bool = False):
    """What agenda rows show; the clinicians of each session only for agendas that name
    them (the clinic's: a clinician's own agenda is theirs)."""
    related: list[Prefetch | str] = [
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

    user: User
    patient_ids: list[int] | None
    group_ids: list[int] | None

    @property
    def sees_everyone(self) -> bool:
        return self.patient_ids is None

    @functools.cached_property
    def _ids(self) -> tuple[set[int], set[int]]:
        return set(self.patient_ids or ()), set(self.group_ids or ())

    def sees(self, appointment: Appointment) -> bool:
        """appointments_visible_to's rule, for one appointment already read: its patient or
        its group is within reach."""
        if self.sees_everyone:
            return True
        patients, groups = self._ids
        if appointment.group_id is not None:
            return appointment.group_id in groups
        return appointment.patient_id in patients

    def patients_q(self, prefix: str = "") -> Q:
        """A filter on rows of the patients within reach (`prefix`: the path to the patient's
        id, e.g. "attendance__"); an empty filter when every patient is."""
        return (
            Q() if self.patient_ids is None else Q(AnyOf(f"{prefix}patient_id", self.patient_ids))
        )


def reach_of(user) -> Reach:
    if can_access_every_file(user, Zone.FRAME):
        return Reach(user, None, None)
    # Unordered: a set of ids, not a list to show (the patients' order cost a sort of them all).
    patient_ids = list(patients_visible_to(user).order_by().values_list("pk", flat=True))
    groups = groups_visible_to(user).order_by().values_list("pk", flat=True)
    return Reach(user, patient_ids, list(groups))


def appointments_visible_to(reach: Reach) -> AppointmentQuerySet[Appointment]:
    """What a user may see of the agenda, as of now (Reach.sees: the same rule for one
    appointment): the appointments of the patients they may see, and the sessions of the
    groups they may see (a facilitator takes a group's attendance:
    casework.permissions.can_work_with_group). Being booked on an appointment grants
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
    """Appointments that stand or were cancelled (not the superseded ones), in time order.

    Read it within common.db.planned_for_their_values(): whether to start from the period's
    sessions or from the clinician's bookings depends on how many each holds, which only the
    values tell (a generic plan walked a network's whole week for one clinician)."""
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
    days: dict[datetime.date, list[Appointment]] = {
        first + datetime.timedelta(days=i): [] for i in range(length)
    }
    totals: dict[datetime.date, int] = {}
    with planned_for_their_values():  # one clinician's week among many: agenda()
        rows = list(
            appointments.annotate(rank=rank, day_total=total).filter(rank__lte=rows_per_day)
        )
    for appointment in rows:
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


def reminders_undelivered(reach: Reach) -> QuerySet[Attendance]:
    """Appointments still to come whose reminder the outbox has not delivered after several
    attempts (a wrong address or number, a gateway down): someone should check the contact
    details, or tell the patient another way."""
    return (
        _within(
            reach,
            Attendance.objects.filter(
                starts_at__gte=timezone.now(),
                appointment__status=Appointment.Status.SCHEDULED,
                reminder__message__sent_at__isnull=True,
                reminder__message__attempts__gte=settings.OUTBOX_ATTEMPTS_BEFORE_WARNING,
            ),
        )
        .select_related("appointment", "patient", "reminder__message")
        .order_by("starts_at", "pk")
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
        .select_related("appointment__group", "appointment__room", "outcome")
    )
    # The attendance's own time, its session's (Attendance.starts_at).
    recent = list(sessions.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:past])
    coming = list(sessions.filter(starts_at__gte=now).order_by("starts_at", "pk")[:upcoming])
    prefetch_related_objects(recent + coming, "appointment__clinicians")
    return recent, coming
