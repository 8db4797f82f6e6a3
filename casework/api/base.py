"""What every API view of the clinic stands on: authentication, the patient door and its
access log, the casework home's permission. The generic parts (errors as 400s, the bounded
fields, the schema's error answers) are in common.api."""

from django.utils.translation import gettext_lazy
from rest_framework import exceptions, permissions

from audit.services import Action, record_access
from casework import selectors
from casework.permissions import Zone, can_use_casework
from common.http import APIViewMixin


class ClinicAPIMixin(APIViewMixin):
    """Every API view of the clinic (common.http.APIViewMixin)."""


class PatientScopedAPIMixin(ClinicAPIMixin):
    """Resolves the patient through the one door (404 if out of reach) and logs each read:
    of the patient's file (the default), of one object (audit_object_type with the URL
    keyword that holds its id, audit_object_kwarg), or of a kind of object (a list: no kwarg).
    """

    zone = Zone.FRAME
    audit_object_type = "casework.patient"
    audit_object_kwarg = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.patient = selectors.patient_for(request.user, kwargs["patient_id"], zone=self.zone)
        if request.method not in permissions.SAFE_METHODS and selectors.emergency_only(
            request.user, self.patient
        ):
            # DRF's own 403, whose detail the caller reads (DRF answers a Django
            # PermissionDenied with its default words). A mixin: house rule 2 allows it here.
            raise exceptions.PermissionDenied(gettext_lazy("An emergency access is read only."))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in permissions.SAFE_METHODS and response.status_code == 200:
            is_file = self.audit_object_type == "casework.patient"
            record_access(
                actor=request.user,
                action=Action.VIEW,
                patient=self.patient,
                obj=self.patient if is_file else None,
                object_type=self.audit_object_type,
                object_id=str(self.kwargs[self.audit_object_kwarg])
                if self.audit_object_kwarg
                else "",
            )
        return response

    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class CaseworkHomePermission(permissions.BasePermission):
    """Clinicians and whoever sees every patient's frame; not helpline or audit staff."""

    def has_permission(self, request, view):
        return can_use_casework(request.user)
