"""The question the follow-up page asks: which event, which window, which groups, which
cohort. Bounded: a date outside the calendar the clinic uses, or a period that ends before it
starts, is said on its field and nothing is computed."""

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from casework.forms import DateInput
from casework.models import Authority, LegalFramework
from casework.selectors import clinicians
from clinic_statistics import follow_up, indicators
from clinic_statistics.models import REPORT_LANGUAGES
from common.dates import EARLIEST_DAY, LATEST_DAY, out_of_bounds

EVENT_CHOICES = [
    ("sexual", _("A new sexual offence")),
    ("violent", _("A new violent offence")),
    ("any", _("Any new offence")),
]
GROUP_CHOICES = [
    ("", _("Everyone together")),
    (follow_up.COMPLETION, _("Completed or stopped treatment")),
    (follow_up.RISK_LEVEL, _("Risk level at intake")),
]
DEFAULTS = {"event": "sexual", "window_years": "5", "group": follow_up.COMPLETION}


class FollowUpQueryForm(forms.Form):
    event = forms.ChoiceField(label=_("Event"), choices=EVENT_CHOICES)
    window_years = forms.TypedChoiceField(label=_("Window"), coerce=int)
    group = forms.ChoiceField(label=_("Groups"), choices=GROUP_CHOICES, required=False)
    started_from = forms.DateField(
        label=_("Treatment started from"), widget=DateInput(), required=False
    )
    started_to = forms.DateField(
        label=_("Treatment started up to"), widget=DateInput(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # labels in the language of this request
        self.fields["window_years"].choices = [  # type: ignore[attr-defined]
            (years, ngettext("%(years)d year", "%(years)d years", years) % {"years": years})
            for years in follow_up.WINDOW_YEARS
        ]

    @classmethod
    def from_query(cls, query) -> "FollowUpQueryForm":
        """The form bound to the query string; with no question asked yet, the usual one."""
        asked = any(name in query for name in cls.base_fields)
        return cls({**DEFAULTS, **query.dict()} if asked else DEFAULTS)

    def clean(self):
        data = super().clean()
        for name in ("started_from", "started_to"):
            day = data.get(name)
            if day and (message := out_of_bounds(day, EARLIEST_DAY, LATEST_DAY)):
                self.add_error(name, message)
        start, end = data.get("started_from"), data.get("started_to")
        if start and end and end < start:
            self.add_error("started_to", _("The end of the period must come after its start."))
        return data


def _years() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year, indicators.EARLIEST_YEAR - 1, -1)]


class IndicatorsQueryForm(forms.Form):
    """The year and the patients the indicators count: a filter left empty takes everyone."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_years)
    legal_framework = forms.ModelChoiceField(
        label=_("Legal framework"),
        queryset=LegalFramework.objects.order_by("position", "code"),
        required=False,
        empty_label=_("Every framework"),
    )
    authority = forms.ModelChoiceField(
        label=_("Authority"),
        queryset=Authority.objects.order_by("name", "pk"),
        required=False,
        empty_label=_("Every authority"),
    )
    clinician = forms.ModelChoiceField(
        label=_("Clinician"), queryset=clinicians(), required=False, empty_label=_("Everyone")
    )

    @classmethod
    def from_query(cls, query) -> "IndicatorsQueryForm":
        """The form bound to the query string; with no year asked, last year (complete)."""
        data = query.dict()
        data.setdefault("year", str(timezone.localdate().year - 1))
        return cls(data)

    def question(self) -> indicators.Question:
        return indicators.Question(**self.cleaned_data)


class ActivityReportForm(forms.Form):
    """Ask for the annual activity report of a year, in one of its languages."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_years)
    language = forms.ChoiceField(label=_("Language"), choices=REPORT_LANGUAGES)

    @classmethod
    def for_user(cls, user, year: int) -> "ActivityReportForm":
        """Unbound, set to the year shown and the lead's own language if the report speaks it."""
        spoken = {code for code, _label in REPORT_LANGUAGES}
        language = getattr(user, "language", "") or translation.get_language() or ""
        language = language[:2] if language[:2] in spoken else REPORT_LANGUAGES[0][0]
        return cls(initial={"year": year, "language": language}, auto_id="report_%s")
