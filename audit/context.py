"""What the access log needs to know about the current request, without passing it around."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class AccessContext:
    request_id: str
    client_address: str | None
    # A refused attempt this request made (audit.services.note_denied); written after it.
    denied: dict | None = None


_current: ContextVar[AccessContext | None] = ContextVar("access_context", default=None)


def current() -> AccessContext | None:
    return _current.get()


def bind(context: AccessContext):
    return _current.set(context)


def unbind(token) -> None:
    _current.reset(token)
