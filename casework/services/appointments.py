"""Scheduling: appointments and series, rescheduling, cancelling, conflict warnings."""

import datetime
import enum
from collections.abc import Iterable
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.locks import lock_for_scheduling
from casework.models import (
    Appointment,
    AppointmentSeries,
    Attendance,
    CareStage,
    GroupMembership,
    Patient,
    Room,
    TherapyGroup,
)
from casework.permissions import can_join_care_team, can_manage_groups, move_refusal
from casework.services.session_counts import sessions_changed
from common.dates import out_of_bounds, years_after, years_before
from common.db import max_length_of
from common.errors import OverridableWarning
from common.permissions import require, require_that


class SchedulingConflict(OverridableWarning):
    """Someone is already booked at that time. The caller may insist (allow_conflicts)."""

    key = "conflicts"


def scheduling_conflicts(
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    clinicians: Iterable,
    patients: Iterable[Patient],
    room: Room | None = None,
    exclude: Appointment | None = None,
) -> list[str]:
    """Who among these clinicians and patients already has a standing appointment then; and
    whether the room is taken, or closed, then."""
    overlapping = Appointment.objects.overlapping(starts_at, ends_at)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    clinician_ids = {c.pk for c in clinicians}
    patient_ids = {p.pk for p in patients}
    warnings = []
    busy = (
        Appointment.clinicians.through.objects.filter(
            appointment__in=overlapping, user_id__in=clinician_ids
        )
        .select_related("user")
        .order_by("user__last_name")
    )
    for name in sorted({str(row.user) for row in busy}):
        warnings.append(
            _("%(clinician)s already has an appointment at that time.") % {"clinician": name}
        )
    booked = (
        Attendance.objects.filter(appointment__in=overlapping, patient_id__in=patient_ids)
        .select_related("patient")
        .order_by("patient__file_number")
    )
    for file_number in sorted({row.patient.file_number for row in booked}):
        warnings.append(
            _("Patient %(file_number)s already has an appointment at that time.")
            % {"file_number": file_number}
        )
    if room is not None:
        if overlapping.filter(room=room).exists():
            warnings.append(_("%(room)s is already booked at that time.") % {"room": room})
        if not room.is_open(starts_at, ends_at):
            warnings.append(
                _("%(room)s is open %(hours)s: this appointment falls outside.")
                % {"room": room, "hours": room.hours()}
            )
    return warnings


# Sessions are booked up to two years ahead; back to ten years (older files taken over from
# paper), and never before the patient was referred to the clinic (_check_referral).
BOOKING_YEARS_BACK, BOOKING_YEARS_AHEAD = 10, 2


def check_booking_time(starts_at: datetime.datetime, *, field: str = "starts_at") -> None:
    """Refuse a start outside the booking window, before any date arithmetic is done on it."""
    today = timezone.localdate()
    earliest = years_before(today, BOOKING_YEARS_BACK)
    latest = years_after(today, BOOKING_YEARS_AHEAD)
    message = out_of_bounds(timezone.localdate(starts_at), earliest, latest)
    if message:
        raise ValidationError(
            {
                field: _("%(message)s Sessions are booked from ten years back to two years ahead.")
                % {"message": message}
            }
        )


def _check_referral(patient: Patient, kind: str, starts_at: datetime.datetime) -> None:
    """No session before the patient was referred; no intake before the current referral."""
    episodes = patient.episodes.all()
    if kind == Appointment.Kind.INTAKE:
        episodes = episodes.exclude(stage=CareStage.CLOSED)
    referred_on = episodes.aggregate(first=Min("referral_received_on"))["first"]
    if referred_on and timezone.localdate(starts_at) < referred_on:
        message = (
            _("The referral was received on %(date)s: the intake cannot come before it.")
            if kind == Appointment.Kind.INTAKE
            else _("The patient was referred on %(date)s: a session cannot come before it.")
        )
        raise ValidationError(
            {"starts_at": message % {"date": date_format(referred_on, "DATE_FORMAT")}}
        )


def _members_on(group: TherapyGroup, day: datetime.date) -> list[Patient]:
    memberships = GroupMembership.objects.filter(group=group, joined_on__lte=day).exclude(
        left_on__lt=day
    )
    return [m.patient for m in memberships.select_related("patient")]


