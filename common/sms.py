"""Text messages (SMS) through a gateway behind a setting, like Django's e-mail backends:
SMS_BACKEND names the class. The console backend (the default) prints them; the HTTP backend
posts each to a gateway (SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN) with SMS_TIMEOUT; the tests'
backend keeps them in `outbox`. A message goes through common.outbox like an e-mail: written
with the fact it tells of, sent outside any transaction, retried until the gateway takes it.
docs/operations.md, "Outgoing mail"."""

import json
import sys
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

# What the tests' backend has sent: (to, text) pairs.
outbox: list[tuple[str, str]] = []


class GatewayRefused(Exception):
    """The gateway did not take the message: it is tried again later."""


class ConsoleBackend:
    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    def send(self, to: str, text: str) -> None:
        outbox.append((to, text))


class HttpGatewayBackend:
    """POST {"to": ..., "text": ...} as JSON, with a bearer token; any 2xx answer is taken."""

    def send(self, to: str, text: str) -> None:
        request = urllib.request.Request(  # noqa: S310 (the gateway's URL is the clinic's setting)
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"to": to, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as answer:  # noqa: S310
            if not 200 <= answer.status < 300:
                raise GatewayRefused(f"{answer.status} {answer.reason}")


def send(to: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to, text)
