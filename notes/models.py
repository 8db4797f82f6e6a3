"""Clinical notes: the clinical zone. Only the care team's clinicians and the clinical lead
read them; never an administrator, a letter or an export for the justice system.

The foreign keys to the frame (patient, session) have no reverse accessor: the frame cannot
reach a note; notes are read through notes.selectors, which take the user and go through the
patient door."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Appointment, Patient


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
