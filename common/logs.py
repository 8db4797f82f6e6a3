"""Every log line says which request or task wrote it, in JSON in production
(docs/operations.md, "Logs").

A request's id is made by config.middleware.RequestIdMiddleware, sent back in `X-Request-ID`
(which the access log records) and written with every access event; a task's lines carry the
task's id.
"""

import datetime
import json
import logging
import uuid
from contextvars import ContextVar

from celery.signals import task_postrun, task_prerun

_current: ContextVar[str] = ContextVar("request_id", default="")
_task_tokens = {}


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return _current.get()


def bind(request_id: str):
    return _current.set(request_id)


def unbind(token) -> None:
    _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to each record a handler writes ("" outside a request or task).

    Some lines are written once the request has left the middleware: Django's line for a
    response of 5xx (which carries the request) and gunicorn's access line (which carries the
    response's headers); they give theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = (
                _current.get()
                or getattr(getattr(record, "request", None), "request_id", "")
                or (record.args.get("{x-request-id}o", "") if isinstance(record.args, dict) else "")
            )
        return True


class PrivatePaths(logging.Filter):
    """No line in the web server's access log for a path that `private(path)` names: the
    helpline's requests (docs/helpline.md). A line with its time, even without an address,
    would say to the second when a listener's screen answered a call; and whatever collects
    the output (the journal) stamps each line with its own time besides."""

    def __init__(self, private):
        super().__init__()
        self.private = private

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args if isinstance(record.args, dict) else {}
        return not self.private(atoms.get("U", ""))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and the
    traceback if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def config(log_format: str, level: str, loggers: dict, filters: dict | None = None) -> dict:
    """A logging configuration (dictConfig) whose one handler writes to stderr in `log_format`
    ("text" or "json"), naming the request or task: Django's and gunicorn's."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}, **(filters or {})},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": loggers,
    }


@task_prerun.connect
def _bind_task_id(task_id=None, **kwargs) -> None:
    _task_tokens[task_id] = bind(task_id or "")


@task_postrun.connect
def _unbind_task_id(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        unbind(token)
