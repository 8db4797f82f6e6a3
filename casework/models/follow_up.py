"""Follow-up checks: what the clinic learns of a patient's record after (or during) treatment
(frame zone; docs/statistics.md). A check states facts from the justice record — a new offence
or none — never anything said in therapy."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models.patients import Patient


class FollowUpCheck(models.Model):
    """A check on a date: no new offence found, or a new offence (its date, whether it is a
    charge or a conviction, and its category). The statistics of what happened after treatment
    (clinic_statistics.follow_up) read these rows."""

    class Source(models.TextChoices):
        JUSTICE_RECORD = "justice_record", _("Justice record")
        JUSTICE_ASSISTANT = "justice_assistant", _("Justice assistant")
        PATIENT = "patient", _("The patient")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        CONVICTION = "conviction", _("Conviction")

    class Category(models.TextChoices):
        SEXUAL = "sexual", _("Sexual offence")
        VIOLENT = "violent", _("Violent offence (not sexual)")
        OTHER = "other", _("Other offence")

    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="follow_up_checks",
    )
    checked_on = models.DateField(_("checked on"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    new_offence = models.BooleanField(_("new offence found"), default=False)
    offence_on = models.DateField(_("offence committed on"), null=True, blank=True)
    kind = models.CharField(
        _("charge or conviction"), max_length=20, choices=Kind.choices, blank=True
    )
    category = models.CharField(
        _("category of offence"), max_length=20, choices=Category.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up check")
        verbose_name_plural = _("follow-up checks")
        ordering = ["-checked_on", "-pk"]
        indexes = [
            # the statistics read each patient's checks: the latest date and the first offence
            models.Index(
                fields=["patient", "checked_on", "new_offence"], name="followup_patient_checked"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_offence=False, offence_on__isnull=True, kind="", category="")
                | (Q(new_offence=True, offence_on__isnull=False) & ~Q(kind="") & ~Q(category="")),
                name="followup_offence_is_described",
                violation_error_message=_(
                    "A new offence has its date, its kind and its category; a check that found "
                    "none has none of them."
                ),
            ),
            models.CheckConstraint(
                condition=Q(offence_on__isnull=True) | Q(offence_on__lte=F("checked_on")),
                name="followup_offence_before_check",
                violation_error_message=_("The offence cannot come after the check that found it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} — {self.checked_on}"

    def clean(self) -> None:
        """The constraints' rules, each said on its field (the constraints stay the guard)."""
        errors: dict[str, str | Promise] = {}
        if self.checked_on and self.checked_on > timezone.localdate():
            errors["checked_on"] = _("The check date is in the future.")
        if self.new_offence:
            required = {
                "offence_on": _("Give the date of the new offence."),
                "kind": _("Say whether it is a charge or a conviction."),
                "category": _("Choose the category of the offence."),
            }
            for name, message in required.items():
                if not getattr(self, name):
                    errors[name] = message
            if self.offence_on and self.checked_on and self.offence_on > self.checked_on:
                errors["offence_on"] = _("The offence cannot come after the check that found it.")
        else:
            for name in ("offence_on", "kind", "category"):
                if getattr(self, name):
                    errors[name] = _("A check that found no new offence describes none.")
        if errors:
            raise ValidationError(errors)
