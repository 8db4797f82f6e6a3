"""Work a request leaves for after its response, when no worker takes tasks.

With a broker, `queue(task, *args)` is `task.delay(*args)`: a worker does the work. In the
embedded default (tasks run in-process, `make run`), a task queued during a request runs once
the response has gone, so that a page never waits for a PDF to be rendered.
"""

import threading

from django.conf import settings
from django.core.signals import request_finished, request_started

_state = threading.local()


def queue(task, *args) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER and getattr(_state, "pending", None) is not None:
        _state.pending.append((task, args))
        return
    task.delay(*args)


def _started(**kwargs) -> None:
    _state.pending = []


def _finished(**kwargs) -> None:
    pending, _state.pending = getattr(_state, "pending", None) or [], None
    for task, args in pending:
        task.delay(*args)  # in-process: the response has gone


request_started.connect(_started, dispatch_uid="common.after_response.started")
request_finished.connect(_finished, dispatch_uid="common.after_response.finished")
