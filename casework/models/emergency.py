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
    reviews each one (docs/security.md, "Emergency access")."""

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clinician"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    expires_at = models.DateTimeField(_("until"))
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
        ]

    def __str__(self) -> str:
        return f"{self.patient} — {self.clinician}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
