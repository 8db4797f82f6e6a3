"""The justice system's directory: the authorities that order and follow treatment, and the
justice assistants the clinic writes to. Reference data, kept by administrators (frame zone)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.models.patients import Language
from common.postal import postal_address_problem


class Region(models.TextChoices):
    BRUSSELS = "brussels", _("Brussels")
    WALLONIA = "wallonia", _("Wallonia")
    FLANDERS = "flanders", _("Flanders")
    GERMAN_SPEAKING = "german_speaking", _("German-speaking Community")
    OTHER = "other", _("Other or abroad")


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
