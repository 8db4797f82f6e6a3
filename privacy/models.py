"""The patient's rights over the file as a whole: the access copy a data-subject request asks
for, and the end of the retention period (docs/privacy.md).

Both read every zone of a file, so this app sits above the clinical zone and the letters; it
owns no patient data of its own beyond the copies it produces, which go with the file.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Patient
from common.dates import add_months


class AccessCopy(models.Model):
    """A copy of a patient's file for a data-subject request (GDPR art. 15): a PDF to read and
    a JSON file to reuse, produced once by a worker from what the file holds at that moment."""

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    request_received_on = models.DateField(_("request received on"))
    request_note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("How the request came and how the patient's identity was checked."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # Produced once by a worker (privacy.services.access_copy_render), then kept as is.
    render_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    rendered_at = models.DateTimeField(_("ready"), null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    data = models.BinaryField(null=True, blank=True, editable=False)  # the JSON, as delivered
    data_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("access copy")
        verbose_name_plural = _("access copies")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-requested_at"], name="accesscopy_patient")]

    def __str__(self) -> str:
        return f"{self.reference} {self.patient}"

    @property
    def reference(self) -> str:
        return f"{self.requested_at:%Y}/A{self.pk:05d}" if self.pk and self.requested_at else ""

    @property
    def answer_due_on(self):
        """The GDPR's month to answer a request (art. 12(3)), from the day it came."""
        return add_months(self.request_received_on, 1)

    @property
    def is_ready(self) -> bool:
        return bool(self.pdf_sha256 and self.data_sha256)

    def filename(self, extension: str) -> str:
        return f"{self.reference.replace('/', '-')}-{self.patient.file_number}.{extension}"

    def matches(self) -> bool:
        return (
            hashlib.sha256(bytes(self.pdf or b"")).hexdigest() == self.pdf_sha256
            and hashlib.sha256(bytes(self.data or b"")).hexdigest() == self.data_sha256
        )


class RetentionFlag(models.Model):
    """A file whose last contact is RETENTION_REVIEW_YEARS old: the clinical lead reviews it,
    and the sweep destroys it once RETENTION_DESTROY_YEARS have passed (or earlier, when the
    lead decides so after the review). Kept up to date by the daily sweep."""

    patient = models.OneToOneField(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    last_contact = models.DateField(_("last contact"))
    flagged_on = models.DateField(_("flagged on"))
    destroy_on = models.DateField(_("to be destroyed on"))
    # The first sweep that found it due for destruction said so (its dry run); a later sweep,
    # RETENTION_NOTICE_DAYS on, destroys it.
    announced_on = models.DateField(_("destruction announced on"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.CharField(_("review"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("file due for retention review")
        verbose_name_plural = _("files due for retention review")
        ordering = ["destroy_on", "pk"]
        indexes = [
            models.Index(fields=["destroy_on"], name="retention_destroy_on"),
            models.Index(
                fields=["flagged_on"], condition=Q(reviewed_at__isnull=True), name="retention_todo"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} ({self.last_contact})"


class Tombstone(models.Model):
    """What remains of a destroyed file: no name, no health data; the identifiers the access
    log already holds (the patient's id and file number), when and why it went, and how many
    records of each kind went with it. It lets the log's lines about the file still read."""

    class Reason(models.TextChoices):
        LIMIT = "limit", _("The longest retention period ended")
        REVIEW = "review", _("Destroyed after review")

    patient_id = models.BigIntegerField(_("patient id"), unique=True)
    file_number = models.CharField(_("file number"), max_length=20, unique=True)
    last_contact = models.DateField(_("last contact"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    destroyed_at = models.DateTimeField(_("destroyed"), auto_now_add=True)
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destroyed by"),
        on_delete=models.PROTECT,
        null=True,  # the daily sweep
        blank=True,
        related_name="+",
    )
    records = models.JSONField(_("records destroyed"), default=dict)

    class Meta:
        verbose_name = _("destroyed file")
        verbose_name_plural = _("destroyed files")
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self) -> str:
        return self.file_number
