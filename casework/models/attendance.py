"""Attendance outcomes (reference data with flags), attendance records, compliance rules.

An outcome's flags decide every counter and every rule: *counts as attended*, *compliant*,
*enforceable* (a failure the authority must hear of), *needs evidence*. A past appointment
with no outcome is "awaiting outcome": derived, never stored, never silently a no-show.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models.appointments import Appointment
from casework.models.patients import Patient
from common.models import NamedInLanguages


class AttendanceOutcome(NamedInLanguages):
    """Reference data, editable in the admin; the first set is seeded after migrating."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    counts_as_attended = models.BooleanField(_("counts as attended"))
    compliant = models.BooleanField(_("compliant"))
    enforceable = models.BooleanField(
        _("enforceable"), help_text=_("A failure that the justice assistant must hear of.")
    )
    needs_evidence = models.BooleanField(
        _("needs evidence"), help_text=_("e.g. a medical certificate")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    # Flags decide past counters: their history says what an outcome meant when a figure was
    # computed (a letter freezes what it stated; this keeps how it was defined).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance outcome")
        verbose_name_plural = _("attendance outcomes")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(compliant=True, enforceable=True),
                name="outcome_enforceable_is_not_compliant",
                violation_error_message=_(
                    "An outcome the justice assistant must hear of cannot be compliant."
                ),
            )
        ]

    @property
    def badge(self) -> str:
        """How pages colour it (the CSS class outcome-…): a failure the authority must hear
        of, attended, or absent."""
        if self.enforceable:
            return "failure"
        return "attended" if self.counts_as_attended else "absent"


class Attendance(models.Model):
    """One patient's place at one appointment, and what happened."""

    class Evidence(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Not needed")
        AWAITED = "awaited", _("Awaited")
        RECEIVED = "received", _("Received")

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="attendances"
    )
    # The session's start, copied from its appointment when the attendance is made (an
    # appointment never moves: rescheduling makes a new one), so that one index finds the
    # past sessions still waiting for their outcome (docs/performance.md).
    starts_at = models.DateTimeField(_("start"), editable=False)
    outcome = models.ForeignKey(
        AttendanceOutcome,
        verbose_name=_("outcome"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes_late = models.PositiveSmallIntegerField(
        _("minutes late"), null=True, blank=True, validators=[MaxValueValidator(480)]
    )
    evidence = models.CharField(
        _("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.NOT_NEEDED
    )
    evidence_received_on = models.DateField(_("evidence received on"), null=True, blank=True)
    notify_behaviour = models.BooleanField(
        _("tell the justice assistant about behaviour"), default=False
    )
    notify_concern = models.BooleanField(
        _("tell the justice assistant of a concern"), default=False
    )
    note_for_authority = models.TextField(
        _("note for the authority"),
        max_length=600,
        blank=True,
        help_text=_(
            "Written for the authority and the justice assistant, and may be sent as it "
            "stands. Facts about the frame only, never the content of therapy."
        ),
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set by the letters (reports.services) when a letter that states this outcome is sent, at
    # its first dispatch: from then on a change needs a reason, kept in the history.
    reported_at = models.DateTimeField(_("reported to the authority"), null=True, blank=True)
    # Counts the recordings: whoever records says which revision they saw, so that an outcome
    # recorded meanwhile by someone else is never silently overwritten.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)

    history = HistoricalRecords()
    # The reason the next history row keeps (simple_history reads it when save() writes it).
    _change_reason: str | None

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "patient"],
                name="attendance_once",
                violation_error_message=_("This patient is already expected at this session."),
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "outcome"], name="attendance_patient_outcome"),
            # The to-do list: sessions still waiting for their outcome, and outcomes waiting
            # for a document, of a clinician's patients (read by patient ids first).
            # It carries the session's id too (PostgreSQL), so that the waiting sessions are
            # read from the index alone: without it, the planner expected thousands of heap
            # rows and chose the plain patient index (16,700 rows filtered to 67).
            models.Index(
                fields=["patient", "starts_at"],
                include=["appointment"],
                condition=Q(outcome__isnull=True),
                name="attendance_awaiting_outcome",
            ),
            models.Index(
                fields=["patient", "appointment"],
                condition=Q(evidence="awaited"),
                name="attendance_evidence_awaited",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} @ {self.appointment_id}: {self.outcome or '—'}"

    @classmethod
    def expected_at(cls, appointment, patient) -> "Attendance":
        """The one way to make an attendance: a patient expected at a session, at its time."""
        return cls(appointment=appointment, patient=patient, starts_at=appointment.starts_at)

    def clean(self) -> None:
        if self.outcome and self.minutes_late and not self.outcome.counts_as_attended:
            raise ValidationError({"minutes_late": _("Only someone who came can be late.")})
        if self.evidence == self.Evidence.RECEIVED and not self.evidence_received_on:
            raise ValidationError(
                {"evidence_received_on": _("Give the date the evidence was received.")}
            )
        if (self.notify_behaviour or self.notify_concern) and not self.note_for_authority.strip():
            raise ValidationError(
                {"note_for_authority": _("Write what the justice assistant should be told.")}
            )


class ComplianceRule(NamedInLanguages):
    """A pattern of attendance that the care team and the administrators must be told of."""

    class Kind(models.TextChoices):
        WITHIN_WINDOW = "within_window", _("Several within a window of months")
        CONSECUTIVE = "consecutive", _("Several in a row")

    class Counts(models.TextChoices):
        UNACCEPTABLE_ABSENCE = "unacceptable_absence", _("Unacceptable absences")
        FAILURE = "failure", _("Failures to comply (every enforceable outcome)")
        MISSED = "missed", _("Missed sessions (every absence)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    counts = models.CharField(_("what counts"), max_length=30, choices=Counts.choices)
    threshold = models.PositiveSmallIntegerField(
        _("threshold"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    window_months = models.PositiveSmallIntegerField(
        _("window (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compliance rule")
        verbose_name_plural = _("compliance rules")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="consecutive") | Q(window_months__isnull=False),
                name="compliance_rule_window",
                violation_error_message=_("A rule over a window of months needs its window."),
            )
        ]

    def clean(self) -> None:
        if self.kind == self.Kind.WITHIN_WINDOW and not self.window_months:
            raise ValidationError({"window_months": _("A window rule needs its window.")})

    def matches(self, outcome: AttendanceOutcome) -> bool:
        if self.counts == self.Counts.UNACCEPTABLE_ABSENCE:
            return not outcome.counts_as_attended and outcome.enforceable
        if self.counts == self.Counts.FAILURE:
            return outcome.enforceable
        return not outcome.counts_as_attended


class ComplianceAlertQuerySet(models.QuerySet):
    # An alert is open until someone acknowledges it or its grounds no longer hold: one rule
    # for the queries and the indexes (ComplianceAlert.is_open says the same of one alert).
    OPEN = Q(acknowledged_at__isnull=True, resolved_at__isnull=True)

    def open(self):
        return self.filter(self.OPEN)


class ComplianceAlert(models.Model):
    """Raised once per occurrence: the attendance that completed the pattern names it.

    Open until someone acknowledges it (saying what was done), or until its grounds no longer
    hold (an outcome it counted was corrected): then it is resolved, never deleted.
    """

    class Resolution(models.TextChoices):
        GROUNDS_CHANGED = "grounds_changed", _("The outcomes it counted were corrected")

    rule = models.ForeignKey(
        ComplianceRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="alerts"
    )
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="compliance_alerts",
    )
    attendance = models.ForeignKey(
        Attendance, verbose_name=_("attendance"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledgement = models.TextField(
        _("what was done"),
        max_length=500,
        blank=True,
        help_text=_("e.g. spoke with the patient; the justice assistant was told."),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=30, choices=Resolution.choices, blank=True
    )

    objects = ComplianceAlertQuerySet.as_manager()
    history = HistoricalRecords()
    # The reason the next history row keeps (simple_history reads it when save() writes it).
    _change_reason: str | None

    class Meta:
        verbose_name = _("compliance alert")
        verbose_name_plural = _("compliance alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "attendance"],
                name="alert_once_per_occurrence",
                violation_error_message=_("This alert was raised for this session already."),
            )
        ]
        indexes = [
            models.Index(
                fields=["patient"],
                condition=ComplianceAlertQuerySet.OPEN,
                name="alert_open_by_patient",
            ),
            # the home pages of the lead and the administrators: the latest open alerts
            models.Index(
                fields=["-raised_at"],
                condition=ComplianceAlertQuerySet.OPEN,
                name="alert_open_latest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} — {self.patient}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.resolved_at is None


class OutcomeReminder(models.Model):
    """One reminder a day at most per clinician about outcomes still awaited."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField()
    pending = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("outcome reminder")
        verbose_name_plural = _("outcome reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "sent_on"],
                name="reminder_once_a_day",
                violation_error_message=_("This clinician was reminded today already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinician} {self.sent_on}"


class AppointmentReminder(models.Model):
    """The reminder a patient was sent, the day before, of one appointment: one at most per
    patient and appointment (the one-to-one), whatever the number of runs or workers. A moved
    appointment is a new one, with a reminder of its own. The message itself is in the outbox,
    which sends it and tries again until it is taken (common.outbox)."""

    attendance = models.OneToOneField(
        Attendance,
        verbose_name=_("attendance"),
        on_delete=models.PROTECT,
        related_name="reminder",
    )
    channel = models.CharField(_("channel"), max_length=10)
    message = models.ForeignKey(
        "common.OutboxMessage",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("appointment reminder")
        verbose_name_plural = _("appointment reminders")

    def __str__(self) -> str:
        return f"{self.attendance_id} {self.channel}"
