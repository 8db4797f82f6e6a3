"""Project-wide HTTP hygiene, before and after every view."""

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from common import logs
from common.http import InvalidParameter
from config.views import bad_request


class RequestIdMiddleware:
    """First of all: each request gets an id, in every log line it writes, in its access
    events, and in `X-Request-ID` for the access log. Always made here, never taken from the
    client: an id the access log ties events together by is not for a visitor to choose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = logs.new_request_id()
        token = logs.bind(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            logs.unbind(token)
        response["X-Request-ID"] = request.request_id
        return response


class RejectNulCharactersMiddleware:
    """A NUL character in a parameter is never legitimate, and PostgreSQL refuses it in a
    query: answer 400 before any view tries, rather than a 500 from the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for params in (request.GET, request.POST):
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return bad_request(
                        request, InvalidParameter(_("Text may not contain NUL characters."))
                    )
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers name patients: no browser, proxy or back button may keep a copy.
    Static files are served elsewhere in production and keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True, private=True)
        return response
