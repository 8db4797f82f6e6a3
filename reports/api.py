"""Letters in the API: the same services and the same patient door as the pages.

Patient-scoped (404 for a patient out of reach, whatever the role), frame zone: whoever may
open the file lists, drafts, edits and dispatches letters; signing is a clinician's act (403
otherwise), the co-signature the clinical lead's. Every read, download and change is in the
access log.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.utils.mediatypes import media_type_matches

from casework.api.base import PatientScopedAPIMixin
from casework.models import Attendance, Mandate
from common.api import (
    BoundedDateField,
    BoundedPrimaryKeyRelatedField,
    ClinicModelSerializer,
    ErrorSerializer,
    StaleRecordError,
    call_service,
)
from reports import catalogue, selectors, services
from reports.models import Dispatch, Letter
from reports.views import pdf_response

RECIPIENTS_HELP = (
    "Who the letter goes to, the addressee first; the others receive a copy. Empty or absent: "
    "whom the law has the letter go to."
)


class LetterSerializer(ClinicModelSerializer):
    reference = serializers.CharField(read_only=True)
    recipients = serializers.ListField(
        child=serializers.ChoiceField(choices=catalogue.Recipient.choices),
        read_only=True,
        help_text="Who the letter goes to, the addressee first; the others receive a copy.",
    )
    recipient = serializers.CharField(read_only=True, help_text="The addressee.")
    state = serializers.CharField(
        read_only=True, help_text="Where it stands, e.g. 'Waiting for co-signature'."
    )
    is_editable = serializers.BooleanField(read_only=True)
    is_fully_signed = serializers.BooleanField(read_only=True)
    pdf_ready = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "reference",
            "kind",
            "recipients",
            "recipient",
            "language",
            "status",
            "state",
            "origin",
            "mandate",
            "episode",
            "attendance",
            "alert",
            "period_start",
            "period_end",
            "request_reference",
            "request_received_on",
            "risk_to",
            "paragraph",
            "due_on",
            "facts",
            "corrects",
            "created_at",
            "signed_at",
            "signed_by",
            "cosigned_at",
            "cosigned_by",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
            "is_editable",
            "is_fully_signed",
            "pdf_ready",
            "pdf_sha256",
        ]
        read_only_fields = fields

    def get_pdf_ready(self, letter) -> bool:
        return bool(letter.pdf_sha256)


class LetterCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(catalogue.TYPES))
    mandate = BoundedPrimaryKeyRelatedField(
        queryset=Mandate.objects.none(), required=False, allow_null=True
    )
    recipients = serializers.ListField(
        child=serializers.ChoiceField(choices=catalogue.Recipient.choices),
        required=False,
        max_length=len(catalogue.Recipient.choices),
        help_text=RECIPIENTS_HELP,
    )
    attendance = BoundedPrimaryKeyRelatedField(
        queryset=Attendance.objects.none(),
        required=False,
        allow_null=True,
        help_text="The session a notice of absence is about: one of this patient's.",
    )
    period_start = BoundedDateField(required=False, allow_null=True)
    period_end = BoundedDateField(required=False, allow_null=True)
    request_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    request_received_on = BoundedDateField(required=False, allow_null=True)
    risk_to = serializers.ChoiceField(
        choices=Letter.RiskTo.choices,
        required=False,
        allow_blank=True,
        help_text="Whom a serious risk threatens (a serious-risk alert only).",
    )
    paragraph = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        help_text="Written for the authority: facts about the frame of the treatment only.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        patient = self.context.get("patient")
        if patient is not None:  # only this patient's mandates and sessions can be named
            self.fields["mandate"].queryset = Mandate.objects.filter(patient=patient)
            self.fields["attendance"].queryset = Attendance.objects.filter(patient=patient)


class LetterEditSerializer(serializers.Serializer):
    recipients = serializers.ListField(
        child=serializers.ChoiceField(choices=catalogue.Recipient.choices),
        required=False,
        max_length=len(catalogue.Recipient.choices),
        help_text="Who the letter goes to, the addressee first; the others receive a copy.",
    )
    period_start = BoundedDateField(required=False, allow_null=True)
    period_end = BoundedDateField(required=False, allow_null=True)
    request_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    request_received_on = BoundedDateField(required=False, allow_null=True)
    risk_to = serializers.ChoiceField(
        choices=Letter.RiskTo.choices, required=False, allow_blank=True
    )
    paragraph = serializers.CharField(max_length=3000, required=False, allow_blank=True)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=Letter._meta.get_field("withdrawal_reason").max_length,
        help_text="Why the letter will not go out.",
    )


class DispatchSerializer(ClinicModelSerializer):
    class Meta:
        model = Dispatch
        fields = [
            "id",
            "letter",
            "recipient",
            "channel",
            "to",
            "note",
            "recorded_at",
            "recorded_by",
            "sent_at",
        ]
        read_only_fields = ["id", "letter", "recorded_at", "recorded_by", "sent_at"]


class LettersAPIMixin(PatientScopedAPIMixin):
    audit_object_type = "reports.letter"


class LetterScopedMixin(LettersAPIMixin):
    audit_object_kwarg = "letter_id"

    def get_letter(self) -> Letter:
        return selectors.letter_for(self.request.user, self.patient.pk, self.kwargs["letter_id"])


class LetterListAPI(LettersAPIMixin, generics.ListCreateAPIView):
    """The patient's letters, latest first; POST drafts one."""

    def get_serializer_class(self):
        return LetterCreateSerializer if self.request.method == "POST" else LetterSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "patient": getattr(self, "patient", None)}

    def get_queryset(self):
        if self.is_schema_generation():
            return Letter.objects.none()
        return selectors.letters_of(self.request.user, self.patient.pk)

    @extend_schema(responses={201: LetterSerializer})
    def post(self, request, *args, **kwargs):
        """Draft a letter of the catalogue about this patient."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        letter = call_service(
            services.letter_draft,
            actor=request.user,
            patient=self.patient,
            **serializer.validated_data,
        )
        return Response(LetterSerializer(letter).data, status=status.HTTP_201_CREATED)


class LetterDetailAPI(LetterScopedMixin, generics.GenericAPIView):
    serializer_class = LetterSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_letter()).data)

    @extend_schema(request=LetterEditSerializer, responses={200: LetterSerializer})
    def patch(self, request, *args, **kwargs):
        """Change a draft (a letter ready for signature goes back to draft); a signed letter
        is final: 400, write a correction."""
        serializer = LetterEditSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        letter = call_service(
            services.letter_update,
            actor=request.user,
            letter=self.get_letter(),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(letter).data)


class LetterStepAPI(LetterScopedMixin, generics.GenericAPIView):
    """ready, sign, cosign, correct: one POST, one service."""

    serializer_class = LetterSerializer
    step = ""

    @extend_schema(request=None, responses={200: LetterSerializer, 201: LetterSerializer})
    def post(self, request, *args, **kwargs):
        """Who may sign or co-sign is a 403, the letter's state and what it says a 400: the
        services check both."""
        letter = self.get_letter()
        service = {
            "ready": services.letter_ready,
            "sign": services.letter_sign,
            "cosign": services.letter_cosign,
            "correct": services.letter_correct,
        }[self.step]
        result = call_service(service, actor=request.user, letter=letter)
        created = self.step == "correct"
        return Response(
            self.get_serializer(result).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class LetterWithdrawAPI(LetterScopedMixin, generics.GenericAPIView):
    serializer_class = LetterSerializer

    @extend_schema(request=WithdrawSerializer, responses={200: LetterSerializer})
    def post(self, request, *args, **kwargs):
        """Withdraw a letter not signed yet, saying why; it stays in the file, and what set it
        off does not draft it again. A signed letter is final: 400."""
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        letter = call_service(
            services.letter_withdraw,
            actor=request.user,
            letter=self.get_letter(),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(letter).data)


class LetterDispatchAPI(LetterScopedMixin, generics.GenericAPIView):
    serializer_class = DispatchSerializer

    @extend_schema(responses={201: DispatchSerializer})
    def post(self, request, *args, **kwargs):
        """Record how a signed letter went out; by e-mail, a worker sends it with the PDF."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dispatch = call_service(
            services.letter_dispatch,
            actor=request.user,
            letter=self.get_letter(),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(dispatch).data, status=status.HTTP_201_CREATED)


class PdfNotReadyError(StaleRecordError):
    default_detail = gettext_lazy("The PDF is not ready yet: it is made once the letter is signed.")
    default_code = "not_ready"


class PdfOrJsonErrors(DefaultContentNegotiation):
    """The PDF goes out as stored, never through a renderer: all DRF renders here is an error.
    A client that asks for the PDF by the media type the schema documents (`Accept:
    application/pdf`) gets it, or the error in JSON, where DRF alone would answer 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            if not any(
                media_type_matches("application/pdf", accepted)
                for accepted in self.get_accept_list(request)
            ):
                raise
            return renderers[0], renderers[0].media_type


class LetterPdfAPI(LetterScopedMixin, generics.GenericAPIView):
    content_negotiation_class = PdfOrJsonErrors

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF"),
            409: OpenApiResponse(
                ErrorSerializer, description="Not rendered yet: ask again in a moment."
            ),
        }
    )
    def get(self, request, *args, **kwargs):
        """The letter's PDF, exactly as stored when it was rendered (its SHA-256 is in the
        letter)."""
        letter = self.get_letter()
        pdf = services.letter_pdf(actor=request.user, letter=letter)
        if pdf is None:
            raise PdfNotReadyError
        return pdf_response(letter, pdf)
