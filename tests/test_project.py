"""Project-wide guarantees: migrations, API schema, admin, CSP, demo data, production guard."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from accounts.roles import Role
from casework.models import Authority, CareStage, Mandate, Patient

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
        "casework.ClinicalNote",
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
    out = capsys.readouterr().out
    assert "already loaded" in out
    assert "psy.martin" in out and "demo-clinic-2026" in out


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
