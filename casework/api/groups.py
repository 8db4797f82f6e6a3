"""Therapy groups: group-scoped, resolved through selectors.group_for."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from audit.services import record_listing
from casework import selectors, services
from casework.api.base import CaseworkHomePermission, ClinicAPIMixin
from casework.api.sessions import (
    APPOINTMENT_FIELDS,
    AttendanceSerializer,
    OutcomeRecordSerializer,
    _active_users,
)
from casework.models import (
    Appointment,
    Attendance,
    GroupFacilitator,
    GroupMembership,
    TherapyGroup,
)
from casework.permissions import can_manage_groups
from common.api import MAX_ID, BoundedPrimaryKeyRelatedField, ClinicModelSerializer, call_service
from common.permissions import require_that

# Therapy groups: group-scoped, resolved through selectors.group_for (404 for non-facilitators).
# Group screens show patients: each read logs a LIST access for every patient it shows.


class GroupSerializer(ClinicModelSerializer):
    regular = serializers.SerializerMethodField(help_text="Ids of the regular facilitators.")
    cover = serializers.SerializerMethodField(help_text="Ids of the cover facilitators.")

    class Meta:
        model = TherapyGroup
        fields = [
            "id",
            "name",
            "description",
            "weekday",
            "start_time",
            "duration_minutes",
            "place",
            "is_active",
            "regular",
            "cover",
        ]
        read_only_fields = fields

    def _facilitators(self, group, role) -> list[int]:
        return [f.clinician_id for f in group.facilitation.all() if f.role == role]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_regular(self, group):
        return self._facilitators(group, GroupFacilitator.Role.REGULAR)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_cover(self, group):
        return self._facilitators(group, GroupFacilitator.Role.COVER)


class GroupCreateSerializer(ClinicModelSerializer):
    regular = BoundedPrimaryKeyRelatedField(many=True, queryset=_active_users())
    cover = BoundedPrimaryKeyRelatedField(many=True, queryset=_active_users(), default=list)

    class Meta:
        model = TherapyGroup
        fields = [
            "name",
            "description",
            "weekday",
            "start_time",
            "duration_minutes",
            "place",
            "is_active",
            "regular",
            "cover",
        ]


class GroupMemberSerializer(ClinicModelSerializer):
    file_number = serializers.CharField(source="patient.file_number", read_only=True)
    last_name = serializers.CharField(source="patient.last_name", read_only=True)
    first_name = serializers.CharField(source="patient.first_name", read_only=True)

    class Meta:
        model = GroupMembership
        fields = ["id", "patient", "file_number", "last_name", "first_name", "joined_on"]
        read_only_fields = fields


class GroupDetailSerializer(GroupSerializer):
    members = GroupMemberSerializer(many=True, read_only=True, source="current_members")

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "members"]
        read_only_fields = fields


class SessionAttendanceSerializer(AttendanceSerializer):
    file_number = serializers.CharField(source="patient.file_number", read_only=True)
    last_name = serializers.CharField(source="patient.last_name", read_only=True)
    first_name = serializers.CharField(source="patient.first_name", read_only=True)

    class Meta(AttendanceSerializer.Meta):
        fields = [
            "id",
            "patient",
            "file_number",
            "last_name",
            "first_name",
            *AttendanceSerializer.Meta.fields[1:],
        ]
        read_only_fields = fields


class GroupSessionSerializer(ClinicModelSerializer):
    attendances = SessionAttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Appointment
        fields = [*APPOINTMENT_FIELDS, "attendances"]
        read_only_fields = fields


class GroupAttendanceRowSerializer(OutcomeRecordSerializer):
    attendance = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of the member's attendance row."
    )

    class Meta(OutcomeRecordSerializer.Meta):
        fields = ["attendance", *OutcomeRecordSerializer.Meta.fields]


class GroupAttendanceSerializer(serializers.Serializer):
    rows = GroupAttendanceRowSerializer(many=True, allow_empty=False)

    def validate_rows(self, rows):
        ids = [row["attendance"] for row in rows]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each attendance appears once."))
        return rows


class GroupAttendanceResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many members' outcomes changed.")


class GroupScopedAPIMixin(ClinicAPIMixin):
    """Resolves the group through its door: 404 for a clinician who does not facilitate it
    (the door is casework.permissions.can_work_with_group as a query). Helpline and audit
    staff: 403."""

    permission_classes = [permissions.IsAuthenticated, CaseworkHomePermission]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if "group_id" in kwargs:
            self.group = selectors.group_for(request.user, kwargs["group_id"])

    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class GroupListAPI(GroupScopedAPIMixin, generics.ListCreateAPIView):
    """The groups the caller facilitates (every group for administrators and the lead)."""

    def get_serializer_class(self):
        return GroupCreateSerializer if self.request.method == "POST" else GroupSerializer

    def get_queryset(self):
        return (
            selectors.groups_visible_to(self.request.user)
            .prefetch_related("facilitation")
            .order_by("name")
        )

    @extend_schema(responses={201: GroupSerializer})
    def post(self, request, *args, **kwargs):
        """Create a group with its facilitators: administrators and the clinical lead."""
        require_that(can_manage_groups(request.user))  # before the body is read
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        regular, cover = data.pop("regular"), data.pop("cover")
        group = call_service(
            services.group_save,
            actor=request.user,
            group=TherapyGroup(**data),
            regular=regular,
            cover=cover,
        )
        return Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED)


class GroupDetailAPI(GroupScopedAPIMixin, generics.GenericAPIView):
    """The group, its facilitators and its current members."""

    serializer_class = GroupDetailSerializer

    def get(self, request, *args, **kwargs):
        members = list(
            GroupMembership.objects.filter(group=self.group, left_on__isnull=True)
            .select_related("patient")
            .order_by("patient__last_name", "patient__first_name", "pk")
        )
        self.group.current_members = members
        data = self.get_serializer(self.group).data
        record_listing(
            actor=request.user,
            patients=[m.patient for m in members],
            object_type="casework.groupmembership",
            label=format_lazy(gettext_lazy("Members of group {id}"), id=self.group.pk),
        )
        return Response(data)


class GroupSessionListAPI(GroupScopedAPIMixin, generics.ListAPIView):
    """The group's sessions (rescheduled ones are replaced), each with every member's row."""

    serializer_class = GroupSessionSerializer

    def get_queryset(self):
        if self.is_schema_generation():
            return Appointment.objects.none()
        return (
            Appointment.objects.current()
            .filter(group=self.group)
            .prefetch_related(
                "clinicians",
                Prefetch(
                    "attendances",
                    queryset=Attendance.objects.select_related("patient", "outcome").order_by(
                        "patient__last_name", "patient__first_name", "pk"
                    ),
                ),
            )
            .order_by("starts_at", "pk")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        record_listing(
            actor=self.request.user,
            patients=[a.patient for session in page for a in session.attendances.all()],
            object_type="casework.attendance",
            label=format_lazy(gettext_lazy("Sessions of group {id}"), id=self.group.pk),
        )
        return page


class GroupAttendanceAPI(GroupScopedAPIMixin, generics.GenericAPIView):
    """Every member's outcome of one session at once: all rows are saved, or none.

    Rows the service refuses come back as 400 {"rows": {attendance id: field errors}}."""

    serializer_class = GroupAttendanceSerializer

    @extend_schema(responses={200: GroupAttendanceResultSerializer})
    def post(self, request, *args, **kwargs):
        session = get_object_or_404(
            Appointment.objects.filter(group=self.group), pk=kwargs["appointment_id"]
        )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = {}
        for row in serializer.validated_data["rows"]:
            row = dict(row)
            rows[row.pop("attendance")] = row
        try:
            changed = services.group_attendance_record(
                actor=request.user, appointment=session, rows=rows
            )
        except services.AttendanceRowErrors as errors:
            raise serializers.ValidationError(
                {
                    "rows": {
                        str(pk): serializers.as_serializer_error(row_error)
                        for pk, row_error in errors.rows.items()
                    }
                }
            ) from errors
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return Response(GroupAttendanceResultSerializer({"changed": changed}).data)
