"""The casework core: patients, the mandates that bring them, episodes of care, care teams.

Everything here is the *frame* zone (docs/architecture.md): facts the clinic may share with the
justice authority. Clinical content lives in other apps, which this one never imports, so that a
letter builder or an administrator can never reach it through these.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from casework.models.frameworks import LONGEST_REPORTING_INTERVAL, LegalFramework
from common.dates import out_of_bounds, years_after, years_before
from common.postal import postal_address_problem
from common.text import search_key

# The ages of the people the clinic treats: adults and, rarely, adolescents under a youth
# measure (from 12 in Belgian youth law). A date of birth outside them is a typing error.
PATIENT_AGES = (12, 110)
# A mandate with a fixed end runs this many years at most (internment has none: leave it empty).
MANDATE_LONGEST_YEARS = 30


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    DUTCH = "nl", _("Dutch")
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


class Region(models.TextChoices):
    BRUSSELS = "brussels", _("Brussels")
    WALLONIA = "wallonia", _("Wallonia")
    FLANDERS = "flanders", _("Flanders")
    GERMAN_SPEAKING = "german_speaking", _("German-speaking Community")
    OTHER = "other", _("Other or abroad")


class CareStage(models.TextChoices):
    REFERRAL = "referral", _("Referral received")
    INTAKE = "intake", _("Intake")
    IN_TREATMENT = "in_treatment", _("In treatment")
    CLOSED = "closed", _("Closed")


# --- Reference data -------------------------------------------------------------------------


class Authority(models.Model):
    """A justice authority that orders treatment and receives the clinic's reports."""

    class Kind(models.TextChoices):
        TRIAL_COURT = "trial_court", _("Trial court (decides a probation, does not follow it)")
        PROBATION_COMMISSION = "probation_commission", _("Probation commission")
        SENTENCE_ENFORCEMENT_COURT = "sentence_enforcement_court", _("Sentence-enforcement court")
        SOCIAL_PROTECTION_CHAMBER = "social_protection_chamber", _("Social-protection chamber")
        PROSECUTOR = "prosecutor", _("Public prosecutor")
        INVESTIGATING_JUDGE = "investigating_judge", _("Investigating judge")
        YOUTH_JUDGE = "youth_judge", _("Youth judge")
        OTHER = "other", _("Other authority")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=200,
        blank=True,
        help_text=_("e.g. judicial district of Liège"),
    )
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    address = models.TextField(_("postal address"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("casework:authority_update", args=[self.pk])

    def clean(self) -> None:
        # Required: letters to the authority are posted to it in a window envelope, and a letter
        # that may be read in court says where it was sent. Checked here rather than by the
        # column (no migration): an authority saved without one is asked for it when edited.
        problem = postal_address_problem(self.address)
        if problem:
            raise ValidationError({"address": problem})


class JusticeContact(models.Model):
    """The justice assistant (probation officer) who checks the patient's conditions."""

    name = models.CharField(_("name"), max_length=200)
    service = models.CharField(
        _("service"), max_length=200, help_text=_("e.g. Maison de justice de Namur")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("justice contact")
        verbose_name_plural = _("justice contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.service})"

    def get_absolute_url(self) -> str:
        return reverse("casework:justice_contact_update", args=[self.pk])

    def clean(self) -> None:
        # Optional: a justice assistant is often recorded from the decision before their
        # service's address is known, and letters may be e-mailed to them. One given must be
        # an address a letter can be posted to.
        problem = self.address and postal_address_problem(self.address)
        if problem:
            raise ValidationError({"address": problem})


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

    @property
    def twelfth_birthday(self) -> datetime.date:
        """No justice measure, referral or session of this clinic can be older than this."""
        return years_after(self.date_of_birth, PATIENT_AGES[0])


class PatientUserObjectPermission(UserObjectPermissionBase):
    """Per-patient grants to a clinician; written only by the care-team service."""

    content_object = models.ForeignKey(Patient, on_delete=models.CASCADE)


class PatientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Patient, on_delete=models.CASCADE)


# --- Mandates -------------------------------------------------------------------------------


class Mandate(models.Model):
    """A justice decision that orders the patient to follow treatment."""

    class SessionFrequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")
        AS_INDICATED = "as_indicated", _("As clinically indicated")

    class SharingBasis(models.TextChoices):
        CONSENT = "consent", _("Patient's written consent")
        LEGAL_BASIS = "legal_basis", _("Legal obligation")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        COMPLETED = "completed", _("Term completed")
        REVOKED = "revoked", _("Revoked")
        LIFTED = "lifted", _("Lifted or changed by the authority")
        TRANSFERRED = "transferred", _("Follow-up transferred to another team")
        OTHER = "other", _("Other")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="mandates"
    )
    # The authority that supervises the measure and receives the clinic's reports (the
    # probation commission for probation); the one that decided it, when it is another (the
    # trial court that pronounced the probation), is `decided_by`.
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("supervising authority"),
        on_delete=models.PROTECT,
        related_name="mandates",
        help_text=_("The authority that follows the measure and receives the reports."),
    )
    decided_by = models.ForeignKey(
        Authority,
        verbose_name=_("deciding authority"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "When another authority decided the measure (e.g. the court that pronounced the "
            "probation). Empty: the supervising authority decided it."
        ),
    )
    # The column keeps its name and its values (the framework's code is its key).
    legal_framework = models.ForeignKey(
        LegalFramework,
        verbose_name=_("legal framework"),
        on_delete=models.PROTECT,
        db_column="legal_framework",
        related_name="+",
        limit_choices_to={"is_active": True},
    )
    decision_date = models.DateField(_("decision date"))
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    # What the recipients file the clinic's letters by: "Your reference" on their letters.
    authority_file_number = models.CharField(
        _("the authority's file number"),
        max_length=100,
        blank=True,
        help_text=_("e.g. the number of the file at the sentence-enforcement court (TAP/SURB)."),
    )
    justice_assistant_file_number = models.CharField(
        _("the justice assistant's file number"),
        max_length=100,
        blank=True,
        help_text=_("The number of the file at the house of justice."),
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    conditions = models.TextField(
        _("conditions imposed"), blank=True, help_text=_("As worded in the decision.")
    )
    session_frequency = models.CharField(
        _("required session frequency"), max_length=20, choices=SessionFrequency.choices
    )
    reporting_interval_months = models.PositiveSmallIntegerField(
        _("reporting interval (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_REPORTING_INTERVAL)],
        help_text=_(
            "How often a follow-up report is owed to the authority; the law of some frameworks "
            "sets a longest interval."
        ),
    )
    justice_contact = models.ForeignKey(
        JusticeContact,
        verbose_name=_("justice assistant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mandates",
    )
    sharing_basis = models.CharField(
        _("basis for sharing information"), max_length=20, choices=SharingBasis.choices
    )
    consent_on = models.DateField(_("consent signed on"), null=True, blank=True)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=200,
        blank=True,
        help_text=_("e.g. law of 5 May 2014 on internment, art. 57"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
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
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-starts_on", "-pk"]
        indexes = [
            # the patient list filters on the authority of a patient's active mandates
            models.Index(fields=["authority", "status"], name="mandate_authority_status"),
            models.Index(fields=["patient", "status"], name="mandate_patient_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="mandate_ends_after_start",
                violation_error_message=_("The end is before the start."),
            ),
            models.CheckConstraint(
                condition=Q(reporting_interval_months__gte=1),
                name="mandate_reporting_interval",
                violation_error_message=_("A report is owed every month at the most often."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_framework} — {self.authority}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.decision_date and self.decision_date > today:
            errors["decision_date"] = _("The decision date is in the future.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end is before the start.")
        if self.decided_by_id and self.decided_by_id == self.authority_id:
            errors["decided_by"] = _(
                "Leave the deciding authority empty when it is the supervising one."
            )
        if self.legal_framework_id and self.reporting_interval_months:
            framework = self.legal_framework
            longest = framework.longest_reporting_interval_months
            if longest and self.reporting_interval_months > longest:
                # The law of the framework sets it (e.g. law of 29 June 1964, art. 9bis).
                errors["reporting_interval_months"] = _(
                    "%(law)s: a follow-up report is owed at least every %(months)d months."
                ) % {"law": framework.reporting_duty(get_language() or "en"), "months": longest}
        if self.sharing_basis == self.SharingBasis.CONSENT and not self.consent_on:
            errors["consent_on"] = _("Record the date the patient signed the consent.")
        if self.sharing_basis == self.SharingBasis.LEGAL_BASIS and not self.legal_basis:
            errors["legal_basis"] = _("Name the legal basis for sharing information.")
        if self.status == self.Status.ENDED:
            if not self.ended_on:
                errors["ended_on"] = _("Enter the date the mandate ended.")
            if not self.end_reason:
                errors["end_reason"] = _("Enter the reason the mandate ended.")
        elif self.ended_on or self.end_reason:
            errors["status"] = _("Set the status to “ended” to record an end date or reason.")
        if self.ended_on and self.starts_on and self.ended_on < self.starts_on:
            errors["ended_on"] = _("The mandate cannot end before it starts.")
        if self.ended_on and self.ended_on > today:
            errors["ended_on"] = _("Record the end once the mandate has ended.")
        if self.starts_on and self.starts_on > years_after(today, 5):
            errors["starts_on"] = _("A mandate starts at most 5 years ahead: check the date.")
        if (
            self.starts_on
            and self.ends_on
            and self.ends_on > years_after(self.starts_on, MANDATE_LONGEST_YEARS)
        ):
            errors["ends_on"] = _(
                "A mandate with a fixed end runs %(years)d years at most: check the date, or "
                "leave it empty if the mandate has no fixed end."
            ) % {"years": MANDATE_LONGEST_YEARS}
        if self.patient_id and self.patient.date_of_birth:
            earliest = self.patient.twelfth_birthday
            for name in ("decision_date", "starts_on", "consent_on"):
                value = getattr(self, name)
                if value and value < earliest and name not in errors:
                    errors[name] = _(
                        "This date comes before the patient's 12th birthday (%(date)s): "
                        "no justice measure is that old. Check the date."
                    ) % {"date": date_format(earliest, "DATE_FORMAT")}
        if errors:
            raise ValidationError(errors)


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
