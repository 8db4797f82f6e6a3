"""The assessment form is generated from the instrument's definition."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.instruments import Instrument
from assessments.instruments.base import Item
from casework.forms import DateInput, FieldsetsMixin


def _field(item: Item) -> forms.Field:
    # Every field is optional here: the instrument checks the answers (one place for the rules).
    if item.choices:
        return forms.ChoiceField(
            label=item.name,
            choices=[(c.value, c.label) for c in item.choices],
            widget=forms.RadioSelect,
            required=False,
            help_text=item.help,
        )
    return forms.CharField(
        label=item.name,
        required=False,
        help_text=item.help,
        widget=forms.TextInput(attrs={"inputmode": "decimal" if item.decimals else "numeric"}),
    )


class AssessmentForm(FieldsetsMixin, forms.Form):
    assessed_on = forms.DateField(
        label=_("Assessed on"), widget=DateInput(), initial=timezone.localdate
    )

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        fieldsets = []
        if instrument.facts:
            for item in instrument.facts:
                self.fields[f"fact_{item.code}"] = _field(item)
            fieldsets.append((_("Before rating"), [f"fact_{i.code}" for i in instrument.facts]))
        domains: dict[str, list[str]] = {}
        for item in instrument.items:
            name = f"item_{item.code}"
            self.fields[name] = _field(item)
            self.fields[name].label = f"{item.code}. {item.name}"
            domains.setdefault(str(item.domain or _("Items")), []).append(name)
            if item.relevance:
                self.fields[f"{name}_relevance"] = forms.ChoiceField(
                    label=_("Relevance"),
                    choices=[
                        ("", "—"),
                        *((c.value, c.label) for c in instrument.relevance_choices),
                    ],
                    required=False,
                )
                domains[str(item.domain or _("Items"))].append(f"{name}_relevance")
        fieldsets += list(domains.items())
        if instrument.judgements:
            for item in instrument.judgements:
                self.fields[f"judgement_{item.code}"] = _field(item)
            fieldsets.append(
                (_("Summary judgements"), [f"judgement_{i.code}" for i in instrument.judgements])
            )
        if instrument.band_tables:
            table = instrument.band_tables[0]
            self.fields["level_override"] = forms.ChoiceField(
                label=_("Replace the computed level with"),
                choices=[
                    ("", _("No: keep the computed level")),
                    *((b.code, b.label) for b in table.bands),
                ],
                required=False,
            )
            self.fields["override_reason"] = forms.CharField(
                label=_("Reason for the override"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
            fieldsets.append((_("Level"), ["level_override", "override_reason"]))
        self.fields["trained_assessor"] = forms.BooleanField(
            label=_("I am trained to use this instrument"), required=False
        )
        self.fields["complete"] = forms.BooleanField(
            label=_("Every item was rated from sufficient information"), required=False
        )
        fieldsets.append((_("Attestations"), ["assessed_on", "trained_assessor", "complete"]))
        self.fieldsets = fieldsets

    @classmethod
    def initial_from(cls, assessment) -> dict:
        initial = {
            "assessed_on": assessment.assessed_on,
            "level_override": assessment.level_override,
            "override_reason": assessment.override_reason,
            "trained_assessor": assessment.trained_assessor,
            "complete": assessment.complete,
        }
        initial.update({f"fact_{k}": v for k, v in assessment.facts.items()})
        initial.update({f"item_{k}": v for k, v in assessment.responses.items()})
        initial.update({f"judgement_{k}": v for k, v in assessment.judgements.items()})
        return initial

    @staticmethod
    def to_service(data: dict) -> dict:
        """What the service takes, from the cleaned fields."""

        def strip(prefix):
            return {
                name[len(prefix) :]: value
                for name, value in data.items()
                if name.startswith(prefix) and value not in (None, "")
            }

        return {
            "assessed_on": data["assessed_on"],
            "facts": strip("fact_"),
            "responses": strip("item_"),
            "judgements": strip("judgement_"),
            "level_override": data.get("level_override", ""),
            "override_reason": data.get("override_reason", ""),
            "trained_assessor": data["trained_assessor"],
            "complete": data["complete"],
        }


class SignForm(forms.Form):
    """The two attestations, ticked on the signing page itself (shown as the draft has them)."""

    trained_assessor = forms.BooleanField(
        label=_("I am trained to use this instrument"), required=False
    )
    complete = forms.BooleanField(
        label=_("Every item was rated from sufficient information"), required=False
    )
