"""Requests to the WSGI application in-process, for the benchmarks (import after django.setup())."""

import contextlib
import time

from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext


class Requester:
    """Calls the WSGI application in-process as a logged-in user (or with an API token), and
    stops the clock when the response is handed back, before it is closed: what runs after
    (sealing the access log in the embedded default) does not make the user wait."""

    def __init__(self, user, *, token: str = ""):
        client = Client()
        client.force_login(user)
        _past_the_second_factor(client, user)
        self.cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
        self.token = token
        self.handler = WSGIHandler()

    def get(self, path: str, *, around=None) -> float:
        """Time one request; `around`, a context manager, is entered for the handler's call
        only (what the user waits for)."""
        extra = {"HTTP_COOKIE": self.cookie}
        if self.token:
            extra = {"HTTP_AUTHORIZATION": f"Token {self.token}"}
        environ = RequestFactory().get(path, **extra).environ
        status = []
        with around if around is not None else contextlib.nullcontext():
            started = time.perf_counter()
            response = self.handler(environ, lambda s, h, exc_info=None: status.append(s))
            elapsed = time.perf_counter() - started
        body = b"".join(response)
        response.close()  # request_finished: the embedded default seals here
        assert status[0].startswith("200"), (path, status, body[:300])
        return elapsed

    def count_queries(self, path: str) -> int:
        """The queries one request makes before its response is handed back, counted apart
        from the timed requests (counting costs)."""
        connection.queries_log.clear()  # a full log (9,000 entries) would count nothing new
        queries = CaptureQueriesContext(connection)
        self.get(path, around=queries)
        return len(queries)


def _past_the_second_factor(client, user) -> None:
    """The session of someone who has typed their code (docs/security.md)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
