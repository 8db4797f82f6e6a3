"""Clinical notes: the clinical zone. Only the care team's clinicians and the clinical lead
read them; never an administrator, a letter or an export for the justice system.

The foreign keys to the frame (patient, session) have no reverse accessor: the frame cannot
reach a note; notes are read through notes.selectors, which take the user and go through the
patient door."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import Appointment, Patient
from common.records import WrittenOnce


class SignedNoteError(Exception):
    """A signed note is final; corrections are addenda."""


class ClinicalNote(models.Model):
    class Kind(models.TextChoices):
        SESSION = "session", _("Session note")
        # Excluded from the patient's access copy (law of 22 April 2019).
        PERSONAL = "personal", _("Personal note")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    addendum_to = models.ForeignKey(
        "self",
        verbose_name=_("addendum to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addenda",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    class Meta:
        db_table = "casework_clinicalnote"  # the table the notes were first written in
        verbose_name = _("clinical note")
        verbose_name_plural = _("clinical notes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="personal") | Q(appointment__isnull=False),
                name="session_note_has_session",
                violation_error_message=_("A session note names its session."),
            )
        ]
        indexes = [models.Index(fields=["patient", "kind", "-created_at"], name="note_patient")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} — {self.patient}"

    def save(self, *args, **kwargs):
        if self.pk and ClinicalNote.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise SignedNoteError("A signed note cannot be changed; write an addendum.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SignedNoteError("Clinical notes are kept; write an addendum.")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class TreatmentPlan(WrittenOnce, models.Model):
    """One version of a patient's treatment plan: its goals, the interventions for each, and
    when it is to be reviewed (docs/treatment-plans.md). The clinical zone: read through
    notes.selectors, never by an administrator or a letter. A version never changes; a review
    writes the next one, which rates the progress on each goal, and the last one, at the end of
    the treatment, sums up each goal."""

    final_message = "A version of the plan is never changed: review it."

    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan")
        REVIEW = "review", pgettext_lazy("treatment plan", "Review")
        CLOSING = "closing", _("End of treatment")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    review_on = models.DateField(_("next review"), null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("treatment plan")
        verbose_name_plural = _("treatment plans")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "version"],
                name="plan_version_once",
                violation_error_message=_("This version of the plan was written meanwhile."),
            ),
            models.CheckConstraint(
                condition=Q(kind="closing", review_on__isnull=True)
                | (~Q(kind="closing") & Q(review_on__isnull=False)),
                name="plan_reviewed_until_closed",
                violation_error_message=_(
                    "A plan names its next review, until the end of the treatment."
                ),
            ),
        ]
        # the to-do list's reviews due
        indexes = [models.Index(fields=["review_on"], name="plan_review_on")]

    def __str__(self) -> str:
        return f"{self.patient} v{self.version}"


class PlanGoal(WrittenOnce, models.Model):
    final_message = "A version of the plan is never changed: review it."

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        SOME = "some", _("Some progress")
        CLEAR = "clear", _("Clear progress")
        REACHED = "reached", _("Reached")
        STOPPED = "stopped", _("Given up")

    plan = models.ForeignKey(
        TreatmentPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="goals"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    goal = models.TextField(_("goal"))
    interventions = models.TextField(_("interventions"), blank=True)
    progress = models.CharField(_("progress"), max_length=12, choices=Progress.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"],
                name="plan_goal_position_once",
                violation_error_message=_("Each goal has its own place in the plan."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.position}"
