"""What every casework view stands on: the patient door, service-backed forms, role checks."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from audit.services import Action, record_access
from casework import permissions, selectors
from casework.models import Patient
from common.errors import OverridableWarning

PAGE_SIZE = 25


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class RefusalMixin:
    """A page that cannot be used on this object (a signed note, someone else's draft) is not
    offered at all: `refusal()` names why, and GET and POST go back with that message."""

    def refusal(self) -> str:
        """Why this page may not be used here; empty when it may."""
        return ""

    def get(self, request, *args, **kwargs):
        return self._refuse() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refuse() or super().post(request, *args, **kwargs)

    def _refuse(self):
        reason = self.refusal()
        if not reason:
            return None
        messages.error(self.request, reason)
        return redirect(self.get_cancel_url())


class ConfirmView(RefusalMixin, TemplateView):
    """A question with a button that says what it does; `confirm()` does it on POST."""

    template_name = "casework/confirm.html"

    def confirm(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        return self._refuse() or self.confirm()


class ServiceFormView(RefusalMixin, FormView):
    """A form whose valid data goes to one service; the service's errors land on the form.
    Its buttons say what they do (`submit_label`, `back_label`)."""

    template_name = "casework/form.html"
    success_message = ""
    title = ""
    submit_label = gettext_lazy("Save")
    submit_class = ""  # "danger" for a button that destroys something
    back_label = gettext_lazy("Cancel")

    def perform(self, data: dict):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.result = self.perform(form.cleaned_data)
        except OverridableWarning as warning:
            # shown above the form, whose "allow_..." checkbox says "go ahead anyway"
            return self.render_to_response(
                self.get_context_data(form=form, warnings=warning.warnings)
            )
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def get_cancel_url(self) -> str:
        return reverse("casework:patient_list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.get_title(),
            cancel_url=self.get_cancel_url(),
            submit_label=self.submit_label,
            submit_class=self.submit_class,
            back_label=self.back_label,
            **kwargs,
        )

    def get_title(self) -> str:
        return self.title


class PatientScopedMixin:
    """Resolves the patient through the one door (404 if out of reach) and logs each view."""

    zone = permissions.Zone.FRAME
    audit_object_type = ""  # when get_audit_object() names no single object

    def dispatch(self, request, *args, **kwargs):
        self.patient = self.get_patient()
        if request.method not in ("GET", "HEAD", "OPTIONS") and selectors.emergency_only(
            request.user, self.patient
        ):
            raise PermissionDenied  # an emergency access is read only
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:
            record_access(
                actor=request.user,
                action=Action.VIEW,
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
        return super().get_context_data(patient=self.patient, **kwargs)


# --- Home -----------------------------------------------------------------------------------


class CaseworkRoleRequired:
    """Pages for clinicians and administrators; helpline listeners and auditors get 403."""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.has_casework_home(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
