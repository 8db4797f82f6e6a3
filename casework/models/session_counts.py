"""Each patient's session counters by month, counted ahead of time for the clinic's statistics
(docs/statistics.md, "Session counts"): a year's indicators add up twelve rows a patient rather
than reading every session of the year.

A change to a patient's sessions marks the patient in the same transaction
(SessionCountPending); a worker counts the marked patients again, in batches
(casework.services.session_counts). A change is never lost between the two: the mark commits
with it, and the statistics say how many files still wait to be counted."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.patients import Patient

# The counters kept: those of docs/domain.md that do not depend on the time they are read at
# (not "awaiting outcome" nor "to come"), and the planned sessions split by kind.
SESSION_COUNTERS = (
    "planned",
    "attended",
    "acceptable_absences",
    "unacceptable_absences",
    "awaiting_evidence",
    "cancelled_by_clinic",
    "rescheduled_by_patient",
    "rescheduled_by_clinic",
    "planned_individual",
    "planned_group",
)


class SessionCount(models.Model):
    """One patient's counters over one month (local time), sessions placed at their time."""

    # No foreign key in the database, here and in the marks: inserting a row would take a
    # share lock on the patient, which a clinician recording an outcome holds (the attendance
    # is read FOR UPDATE with its patient) while waiting for the mark the worker holds: a
    # deadlock (tests/casework/test_races.py). Django still deletes them with the patient.
    # The unique index, patient first, serves a patient's months.
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    planned = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)
    acceptable_absences = models.PositiveIntegerField(default=0)
    unacceptable_absences = models.PositiveIntegerField(default=0)
    awaiting_evidence = models.PositiveIntegerField(default=0)
    cancelled_by_clinic = models.PositiveIntegerField(default=0)
    rescheduled_by_patient = models.PositiveIntegerField(default=0)
    rescheduled_by_clinic = models.PositiveIntegerField(default=0)
    planned_individual = models.PositiveIntegerField(default=0)
    planned_group = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("session count")
        verbose_name_plural = _("session counts")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "month"],
                name="one_session_count_per_patient_and_month",
                violation_error_message=_("This patient's month is already counted."),
            )
        ]
        # The indicators read a year of every patient's months (the unique index serves one
        # patient's).
        indexes = [models.Index(fields=["month"], name="session_count_month")]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.month:%Y-%m}"


class SessionCountPending(models.Model):
    """A patient whose sessions changed since they were last counted."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    marked_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("session count to update")
        verbose_name_plural = _("session counts to update")

    def __str__(self) -> str:
        return f"{self.patient_id} ({self.marked_at:%Y-%m-%d %H:%M})"
