"""The casework core: patients, their episodes of care and care teams (the mandates that bring
them: mandates.py; the justice directory: justice.py).

Everything here is the *frame* zone (docs/architecture.md): facts the clinic may share with the
justice authority. Clinical content lives in other apps, which this one never imports, so that a
letter builder or an administrator can never reach it through these.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from common.dates import out_of_bounds, years_after, years_before
from common.text import search_key

# Every file number the clinic gives (casework.services.patients): the year, then a counter.
FILE_NUMBER_SHAPE = re.compile(r"\d{4}-\d{4,}")

# The ages of the people the clinic treats: adults and, rarely, adolescents under a youth
# measure (from 12 in Belgian youth law). A date of birth outside them is a typing error.
PATIENT_AGES = (12, 110)


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    DUTCH = "nl", _("Dutch")
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


class CareStage(models.TextChoices):
    REFERRAL = "referral", _("Referral received")
    INTAKE = "intake", _("Intake")
    IN_TREATMENT = "in_treatment", _("In treatment")
    CLOSED = "closed", _("Closed")


# --- Patients -------------------------------------------------------------------------------


class FileNumberSequence(models.Model):
    """The last file number handed out in a year; locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("file number sequence")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Patient(models.Model):
    """A person treated by the clinic. Shown by file number wherever the name is not needed."""

    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        OTHER = "other", _("Other or not recorded")

    class Reminders(models.TextChoices):
        NONE = "", _("No reminders")
        EMAIL = "email", _("By e-mail")
        SMS = "sms", _("By text message (SMS)")

    file_number = models.CharField(_("file number"), max_length=20, unique=True, editable=False)
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.TextField(_("postal address"), blank=True)
    # Asked of the patient, who may stop them at any time: each change is kept by the history
    # (who recorded it, when). casework.services.reminders sends them.
    reminders = models.CharField(
        _("appointment reminders"),
        max_length=10,
        choices=Reminders.choices,
        blank=True,
        default=Reminders.NONE,
        help_text=_(
            "The day before each appointment: its date, time and place and the clinic's phone "
            "number, nothing else. Only if the patient asked for them."
        ),
    )
    # The stage of the current episode of care, kept by the episode services (the only writers)
    # so that the patient list can filter and sort on an index.
    status = models.CharField(
        _("status"), max_length=20, choices=CareStage.choices, default=CareStage.REFERRAL
    )
    # The clinician leading the treatment now, kept by the care-team services (the only
    # writers) beside the care team's history, so that the files in care without one are found
    # on an index instead of by comparing every file with every care team (docs/performance.md).
    lead_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead therapist"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # File number and name as searched: lower case, without accents (common.text.search_key),
    # kept by save() so that every database searches the same way.
    search_text = models.CharField(max_length=340, editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["last_name", "first_name"]
        permissions = [
            ("access_frame", _("Can access the frame zone of a patient")),
            ("access_clinical", _("Can access the clinical zone of a patient")),
            ("manage_care_team", _("Can assign clinicians to care teams")),
        ]
        indexes = [
            models.Index(fields=["status", "last_name"], name="patient_status_name"),
            models.Index(fields=["last_name", "first_name"], name="patient_name"),
            # the home page's files in care without a lead therapist, oldest first
            models.Index(
                fields=["created_at"],
                condition=models.Q(
                    lead_therapist__isnull=True,
                    status__in=[CareStage.INTAKE, CareStage.IN_TREATMENT],
                ),
                name="patient_without_lead",
            ),
            # the home page's count of open files by stage: the closed files, most of the
            # table after a few years, are not in it (casework.selectors.caseload_by_stage)
            models.Index(
                fields=["status"],
                condition=~models.Q(status=CareStage.CLOSED),
                name="patient_open_status",
            ),
        ]

    def __str__(self) -> str:
        return self.file_number

    def save(self, *args, **kwargs):
        self.search_text = search_key(self.file_number, self.last_name, self.first_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("workspace:patient", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()}, {self.first_name}"

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self) -> None:
        if self.date_of_birth:
            today = timezone.localdate()
            youngest, oldest = PATIENT_AGES
            message = out_of_bounds(
                self.date_of_birth, years_before(today, oldest), years_before(today, youngest)
            )
            if message:
                raise ValidationError(
                    {
                        "date_of_birth": _(
                            "%(message)s The clinic treats people aged %(youngest)d to "
                            "%(oldest)d: check the date of birth."
                        )
                        % {"message": message, "youngest": youngest, "oldest": oldest}
                    }
                )

        if self.reminders == self.Reminders.EMAIL and not self.email:
            raise ValidationError(
                {"reminders": _("Give the patient's e-mail address for reminders by e-mail.")}
            )
        if self.reminders == self.Reminders.SMS and not self.phone:
            raise ValidationError(
                {"reminders": _("Give the patient's mobile phone number for reminders by SMS.")}
            )

    @property
    def twelfth_birthday(self) -> datetime.date:
        """No justice measure, referral or session of this clinic can be older than this."""
        return years_after(self.date_of_birth, PATIENT_AGES[0])


class PatientUserObjectPermission(UserObjectPermissionBase):
    """Per-patient grants to a clinician; written only by the care-team service."""

    content_object = models.ForeignKey(Patient, on_delete=models.CASCADE)


class PatientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Patient, on_delete=models.CASCADE)


