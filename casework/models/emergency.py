from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.patients import Patient


class EmergencyAccessQuerySet(models.QuerySet):
    def active(self):
        return self.filter(expires_at__gt=timezone.now())


class EmergencyAccess(models.Model):
    """Break-the-glass: a clinician outside the care team opens a file in an emergency, with a
    reason, read only, for EMERGENCY_ACCESS_HOURS; the clinical lead is told at once and
    reviews each one. Beyond EMERGENCY_ACCESSES_PER_DAY a day, or for a file number that does
    not exist, it is a request the lead approves or refuses first (docs/security.md,
    "Emergency access")."""

    class Status(models.TextChoices):
        OPENED = "opened", _("Opened at once")
        REQUESTED = "requested", _("Awaits the clinical lead's approval")
        APPROVED = "approved", _("Approved by the clinical lead")
        REFUSED = "refused", _("Refused by the clinical lead")

    # None: a request for a file number that does not exist (file_number keeps what was typed).
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    file_number = models.CharField(_("file number asked for"), max_length=20, blank=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clinician"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPENED
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)  # or asked, for a request
    # None while nothing is open: a request awaiting the lead, or refused.
    expires_at = models.DateTimeField(_("until"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("decision"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(_("review"), blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["clinician", "expires_at"], name="emergency_by_clinician"),
            models.Index(fields=["patient", "-opened_at"], name="emergency_by_patient"),
            models.Index(
                fields=["opened_at"],
                condition=models.Q(reviewed_at__isnull=True),
                name="emergency_to_review",
            ),
            models.Index(fields=["clinician", "opened_at"], name="emergency_per_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["requested", "refused"], expires_at__isnull=True)
                | models.Q(
                    status__in=["opened", "approved"],
                    patient__isnull=False,
                    expires_at__isnull=False,
                ),
                name="emergency_open_only_when_granted",
                violation_error_message=_(
                    "An emergency access opens an existing file, once granted; a request "
                    "awaiting the lead or refused opens nothing."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient or self.file_number} — {self.clinician}"

    @property
    def number(self) -> str:
        """The file number, as asked for when no file has it."""
        return self.patient.file_number if self.patient else self.file_number

    @property
    def is_active(self) -> bool:
        return self.expires_at is not None and self.expires_at > timezone.now()

    @property
    def is_request(self) -> bool:
        return self.status != self.Status.OPENED
