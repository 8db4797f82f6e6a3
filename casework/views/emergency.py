"""Break-the-glass: a clinician opens a file they are not treating, in an emergency; the
clinical lead reviews each opening (docs/security.md, "Emergency access")."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from audit.models import AccessEvent
from casework import permissions, services
from casework.forms import EmergencyAccessForm, EmergencyDecisionForm, EmergencyReviewForm
from casework.models import EmergencyAccess
from common.views import RoleRequired, ServiceFormView


class EmergencyAccessView(RoleRequired(permissions.can_break_glass), ServiceFormView):
    form_class = EmergencyAccessForm
    template_name = "casework/emergency_access.html"
    title = gettext_lazy("Emergency access to a file")
    submit_label = gettext_lazy("Open the file, read only")
    submit_class = "danger"
    cancel_url = reverse_lazy("casework:patient_list")

    def perform(self, data):
        access = services.emergency_access_open(
            actor=self.request.user, file_number=data["file_number"], reason=data["reason"]
        )
        if access.is_request:
            # The same words whether the number exists or not (docs/security.md).
            messages.info(
                self.request,
                gettext(
                    "Your emergency access to file %(file)s has been sent to the clinical lead "
                    "and awaits their approval. You will be told on your home page and by "
                    "e-mail."
                )
                % {"file": access.file_number},
            )
        else:
            messages.success(
                self.request,
                gettext(
                    "File %(file)s is open to you, read only, until %(until)s. The clinical "
                    "lead has been told."
                )
                % {
                    "file": access.file_number,
                    "until": date_format(
                        timezone.localtime(access.expires_at), "SHORT_DATETIME_FORMAT"
                    ),
                },
            )
        return access

    def get_success_url(self):
        if self.result.is_request:
            return reverse("workspace:dashboard")
        return self.result.patient.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            hours=settings.EMERGENCY_ACCESS_HOURS,
            per_day=settings.EMERGENCY_ACCESSES_PER_DAY,
            **kwargs,
        )


class OneAccessMixin:
    """The emergency access the URL names (404 otherwise): looked up after the role's check,
    which comes first in the page's bases, so that only those the rule admits learn whether
    an access exists."""

    access_kwarg = ""
    related: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        self.access = get_object_or_404(
            EmergencyAccess.objects.select_related(*self.related), pk=kwargs[self.access_kwarg]
        )
        return super().dispatch(request, *args, **kwargs)


class EmergencyDecisionView(
    RoleRequired(permissions.can_decide_emergency_requests), OneAccessMixin, ServiceFormView
):
    """The lead approves or refuses an emergency access that awaits approval."""

    form_class = EmergencyDecisionForm
    template_name = "casework/emergency_decide.html"
    title = gettext_lazy("Approve or refuse an emergency access")
    submit_label = gettext_lazy("Decide")
    access_kwarg, related = "request_id", ("patient", "clinician", "decided_by")

    def refusal(self):
        return permissions.emergency_decision_refusal(self.request.user, self.access)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "can_approve": self.access.patient is not None}

    def perform(self, data):
        approve = data["decision"] == "approve"
        self.success_message = (
            gettext("Approved: the file is open to %(who)s.")
            if approve
            else gettext("Refused: %(who)s is told.")
        ) % {"who": self.access.clinician}
        return services.emergency_request_decide(
            actor=self.request.user, access=self.access, approve=approve, note=data["note"]
        )

    def get_success_url(self):
        return reverse("workspace:dashboard")

    def get_cancel_url(self):
        return reverse("workspace:dashboard")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            access=self.access, hours=settings.EMERGENCY_ACCESS_HOURS, **kwargs
        )


class EmergencyReviewView(
    RoleRequired(permissions.can_review_emergency_accesses), OneAccessMixin, ServiceFormView
):
    """The lead's review of one emergency access: who, which file, why, and every access the
    clinician made to the file since it was opened."""

    form_class = EmergencyReviewForm
    template_name = "casework/emergency_review.html"
    title = gettext_lazy("Review an emergency access")
    submit_label = gettext_lazy("Reviewed")
    success_message = gettext_lazy("Emergency access reviewed.")
    access_kwarg, related = "access_id", ("patient", "clinician", "reviewed_by")

    def refusal(self):
        return permissions.emergency_review_refusal(self.request.user, self.access)

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
