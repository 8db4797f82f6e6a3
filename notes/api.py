"""Clinical notes in the API: the clinical zone (administrators and outsiders get 404)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from casework.api.base import PatientScopedAPIMixin
from casework.models import Appointment
from casework.permissions import Zone
from common.api import BoundedPrimaryKeyRelatedField, ClinicModelSerializer, call_service
from notes import selectors, services
from notes.models import ClinicalNote


class ClinicalNoteSerializer(ClinicModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)
    is_signed = serializers.BooleanField(read_only=True)

    class Meta:
        model = ClinicalNote
        fields = [
            "id",
            "kind",
            "appointment",
            "addendum_to",
            "author",
            "author_name",
            "text",
            "created_at",
            "updated_at",
            "signed_at",
            "is_signed",
        ]
        read_only_fields = fields


class NoteCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=ClinicalNote.Kind.choices,
        required=False,
        help_text="Not needed for an addendum: it takes the kind of the note it completes.",
    )
    text = serializers.CharField()
    appointment = BoundedPrimaryKeyRelatedField(
        queryset=Appointment.objects.none(),
        required=False,
        allow_null=True,
        help_text="The session, for a session note: one of this patient's appointments.",
    )
    addendum_to = BoundedPrimaryKeyRelatedField(
        queryset=ClinicalNote.objects.none(),
        required=False,
        allow_null=True,
        help_text="A signed note of this patient that the new note completes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        patient = self.context.get("patient")
        if patient is not None:  # only this patient's sessions and notes can be named
            self.fields["appointment"].queryset = Appointment.objects.filter(
                attendances__patient=patient
            )
            self.fields["addendum_to"].queryset = ClinicalNote.objects.filter(patient=patient)

    def validate(self, data):
        if not data.get("kind") and not data.get("addendum_to"):
            raise serializers.ValidationError({"kind": _("Choose the kind of note.")})
        return data


class NoteTextSerializer(serializers.Serializer):
    text = serializers.CharField()


class NoteScopedMixin:
    zone = Zone.CLINICAL
    audit_object_type = "notes.clinicalnote"
    audit_object_kwarg = "note_id"

    def get_note(self) -> ClinicalNote:
        return selectors.note_for(self.request.user, self.patient.pk, self.kwargs["note_id"])


class NoteListAPI(PatientScopedAPIMixin, generics.ListCreateAPIView):
    """Session notes (default) or personal notes (?kind=personal), latest first."""

    zone = Zone.CLINICAL
    audit_object_type = "notes.clinicalnote"

    def get_serializer_class(self):
        return NoteCreateSerializer if self.request.method == "POST" else ClinicalNoteSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "patient": getattr(self, "patient", None)}

    def get_queryset(self):
        if self.is_schema_generation():
            return ClinicalNote.objects.none()
        kind = self.request.query_params.get("kind", ClinicalNote.Kind.SESSION)
        if kind not in ClinicalNote.Kind.values:
            raise serializers.ValidationError({"kind": _("Choose session or personal notes.")})
        return selectors.notes_of(self.request.user, self.patient.pk, kind=kind)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", enum=ClinicalNote.Kind.values, default=ClinicalNote.Kind.SESSION
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: ClinicalNoteSerializer})
    def post(self, request, *args, **kwargs):
        """Write a draft note; with addendum_to, an addendum to a signed note."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        note = call_service(
            services.note_create,
            actor=request.user,
            patient=self.patient,
            kind=data.get("kind", ""),
            text=data["text"],
            appointment=data.get("appointment"),
            addendum_to=data.get("addendum_to"),
        )
        return Response(ClinicalNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class NoteDetailAPI(NoteScopedMixin, PatientScopedAPIMixin, generics.GenericAPIView):
    serializer_class = ClinicalNoteSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_note()).data)

    @extend_schema(request=NoteTextSerializer, responses={200: ClinicalNoteSerializer})
    def patch(self, request, *args, **kwargs):
        """Change the text of one's own draft; a signed note is final."""
        note = self.get_note()
        serializer = NoteTextSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = call_service(
            services.note_update, actor=request.user, note=note, **serializer.validated_data
        )
        return Response(self.get_serializer(note).data)


class NoteSignAPI(NoteScopedMixin, PatientScopedAPIMixin, generics.GenericAPIView):
    serializer_class = ClinicalNoteSerializer

    @extend_schema(request=None, responses={200: ClinicalNoteSerializer})
    def post(self, request, *args, **kwargs):
        """Sign one's own draft: from then on it never changes."""
        note = call_service(services.note_sign, actor=request.user, note=self.get_note())
        return Response(self.get_serializer(note).data)
