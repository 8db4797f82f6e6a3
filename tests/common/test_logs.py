"""Every log line names the request or task that wrote it; production writes JSON, without
query strings or WeasyPrint's chatter (docs/operations.md, "Logs")."""

import io
import json
import logging
import os
import runpy
import subprocess
import sys

import pytest
import weasyprint
from django.test import Client

from audit.models import AccessEvent
from common import outbox
from common.logs import JsonFormatter
from common.tasks import send_message
from tests.test_project import PRODUCTION, ROOT


@pytest.fixture
def console():
    """What the project's console handler writes, as JSON lines."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(type(f).__name__ == "RequestIdFilter" for f in handler.filters)
    )
    stream = io.StringIO()
    saved_stream = handler.setStream(stream)
    saved_formatter = handler.formatter
    handler.setFormatter(JsonFormatter())

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    handler.setStream(saved_stream)
    handler.setFormatter(saved_formatter)


@pytest.mark.django_db
@pytest.mark.urls("tests.urls_failing")
def test_a_500_is_logged_with_its_request_id_and_traceback_but_not_its_query(console):
    client = Client(raise_request_exception=False)

    response = client.get("/fail/", {"name": "Dupont"})

    assert response.status_code == 500
    [line] = [line for line in console() if line["logger"] == "django.request"]
    assert line["level"] == "ERROR"
    assert line["request_id"] == response["X-Request-ID"] != ""
    assert "ZeroDivisionError: a bug" in line["exception"]
    assert line["time"].endswith("+00:00")
    assert "Dupont" not in json.dumps(line)


@pytest.mark.django_db
def test_a_requests_log_lines_and_access_events_share_its_id(
    console, patient, treating_psychologist, client_for
):
    logging.getLogger("casework").warning("between requests")
    response = client_for(treating_psychologist).get(patient.get_absolute_url())

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert AccessEvent.objects.filter(request_id=request_id).exists()
    assert console()[0] == {**console()[0], "message": "between requests", "request_id": ""}
    assert Client().get("/healthz")["X-Request-ID"] != request_id


@pytest.mark.django_db
def test_a_failed_send_is_logged_with_the_tasks_id_and_without_the_message(console, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    message = outbox.queue(
        to=["ja@justice.example"],
        subject="Absence",
        body="Mr Dupont did not come.",
        purpose="Letter 12 to the justice assistant",
    )

    result = send_message.apply(args=[message.pk])

    [line] = [line for line in console() if line["logger"] == "common.outbox"]
    assert line["level"] == "WARNING"
    assert line["request_id"] == result.id
    assert "Letter 12 to the justice assistant" in line["message"]
    assert "attempt 1" in line["message"]
    assert "Dupont" not in line["message"] and "ja@justice" not in line["message"]


def test_weasyprint_says_nothing_while_rendering(console):
    weasyprint.HTML(string="<h1>Letter</h1><p>Text</p>").write_pdf()

    assert [
        line for line in console() if line["logger"].startswith(("weasyprint", "fontTools"))
    ] == []


def test_production_logs_json_lines_and_each_tasks_run():
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('clinic').warning('hello'); "
        "print(logging.getLogger('celery.app.trace').getEffectiveLevel())"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "LOG_LEVEL"}}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, **PRODUCTION},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello" and line["level"] == "WARNING" and line["logger"] == "clinic"
    assert result.stdout.strip() == str(logging.INFO)


@pytest.mark.django_db
def test_a_503_is_logged_with_its_request_id(console, monkeypatch):
    """Django writes this line once the request has left the middleware."""
    from common import health

    monkeypatch.setattr(health, "_database", lambda: "unreachable")

    response = Client().get("/readyz")

    [line] = [line for line in console() if line["logger"] == "django.request"]
    assert response.status_code == 503
    assert line["request_id"] == response["X-Request-ID"] != ""


@pytest.mark.parametrize(
    ("path", "written"),
    [
        ("/helpline/log/", False),
        ("/helpline", False),
        ("/api/v1/helpline/contacts/", False),
        ("/patients/", True),
        ("/helplines-elsewhere/", True),
    ],
)
def test_the_web_server_writes_no_line_for_a_helpline_request(path, written):
    """As gunicorn.conf.py configures gunicorn's access log, on a line as gunicorn writes it:
    the helpline's requests leave none (docs/helpline.md), the others theirs."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    logging_config = conf["logconfig_dict"]
    names = logging_config["loggers"]["gunicorn.access"]["filters"]
    filters = [
        spec["()"](**{key: value for key, value in spec.items() if key != "()"})
        for spec in (logging_config["filters"][name] for name in names)
    ]
    atoms = {"h": "", "m": "GET", "U": path, "H": "HTTP/1.1", "s": "200", "B": "512", "M": "12"}
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 0, conf["access_log_format"], (atoms,), None
    )

    assert all(each.filter(record) for each in filters) is written
