"""What any API of the project stands on, whatever its app: a service's refusals as 400s (or
409s), the fields that read dates, times, e-mail addresses, ids and codes within bounds, and the
schema's error answers. The apps' own doors (the patient's, the helpline's) stay in each app."""

import datetime
import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import models
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.fields import empty
from rest_framework.settings import api_settings
from rest_framework.utils import html

from common.dates import EARLIEST_DAY, LATEST_DAY
from common.errors import OverridableWarning
from common.http import ID_MAX_DIGITS


class StaleRecordError(exceptions.APIException):
    """409: the record changed since the caller read it; read it again before changing it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The record changed since you read it.")
    default_code = "stale"


class OverridableWarningError(exceptions.APIException):
    """409: warnings to know before going on (common.errors.OverridableWarning); the body holds
    them under one key, e.g. {"conflicts": [...]}. Send the request again with the matching
    "allow_..." field to go ahead."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Check the warnings before going on.")
    default_code = "warnings"


def call_service(service, **kwargs):
    """Run a service; its ValidationError becomes a 400 with field errors (and errors about
    the whole request under non_field_errors, as DRF names them), or a 409: with the warnings
    the caller may override, or when the record changed since the caller read it."""
    try:
        return service(**kwargs)
    except OverridableWarning as warning:
        raise OverridableWarningError({warning.key: warning.warnings}) from warning
    except DjangoValidationError as error:
        if getattr(error, "code", None) == "stale":
            raise StaleRecordError(error.messages[0]) from error
        detail = serializers.as_serializer_error(error)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise serializers.ValidationError(detail) from error


# --- Fields: every date, time, e-mail address and id the API reads --------------------------

# The calendar the API reads is the one pages read (common.dates): arithmetic near the edges of
# Python's calendar (0001-01-01, 9999-12-31) overflows into a 500, and before 1900 local time
# zones had offsets in seconds, which an RFC 3339 date-time cannot write. Wide on purpose: the
# plausibility of a date (a date of birth, an appointment near today) is for the models to
# judge, with their own messages.
EARLIEST_DATE, LATEST_DATE = EARLIEST_DAY, LATEST_DAY


class _EmptyIsNotAbsent:
    """In a form or a query string, `?until=` gives an empty value: refuse it, rather than
    read it as if the parameter were not there (a field that may be null reads it as null)."""

    default_error_messages = {"blank": serializers.CharField.default_error_messages["blank"]}

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        given = html.is_html_input(dictionary) and dictionary.get(self.field_name) == ""
        return "" if value is empty and given else value

    def to_internal_value(self, value):
        if value == "":
            self.fail("blank")
        return super().to_internal_value(value)


class BoundedDateField(_EmptyIsNotAbsent, serializers.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators += [MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


class BoundedDateTimeField(_EmptyIsNotAbsent, serializers.DateTimeField):
    """A moment between the start of EARLIEST_DATE and the end of LATEST_DATE. A local time at
    the very edge of the calendar (0001-01-01T00:00) is out of range too: DRF lets the
    OverflowError of its conversion to UTC through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(
                datetime.datetime.combine(EARLIEST_DATE, datetime.time.min, datetime.UTC)
            ),
            MaxValueValidator(
                datetime.datetime.combine(LATEST_DATE, datetime.time.max, datetime.UTC)
            ),
        ]

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"


@extend_schema_field({"type": "string", "pattern": f"^{_TIME}$", "example": "18:00:00"})
class LocalTimeField(_EmptyIsNotAbsent, serializers.TimeField):
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


# The largest id a URL, a query string or a body may name (see common.http.IdConverter).
MAX_ID = 10**ID_MAX_DIGITS - 1


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id that cannot be a database id (zero, negative, more digits than the URLs' <id:...>
    allow) names nothing: "does not exist", without asking the database, where SQLite cannot
    hold it and an `__in` lookup would overflow."""

    def to_internal_value(self, data):
        number = int(data) if isinstance(data, str) and data.isascii() and data.isdigit() else data
        is_number = isinstance(number, int | float) and not isinstance(number, bool)
        if is_number and not 0 < number <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """A code that names an object: a NUL character in it is refused before the database is
    asked (PostgreSQL cannot even compare it)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            ProhibitNullCharactersValidator()(data)
        return super().to_internal_value(data)


class ClinicModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that reads model fields through the fields above, and whose read-only
    choice fields keep the blank choice their model field allows (DRF drops allow_blank from
    read-only fields, and the schema then leaves "" out of an enum that answers it)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
        models.DateTimeField: BoundedDateTimeField,
        models.TimeField: LocalTimeField,
        models.EmailField: EmailField,
    }
    serializer_related_field = BoundedPrimaryKeyRelatedField

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