# --- Episodes of care -----------------------------------------------------------------------


class Episode(models.Model):
    """One stretch of care: referral received → intake → in treatment → closed."""

    class ReferralSource(models.TextChoices):
        JUSTICE_ASSISTANT = "justice_assistant", _("Justice assistant")
        AUTHORITY = "authority", _("Justice authority")
        PRISON = "prison", _("Prison psychosocial service")
        SUPPORT_CENTRE = "support_centre", _("Support centre (UPPL, UFC, CAB)")
        HEALTH_SERVICE = "health_service", _("Other health service")
        SELF = "self", _("Self-referral")
        OTHER = "other", _("Other")

    class ExitReason(models.TextChoices):
        COMPLETED = "completed", _("Treatment completed")
        STOPPED_BY_PATIENT = "stopped_by_patient", _("Stopped by the patient")
        REVOKED = "revoked", _("Revoked or returned to custody")
        TRANSFERRED = "transferred", _("Transferred")
        MOVED = "moved", _("Moved away")
        DECEASED = "deceased", _("Deceased")
        MANDATE_ENDED = "mandate_ended", _("Mandate ended")
        OTHER = "other", _("Other")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="episodes"
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=CareStage.choices, default=CareStage.REFERRAL
    )
    referral_source = models.CharField(
        _("referral source"), max_length=30, choices=ReferralSource.choices
    )
    referral_source_detail = models.CharField(
        _("referral source detail"), max_length=200, blank=True
    )
    referral_received_on = models.DateField(_("referral received on"))
    referral_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referral recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    intake_on = models.DateField(
        _("intake on"), null=True, blank=True, help_text=_("The first appointment.")
    )
    intake_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("intake recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    treatment_started_on = models.DateField(_("treatment started on"), null=True, blank=True)
    treatment_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("treatment start recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    exit_reason = models.CharField(
        _("exit reason"), max_length=30, choices=ExitReason.choices, blank=True
    )
    exit_reason_detail = models.CharField(_("exit reason detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("episode of care")
        verbose_name_plural = _("episodes of care")
        ordering = ["-referral_received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=~Q(stage=CareStage.CLOSED),
                name="episode_one_open_per_patient",
                violation_error_message=_("This patient already has an open episode of care."),
            ),
            models.CheckConstraint(
                condition=~Q(stage=CareStage.CLOSED) | ~Q(exit_reason=""),
                name="episode_closed_has_exit_reason",
                violation_error_message=_(
                    "A closed episode of care says why it ended: choose the exit reason."
                ),
            ),
        ]
        indexes = [models.Index(fields=["stage", "referral_received_on"], name="episode_stage")]

    def __str__(self) -> str:
        return f"{self.patient} — {self.get_stage_display()}"

    @property
    def is_open(self) -> bool:
        return self.stage != CareStage.CLOSED

    @property
    def waiting_days(self) -> int | None:
        """Days from the referral to the first appointment (the intake)."""
        if self.intake_on is None:
            return None
        return (self.intake_on - self.referral_received_on).days


# --- Care teams -----------------------------------------------------------------------------


class CareTeamMembership(models.Model):
    """A clinician's place in a patient's care team; ended, never deleted."""

    class Role(models.TextChoices):
        LEAD_THERAPIST = "lead", _("Lead therapist")
        CO_THERAPIST = "co", _("Co-therapist")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="care_team"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clinician"),
        on_delete=models.PROTECT,
        related_name="care_team_memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care team membership")
        verbose_name_plural = _("care team memberships")
        ordering = ["role", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "clinician"],
                condition=Q(ends_on__isnull=True),
                name="careteam_one_current_place",
                violation_error_message=_("This clinician is already in the care team."),
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ends_on__isnull=True, role="lead"),
                name="careteam_one_lead_therapist",
                violation_error_message=_(
                    "The patient already has a lead therapist: end that place first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="careteam_ends_after_start",
                violation_error_message=_("A place in the care team cannot end before it starts."),
            ),
        ]
        indexes = [
            # "my patients" and the clinician filter of the patient list
            models.Index(fields=["clinician", "ends_on"], name="careteam_clinician_current"),
        ]

    def __str__(self) -> str:
        return f"{self.clinician} — {self.get_role_display()}"

    @property
    def is_current(self) -> bool:
        return self.ends_on is None
