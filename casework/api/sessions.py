"""Appointments, outcomes, compliance counters and alerts."""

from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from casework import selectors, services
from casework.api.base import CaseworkHomePermission, ClinicAPIMixin, PatientScopedAPIMixin
from casework.models import (
    Appointment,
    AppointmentSeries,
    Attendance,
    AttendanceOutcome,
    ComplianceAlert,
)
from casework.permissions import move_refusal
from casework.reporting import schedule_of
from common.api import (
    BoundedDateField,
    BoundedDateTimeField,
    BoundedPrimaryKeyRelatedField,
    ClinicModelSerializer,
    SlugRelatedField,
    call_service,
)
from common.permissions import require


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class ConflictSerializer(serializers.Serializer):
    conflicts = serializers.ListField(child=serializers.CharField())


class OutcomeSerializer(ClinicModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the language of the request.")

    class Meta:
        model = AttendanceOutcome
        fields = [
            "code",
            "name",
            "counts_as_attended",
            "compliant",
            "enforceable",
            "needs_evidence",
        ]
        read_only_fields = fields


class AttendanceSerializer(ClinicModelSerializer):
    outcome = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "outcome",
            "minutes_late",
            "evidence",
            "evidence_received_on",
            "notify_behaviour",
            "notify_concern",
            "note_for_authority",
            "recorded_at",
            "recorded_by",
            "reported_at",
            "revision",
        ]
        read_only_fields = fields


APPOINTMENT_FIELDS = [
    "id",
    "status",
    "kind",
    "mode",
    "starts_at",
    "ends_at",
    "duration_minutes",
    "place",
    "clinicians",
    "group",
    "series",
    "series_index",
    "supersedes",
    "change_requested_by",
    "change_reason",
    "changed_at",
]


class AppointmentSerializer(ClinicModelSerializer):
    """An appointment, with the attendance of the patient in the URL (null if not expected)."""

    attendance = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [*APPOINTMENT_FIELDS, "attendance"]
        read_only_fields = fields

    @extend_schema_field(AttendanceSerializer(allow_null=True))
    def get_attendance(self, appointment):
        rows = getattr(appointment, "patient_attendance", None) or []
        return self._attendance.to_representation(rows[0]) if rows else None

    @cached_property
    def _attendance(self) -> AttendanceSerializer:
        # One for every row of a list: building a serializer's fields costs more than a row.
        return AttendanceSerializer(context=self.context)


def _with_attendance_of(appointments, patient):
    """Appointments with their clinicians and this patient's attendance, in 3 queries."""
    return appointments.prefetch_related(
        "clinicians",
        Prefetch(
            "attendances",
            queryset=Attendance.objects.filter(patient=patient).select_related("outcome"),
            to_attr="patient_attendance",
        ),
    ).order_by("starts_at", "pk")


def _appointments_of(patient):
    """Every appointment the patient is expected at (through their attendance rows)."""
    return _with_attendance_of(Appointment.objects.filter(attendances__patient=patient), patient)


class AppointmentBookSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Appointment.Kind.choices, help_text="Group sessions are booked for their group."
    )
    starts_at = BoundedDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480, default=60)
    mode = serializers.ChoiceField(
        choices=Appointment.Mode.choices, default=Appointment.Mode.IN_PERSON
    )
    place = serializers.CharField(max_length=120, allow_blank=True, default="")
    clinicians = BoundedPrimaryKeyRelatedField(many=True, queryset=_active_users())
    repeat = serializers.ChoiceField(
        choices=AppointmentSeries.Cadence.choices, allow_blank=True, default=""
    )
    occurrences = serializers.IntegerField(
        min_value=2, max_value=52, required=False, allow_null=True
    )
    allow_conflicts = serializers.BooleanField(default=False)

    def validate_kind(self, kind):
        if kind == Appointment.Kind.GROUP:
            raise serializers.ValidationError(_("Group sessions are booked for their group."))
        return kind

    def validate(self, data):
        if data.get("repeat") and not data.get("occurrences"):
            raise serializers.ValidationError(
                {"occurrences": _("Say how many appointments the series holds.")}
            )
        if data.get("occurrences") and not data.get("repeat"):
            raise serializers.ValidationError(
                {"repeat": _("Say how often the appointment repeats.")}
            )
        return data


