"""What the access log costs a page, as a ratio measured in one run (see bench/README.md)."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from casework.models import Patient

ROUNDS, REQUESTS = 5, 40


def timed(client, url) -> float:
    start = time.perf_counter()
    for _ in range(REQUESTS):
        assert client.get(url).status_code == 200
    return (time.perf_counter() - start) / REQUESTS


def measure(client, url) -> tuple[float, float, float]:
    """Median per-request time: logged and sealed in-process (the embedded demo), logged with
    sealing left to a worker (production), and not logged. Interleaved to share any drift."""
    timed(client, url)  # warm-up
    sealed, logged, silent = [], [], []
    for _ in range(ROUNDS):
        sealed.append(timed(client, url))
        with mock.patch("audit.services._schedule_seal"):
            logged.append(timed(client, url))
        with (
            mock.patch("casework.views.base.record_access"),
            mock.patch("casework.views.patients.record_listing"),
        ):
            silent.append(timed(client, url))
    return statistics.median(sealed), statistics.median(logged), statistics.median(silent)


def main() -> None:
    call_command("migrate", verbosity=0)
    if get_user_model().objects.exists():
        sys.exit("The database is not empty: point DATABASE_URL at an empty database.")
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    client.force_login(get_user_model().objects.get(username="lead"))
    patient = Patient.objects.filter(status="in_treatment").first()
    vendor = django.db.connection.vendor
    print(f"{vendor}: median of {ROUNDS} rounds of {REQUESTS} requests")
    for label, url in [
        ("patient page", patient.get_absolute_url()),
        ("patient list (25 rows)", reverse("casework:patient_list")),
    ]:
        sealed, logged, silent = measure(client, url)
        print(
            f"  {label:<24} unlogged {silent * 1000:6.2f} ms"
            f" | logged, sealed by a worker x{logged / silent:.2f}"
            f" | logged and sealed in-process x{sealed / silent:.2f}"
        )


if __name__ == "__main__":
    main()
