"""Patients, mandates, episodes, care teams and reference data."""

import copy

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from audit.services import record_listing
from casework import selectors, services
from casework.api.base import ClinicAPIMixin, PatientScopedAPIMixin
from casework.models import (
    Authority,
    CareTeamMembership,
    Episode,
    JusticeContact,
    LegalFramework,
    Mandate,
    Patient,
)
from casework.permissions import (
    can_edit_reference_data,
    can_manage_care_team,
    can_register_patient,
    can_use_casework,
    can_view_reference_data,
)
from common.api import BoundedDateField, ClinicModelSerializer, SlugRelatedField, call_service
from common.http import query_id, query_search
from common.permissions import require_that

# --- Serializers ----------------------------------------------------------------------------


class ReferenceDataSerializer(ClinicModelSerializer):
    """Authorities and justice contacts are saved without a service: the model's clean()
    judges them here, as it does behind the pages and the admin (a postal address, say)."""

    def validate(self, data):
        instance = copy.copy(self.instance) if self.instance else self.Meta.model()
        for name, value in data.items():
            setattr(instance, name, value)
        instance.clean()  # DRF answers its ValidationError with a 400, by field
        return data


# The schema's word on the postal address the letters print (common.postal).
ADDRESS_HELP = (
    'The postal address as the envelope shows it, a line for each line (";" also ends a '
    'line): the street and number, then the postcode and town ("4000 Liège"), then the '
    "country if abroad."
)


