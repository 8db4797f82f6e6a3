"""What every API view stands on: authentication, the patient door, errors as 400s, the
fields that read and answer times and e-mail addresses, and the schema's error answers."""

import re

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.settings import api_settings

from audit.services import Action, record_access
from casework import selectors
from casework.permissions import Zone, has_casework_home


def call_service(service, **kwargs):
    """Run a service; its ValidationError becomes a 400 with field errors (and errors about
    the whole request under non_field_errors, as DRF names them)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
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


# --- Fields: what the schema says is what the API answers -----------------------------------


_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"


@extend_schema_field({"type": "string", "pattern": f"^{_TIME}$", "example": "18:00:00"})
class LocalTimeField(serializers.TimeField):
    """A time of day on the clinic's clock, hh:mm[:ss[.uuuuuu]], as it is stored and answered.
    Not OpenAPI's `time` format: that one requires a UTC offset, which a group's weekly start
    time does not have; an offset sent is refused rather than silently dropped."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not re.fullmatch(_TIME, value):
            self.fail("invalid", format="hh:mm[:ss[.uuuuuu]]")
        return super().to_internal_value(value)


@extend_schema_field({"type": "string", "format": "idn-email"})
class EmailField(serializers.EmailField):
    """Django accepts internationalised domains (jean@exämple.be); so says the schema."""


class ClinicModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that reads model fields through the fields above, and whose read-only
    choice fields keep the blank choice their model field allows (DRF drops allow_blank from
    read-only fields, and the schema then leaves "" out of an enum that answers it)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TimeField: LocalTimeField,
        models.EmailField: EmailField,
    }

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only") and "choices" in kwargs:
            kwargs["allow_blank"] = True
        return kwargs


# --- The schema: every operation documents the errors it can answer with --------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for the person who sent it.")


class ValidationErrorSerializer(serializers.Serializer):
    """Field errors under each field's name; errors about the whole request under
    non_field_errors; a request that could not be read at all under detail."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


ERROR_RESPONSES = {
    "400": OpenApiResponse(
        ValidationErrorSerializer,
        description="The request was refused: each field names its errors.",
    ),
    "401": OpenApiResponse(ErrorSerializer, description="No valid token or session."),
    "403": OpenApiResponse(ErrorSerializer, description="The caller's role may not do this."),
    "404": OpenApiResponse(
        ErrorSerializer,
        description="No such object, or one the caller may not see (another clinician's "
        "patient answers 404, never 403).",
    ),
}


class ClinicAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers every operation can give, so that
    no view has to repeat them:

    - 401 and 403 everywhere: every endpoint authenticates, and roles limit what each does;
    - 404 where the path names an object, or a list is paginated (a page past the end);
    - 400 for writes and wherever a query parameter can be wrong.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        codes = {"401", "403"}
        if any(p["in"] == "path" for p in parameters) or any(
            p["in"] == "query" and p["name"] == "page" for p in parameters
        ):
            codes.add("404")
        if self.method not in permissions.SAFE_METHODS or any(
            p["in"] == "query" for p in parameters
        ):
            codes.add("400")
        responses = operation["responses"]
        for code in codes - responses.keys():
            responses[code] = self._get_response_for_code(ERROR_RESPONSES[code], code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation
