"""Break-the-glass: a clinician opens a file they are not treating, in an emergency; the
clinical lead reviews each opening (docs/security.md, "Emergency access")."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from audit.models import AccessEvent
from casework import permissions, services
from casework.forms import EmergencyAccessForm, EmergencyReviewForm
from casework.models import EmergencyAccess
from casework.views.base import ServiceFormView


class EmergencyAccessView(ServiceFormView):
    form_class = EmergencyAccessForm
    template_name = "casework/emergency_access.html"
    title = gettext_lazy("Emergency access to a file")
    submit_label = gettext_lazy("Open the file, read only")
    submit_class = "danger"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not permissions.may_join_care_team(user) or permissions.has_global_access(
            user, permissions.Zone.FRAME
        ):
            raise PermissionDenied  # the lead sees every file already; others treat no one
        return super().dispatch(request, *args, **kwargs)

    def perform(self, data):
        return services.emergency_access_open(
            actor=self.request.user, file_number=data["file_number"], reason=data["reason"]
        )

    def get_success_url(self):
        return self.result.patient.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(hours=settings.EMERGENCY_ACCESS_HOURS, **kwargs)


class EmergencyReviewView(ServiceFormView):
    """The lead's review of one emergency access: who, which file, why, and every access the
    clinician made to the file since it was opened."""

    form_class = EmergencyReviewForm
    template_name = "casework/emergency_review.html"
    title = gettext_lazy("Review an emergency access")
    submit_label = gettext_lazy("Reviewed")
    success_message = gettext_lazy("Emergency access reviewed.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_role(Role.CLINICAL_LEAD):
            raise PermissionDenied
        self.access = get_object_or_404(
            EmergencyAccess.objects.select_related("patient", "clinician", "reviewed_by"),
            pk=kwargs["access_id"],
        )
        return super().dispatch(request, *args, **kwargs)

    def perform(self, data):
        return services.emergency_access_review(
            actor=self.request.user, access=self.access, note=data["note"]
        )

    def get_success_url(self):
        return reverse("workspace:dashboard")

    def get_cancel_url(self):
        return reverse("workspace:dashboard")

    def get_context_data(self, **kwargs):
        trail = AccessEvent.objects.filter(
            user=self.access.clinician,
            patient_id=self.access.patient_id,
            occurred_at__gte=self.access.opened_at,
        ).order_by("pk")[:200]
        return super().get_context_data(access=self.access, trail=trail, **kwargs)
