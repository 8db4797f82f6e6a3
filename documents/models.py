"""Documents on a patient's file: court decisions, the three-party agreement, consent forms,
evidence for an absence, reports from other services (docs/documents.md).

Each kind belongs to a zone, and the document follows that zone's rules: a frame document is
read by the care team and the administrators, a clinical one by the care team's clinicians and
the clinical lead only. The bytes live in the "documents" storage (a folder outside the web
root, or object storage), under a random name; the row says what they are, checked from their
content when they came in. A document is part of the record: it is never edited, and goes with
the file when the file is destroyed at the end of its retention."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Attendance, Patient
from common.records import WrittenOnce

FILENAME_MAX_LENGTH = 200


class Document(WrittenOnce, models.Model):
    class Kind(models.TextChoices):
        COURT_DECISION = "court_decision", _("Court decision")
        AGREEMENT = "agreement", _("Three-party agreement")
        CONSENT = "consent", _("Consent form")
        ABSENCE_EVIDENCE = "absence_evidence", _("Evidence for an absence")
        JUSTICE_LETTER = "justice_letter", _("Letter from the justice system")
        CLINICAL_REPORT = "clinical_report", _("Report from another care service")
        CLINICAL_OTHER = "clinical_other", _("Other clinical document")

    final_message = "A document on the file is never changed: it goes with its file."
    # The kinds of the clinical zone; every other kind is the frame's.
    CLINICAL_KINDS = frozenset({Kind.CLINICAL_REPORT, Kind.CLINICAL_OTHER})

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    dated = models.DateField(_("dated"))
    title = models.CharField(_("description"), max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=FILENAME_MAX_LENGTH)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_as = models.CharField(_("stored as"), max_length=100, unique=True)
    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-dated", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="absence_evidence", attendance__isnull=False)
                | (~Q(kind="absence_evidence") & Q(attendance__isnull=True)),
                name="document_evidence_names_its_session",
                violation_error_message=_(
                    "Evidence for an absence names its session; no other document does."
                ),
            )
        ]
        indexes = [models.Index(fields=["patient", "-dated", "-id"], name="document_patient")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} — {self.patient}"

    @property
    def is_clinical(self) -> bool:
        return self.kind in self.CLINICAL_KINDS

    @property
    def name(self) -> str:
        """What the list calls it: its description, else its file's name."""
        return self.title or self.filename