def _check_people(*, kind, clinicians, patient, group) -> None:
    if not clinicians:
        raise ValidationError({"clinicians": _("Choose at least one clinician.")})
    for clinician in clinicians:
        if not can_join_care_team(clinician):
            raise ValidationError(
                {"clinicians": _("%(name)s is not a clinician.") % {"name": clinician}}
            )
    if kind == Appointment.Kind.GROUP:
        if group is None:
            raise ValidationError({"group": _("A group session needs its group.")})
        return
    if patient is None:
        raise ValidationError({"patient": _("This appointment needs its patient.")})
    if patient.status == CareStage.CLOSED:
        raise ValidationError(_("The patient's file is closed: open a new episode first."))
    team = set(patient.care_team.filter(ends_on__isnull=True).values_list("clinician", flat=True))
    for clinician in clinicians:
        if clinician.pk not in team and not clinician.has_perm("casework.access_clinical"):
            raise ValidationError(
                {
                    "clinicians": _(
                        "%(name)s is not in this patient's care team: add them to it first."
                    )
                    % {"name": clinician}
                }
            )


def _create_one(
    *, actor, template: dict, starts_at, clinicians, series=None, index=None, supersedes=None
) -> Appointment:
    appointment = Appointment(
        **template, starts_at=starts_at, series=series, series_index=index, created_by=actor
    )
    appointment.supersedes = supersedes
    appointment.full_clean(exclude=["ends_at", "created_by"])
    appointment.save()
    appointment.clinicians.set(clinicians)
    if appointment.group is not None:
        patients = _members_on(appointment.group, timezone.localdate(starts_at))
    else:  # one patient or one group: full_clean checked appointment_patient_xor_group
        patients = [cast(Patient, appointment.patient)]
    Attendance.objects.bulk_create(
        [Attendance.expected_at(appointment, patient) for patient in patients]
    )
    sessions_changed(patient.pk for patient in patients)
    for patient in patients:
        record_access(actor=actor, action=Action.CREATE, patient=patient, obj=appointment)
    return appointment


@transaction.atomic
def appointment_schedule(
    *,
    actor,
    kind: str,
    starts_at: datetime.datetime,
    clinicians: list,
    duration_minutes: int = 60,
    mode: str = Appointment.Mode.IN_PERSON,
    place: str = "",
    room: Room | None = None,
    patient: Patient | None = None,
    group: TherapyGroup | None = None,
    repeat: str = "",
    occurrences: int | None = None,
    allow_conflicts: bool = False,
) -> list[Appointment]:
    """Book one appointment, or a series of them; returns what was booked, first first. A
    group's sessions are booked by whoever manages the groups."""
    if kind == Appointment.Kind.GROUP or group is not None:
        require_that(can_manage_groups(actor))
    check_booking_time(starts_at)
    clinicians = list(clinicians)
    _check_people(kind=kind, clinicians=clinicians, patient=patient, group=group)
    if patient is not None:
        _check_referral(patient, kind, starts_at)
    template = {
        "kind": kind,
        "mode": mode,
        "duration_minutes": duration_minutes,
        "place": place,
        "room": room,
        "patient": patient,
        "group": group,
    }
    patient_ids: Iterable[int]
    if group:  # whoever is a member on any day of the series
        patient_ids = (
            GroupMembership.objects.filter(group=group)
            .exclude(left_on__lt=timezone.localdate(starts_at))
            .values_list("patient", flat=True)
        )
    else:  # the patient: _check_people refused a session for neither
        patient_ids = [cast(Patient, patient).pk]
    lock_for_scheduling(
        clinician_ids=[c.pk for c in clinicians],
        patient_ids=patient_ids,
        room_ids=[room.pk] if room else [],
    )
    series = None
    starts = [starts_at]
    if repeat:
        series = AppointmentSeries(
            cadence=repeat,
            first_starts_at=starts_at,
            occurrences=occurrences or 0,
            created_by=actor,
        )
        series.full_clean(exclude=["created_by"])
        series.save()
        starts = [series.occurrence_start(i) for i in range(series.occurrences)]
        try:
            check_booking_time(starts[-1], field="occurrences")
        except ValidationError:
            raise ValidationError(
                {"occurrences": _("The series would run past two years ahead: book fewer.")}
            ) from None
    if not allow_conflicts:
        duration = datetime.timedelta(minutes=duration_minutes)
        warnings = []
        for start in starts:
            people = (
                _members_on(group, timezone.localdate(start)) if group else [cast(Patient, patient)]
            )
            for warning in scheduling_conflicts(
                starts_at=start,
                ends_at=start + duration,
                clinicians=clinicians,
                patients=people,
                room=room,
            ):
                dated = f"{timezone.localtime(start):%d/%m/%Y %H:%M} — {warning}"
                warnings.append(dated if len(starts) > 1 else warning)
        if warnings:
            raise SchedulingConflict(warnings)
    return [
        _create_one(
            actor=actor,
            template=template,
            starts_at=start,
            clinicians=clinicians,
            series=series,
            index=i if series else None,
        )
        for i, start in enumerate(starts)
    ]


