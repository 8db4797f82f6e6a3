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
    recipients = forms.MultipleChoiceField(
        label=_("Recipients"),
        choices=catalogue.Recipient.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Left empty: whom the law has this letter go to. The first ticked receives it; the "
            "others, a copy."
        ),
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
    risk_to = forms.ChoiceField(
        label=_("Serious risk to (for a serious-risk alert)"),
        choices=[("", _("Not a serious-risk alert")), *Letter.RiskTo.choices],
        required=False,
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
    recipients = forms.MultipleChoiceField(
        label=_("Recipients"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The first ticked receives the letter; the others, a copy."),
    )

    class Meta:
        model = Letter
        fields = [
            "recipients",
            "period_start",
            "period_end",
            "request_reference",
            "request_received_on",
            "risk_to",
            "paragraph",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "request_received_on": DateInput(),
            "paragraph": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        letter_type = self.instance.type
        # Only the recipients this letter may go to, and what a letter of its kind states.
        self.fields["recipients"].choices = [
            (value, label)
            for value, label in catalogue.Recipient.choices
            if value in letter_type.recipients
        ]
        if catalogue.PERIOD not in letter_type.facts:
            del self.fields["period_start"], self.fields["period_end"]
        if letter_type.code != "reply_to_request":
            del self.fields["request_received_on"]
        if catalogue.RISK not in letter_type.facts:
            del self.fields["risk_to"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        max_length=Letter._meta.get_field("withdrawal_reason").max_length,
        help_text=_("e.g. the absence was justified after all; the authority was told by phone."),
    )


class DispatchForm(forms.Form):
    """One recipient's dispatch: the address on file is proposed."""

    recipient = forms.ChoiceField(label=capfirst(_("recipient")), widget=forms.RadioSelect)
    channel = forms.ChoiceField(
        label=capfirst(_("channel")), choices=Dispatch.Channel.choices, widget=forms.RadioSelect
    )
    to = forms.CharField(
        label=capfirst(_("to")),
        max_length=Dispatch._meta.get_field("to").max_length,
        required=False,
        help_text=_("The e-mail address for an e-mail; the postal address for the post."),
    )
    note = forms.CharField(
        label=capfirst(_("note")),
        max_length=Dispatch._meta.get_field("note").max_length,
        required=False,
    )

    def __init__(self, *args, letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [
            (code, catalogue.Recipient.label(code)) for code in letter.recipients
        ]
        if catalogue.Recipient.PATIENT not in letter.recipients:
            self.fields["channel"].choices = [
                choice
                for choice in Dispatch.Channel.choices
                if choice[0] != Dispatch.Channel.HANDED
            ]
