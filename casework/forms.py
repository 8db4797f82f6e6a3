from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from casework.models import Authority, CareTeamMembership, Episode, JusticeContact, Mandate, Patient
from casework.selectors import clinicians


class FieldsetsMixin:
    """Forms that declare `fieldsets = [(legend, [field names])]` are shown in groups."""

    fieldsets: list = []

    def grouped_fields(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "last_name",
            "first_name",
            "date_of_birth",
            "sex",
            "preferred_language",
            "phone",
            "email",
            "address",
        ]
        widgets = {"date_of_birth": DateInput(), "address": forms.Textarea(attrs={"rows": 3})}


class ReferralForm(forms.Form):
    """The referral that opens an episode of care."""

    referral_source = forms.ChoiceField(
        label=capfirst(_("referral source")), choices=Episode.ReferralSource.choices
    )
    referral_source_detail = forms.CharField(
        label=capfirst(_("referral source detail")),
        max_length=200,
        required=False,
        help_text=_("e.g. the justice assistant's name or the referring service"),
    )
    referral_received_on = forms.DateField(
        label=capfirst(_("referral received on")), widget=DateInput(), initial=timezone.localdate
    )


class PatientRegisterForm(FieldsetsMixin, PatientForm, ReferralForm):
    """A new patient: identity and the referral that brings them."""

    fieldsets = [
        (_("Identity and contact"), PatientForm.Meta.fields),
        (_("Referral"), ["referral_source", "referral_source_detail", "referral_received_on"]),
    ]


class MandateForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = [
        (_("Decision"), ["authority", "legal_framework", "decision_date", "decision_reference"]),
        (
            _("Period and requirements"),
            [
                "starts_on",
                "ends_on",
                "conditions",
                "session_frequency",
                "reporting_interval_months",
            ],
        ),
        (
            _("Justice assistant and sharing of information"),
            ["justice_contact", "sharing_basis", "consent_on", "legal_basis"],
        ),
        (_("Status"), ["status", "ended_on", "end_reason"]),
    ]

    class Meta:
        model = Mandate
        fields = [
            "authority",
            "legal_framework",
            "decision_date",
            "decision_reference",
            "starts_on",
            "ends_on",
            "conditions",
            "session_frequency",
            "reporting_interval_months",
            "justice_contact",
            "sharing_basis",
            "consent_on",
            "legal_basis",
            "status",
            "ended_on",
            "end_reason",
        ]
        widgets = {
            "decision_date": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "consent_on": DateInput(),
            "ended_on": DateInput(),
            "conditions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer active reference data, plus whatever this mandate already points to.
        current = self.instance
        self.fields["authority"].queryset = Authority.objects.filter(
            Q(is_active=True) | Q(pk=current.authority_id)
        )
        self.fields["justice_contact"].queryset = JusticeContact.objects.filter(
            Q(is_active=True) | Q(pk=current.justice_contact_id)
        )


class EpisodeStepForm(forms.Form):
    on = forms.DateField(label=capfirst(_("date")), widget=DateInput(), initial=timezone.localdate)


class EpisodeCloseForm(EpisodeStepForm):
    exit_reason = forms.ChoiceField(
        label=capfirst(_("exit reason")), choices=Episode.ExitReason.choices
    )
    exit_reason_detail = forms.CharField(
        label=capfirst(_("exit reason detail")), max_length=200, required=False
    )


class CareTeamForm(forms.Form):
    clinician = forms.ModelChoiceField(label=capfirst(_("clinician")), queryset=None)
    role = forms.ChoiceField(label=capfirst(_("role")), choices=CareTeamMembership.Role.choices)
    starts_on = forms.DateField(
        label=capfirst(_("from")), widget=DateInput(), initial=timezone.localdate
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians()


class AuthorityForm(forms.ModelForm):
    class Meta:
        model = Authority
        fields = [
            "kind",
            "name",
            "jurisdiction",
            "region",
            "language",
            "address",
            "email",
            "phone",
            "is_active",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class JusticeContactForm(forms.ModelForm):
    class Meta:
        model = JusticeContact
        fields = ["name", "service", "language", "email", "phone", "address", "is_active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
