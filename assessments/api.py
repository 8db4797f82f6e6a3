"""Assessments in the API: the clinical zone (404 for administrators and outsiders)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from assessments import instruments, services
from assessments.models import Assessment
from casework.api.base import (
    BoundedDateField,
    CaseworkHomePermission,
    ClinicAPIMixin,
    ClinicModelSerializer,
    PatientScopedAPIMixin,
    call_service,
)
from casework.permissions import Zone


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    points = serializers.IntegerField(allow_null=True)


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    domain = serializers.CharField()
    choices = ChoiceSerializer(many=True)
    is_number = serializers.BooleanField()
    relevance = serializers.BooleanField()


class InstrumentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()
    kind = serializers.CharField()
    facts = ItemSerializer(many=True)
    items = ItemSerializer(many=True)
    judgements = ItemSerializer(many=True)
    reassess_months = serializers.IntegerField(allow_null=True)


class AssessmentSerializer(ClinicModelSerializer):
    level = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "instrument",
            "instrument_version",
            "assessor",
            "assessed_on",
            "facts",
            "responses",
            "judgements",
            "totals",
            "levels",
            "level_override",
            "override_reason",
            "level",
            "trained_assessor",
            "complete",
            "status",
            "signed_at",
            "amends",
            "next_due_on",
        ]
        read_only_fields = fields

    def get_level(self, assessment) -> str | None:
        level = assessment.final_level
        return level.code if level else None


class AssessmentCreateSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=list(instruments.INSTRUMENTS))
    assessed_on = BoundedDateField()
    facts = serializers.DictField(required=False, default=dict)
    responses = serializers.DictField()
    judgements = serializers.DictField(required=False, default=dict)
    level_override = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    trained_assessor = serializers.BooleanField(required=False, default=False)
    complete = serializers.BooleanField(required=False, default=False)


class InstrumentListAPI(ClinicAPIMixin, generics.GenericAPIView):
    """The instruments: items, allowed ratings, reassessment interval (no manual text)."""

    serializer_class = InstrumentSerializer
    permission_classes = [permissions.IsAuthenticated, CaseworkHomePermission]
    pagination_class = None

    @extend_schema(responses=InstrumentSerializer(many=True))
    def get(self, request):
        return Response(InstrumentSerializer(instruments.INSTRUMENTS.values(), many=True).data)


class AssessmentListAPI(PatientScopedAPIMixin, generics.ListCreateAPIView):
    zone = Zone.CLINICAL
    audit_object_type = "assessments.assessment"

    def get_serializer_class(self):
        return AssessmentCreateSerializer if self.request.method == "POST" else AssessmentSerializer

    def get_queryset(self):
        if self.is_schema_generation():
            return Assessment.objects.none()
        return self.patient.assessments.order_by("-assessed_on", "-pk")

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def post(self, request, *args, **kwargs):
        serializer = AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = call_service(
            services.assessment_save,
            actor=request.user,
            patient=self.patient,
            **serializer.validated_data,
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentScopedAPI(PatientScopedAPIMixin, generics.GenericAPIView):
    zone = Zone.CLINICAL
    serializer_class = AssessmentSerializer
    audit_object_type = "assessments.assessment"
    audit_object_kwarg = "assessment_id"

    def get_object(self):
        return get_object_or_404(self.patient.assessments, pk=self.kwargs["assessment_id"])


class AssessmentDetailAPI(AssessmentScopedAPI):
    def get(self, request, *args, **kwargs):
        return Response(AssessmentSerializer(self.get_object()).data)


class AssessmentSignAPI(AssessmentScopedAPI):
    """Sign a draft: final from then on (a correction is an amendment)."""

    @extend_schema(request=None, responses={200: AssessmentSerializer})
    def post(self, request, *args, **kwargs):
        assessment = call_service(
            services.assessment_sign, actor=request.user, assessment=self.get_object()
        )
        return Response(AssessmentSerializer(assessment).data)


class AssessmentAmendAPI(AssessmentScopedAPI):
    """Open a new version of a signed assessment; the signed one stays as it was."""

    @extend_schema(request=None, responses={201: AssessmentSerializer})
    def post(self, request, *args, **kwargs):
        amendment = call_service(
            services.assessment_amend, actor=request.user, assessment=self.get_object()
        )
        return Response(AssessmentSerializer(amendment).data, status=status.HTTP_201_CREATED)