class BookedSerializer(serializers.Serializer):
    appointments = AppointmentSerializer(many=True, help_text="What was booked, first first.")


class AppointmentRescheduleSerializer(serializers.Serializer):
    starts_at = BoundedDateTimeField()
    requested_by = serializers.ChoiceField(choices=Appointment.RequestedBy.choices)
    reason = serializers.CharField(max_length=300)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480, required=False)
    allow_conflicts = serializers.BooleanField(default=False)


class AppointmentCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class OutcomeRecordSerializer(ClinicModelSerializer):
    """What happened; details left out take their defaults (the outcome replaces them all)."""

    outcome = SlugRelatedField(
        slug_field="code", queryset=AttendanceOutcome.objects.filter(is_active=True)
    )
    change_reason = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Required to change an outcome already reported to the authority.",
    )
    revision = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        default=0,
        help_text="The attendance's revision as you read it (0 when nothing was recorded). "
        "A change on top of an outcome recorded since is refused with 409.",
    )

    class Meta:
        model = Attendance
        fields = [
            "revision",
            "outcome",
            "minutes_late",
            "evidence",
            "evidence_received_on",
            "notify_behaviour",
            "notify_concern",
            "note_for_authority",
            "change_reason",
        ]


class AppointmentMixin:
    """The appointment in the URL, if the patient in the URL is expected at it (else 404)."""

    audit_object_type = "casework.appointment"
    audit_object_kwarg = "appointment_id"

    def get_attendance(self) -> Attendance:
        return get_object_or_404(
            self.patient.attendances.select_related("appointment", "patient"),
            appointment_id=self.kwargs["appointment_id"],
        )

    def check_may_move(self, appointment: Appointment) -> None:
        """Before the body is read: a caller the rule refuses gets 403, not a 400."""
        require(move_refusal(self.request.user, appointment))

    def represent(self, appointment: Appointment) -> dict:
        fresh = _with_attendance_of(Appointment.objects.filter(pk=appointment.pk), self.patient)
        return AppointmentSerializer(fresh.get()).data


class OutcomeListAPI(ClinicAPIMixin, generics.ListAPIView):
    """The attendance outcomes in use, with the flags that counters and rules read."""

    queryset = AttendanceOutcome.objects.filter(is_active=True).order_by("position", "code")
    serializer_class = OutcomeSerializer
    permission_classes = [permissions.IsAuthenticated, CaseworkHomePermission]


