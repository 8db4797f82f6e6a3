"""Mandates: the court or board decisions that bring a patient to the clinic, with what the
clinic owes the authority (frame zone; docs/domain.md)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models.frameworks import LONGEST_REPORTING_INTERVAL, LegalFramework
from casework.models.justice import Authority, JusticeContact
from casework.models.patients import Patient
from common.dates import years_after

# A mandate with a fixed end runs this many years at most (internment has none: leave it empty).
MANDATE_LONGEST_YEARS = 30


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
