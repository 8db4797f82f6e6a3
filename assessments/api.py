"""Assessments in the API: the clinical zone (404 for administrators and outsiders)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.fields import empty
from rest_framework.response import Response

from assessments import instruments, selectors, services
from assessments.models import Assessment
from casework.api.base import CaseworkHomePermission, ClinicAPIMixin, PatientScopedAPIMixin
from casework.permissions import Zone
from common.api import BoundedDateField, ClinicModelSerializer, call_service


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
    published = serializers.IntegerField(
        help_text="The year this version was published: no assessment is dated before 1 January."
    )
    facts = ItemSerializer(many=True)
    items = ItemSerializer(many=True)
    judgements = ItemSerializer(many=True)
    reassess_months = serializers.IntegerField(allow_null=True)


class AssessmentSerializer(ClinicModelSerializer):
    level = serializers.SerializerMethodField()
    items_rated = serializers.SerializerMethodField()
    items_applicable = serializers.SerializerMethodField(
        help_text="The items to rate; totals and levels are computed once all are rated."
    )
    missing = serializers.SerializerMethodField(
        help_text="What is still to answer, rate or decide before signing, named."
    )

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
            "items_rated",
            "items_applicable",
            "missing",
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

    def get_items_rated(self, assessment) -> int:
        return assessment.progress[0]

    def get_items_applicable(self, assessment) -> int:
        return assessment.progress[1]

    def get_missing(self, assessment) -> list[str]:
        return assessment.missing


class AssessmentCreateSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=list(instruments.INSTRUMENTS))
    assessed_on = BoundedDateField()
    facts = serializers.DictField(required=False, default=dict)
    # A draft may be saved a part at a time: missing ratings wait for signing.
    responses = serializers.DictField(required=False, default=dict)
    judgements = serializers.DictField(required=False, default=dict)
    level_override = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    trained_assessor = serializers.BooleanField(required=False, default=False)
    complete = serializers.BooleanField(required=False, default=False)


class GivenOrNotBooleanField(serializers.BooleanField):
    """A box left out means "as the draft has it", not "unticked" (DRF reads a missing box
    of a form-encoded body as False)."""

    default_empty_html = empty


class AssessmentSignSerializer(serializers.Serializer):
    trained_assessor = GivenOrNotBooleanField(
        required=False,
        help_text="I am trained to use this instrument. Left out: as the draft has it.",
    )
    complete = GivenOrNotBooleanField(
        required=False,
        help_text="Every item was rated from sufficient information. Left out: as the draft "
        "has it.",
    )


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
        return selectors.assessments_of(self.request.user, self.patient.pk)

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
        return selectors.assessment_for(
            self.request.user, self.patient.pk, self.kwargs["assessment_id"]
        )


class AssessmentDetailAPI(AssessmentScopedAPI):
    def get(self, request, *args, **kwargs):
        return Response(AssessmentSerializer(self.get_object()).data)

    @extend_schema(
        request=None,
        responses={204: None},
        description="Discard an unsigned draft, for good: only its assessor may, and the "
        "access log records it. Someone else's draft: 403. A signed assessment is never "
        "discarded (400): amend it.",
    )
    def delete(self, request, *args, **kwargs):
        call_service(services.assessment_discard, actor=request.user, assessment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssessmentSignAPI(AssessmentScopedAPI):
    """Sign a draft: final from then on (a correction is an amendment)."""

    @extend_schema(request=AssessmentSignSerializer, responses={200: AssessmentSerializer})
    def post(self, request, *args, **kwargs):
        """Attest (both attestations must hold) and sign in one step; refused, nothing
        changes."""
        serializer = AssessmentSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = call_service(
            services.assessment_sign,
            actor=request.user,
            assessment=self.get_object(),
            **serializer.validated_data,
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
