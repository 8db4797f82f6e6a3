"""Follow-up checks of a patient: what the clinic learns of their record after treatment."""

from rest_framework import generics

from casework import services
from casework.api.base import PatientScopedAPIMixin
from casework.models import FollowUpCheck
from common.api import ClinicModelSerializer, call_service


class FollowUpCheckSerializer(ClinicModelSerializer):
    class Meta:
        model = FollowUpCheck
        fields = [
            "id",
            "checked_on",
            "source",
            "new_offence",
            "offence_on",
            "kind",
            "category",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]
        extra_kwargs = {
            "new_offence": {"help_text": "Whether the check found a new offence."},
            "offence_on": {"help_text": "With a new offence: the day it was committed."},
            "kind": {"help_text": "With a new offence: a charge or a conviction."},
            "category": {"help_text": "With a new offence: sexual, violent or other."},
        }


class FollowUpCheckListAPI(PatientScopedAPIMixin, generics.ListCreateAPIView):
    """The patient's follow-up checks, latest first; recording one: the care team, the
    clinical lead and the administrators (casework.permissions.record_follow_up_refusal)."""

    serializer_class = FollowUpCheckSerializer
    audit_object_type = "casework.followupcheck"

    def get_queryset(self):
        if self.is_schema_generation():
            return FollowUpCheck.objects.none()
        return self.patient.follow_up_checks.order_by("-checked_on", "-pk")

    def perform_create(self, serializer):
        serializer.instance = call_service(
            services.follow_up_check_record,
            actor=self.request.user,
            patient=self.patient,
            **serializer.validated_data,
        )
