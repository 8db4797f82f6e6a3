"""The legal frameworks a mandate is made under, and what each one's law asks of the clinic.

Reference data, not code: the cooperation agreements and the laws behind them are being
rewritten (docs/domain.md), so a clinic edits a framework's rules in the admin, which keeps
their history. The first set (casework/reference_data.py) is written by the migration that
made this table and again after a flush.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import NamedInLanguages

# No mandate, whatever its framework, reports less often than this (the form's upper bound).
LONGEST_REPORTING_INTERVAL = 24


class LegalFramework(NamedInLanguages):
    """A legal framework (probation, conditional release, internment...) and its reporting
    duty: how often the clinic reports at least, how soon after the start the first report
    goes out, and the provision under which it discloses (printed on letters)."""

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    # The law sets a longest interval between two follow-up reports (e.g. six months: law of
    # 29 June 1964, art. 9bis); empty where it sets none.
    longest_reporting_interval_months = models.PositiveSmallIntegerField(
        _("longest reporting interval (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_REPORTING_INTERVAL)],
        help_text=_("The law asks for a follow-up report at least this often. Empty: no limit."),
    )
    # The first report is owed this many months after the start of the measure or the intake,
    # whichever is later (e.g. "within the month": law of 29 June 1964, art. 9bis).
    first_report_within_months = models.PositiveSmallIntegerField(
        _("first report within (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_REPORTING_INTERVAL)],
        help_text=_(
            "The first report is owed this many months after the start of the measure or the "
            "intake, whichever is later. Empty: after a whole reporting interval."
        ),
    )
    # The provision under which the clinic tells the justice system what it tells, in each
    # language a letter is written in; printed as the letter's legal basis.
    reporting_duty_en = models.CharField(_("reporting duty (English)"), max_length=300, blank=True)
    reporting_duty_fr = models.CharField(_("reporting duty (French)"), max_length=300, blank=True)
    reporting_duty_nl = models.CharField(_("reporting duty (Dutch)"), max_length=300, blank=True)
    reporting_duty_de = models.CharField(_("reporting duty (German)"), max_length=300, blank=True)
    # The internment law also has the clinic report a serious risk to the patient themself
    # (law of 5 May 2014, art. 57 §5); the other laws name the risk to third parties only, and
    # beyond what the law names, professional secrecy holds (penal code, art. 458).
    reports_risk_to_self = models.BooleanField(
        _("a risk to the patient themself is reported"),
        default=False,
        help_text=_(
            "The law of this framework has the clinic report a serious risk to the "
            "patient themself, not only to others."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal framework")
        verbose_name_plural = _("legal frameworks")
        ordering = ["position", "code"]

    def reporting_duty(self, language: str) -> str:
        return self.in_language("reporting_duty", language)
