"""Project-wide HTTP hygiene, before and after every view."""

import functools
import ipaddress

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


class ClientAddressMiddleware:
    """Behind the reverse proxy, the peer is the proxy: the client's address is the one the
    proxy appended to X-Forwarded-For. It is taken only when the peer is one of
    TRUSTED_PROXIES, and read from the right, past the trusted proxies, so that a client
    cannot pick its address by sending the header itself. REMOTE_ADDR is then set to it, for
    the access log, the lock-out and gunicorn's access line alike (docs/operations.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = _networks(tuple(settings.TRUSTED_PROXIES))
        if trusted and _within(request.META.get("REMOTE_ADDR", ""), trusted):
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            for hop in reversed([hop.strip() for hop in forwarded if hop.strip()]):
                if _address(hop) is None:
                    break  # not an address: the chain cannot be followed further
                if not _within(hop, trusted):
                    request.META["REMOTE_ADDR"] = hop
                    break
        return self.get_response(request)


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(text: str, networks: tuple) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in networks)


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
