"""Project-wide guarantees: migrations, API schema, admin, CSP, demo data, production guard."""

import ast
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from accounts.roles import Role
from casework.models import Authority, CareStage, JusticeContact, Mandate, Patient

ROOT = Path(__file__).resolve().parent.parent


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_openapi_schema_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert "/api/v1/patients/{patient_id}/mandates/" in (tmp_path / "s.yml").read_text()


def test_every_api_operation_documents_the_errors_it_can_answer_with():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = operation["responses"].keys()
            label = f"{method.upper()} {path}"
            assert {"401", "403"} <= codes, label
            assert "{" not in path or "404" in codes, label
            assert method == "get" or "400" in codes, label
    compliance = paths["/api/v1/patients/{patient_id}/mandates/{mandate_id}/compliance/"]["get"]
    assert {"400", "404"} <= compliance["responses"].keys()


def test_the_api_schema_describes_what_the_api_answers():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    requested_by = components["Appointment"]["properties"]["change_requested_by"]
    exit_reason = components["Episode"]["properties"]["exit_reason"]
    start_time = components["Group"]["properties"]["start_time"]
    email = components["JusticeContact"]["properties"]["email"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in requested_by["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in exit_reason["oneOf"]
    assert "format" not in start_time and re.search(start_time["pattern"], "18:00:00")
    assert email["oneOf"][0]["format"] == "idn-email"


def test_the_api_docs_are_served_from_our_own_static_files(treating_psychologist, client_for):
    page = client_for(treating_psychologist).get(reverse("api_docs")).content.decode()

    assert "/static/drf_spectacular_sidecar/" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)


def test_the_api_schema_and_docs_are_not_for_anonymous_visitors(db, client):
    schema = client.get(reverse("api_schema"))
    docs = client.get(reverse("api_docs"))

    # The API's own answer for a missing credential: 401 with a challenge, not a login page.
    assert schema.status_code == 401
    assert schema["WWW-Authenticate"].startswith("Token")
    assert docs.status_code == 302
    assert docs["Location"] == f"{reverse('login')}?next={reverse('api_docs')}"


def test_a_clinician_gets_the_api_schema_and_docs(treating_psychologist, client_for):
    client = client_for(treating_psychologist)

    assert client.get(reverse("api_schema")).status_code == 200
    assert client.get(reverse("api_docs")).status_code == 200


def test_an_api_token_opens_the_api_schema(treating_psychologist, client):
    from accounts.models import ApiToken

    _row, token = ApiToken.objects.create(user=treating_psychologist, name="docs")

    response = client.get(reverse("api_schema"), HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert b"/api/v1/patients/" in response.content


def test_the_admin_holds_reference_data_and_never_patient_data():
    registered = {model._meta.label for model in admin.site._registry}

    assert {"casework.Authority", "casework.JusticeContact"} <= registered
    assert not registered & {
        "casework.Patient",
        "casework.Mandate",
        "casework.Episode",
        "casework.CareTeamMembership",
        "audit.AccessEvent",
        "assessments.Assessment",
        "notes.ClinicalNote",
        "casework.Attendance",
    }


def test_pages_carry_a_strict_content_security_policy(db, client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_no_template_has_inline_script_or_style():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
            r"<style|\sstyle=|\son[a-z]+=", text
        ):
            offenders.append(template.name)

    assert offenders == []


def test_every_templates_title_block_is_text_only():
    """The title is the browser tab's text: markup inside it shows as raw tags (the operations
    page once carried a whole section there)."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        for title in re.findall(r"{% block title %}(.*?){% endblock", template.read_text(), re.S):
            if "<" in title or "\n" in title:
                offenders.append(str(template.relative_to(ROOT)))

    assert offenders == []


def test_the_demo_clinic_is_believable_and_loads_once(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    users = get_user_model().objects
    by_role = {role: users.filter(groups__name=role).count() for role in Role}
    assert by_role == {
        Role.CLINICAL_LEAD: 1,
        Role.PSYCHOLOGIST: 3,
        Role.ADMINISTRATOR: 2,
        Role.AUDITOR: 1,
        Role.HELPLINE_LISTENER: 1,
    }
    assert 35 <= Patient.objects.count() <= 45
    assert set(Authority.objects.values_list("kind", flat=True)) == set(Authority.Kind.values) - {
        "other"
    }
    statuses = set(Patient.objects.values_list("status", flat=True))
    assert statuses == set(CareStage.values)
    assert Mandate.objects.filter(status="ended").exists()
    assert Patient.objects.filter(mandates__isnull=True).exists()  # voluntary patients
    for recipient in [*Authority.objects.all(), *JusticeContact.objects.all()]:
        recipient.full_clean()  # each has a postal address a letter can be posted to
    out = capsys.readouterr().out
    assert "already loaded" in out
    assert "psy.martin" in out and "demo-clinic-2026" in out


_SERVICES = {
    "DATABASE_URL": "postgres://clinic@127.0.0.1:5432/clinic",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k3Jx9-" * 10,
    "AUDIT_CHAIN_KEY": "a8Qz2_" * 10,
    **_SERVICES,
    "CLINIC_NAME": "Clinic",
    "CLINIC_ADDRESS": "Street 1",
    "CLINIC_PLACE": "Town",
}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        (
            {
                "SECRET_KEY": "x" * 50,
                "AUDIT_CHAIN_KEY": "y" * 50,
                "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
                "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            },
            "Production runs on PostgreSQL",
        ),
        (
            {
                "SECRET_KEY": "x" * 50,
                "AUDIT_CHAIN_KEY": "y" * 50,
                "DATABASE_URL": "postgres://clinic@127.0.0.1:5432/clinic",
                "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            },
            "CLINIC_NAME must be set in production: letters carry it.",
        ),
        (
            {"SECRET_KEY": "x" * 49, "AUDIT_CHAIN_KEY": "y" * 50, **_SERVICES},
            "SECRET_KEY must be at least 50 characters long",
        ),
        (
            {"SECRET_KEY": "x" * 50, "AUDIT_CHAIN_KEY": "y" * 49, **_SERVICES},
            "AUDIT_CHAIN_KEY must be at least 50 characters long",
        ),
    ],
)
def test_production_settings_refuse_to_start_half_configured(env, message):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert message in result.stderr


def test_the_deployment_check_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECURE_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, **PRODUCTION},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_keeps_its_database_connections_between_requests():
    env = {**os.environ, **PRODUCTION}
    env.pop("CONN_MAX_AGE", None)
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )

    assert result.stdout.split() == ["60", "True"], result.stderr


# --- the demo server: DEBUG off, the project's own error pages, static files still served


def make_dry_run(target: str) -> list[str]:
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_make_run_serves_the_demo_without_debug():
    commands = [line for line in make_dry_run("run") if "manage.py" in line]

    assert [line for line in commands if "runserver" in line]
    assert not [line for line in commands if re.search(r"DEBUG=(1|true|yes|on)", line, re.I)]
    server = next(line for line in commands if "runserver" in line)
    assert "DEBUG=false" in server  # even when the shell exports DEBUG=true
    assert "--insecure" in server  # runserver serves the static files without DEBUG


def test_make_run_links_its_emails_to_the_address_it_serves():
    """The demo's e-mails (a letter to co-sign, a password reset) link to the address the demo
    is served at, whatever ADDRESS says, not to the default one."""
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "ADDRESS=127.0.0.1:8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    seeding = next(line for line in commands if "seed_demo" in line)
    serving = next(line for line in commands if "runserver" in line)

    assert "SITE_URL=http://127.0.0.1:8123" in seeding
    assert "SITE_URL=http://127.0.0.1:8123" in serving
    assert serving.endswith("127.0.0.1:8123")


@pytest.mark.parametrize("persona", [None, "treating_psychologist"])
def test_a_missing_page_is_the_projects_404_without_the_url_list(persona, request, client_for):
    user = request.getfixturevalue(persona) if persona else None

    response = client_for(user).get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assert "There is nothing here" in page
    assert "URLconf" not in page and "api/v1/" not in page and "admin/" not in page


@pytest.mark.urls("tests.urls_failing")
def test_a_server_error_is_the_projects_500_page(db):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/fail/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Nothing was saved" in page
    assert "Traceback" not in page and "ZeroDivisionError" not in page


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_runserver_insecure_serves_static_files_and_the_404_page_without_debug(tmp_path):
    """What `make run` relies on: static files and the project's 404, with DEBUG off."""
    address = f"127.0.0.1:{free_port()}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "VAR_DIR": str(tmp_path),  # a throwaway SQLite file and secret, never the demo's
        "DEBUG": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--insecure", "--noreload", address],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        static = fetch(f"http://{address}/static/css/app.css", until=time.monotonic() + 30)
        missing = fetch(f"http://{address}/no-such-page/")
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert static[0] == 200
    assert missing[0] == 404
    assert "There is nothing here" in missing[1] and "URLconf" not in missing[1]


def fetch(url: str, until: float = 0.0) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except urllib.error.URLError:
            if time.monotonic() > until:
                raise
            time.sleep(0.2)


def test_every_api_model_serializer_reads_fields_the_clinic_way():
    """ClinicModelSerializer maps dates, times, e-mail addresses and ids to the bounded fields
    (common.api): a model serializer that forgets it reads 9999-12-31 again."""
    import inspect

    from rest_framework import serializers

    from assessments import api as assessments_api
    from casework.api import groups, patients, sessions
    from common.api import ClinicModelSerializer
    from notes import api as notes_api

    forgotten = [
        f"{module.__name__}.{name}"
        for module in (assessments_api, groups, notes_api, patients, sessions)
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, serializers.ModelSerializer)
        and not issubclass(cls, ClinicModelSerializer)
    ]
    assert forgotten == []


def test_the_package_holds_every_app_the_settings_install():
    """An install that is not editable builds from pyproject's package list: an app missing
    there is missing from the install."""
    import tomllib

    from django.conf import settings
    from setuptools import find_packages

    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    packaged = set(find_packages(where=str(ROOT), include=include))
    ours = {
        app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()
    }

    assert ours - packaged == set()


def _database_options(**env) -> dict:
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(repr(settings.DATABASES['default']['OPTIONS']))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_postgresql_prepares_statements_and_keeps_the_urls_options():
    url = "postgres://clinic@127.0.0.1:5432/clinic?sslmode=require"

    options = _database_options(DATABASE_URL=url)

    assert options == {
        "sslmode": "require",
        "server_side_binding": True,
        "prepare_threshold": 1,
        "options": "-c jit=off",
    }
    assert _database_options(
        DATABASE_URL=url, DB_PREPARED_STATEMENTS="false", DB_JIT_OFF="false"
    ) == {"sslmode": "require"}


def _in_production(script: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DB_", "LOG_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + script],
        env={**clean, **PRODUCTION, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_bounds_statements_and_idle_transactions_in_postgresql():
    script = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"

    default = _in_production(script)
    worker = _in_production(script, DB_STATEMENT_TIMEOUT="300")
    pooled = _in_production(
        script, DB_STATEMENT_TIMEOUT="0", DB_IDLE_IN_TRANSACTION_TIMEOUT="0", DB_JIT_OFF="false"
    )

    assert "-c statement_timeout=30s -c idle_in_transaction_session_timeout=60s" in default.stdout
    assert "-c jit=off" in default.stdout  # no JIT compiling for a short statement
    assert "-c statement_timeout=300s" in worker.stdout
    assert "'options'" not in pooled.stdout, pooled.stderr


def test_health_answers_a_load_balancer_over_plain_http_while_pages_go_to_https():
    script = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/readyz').status_code, "
        "c.get('/').status_code, c.get('/login/').status_code)"
    )

    result = _in_production(script, ALLOWED_HOSTS="testserver", DATABASE_URL=_UNREACHABLE_DB)

    # /readyz answers 503: this database does not exist; it answers, not a redirect.
    assert result.stdout.split() == ["200", "503", "301", "301"], result.stderr


_UNREACHABLE_DB = "postgres://nobody@127.0.0.1:1/none"


@pytest.mark.parametrize(
    ("hosts", "refused"), [("127.0.0.1,localhost", False), ("clinic.example.org", True)]
)
def test_plain_http_is_for_a_stack_reached_from_this_machine_only(hosts, refused):
    script = "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE)"

    result = _in_production(script, LOCAL_HTTP_ONLY="true", ALLOWED_HOSTS=hosts)

    if refused:
        assert "LOCAL_HTTP_ONLY=true is for a stack reached from 127.0.0.1 only" in result.stderr
    else:
        assert result.stdout.strip() == "False", result.stderr


def test_the_web_processes_configuration_loads_the_application():
    """`gunicorn --check-config` reads gunicorn.conf.py and loads the application as the
    Procfile's web process does; honcho reads the Procfile."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, **PRODUCTION}

    gunicorn = subprocess.run(
        [bin_dir / "gunicorn", "--config", "gunicorn.conf.py", "--check-config"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    procfile = subprocess.run(
        [bin_dir / "honcho", "check"], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert gunicorn.returncode == 0, gunicorn.stderr
    assert procfile.returncode == 0 and "web, worker, beat" in procfile.stderr, procfile.stderr
