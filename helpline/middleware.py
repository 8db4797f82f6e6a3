"""The helpline's pages and endpoints never learn the caller's... or the listener's address.

Placed first in MIDDLEWARE: for a request under HELPLINE_PATHS, the peer's address and every
header that could carry one are removed from the request (its WSGI environ, which the web
server's own access log reads too), so that no later part — the access log's context, the
lock-out, Django's request logging, an error report — can write it. docs/helpline.md.
"""

HELPLINE_PATHS = ("/helpline/", "/api/v1/helpline/")
ADDRESS_HEADERS = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
)


def is_helpline_path(path: str) -> bool:
    """Under one of HELPLINE_PATHS, or one of them without its slash (on its way to the
    redirect that adds it, the request is written in the web server's log all the same)."""
    return path.startswith(HELPLINE_PATHS) or path in {p.rstrip("/") for p in HELPLINE_PATHS}


class NoAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_helpline_path(request.path_info):
            for name in ADDRESS_HEADERS:
                request.META.pop(name, None)
            request.META["REMOTE_ADDR"] = ""
        return self.get_response(request)
