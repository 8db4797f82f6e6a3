"""What every casework view stands on: the patient door and role checks. Service-backed forms
and confirmations are common.views."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from audit.services import Action, record_access
from casework import permissions, selectors
from casework.models import Patient

PAGE_SIZE = 25


class PatientScopedMixin:
    """Resolves the patient through the one door (404 if out of reach) and logs each view."""

    zone = permissions.Zone.FRAME
    audit_action = Action.VIEW  # what a page answered (200) was: seen, or handed out
    audit_object_type = ""  # when get_audit_object() names no single object

    def dispatch(self, request, *args, **kwargs):
        self.patient = self.get_patient()
        # An emergency access is read only: no change, nor the page of one (a view that
        # answers POST changes something); the pages it reads hide their actions (read_only).
        self.read_only = selectors.emergency_only(request.user, self.patient)
        if self.read_only and (
            request.method not in ("GET", "HEAD", "OPTIONS") or hasattr(self, "post")
        ):
            raise PermissionDenied(_("An emergency access is read only."))
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:
            record_access(
                actor=request.user,
                action=self.audit_action,
                patient=self.patient,
                obj=self.get_audit_object(),
                object_type=self.audit_object_type,
            )
        return response

    def get_patient(self) -> Patient:
        return selectors.patient_for(self.request.user, self.kwargs["patient_id"], zone=self.zone)

    def get_audit_object(self):
        return self.patient

    def get_success_url(self) -> str:
        return self.patient.get_absolute_url()

    def get_cancel_url(self) -> str:
        return self.patient.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(patient=self.patient, read_only=self.read_only, **kwargs)