class AppointmentListAPI(PatientScopedAPIMixin, generics.ListCreateAPIView):
    """The patient's appointments (rescheduled ones are replaced by their successor)."""

    audit_object_type = "casework.appointment"

    def get_serializer_class(self):
        return AppointmentBookSerializer if self.request.method == "POST" else AppointmentSerializer

    def get_queryset(self):
        if self.is_schema_generation():
            return Appointment.objects.none()
        return _appointments_of(self.patient).current()

    @extend_schema(
        responses={
            201: BookedSerializer,
            409: OpenApiResponse(ConflictSerializer, description="Someone is already booked."),
        }
    )
    def post(self, request, *args, **kwargs):
        """Book one appointment, or a series (repeat + occurrences): {"appointments": [...]}."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booked = call_service(
            services.appointment_schedule,
            actor=request.user,
            patient=self.patient,
            **serializer.validated_data,
        )
        appointments = _appointments_of(self.patient).filter(pk__in=[a.pk for a in booked])
        return Response(
            BookedSerializer({"appointments": appointments}).data, status=status.HTTP_201_CREATED
        )


class AppointmentDetailAPI(AppointmentMixin, PatientScopedAPIMixin, generics.RetrieveAPIView):
    """One appointment of the patient, rescheduled ones included (they keep who asked, why)."""

    serializer_class = AppointmentSerializer

    def get_queryset(self):
        if self.is_schema_generation():
            return Appointment.objects.none()
        return _appointments_of(self.patient)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["appointment_id"])


class AppointmentRescheduleAPI(AppointmentMixin, PatientScopedAPIMixin, generics.GenericAPIView):
    serializer_class = AppointmentRescheduleSerializer

    @extend_schema(
        responses={
            201: AppointmentSerializer,
            409: OpenApiResponse(ConflictSerializer, description="Someone is already booked."),
        }
    )
    def post(self, request, *args, **kwargs):
        """Move the appointment: a new one replaces it, which is returned."""
        appointment = self.get_attendance().appointment
        self.check_may_move(appointment)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = call_service(
            services.appointment_reschedule,
            actor=request.user,
            appointment=appointment,
            **serializer.validated_data,
        )
        return Response(self.represent(moved), status=status.HTTP_201_CREATED)


class AppointmentCancelAPI(AppointmentMixin, PatientScopedAPIMixin, generics.GenericAPIView):
    serializer_class = AppointmentCancelSerializer

    @extend_schema(responses={200: AppointmentSerializer})
    def post(self, request, *args, **kwargs):
        """The clinic cancels: the appointment stays on file with its reason."""
        appointment = self.get_attendance().appointment
        self.check_may_move(appointment)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_service(
            services.appointment_cancel,
            actor=request.user,
            appointment=appointment,
            **serializer.validated_data,
        )
        return Response(self.represent(appointment))


class AppointmentOutcomeAPI(AppointmentMixin, PatientScopedAPIMixin, generics.GenericAPIView):
    serializer_class = OutcomeRecordSerializer

    @extend_schema(
        responses={
            200: AppointmentSerializer,
            409: OpenApiResponse(description="The outcome was recorded since you read it."),
        }
    )
    def post(self, request, *args, **kwargs):
        """Record (or correct) what happened for this patient at this appointment."""
        attendance = self.get_attendance()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_service(
            services.attendance_record,
            actor=request.user,
            attendance=attendance,
            **serializer.validated_data,
        )
        return Response(self.represent(attendance.appointment))


class CompliancePeriodSerializer(serializers.Serializer):
    since = BoundedDateField(required=False, help_text="First day of the period.")
    until = BoundedDateField(
        required=False, help_text="Day after the period (excluded), as reporting periods end."
    )

    def validate(self, data):
        if ("since" in data) != ("until" in data):
            missing = "until" if "since" in data else "since"
            raise serializers.ValidationError(
                {missing: _("Give both ends of the period, or neither for the current one.")}
            )
        if "since" in data and data["since"] >= data["until"]:
            raise serializers.ValidationError(
                {"until": _("The end of the period must come after its start.")}
            )
        return data


class ComplianceCountersSerializer(serializers.Serializer):
    """Every session of the period that was not moved counts in `planned` and in exactly one of
    attended, acceptable_absences, unacceptable_absences, awaiting_evidence, awaiting_outcome,
    to_come and cancelled_by_clinic, which add up to it. The other counters stand apart."""

    planned = serializers.IntegerField(
        help_text="Sessions of the period that were not moved: standing or cancelled by the "
        "clinic. The sum of the seven counters that follow."
    )
    attended = serializers.IntegerField(
        help_text="Held: the outcome counts as attended (failures to comply included)."
    )
    acceptable_absences = serializers.IntegerField(
        help_text="Justified absences: the outcome is compliant and no evidence is awaited."
    )
    unacceptable_absences = serializers.IntegerField(
        help_text="Absences the outcome makes enforceable."
    )
    awaiting_evidence = serializers.IntegerField(
        help_text="Absences neither enforceable nor justified yet: evidence is awaited, or "
        "the outcome is neither compliant nor enforceable (absent, awaiting evidence)."
    )
    awaiting_outcome = serializers.IntegerField(
        help_text="Sessions begun with no outcome recorded yet."
    )
    to_come = serializers.IntegerField(help_text="Sessions that have not begun yet.")
    cancelled_by_clinic = serializers.IntegerField(help_text="Sessions the clinic cancelled.")
    attended_failed_to_comply = serializers.IntegerField(
        help_text="Of the attended, those whose outcome is not compliant. Not a part of planned."
    )
    rescheduled_by_patient = serializers.IntegerField(
        help_text="Sessions moved at the patient's request; the new booking counts where it "
        "falls. Not a part of planned."
    )
    rescheduled_by_clinic = serializers.IntegerField(
        help_text="Sessions moved by the clinic; the new booking counts where it falls. Not a "
        "part of planned."
    )
    failures_last_12_months = serializers.IntegerField(
        help_text="Enforceable outcomes in the 12 months up to the end of the period. Not a "
        "part of planned."
    )


class ComplianceSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField(help_text="Day after the period (excluded).")
    counters = ComplianceCountersSerializer()


class MandateComplianceAPI(PatientScopedAPIMixin, generics.GenericAPIView):
    """The attendance counters over a period; by default the mandate's current reporting
    period. The period is [since, until): until is the first day after it."""

    serializer_class = ComplianceSerializer
    audit_object_type = "casework.mandate"
    audit_object_kwarg = "mandate_id"

    @extend_schema(parameters=[CompliancePeriodSerializer])
    def get(self, request, *args, **kwargs):
        mandate = get_object_or_404(self.patient.mandates, pk=kwargs["mandate_id"])
        period = CompliancePeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        if "since" in period.validated_data:
            since, until = period.validated_data["since"], period.validated_data["until"]
        else:
            period = schedule_of(mandate).period_on(timezone.localdate())
            since, until = period.first_day, period.end
        counters = selectors.compliance_counters(self.patient, since, until)
        return Response(
            ComplianceSerializer({"since": since, "until": until, "counters": counters}).data
        )


class ComplianceAlertSerializer(ClinicModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    appointment = serializers.IntegerField(source="attendance.appointment_id", read_only=True)
    starts_at = serializers.DateTimeField(source="attendance.appointment.starts_at", read_only=True)
    outcome = serializers.CharField(
        source="attendance.outcome.code", read_only=True, allow_null=True
    )

    class Meta:
        model = ComplianceAlert
        fields = [
            "id",
            "rule",
            "rule_name",
            "attendance",
            "appointment",
            "starts_at",
            "outcome",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement",
            "resolved_at",
            "resolution",
        ]
        read_only_fields = fields


class AlertAcknowledgeSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="What was done."
    )


class AlertListAPI(PatientScopedAPIMixin, generics.ListAPIView):
    """The patient's compliance alerts, open and acknowledged, latest first."""

    serializer_class = ComplianceAlertSerializer
    audit_object_type = "casework.compliancealert"

    def get_queryset(self):
        if self.is_schema_generation():
            return ComplianceAlert.objects.none()
        return self.patient.compliance_alerts.select_related(
            "rule", "attendance__appointment", "attendance__outcome"
        ).order_by("-raised_at", "-pk")


class AlertAcknowledgeAPI(PatientScopedAPIMixin, generics.GenericAPIView):
    serializer_class = AlertAcknowledgeSerializer
    audit_object_type = "casework.compliancealert"
    audit_object_kwarg = "alert_id"

    @extend_schema(responses={200: ComplianceAlertSerializer})
    def post(self, request, *args, **kwargs):
        """Say the alert was seen and what was done (a resolved alert answers 400)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert = get_object_or_404(
            self.patient.compliance_alerts.select_related(
                "rule", "patient", "attendance__appointment", "attendance__outcome"
            ),
            pk=kwargs["alert_id"],
        )
        alert = call_service(
            services.compliance_alert_acknowledge,
            actor=request.user,
            alert=alert,
            comment=serializer.validated_data["comment"],
        )
        return Response(ComplianceAlertSerializer(alert).data)


# Clinical notes: the clinical zone. Administrators and anyone outside the care team get 404.
