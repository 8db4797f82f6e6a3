"""The project's own error pages: a 400 says what was wrong when we wrote the message."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.exceptions import NotFound
from rest_framework.views import exception_handler

from common.http import InvalidParameter


def bad_request_message(exception) -> str:
    if isinstance(exception, InvalidParameter) and exception.args:
        return str(exception.args[0])
    return _("The request could not be understood.")


def bad_request(request, exception=None):
    message = bad_request_message(exception)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def api_exception_handler(exc, context):
    """DRF's handler, plus the project's InvalidParameter answered as a 400 like on pages."""
    if isinstance(exc, InvalidParameter):
        exc = exceptions.ParseError(bad_request_message(exc))
    return exception_handler(exc, context)


def page_not_found(request, exception=None):
    """An API path that no URL matches (an id that is not a number) answers JSON, as every
    other API 404 does; pages keep the 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