class AuthoritySerializer(ReferenceDataSerializer):
    class Meta:
        model = Authority
        fields = [
            "id",
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
        extra_kwargs = {"address": {"required": True, "help_text": ADDRESS_HELP}}


class JusticeContactSerializer(ReferenceDataSerializer):
    class Meta:
        model = JusticeContact
        fields = ["id", "name", "service", "language", "email", "phone", "address", "is_active"]
        extra_kwargs = {"address": {"help_text": ADDRESS_HELP}}


class PatientSerializer(ClinicModelSerializer):
    class Meta:
        model = Patient
        fields = [
            "id",
            "file_number",
            "last_name",
            "first_name",
            "date_of_birth",
            "sex",
            "preferred_language",
            "phone",
            "email",
            "address",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["file_number", "status", "created_at", "updated_at"]


class PatientRegisterSerializer(PatientSerializer):
    referral_source = serializers.ChoiceField(
        choices=Episode.ReferralSource.choices, write_only=True
    )
    referral_source_detail = serializers.CharField(
        max_length=200, required=False, allow_blank=True, write_only=True
    )
    referral_received_on = BoundedDateField(write_only=True)
    allow_duplicate = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text="Register even though a file has the same name and date of birth.",
    )

    class Meta(PatientSerializer.Meta):
        fields = [
            *PatientSerializer.Meta.fields,
            "referral_source",
            "referral_source_detail",
            "referral_received_on",
            "allow_duplicate",
        ]


class DuplicateSerializer(serializers.Serializer):
    duplicates = serializers.ListField(child=serializers.CharField())


class MandateSerializer(ClinicModelSerializer):
    legal_framework = SlugRelatedField(
        slug_field="code",
        queryset=LegalFramework.objects.filter(is_active=True),
        help_text="The code of one of the legal frameworks (reference data): e.g. probation.",
    )

    class Meta:
        model = Mandate
        fields = [
            "id",
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class EpisodeSerializer(ClinicModelSerializer):
    waiting_days = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Episode
        fields = [
            "id",
            "stage",
            "referral_source",
            "referral_source_detail",
            "referral_received_on",
            "intake_on",
            "treatment_started_on",
            "closed_on",
            "exit_reason",
            "exit_reason_detail",
            "waiting_days",
        ]
        read_only_fields = fields


class CareTeamMembershipSerializer(ClinicModelSerializer):
    clinician_name = serializers.CharField(source="clinician.__str__", read_only=True)

    class Meta:
        model = CareTeamMembership
        fields = ["id", "clinician", "clinician_name", "role", "starts_on", "ends_on"]
        read_only_fields = ["ends_on"]
        extra_kwargs = {"starts_on": {"required": False}}


class PatientListAPI(ClinicAPIMixin, generics.ListCreateAPIView):
    """Patients visible to the caller; filters: q, status, clinician, authority."""

    def get_serializer_class(self):
        return PatientRegisterSerializer if self.request.method == "POST" else PatientSerializer

    def get_queryset(self):
        require_that(can_use_casework(self.request.user))
        params = self.request.query_params
        return selectors.patient_list(
            self.request.user,
            query=query_search(params.get("q")),
            status=params.get("status", ""),
            clinician_id=query_id(params.get("clinician")),
            authority_id=query_id(params.get("authority")),
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        record_listing(
            actor=self.request.user, patients=page, label=gettext_lazy("Patient list (API)")
        )
        return page

    @extend_schema(
        responses={
            201: PatientSerializer,
            409: OpenApiResponse(DuplicateSerializer, description="A possible duplicate."),
        }
    )
    def post(self, request, *args, **kwargs):
        """Register a referral. A file with the same name and date of birth answers 409 with
        the warnings: send the same request with "allow_duplicate": true to go ahead."""
        require_that(can_register_patient(request.user))  # before the body is read
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = call_service(
            services.patient_register, actor=request.user, **serializer.validated_data
        )
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)


class PatientDetailAPI(PatientScopedAPIMixin, generics.RetrieveUpdateAPIView):
    serializer_class = PatientSerializer
    queryset = Patient.objects.none()  # the patient comes from the door, see get_object

    def get_object(self):
        return self.patient

    def perform_update(self, serializer):
        call_service(
            services.patient_update,
            actor=self.request.user,
            patient=self.patient,
            **serializer.validated_data,
        )


class MandateListAPI(PatientScopedAPIMixin, generics.ListCreateAPIView):
    serializer_class = MandateSerializer
    audit_object_type = "casework.mandate"

    def get_queryset(self):
        if self.is_schema_generation():
            return Mandate.objects.none()
        return self.patient.mandates.order_by("-starts_on", "-pk")

    def perform_create(self, serializer):
        serializer.instance = call_service(
            services.mandate_create,
            actor=self.request.user,
            patient=self.patient,
            **serializer.validated_data,
        )


class MandateDetailAPI(PatientScopedAPIMixin, generics.RetrieveUpdateAPIView):
    serializer_class = MandateSerializer
    audit_object_type = "casework.mandate"
    audit_object_kwarg = "mandate_id"

    def get_queryset(self):
        if self.is_schema_generation():
            return Mandate.objects.none()
        return self.patient.mandates.all()

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["mandate_id"])

    def perform_update(self, serializer):
        call_service(
            services.mandate_update,
            actor=self.request.user,
            mandate=serializer.instance,
            **serializer.validated_data,
        )


class EpisodeListAPI(PatientScopedAPIMixin, generics.ListAPIView):
    serializer_class = EpisodeSerializer
    audit_object_type = "casework.episode"

    def get_queryset(self):
        if self.is_schema_generation():
            return Episode.objects.none()
        return self.patient.episodes.order_by("-referral_received_on", "-pk")


class CareTeamListAPI(PatientScopedAPIMixin, generics.ListCreateAPIView):
    """The care team, current and past. Adding a clinician opens the file to them."""

    serializer_class = CareTeamMembershipSerializer
    audit_object_type = "casework.careteammembership"

    def get_queryset(self):
        if self.is_schema_generation():
            return CareTeamMembership.objects.none()
        return self.patient.care_team.select_related("clinician").order_by("ends_on", "role")

    def perform_create(self, serializer):
        serializer.instance = call_service(  # which asks can_manage_care_team (403)
            services.care_team_assign,
            actor=self.request.user,
            patient=self.patient,
            **serializer.validated_data,
        )


class CareTeamEndAPI(PatientScopedAPIMixin, generics.GenericAPIView):
    """End a clinician's place in the care team today; their access ends with it."""

    serializer_class = CareTeamMembershipSerializer

    @extend_schema(request=None, responses={200: CareTeamMembershipSerializer})
    def post(self, request, *args, **kwargs):
        require_that(can_manage_care_team(request.user))  # 403 before the place's 404
        membership = get_object_or_404(
            self.patient.care_team.select_related("clinician", "patient"),
            pk=kwargs["membership_id"],
        )
        call_service(services.care_team_end, actor=request.user, membership=membership)
        return Response(self.get_serializer(membership).data)


class ReferenceDataPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return can_view_reference_data(request.user)
        return can_edit_reference_data(request.user)


class AuthorityListAPI(ClinicAPIMixin, generics.ListCreateAPIView):
    queryset = Authority.objects.order_by("name")
    serializer_class = AuthoritySerializer
    permission_classes = [permissions.IsAuthenticated, ReferenceDataPermission]


class AuthorityDetailAPI(ClinicAPIMixin, generics.RetrieveUpdateAPIView):
    queryset = Authority.objects.all()
    serializer_class = AuthoritySerializer
    permission_classes = [permissions.IsAuthenticated, ReferenceDataPermission]


class JusticeContactListAPI(ClinicAPIMixin, generics.ListCreateAPIView):
    queryset = JusticeContact.objects.order_by("name")
    serializer_class = JusticeContactSerializer
    permission_classes = [permissions.IsAuthenticated, ReferenceDataPermission]


class JusticeContactDetailAPI(ClinicAPIMixin, generics.RetrieveUpdateAPIView):
    queryset = JusticeContact.objects.all()
    serializer_class = JusticeContactSerializer
    permission_classes = [permissions.IsAuthenticated, ReferenceDataPermission]
