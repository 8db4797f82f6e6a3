from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from casework.models import (
    Appointment,
    AppointmentSeries,
    Attendance,
    AttendanceOutcome,
    Authority,
    CareTeamMembership,
    Episode,
    FollowUpCheck,
    JusticeContact,
    LegalFramework,
    Mandate,
    Patient,
    Room,
    TherapyGroup,
)
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
            "reminders",
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

    allow_duplicate = forms.BooleanField(
        label=_("Register anyway: this is another person"), required=False
    )

    fieldsets = [
        (_("Identity and contact"), PatientForm.Meta.fields),
        (_("Referral"), ["referral_source", "referral_source_detail", "referral_received_on"]),
    ]


class MandateForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = [
        (
            _("Decision"),
            [
                "legal_framework",
                "authority",
                "decided_by",
                "decision_date",
                "decision_reference",
                "authority_file_number",
            ],
        ),
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
            [
                "justice_contact",
                "justice_assistant_file_number",
                "sharing_basis",
                "consent_on",
                "legal_basis",
            ],
        ),
        (_("Status"), ["status", "ended_on", "end_reason"]),
    ]

    class Meta:
        model = Mandate
        fields = [
            "legal_framework",
            "authority",
            "decided_by",
            "decision_date",
            "decision_reference",
            "authority_file_number",
            "starts_on",
            "ends_on",
            "conditions",
            "session_frequency",
            "reporting_interval_months",
            "justice_contact",
            "justice_assistant_file_number",
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
        self.fields["decided_by"].queryset = Authority.objects.filter(
            Q(is_active=True) | Q(pk=current.decided_by_id)
        )
        self.fields["legal_framework"].queryset = LegalFramework.objects.filter(
            Q(is_active=True) | Q(pk=current.legal_framework_id)
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


# Where the letters are posted: the models' clean() checks it (common.postal).
ADDRESS_HELP = _(
    "Each on a line of its own: the street and number, then the postcode and town, then the "
    "country if abroad."
)


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
        help_texts = {"address": ADDRESS_HELP}


class JusticeContactForm(forms.ModelForm):
    class Meta:
        model = JusticeContact
        fields = ["name", "service", "language", "email", "phone", "address", "is_active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"address": ADDRESS_HELP}


# --- Sessions and attendance ----------------------------------------------------------------


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )


class ConflictsMixin(forms.Form):
    """Scheduling forms: after a conflict warning, the user may book anyway."""

    allow_conflicts = forms.BooleanField(
        label=_("Book anyway, despite the conflicts above"), required=False
    )


def _room_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=capfirst(_("room")),
        queryset=Room.objects.filter(is_active=True),
        required=False,
        empty_label=_("No room of the clinic (elsewhere, by video or by phone)"),
    )


class AppointmentForm(FieldsetsMixin, ConflictsMixin):
    kind = forms.ChoiceField(
        label=capfirst(_("kind")),
        choices=[c for c in Appointment.Kind.choices if c[0] != Appointment.Kind.GROUP],
        initial=Appointment.Kind.INDIVIDUAL,
    )
    starts_at = _datetime_field(capfirst(_("start")))
    duration_minutes = forms.IntegerField(
        label=capfirst(_("duration (minutes)")), min_value=5, max_value=480, initial=60
    )
    mode = forms.ChoiceField(label=capfirst(_("mode")), choices=Appointment.Mode.choices)
    room = _room_field()
    place = forms.CharField(
        label=capfirst(_("place")),
        max_length=120,
        required=False,
        help_text=_("Where, when it is not one of the clinic's rooms."),
    )
    clinicians = forms.ModelMultipleChoiceField(
        label=capfirst(_("clinicians")), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    repeat = forms.ChoiceField(
        label=capfirst(_("repeats")),
        choices=[("", _("Does not repeat")), *AppointmentSeries.Cadence.choices],
        required=False,
    )
    occurrences = forms.IntegerField(
        label=capfirst(_("occurrences")),
        min_value=2,
        max_value=52,
        required=False,
        help_text=_("How many appointments the series holds, this one included."),
    )

    fieldsets = [
        (
            _("When and where"),
            ["kind", "starts_at", "duration_minutes", "mode", "room", "place"],
        ),
        (_("Who"), ["clinicians"]),
        (_("Repeat"), ["repeat", "occurrences"]),
    ]

    def __init__(self, *args, clinicians=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinicians"].queryset = clinicians

    def clean(self):
        data = super().clean()
        if data.get("repeat") and not data.get("occurrences"):
            self.add_error("occurrences", _("Say how many appointments the series holds."))
        if not data.get("repeat"):
            data["occurrences"] = None
        return data


class RescheduleForm(ConflictsMixin):
    starts_at = _datetime_field(capfirst(_("new start")))
    duration_minutes = forms.IntegerField(
        label=capfirst(_("duration (minutes)")), min_value=5, max_value=480
    )
    room = _room_field()
    requested_by = forms.ChoiceField(
        label=capfirst(_("requested by")),
        choices=Appointment.RequestedBy.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=capfirst(_("reason")), max_length=300)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=capfirst(_("reason")),
        max_length=300,
        help_text=_("The clinic cancels: the patient is not held responsible."),
    )


class RevisionField(forms.IntegerField):
    """The revision of the record the person had in front of them (see StaleOutcome)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=2**31 - 1, required=False, **kwargs)

    def clean(self, value):
        return super().clean(value) or 0


class OutcomeForm(FieldsetsMixin, forms.ModelForm):
    revision = RevisionField()
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,
        help_text=_("This outcome was already reported to the authority."),
    )

    class Meta:
        model = Attendance
        fields = [
            "outcome",
            "minutes_late",
            "evidence",
            "evidence_received_on",
            "notify_behaviour",
            "notify_concern",
            "note_for_authority",
        ]
        widgets = {
            "outcome": forms.RadioSelect,
            "evidence_received_on": DateInput(),
            "note_for_authority": forms.Textarea(attrs={"rows": 3}),
        }

    fieldsets = [
        (_("What happened"), ["outcome", "minutes_late"]),
        (_("Evidence"), ["evidence", "evidence_received_on"]),
        (
            _("For the justice assistant"),
            ["notify_behaviour", "notify_concern", "note_for_authority"],
        ),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["revision"] = self.instance.revision
        self.fields["outcome"].queryset = AttendanceOutcome.objects.filter(is_active=True)
        self.fields["outcome"].required = True
        self.fields["outcome"].empty_label = None
        if self.instance.reported_at:
            self.fieldsets = [*self.fieldsets, (_("Correction"), ["change_reason"])]
        else:
            del self.fields["change_reason"]


class AlertAcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("What was done"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. spoke with the patient; the justice assistant was told."),
    )


class GroupAttendanceRowForm(forms.Form):
    # A plain choice over outcomes read once for the whole screen (a ModelChoiceField would
    # query them again for every member's row).
    revision = RevisionField()
    outcome = forms.ChoiceField(label=capfirst(_("outcome")), required=False)
    minutes_late = forms.IntegerField(
        label=capfirst(_("minutes late")), min_value=0, max_value=480, required=False
    )
    notify_concern = forms.BooleanField(
        label=_("Tell the justice assistant of a concern"), required=False
    )
    note_for_authority = forms.CharField(
        label=capfirst(_("note for the authority")), max_length=600, required=False
    )

    def __init__(self, *args, outcomes: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes
        self.fields["outcome"].choices = [("", "---------")] + [
            (str(pk), outcome.name) for pk, outcome in outcomes.items()
        ]

    def clean_outcome(self):
        value = self.cleaned_data["outcome"]
        return self.outcomes[int(value)] if value else None


class GroupForm(FieldsetsMixin, forms.ModelForm):
    regular = forms.ModelMultipleChoiceField(
        label=_("Regular facilitators"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    cover = forms.ModelMultipleChoiceField(
        label=_("Cover facilitators"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = TherapyGroup
        fields = [
            "name",
            "description",
            "weekday",
            "start_time",
            "duration_minutes",
            "room",
            "place",
            "is_active",
        ]
        widgets = {"start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    fieldsets = [
        (_("The group"), ["name", "description", "is_active"]),
        (_("Weekly slot"), ["weekday", "start_time", "duration_minutes", "room", "place"]),
        (_("Facilitators"), ["regular", "cover"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regular"].queryset = clinicians()
        self.fields["cover"].queryset = clinicians()
        self.fields["room"] = _room_field()
        if self.instance.pk:
            roles = self.instance.facilitation.values_list("clinician", "role")
            self.initial["regular"] = [c for c, role in roles if role == "regular"]
            self.initial["cover"] = [c for c, role in roles if role == "cover"]


class GroupMemberForm(forms.Form):
    patient = forms.ModelChoiceField(label=capfirst(_("patient")), queryset=None)
    joined_on = forms.DateField(
        label=capfirst(_("joined on")), widget=DateInput(), initial=timezone.localdate
    )
    allow_non_associations = forms.BooleanField(
        label=_("Allocate anyway, knowing the warning above"), required=False
    )

    def __init__(self, *args, patients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = patients
        self.fields["patient"].label_from_instance = lambda p: f"{p.file_number} — {p.full_name}"


class GroupSessionsForm(ConflictsMixin):
    first_date = forms.DateField(
        label=_("First session on"),
        widget=DateInput(),
        help_text=_("At the group's weekly time."),
    )
    occurrences = forms.IntegerField(
        label=_("Number of weekly sessions"), min_value=1, max_value=52, initial=1
    )


class NonAssociationForm(forms.Form):
    other_file_number = forms.CharField(label=_("File number of the other patient"), max_length=20)
    reason = forms.CharField(
        label=capfirst(_("reason")),
        max_length=200,
        help_text=_("A short factual reason, e.g. co-accused."),
    )


class EmergencyAccessForm(forms.Form):
    file_number = forms.CharField(label=_("File number"), max_length=20)
    reason = forms.CharField(
        label=_("The emergency"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What happened and why the file cannot wait for its care team."),
    )
    understood = forms.BooleanField(
        label=_(
            "I understand that this access is logged, shown on the file, reported at once to "
            "the clinical lead and reviewed."
        )
    )


class EmergencyDecisionForm(forms.Form):
    """The lead's answer to an emergency access awaiting approval; `can_approve` False (a file
    number no file has) offers only the refusal."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the clinician"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Shown on their home page (never e-mailed)."),
    )

    def __init__(self, *args, can_approve: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("approve", _("Approve: the file opens for them now"))] if can_approve else []
        self.fields["decision"].choices = [*choices, ("refuse", _("Refuse"))]


class EmergencyReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Was the access justified? What follows from it, if anything?"),
    )


class FollowUpCheckForm(forms.Form):
    """A check of the patient's justice record: nothing new, or a new offence described. The
    service (follow_up_check_record) says what is wrong with the combination, field by field."""

    checked_on = forms.DateField(label=capfirst(_("checked on")), widget=DateInput())
    source = forms.ChoiceField(label=capfirst(_("source")), choices=FollowUpCheck.Source.choices)
    new_offence = forms.BooleanField(label=capfirst(_("new offence found")), required=False)
    offence_on = forms.DateField(
        label=capfirst(_("offence committed on")),
        widget=DateInput(),
        required=False,
        help_text=_("The day the offence was committed, not the day of the judgement."),
    )
    kind = forms.ChoiceField(
        label=capfirst(_("charge or conviction")),
        choices=[("", "—"), *FollowUpCheck.Kind.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label=capfirst(_("category of offence")),
        choices=[("", "—"), *FollowUpCheck.Category.choices],
        required=False,
    )
