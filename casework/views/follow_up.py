"""Recording a follow-up check from the patient's page: what the clinic learns of the patient's
justice record after treatment (frame zone). The same operation over the API:
casework/api/follow_up.py."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from casework import permissions, services
from casework.forms import FollowUpCheckForm
from casework.views.base import PatientScopedMixin
from common.permissions import require
from common.views import ServiceFormView


class FollowUpCheckCreateView(PatientScopedMixin, ServiceFormView):
    form_class = FollowUpCheckForm
    title = gettext_lazy("Record a follow-up check")
    submit_label = gettext_lazy("Record the check")
    success_message = gettext_lazy("Follow-up check recorded.")
    audit_object_type = "casework.followupcheck"

    def get_patient(self):
        patient = super().get_patient()  # 404 first: no hint that the file exists
        require(permissions.record_follow_up_refusal(self.request.user, patient))  # then 403
        return patient

    def get_audit_object(self):
        return None  # the form, not a check: the log names the patient and the kind of object

    def get_initial(self):
        return {**super().get_initial(), "checked_on": timezone.localdate()}

    def perform(self, data):
        return services.follow_up_check_record(
            actor=self.request.user, patient=self.patient, **data
        )