REASON_MAX_LENGTH = max_length_of(Appointment, "change_reason")


class _Keep(enum.Enum):
    ROOM = "keep"


# A moved appointment keeps its room unless another (or None) is given.
KEEP = _Keep.ROOM


def _check_reason(reason: str, missing: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": missing})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("The reason can be %(max)d characters at most.")
                % {"max": REASON_MAX_LENGTH}
            }
        )


def _must_stand(appointment: Appointment) -> None:
    if appointment.status == Appointment.Status.RESCHEDULED:
        raise ValidationError(_("This appointment was already rescheduled."))
    if appointment.status == Appointment.Status.CANCELLED:
        raise ValidationError(_("This appointment was already cancelled."))
    if appointment.attendances.filter(outcome__isnull=False).exists():
        raise ValidationError(_("An outcome is already recorded for this appointment."))


def _close(appointment: Appointment, *, actor, status, requested_by, reason) -> None:
    appointment.status = status
    appointment.change_requested_by = requested_by
    appointment.change_reason = reason
    appointment.changed_at, appointment.changed_by = timezone.now(), actor
    appointment.save()
    attendances = list(appointment.attendances.select_related("patient"))
    sessions_changed(attendance.patient_id for attendance in attendances)
    for attendance in attendances:
        record_access(
            actor=actor, action=Action.UPDATE, patient=attendance.patient, obj=appointment
        )


@transaction.atomic
def appointment_reschedule(
    *,
    actor,
    appointment: Appointment,
    starts_at: datetime.datetime,
    requested_by: str,
    reason: str,
    duration_minutes: int | None = None,
    room: Room | _Keep | None = KEEP,
    allow_conflicts: bool = False,
) -> Appointment:
    """Move an appointment: a new one replaces it; the old one keeps who asked and why. The
    room stays unless another (or None: no room) is given."""
    require(move_refusal(actor, appointment))
    check_booking_time(starts_at)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _must_stand(appointment)
    if requested_by not in Appointment.RequestedBy.values:
        raise ValidationError({"requested_by": _("Say who asked for the change.")})
    _check_reason(reason, _("Give the reason for the change."))
    clinicians = list(appointment.clinicians.all())
    duration = duration_minutes or appointment.duration_minutes
    people = [a.patient for a in appointment.attendances.select_related("patient")]
    room = appointment.room if isinstance(room, _Keep) else room
    lock_for_scheduling(
        clinician_ids=[c.pk for c in clinicians],
        patient_ids=[p.pk for p in people],
        room_ids=[room.pk] if room else [],
    )
    if not allow_conflicts:
        warnings = scheduling_conflicts(
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=duration),
            clinicians=clinicians,
            patients=people,
            room=room,
            exclude=appointment,
        )
        if warnings:
            raise SchedulingConflict(warnings)
    _close(
        appointment,
        actor=actor,
        status=Appointment.Status.RESCHEDULED,
        requested_by=requested_by,
        reason=reason,
    )
    template = {
        "kind": appointment.kind,
        "mode": appointment.mode,
        "duration_minutes": duration,
        "place": appointment.place,
        "room": room,
        "patient": appointment.patient,
        "group": appointment.group,
    }
    return _create_one(
        actor=actor,
        template=template,
        starts_at=starts_at,
        clinicians=clinicians,
        series=appointment.series,
        index=appointment.series_index,
        supersedes=appointment,
    )


@transaction.atomic
def appointment_cancel(*, actor, appointment: Appointment, reason: str) -> Appointment:
    """The clinic cancels; the appointment stays, with its reason, out of every count."""
    require(move_refusal(actor, appointment))
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _must_stand(appointment)
    _check_reason(reason, _("Give the reason for cancelling."))
    _close(
        appointment,
        actor=actor,
        status=Appointment.Status.CANCELLED,
        requested_by=Appointment.RequestedBy.CLINIC,
        reason=reason,
    )
    return appointment
