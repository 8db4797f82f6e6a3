"""Appointments: one patient or one therapy group, one or more clinicians, a time and a place.

Nothing is deleted. Rescheduling creates a new appointment that supersedes the old one (which
keeps who asked and why); cancelling by the clinic keeps its reason. Superseded appointments are
out of every figure; only the last of a chain can be held.
"""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models.groups import TherapyGroup
from casework.models.patients import Patient
from common.dates import add_months

if TYPE_CHECKING:  # attendance.py imports this module
    from casework.models.attendance import Attendance


class AppointmentSeries(models.Model):
    """A recurring appointment. Occurrence n starts at first + n times the cadence, in local time,
    so that moving one occurrence never shifts the others."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")

    cadence = models.CharField(_("repeats"), max_length=20, choices=Cadence.choices)
    first_starts_at = models.DateTimeField(_("first occurrence"))
    occurrences = models.PositiveSmallIntegerField(
        _("occurrences"), validators=[MinValueValidator(2), MaxValueValidator(52)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appointment series")
        verbose_name_plural = _("appointment series")

    def __str__(self) -> str:
        return f"{self.get_cadence_display()}, {self.occurrences}"

    def occurrence_start(self, index: int) -> datetime.datetime:
        zone = timezone.get_current_timezone()
        local = timezone.localtime(self.first_starts_at, zone).replace(tzinfo=None)
        if self.cadence == self.Cadence.MONTHLY:
            day = add_months(local.date(), index)
            naive = datetime.datetime.combine(day, local.time())
        else:
            step = 7 if self.cadence == self.Cadence.WEEKLY else 14
            naive = local + datetime.timedelta(days=step * index)
        return timezone.make_aware(naive, zone)


class AppointmentQuerySet(models.QuerySet):
    def current(self):
        """Appointments that stand: not superseded by a rescheduled one."""
        return self.exclude(status=Appointment.Status.RESCHEDULED)

    def held_or_due(self):
        """Appointments that count: neither superseded nor cancelled by the clinic."""
        return self.filter(status=Appointment.Status.SCHEDULED)

    def overlapping(self, starts_at, ends_at):
        return self.held_or_due().filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Appointment(models.Model):
    class Kind(models.TextChoices):
        INTAKE = "intake", _("Intake")
        INDIVIDUAL = "individual", _("Individual session")
        GROUP = "group", _("Group session")
        ASSESSMENT = "assessment", _("Assessment")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video")
        PHONE = "phone", _("Phone")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled by the clinic")

    class RequestedBy(models.TextChoices):
        PATIENT = "patient", _("The patient")
        CLINIC = "clinic", _("The clinic")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    starts_at = models.DateTimeField(_("start"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    # Stored so that overlap queries use an index; always starts_at + duration (see save()).
    ends_at = models.DateTimeField(_("end"), editable=False)
    place = models.CharField(_("place"), max_length=120, blank=True)
    room = models.ForeignKey(
        "casework.Room",
        verbose_name=_("room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    group = models.ForeignKey(
        TherapyGroup,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="appointments", verbose_name=_("clinicians")
    )
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    series_index = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    # Kept on the appointment that was moved (or cancelled), not on its replacement.
    change_requested_by = models.CharField(
        _("requested by"), max_length=10, choices=RequestedBy.choices, blank=True
    )
    change_reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = AppointmentQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[clinicians])
    # Only where a query prefetched them so: Prefetch("attendances", to_attr="attendance_list").
    attendance_list: list["Attendance"]

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(patient__isnull=False) & Q(group__isnull=True))
                | (Q(patient__isnull=True) & Q(group__isnull=False)),
                name="appointment_patient_xor_group",
                violation_error_message=_(
                    "An appointment is for one patient or for one group, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind="group", group__isnull=False)
                | (~Q(kind="group") & Q(group__isnull=True)),
                name="appointment_group_kind",
                violation_error_message=_(
                    "A group session belongs to a group, and only a group session does."
                ),
            ),
        ]
        indexes = [
            # agendas, to-do lists and counters all select by time
            models.Index(fields=["status", "starts_at"], name="appointment_status_time"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_time"),
            models.Index(fields=["group", "starts_at"], name="appointment_group_time"),
            # a day or a week of the agenda, whoever the patient or the group
            models.Index(fields=["starts_at"], name="appointment_time"),
            # a room's week (the grid) and its clashes
            models.Index(fields=["room", "starts_at"], name="appointment_room_time"),
        ]

    def __str__(self) -> str:
        who = self.patient or self.group
        when = timezone.localtime(self.starts_at)
        return f"{self.get_kind_display()} — {who} — {when:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.ends_at = self.starts_at + datetime.timedelta(minutes=self.duration_minutes)
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "ends_at"}
        moved = not self._state.adding and (fields is None or "starts_at" in fields)
        super().save(*args, **kwargs)
        if moved:
            # Appointments do not move (rescheduling makes a new one); if one ever does, its
            # attendances keep its time (Attendance.starts_at, a kept column). No history row:
            # the appointment's own history says it moved (tests/test_house_rules.py).
            self.attendances.exclude(starts_at=self.starts_at).update(starts_at=self.starts_at)

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def recorded_all(self) -> bool:
        """Every expected patient has an outcome. Reads the attendances prefetched into
        `attendance_list` (Prefetch(..., to_attr=...)), as agendas and the group page do."""
        return all(attendance.outcome_id for attendance in self.attendance_list)


class CalendarFeed(models.Model):
    """A clinician's private iCalendar link. Only the token's hash is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
