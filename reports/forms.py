from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from casework.forms import DateInput
from reports import catalogue
from reports.models import Dispatch, Letter


class LetterForm(forms.Form):
    kind = forms.ChoiceField(
        label=capfirst(_("letter")),
        choices=[(code, letter.name) for code, letter in catalogue.TYPES.items()],
    )
    mandate = forms.ModelChoiceField(label=capfirst(_("mandate")), queryset=None, required=False)
    recipient = forms.ChoiceField(
        label=capfirst(_("recipient")),
        choices=[("", "---------"), *catalogue.Recipient.choices],
        required=False,
        help_text=_("Left empty: the letter's usual recipient."),
    )
    attendance = forms.ModelChoiceField(
        label=_("Session (for a notice of absence)"), queryset=None, required=False
    )
    period_start = forms.DateField(
        label=capfirst(_("period from")), widget=DateInput(), required=False
    )
    period_end = forms.DateField(
        label=capfirst(_("period until")), widget=DateInput(), required=False
    )
    request_reference = forms.CharField(
        label=capfirst(_("the authority's reference")), max_length=100, required=False
    )
    request_received_on = forms.DateField(
        label=capfirst(_("request received on")), widget=DateInput(), required=False
    )
    paragraph = forms.CharField(
        label=capfirst(_("paragraph for the authority")),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        required=False,
        help_text=Letter._meta.get_field("paragraph").help_text,
    )

    def __init__(self, *args, mandates=None, attendances=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mandate"].queryset = mandates
        self.fields["attendance"].queryset = attendances
        self.fields["attendance"].label_from_instance = lambda a: (
            f"{timezone.localtime(a.appointment.starts_at):%d/%m/%Y %H:%M} — {a.outcome or '—'}"
        )


class LetterEditForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = ["recipient", "period_start", "period_end", "request_reference", "paragraph"]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "paragraph": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the recipients this letter goes to are offered.
        allowed = self.instance.type.recipients
        self.fields["recipient"].choices = [
            (value, label) for value, label in catalogue.Recipient.choices if value in allowed
        ]


class DispatchForm(forms.ModelForm):
    class Meta:
        model = Dispatch
        fields = ["channel", "to", "note"]
        widgets = {"channel": forms.RadioSelect}
