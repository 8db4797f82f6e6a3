"""Risk assessments: the clinical zone. Signed is final; an amendment is a new version.

What an instrument asks and how it scores lives in assessments/instruments (plain Python);
a row here keeps what was answered, what it added up to, and who attested it.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments import instruments
from common.dates import add_months


class SignedAssessmentError(Exception):
    """A signed assessment is final; a correction is an amendment (a new version)."""


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    patient = models.ForeignKey(
        "casework.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="+",  # the frame cannot reach the clinical zone: assessments.selectors
    )
    instrument = models.CharField(
        _("instrument"),
        max_length=30,
        choices=[(code, i.name) for code, i in instruments.INSTRUMENTS.items()],
    )
    instrument_version = models.CharField(_("instrument version"), max_length=20)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_on = models.DateField(_("assessed on"))
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    responses = models.JSONField(_("item ratings"), default=dict)
    judgements = models.JSONField(_("summary judgements"), default=dict, blank=True)
    # Computed on the server from the responses, never typed in.
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    levels = models.JSONField(_("levels"), default=dict, blank=True)  # band table → band code
    level_override = models.CharField(_("level chosen instead"), max_length=20, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    trained_assessor = models.BooleanField(_("I am trained to use this instrument"), default=False)
    complete = models.BooleanField(
        _("Every item was rated from sufficient information"), default=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    amends = models.OneToOneField(
        "self",
        verbose_name=_("amends"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amended_by",
    )
    next_due_on = models.DateField(_("next due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level_override="") | ~Q(override_reason=""),
                name="assessment_override_has_reason",
                violation_error_message=_("A level set by hand needs its reason."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(trained_assessor=True, complete=True),
                name="assessment_signed_is_attested",
                violation_error_message=_("A signed assessment carries both attestations."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient", "instrument", "-assessed_on"], name="assessment_patient"
            ),
            # the due list: signed, current assessments by due date
            models.Index(
                fields=["next_due_on"], condition=Q(status="signed"), name="assessment_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition.name} {self.assessed_on} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.pk and Assessment.objects.filter(pk=self.pk, status=self.Status.SIGNED).exists():
            raise SignedAssessmentError("A signed assessment is final: amend it instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.patient_id, self.pk])

    def delete(self, *args, **kwargs):
        # Only an unsigned draft may go, and only through services.assessment_discard (which
        # logs it). A signed assessment is part of the record: never deleted, only amended.
        if self.is_signed or (
            self.pk and Assessment.objects.filter(pk=self.pk, status=self.Status.SIGNED).exists()
        ):
            raise SignedAssessmentError("A signed assessment is final: it is never deleted.")
        return super().delete(*args, **kwargs)

    @property
    def definition(self) -> instruments.Instrument:
        return instruments.get(self.instrument)

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def progress(self) -> tuple[int, int]:
        """(items rated, items to rate): a draft may be saved a part at a time."""
        return self.definition.progress(self.facts, self.responses)

    @property
    def is_rated(self) -> bool:
        return self.definition.is_rated(self.facts, self.responses)

    @property
    def missing(self) -> list[str]:
        """What is still to answer, rate or decide before signing, named."""
        return self.definition.missing(
            facts=self.facts, responses=self.responses, judgements=self.judgements
        )

    def _primary_table(self):
        """The instrument's main band table, as this assessment recorded it."""
        tables = self.definition.band_tables
        if not tables:
            return None
        if tables[0].version in self.levels:
            return tables[0]
        # The clinic has changed its bands since: the version this assessment was banded with.
        return next(
            (
                self.definition.band_table(v)
                for v in sorted(self.levels)
                if self.definition.band_table(v)
            ),
            None,
        )

    @property
    def primary_level(self):
        """The computed band of the instrument's main table (None for judgement tools)."""
        table = self._primary_table()
        if table is None:
            return None
        return next((b for b in table.bands if b.code == self.levels[table.version]), None)

    @property
    def final_level(self):
        """The level that counts: the clinician's override if any, else the computed one."""
        if self.level_override:
            table = self._primary_table() or self.definition.band_tables[0]
            return next((b for b in table.bands if b.code == self.level_override), None)
        return self.primary_level

    def due_after(self) -> datetime.date | None:
        months = self.definition.reassess_months
        if months is None:
            return None

        return add_months(self.assessed_on, months)


class Static99RNorm(models.Model):
    """A recidivism estimate for a Static-99R score, as the clinic's licensed tables give it."""

    score = models.SmallIntegerField(
        _("Static-99R score"), validators=[MinValueValidator(-3), MaxValueValidator(12)]
    )
    window_years = models.PositiveSmallIntegerField(_("follow-up (years)"), default=5)
    estimate_percent = models.DecimalField(
        _("estimated sexual recidivism (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("Static-99R norm")
        verbose_name_plural = _("Static-99R norms")
        ordering = ["window_years", "score"]
        constraints = [
            models.UniqueConstraint(
                fields=["score", "window_years", "source"],
                name="static99r_norm_once",
                violation_error_message=_(
                    "This score already has a rate from this source for this follow-up."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}: {self.estimate_percent}% / {self.window_years} y ({self.source})"


class RiskCombination(models.Model):
    """Static-99R level × STABLE-2007 band → combined level, as the clinic's table gives it."""

    static_level = models.CharField(
        _("Static-99R level (2016)"),
        max_length=10,
        choices=[(b.code, b.label) for b in instruments.get("static99r").band_tables[0].bands],
    )
    stable_band = models.CharField(
        _("STABLE-2007 band"),
        max_length=10,
        choices=[(b.code, b.label) for b in instruments.get("stable2007").band_tables[0].bands],
    )
    combined_level = models.CharField(_("combined level"), max_length=60)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("Static-99R × STABLE-2007 combination")
        verbose_name_plural = _("Static-99R × STABLE-2007 combinations")
        constraints = [
            models.UniqueConstraint(
                fields=["static_level", "stable_band"],
                name="risk_combination_once",
                violation_error_message=_("This combination of levels is in the table already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.static_level} × {self.stable_band} → {self.combined_level}"


class DueReminder(models.Model):
    """One e-mail a day at most per clinician about assessments due or overdue."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField()
    due = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("assessment reminder")
        verbose_name_plural = _("assessment reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "sent_on"],
                name="due_reminder_once_a_day",
                violation_error_message=_("This clinician was reminded today already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinician} {self.sent_on}"
