from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from helpline.models import CODE_LENGTH, Contact, ProblemTag, ReferralService
from helpline.services import LONGEST_CONTACT_MINUTES


class ContactForm(forms.Form):
    """One screen, used during the call: the keyboard moves through it top to bottom; the
    duration runs on its own (static/js/helpline.js) and may be typed over."""

    channel = forms.ChoiceField(
        label=capfirst(Contact._meta.get_field("channel").verbose_name),
        choices=Contact.Channel.choices,
        initial=Contact.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    caller_type = forms.ChoiceField(
        label=capfirst(_("who is calling")),
        choices=[("", _("Not recorded")), *Contact.CallerType.choices],
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    hung_up = forms.BooleanField(label=capfirst(_("hung up before speaking")), required=False)
    repeat = forms.BooleanField(label=_("The caller has contacted the line before"), required=False)
    tags = forms.ModelMultipleChoiceField(
        label=capfirst(_("what it is about")),
        queryset=ProblemTag.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referral = forms.ModelChoiceField(
        label=capfirst(_("referred to")),
        queryset=ReferralService.objects.filter(is_active=True),
        required=False,
        empty_label=_("No referral"),
    )
    summary = forms.CharField(
        label=capfirst(_("summary")),
        required=False,
        max_length=Contact._meta.get_field("summary").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Contact._meta.get_field("summary").help_text,
    )
    code = forms.CharField(
        label=_("The caller's follow-up code"),
        required=False,
        max_length=CODE_LENGTH + 4,
        help_text=_("If the caller gives one: their earlier contacts are linked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    give_code = forms.BooleanField(label=_("Give the caller a follow-up code"), required=False)
    duration_minutes = forms.IntegerField(
        label=capfirst(_("duration (minutes)")),
        min_value=0,
        max_value=LONGEST_CONTACT_MINUTES,
        required=False,
        help_text=_("Counted from when this form opened; type over it if needed."),
        widget=forms.NumberInput(attrs={"data-duration": ""}),
    )
    started_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started_at"] = timezone.now().replace(microsecond=0)

    def clean(self):
        data = super().clean()
        if data.get("duration_minutes") is None:
            started = data.get("started_at")
            elapsed = (timezone.now() - started).total_seconds() / 60 if started else 0
            data["duration_minutes"] = min(max(round(elapsed), 0), LONGEST_CONTACT_MINUTES)
        return data


class CodeLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=CODE_LENGTH + 4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
