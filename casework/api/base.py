"""What every API view stands on: authentication, the patient door, errors as 400s."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.settings import api_settings

from audit.services import Action, record_access
from casework import selectors
from casework.permissions import Zone, has_casework_home


class StaleRecordError(exceptions.APIException):
    """409: the record changed since the caller read it; read it again before changing it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The record changed since you read it.")
    default_code = "stale"


def call_service(service, **kwargs):
    """Run a service; its ValidationError becomes a 400 with field errors (and errors about
    the whole request under non_field_errors, as DRF names them), or a 409 when the record
    changed since the caller read it."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        if getattr(error, "code", None) == "stale":
            raise StaleRecordError(error.messages[0]) from error
        detail = serializers.as_serializer_error(error)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise serializers.ValidationError(detail) from error


class ClinicAPIMixin:
    """API views authenticate themselves (token or session): the login redirect is for pages."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


class PatientScopedAPIMixin(ClinicAPIMixin):
    """Resolves the patient through the one door (404 if out of reach) and logs each read."""

    zone = Zone.FRAME
    audit_object_type = "casework.patient"
    audit_object_kwarg = "patient_id"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.patient = selectors.patient_for(request.user, kwargs["patient_id"], zone=self.zone)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in permissions.SAFE_METHODS and response.status_code == 200:
            record_access(
                actor=request.user,
                action=Action.VIEW,
                patient=self.patient,
                object_type=self.audit_object_type,
                object_id=str(self.kwargs.get(self.audit_object_kwarg, "")),
            )
        return response

    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class CaseworkHomePermission(permissions.BasePermission):
    """Clinicians and whoever sees every patient's frame; not helpline or audit staff."""

    def has_permission(self, request, view):
        return has_casework_home(request.user)
