"""The annual activity report: a request is a row, a worker renders its PDF once
(clinic_statistics.tasks, common.render_once); docs/statistics.md, "The annual activity report".

This increment asks for a year and a language only: the report covers every patient the lead
who asked may see, as the indicators page does without filters."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The languages the report is written in: the letters' own, German apart (no report template
# nor catalogue speaks it yet).
REPORT_LANGUAGES = [("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))]


class ActivityReport(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=2, choices=REPORT_LANGUAGES)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # common.render_once: the claim, the digest (empty until stored), when it was stored.
    render_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("annual activity report")
        verbose_name_plural = _("annual activity reports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Asked twice while the first is being prepared: one request, one render.
            models.UniqueConstraint(
                fields=["year", "language"],
                condition=Q(pdf_sha256=""),
                name="one_pending_activity_report_per_year_and_language",
                violation_error_message=_(
                    "This report is already being prepared: it will be listed once ready."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.language})"

    @property
    def is_ready(self) -> bool:
        return bool(self.pdf_sha256)

    @property
    def pdf_filename(self) -> str:
        return f"activity-report-{self.year}-{self.language}.pdf"

    def pdf_matches(self) -> bool:
        return bool(self.pdf) and hashlib.sha256(bytes(self.pdf)).hexdigest() == self.pdf_sha256
