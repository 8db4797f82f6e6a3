"""What the access log costs, measured in one run at clinic-network scale (bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_audit \\
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/access_log.py [--events N]

On an empty database: loads the demo clinic and 100 more patients, fills the log with N events
(default 2,000,000; one in ten a listing of 25 patients), then measures:
- sealing: rows per second, all N events chained;
- audit_verify --full over the N events, and an incremental run after it;
- the patient page, the patient list (25 rows) and an API list of 50 patients, logging on
  against logging off, with sealing left to a worker and with the embedded default (tasks
  in-process: sealed after the response is sent); medians of interleaved rounds, timed until
  the response is handed to the server, as a user waits for it;
- the auditor's page: p95 with no filter, a file number, part of a user name.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

django.setup()

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import audit.sealing
import audit.services
import audit.verifying
from accounts.models import ApiToken
from bench.inprocess import Requester
from bench.log_rows import fill_log
from casework import services
from casework.models import Patient
from config.celery import app

ROUNDS, REQUESTS = 9, 25
PAGE_TARGET, VERIFY_TARGET, AUDITOR_TARGET = 1.10, 20.0, 60.0


# --- Filling the log ------------------------------------------------------------------------


def add_patients(count: int) -> None:
    lead = get_user_model().objects.get(username="lead")
    for i in range(count):
        services.patient_register(
            actor=lead,
            last_name=f"Bench{i:03d}",
            first_name="Patient",
            date_of_birth=datetime.date(1970, 1, 1) + datetime.timedelta(days=97 * i),
            sex="male",
            preferred_language="fr",
            referral_source="justice_assistant",
            referral_received_on=timezone.localdate() - datetime.timedelta(days=300),
        )


# --- Pages ------------------------------------------------------------------------------------


def noop(*args, **kwargs):
    return None


def logging_off() -> ExitStack:
    """record_access and record_listing made no-ops wherever a module imported them."""
    stack = ExitStack()
    for module in list(sys.modules.values()):
        for name in ("record_access", "record_listing"):
            if getattr(module, name, None) is getattr(audit.services, name):
                stack.enter_context(mock.patch.object(module, name, noop))
    return stack


def sealing(mode: str) -> ExitStack:
    stack = ExitStack()
    if mode == "worker":
        stack.enter_context(mock.patch.object(settings, "CELERY_TASK_ALWAYS_EAGER", False))
        if os.environ.get("REDIS_URL"):  # the real cost of queueing the task
            saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
            app.conf.update(broker_url=os.environ["REDIS_URL"], task_always_eager=False)
            app._pool = None
            stack.callback(lambda: (app.conf.update(saved), setattr(app, "_pool", None)))
        else:
            stack.enter_context(mock.patch("audit.tasks.seal_access_log.delay", noop))
    return stack


def measure(requester: Requester, path: str) -> dict[str, float]:
    for _ in range(3):
        requester.get(path)  # warm-up
    times = {"off": [], "worker": [], "embedded": []}
    for _ in range(ROUNDS):
        for mode in times:
            with logging_off() if mode == "off" else sealing(mode):
                times[mode].append(statistics.median(requester.get(path) for _ in range(REQUESTS)))
    return {mode: statistics.median(values) for mode, values in times.items()}


def p95(requester: Requester, path: str, n: int = 40) -> float:
    requester.get(path)
    samples = sorted(requester.get(path) for _ in range(n))
    return samples[int(len(samples) * 0.95) - 1] * 1000


# --- The run ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    total = parser.parse_args().events
    call_command("migrate", verbosity=0)
    if get_user_model().objects.exists():
        sys.exit("The database is not empty: point DATABASE_URL at an empty database.")
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    add_patients(100)
    while audit.sealing.seal_access_log():
        pass
    vendor = connection.vendor
    print(f"{vendor}, {total:,} events in the log, {Patient.objects.count()} patients\n")

    started = time.perf_counter()
    # The log of a network of clinics names far more files than this database holds; one
    # event in seven names a file here, so that filtering by its number finds thousands.
    patients = list(Patient.objects.values_list("pk", "file_number"))
    fake = [(100_000 + i, f"20{i % 30:02d}-{i:04d}") for i in range(20_000)]
    weight = max(1, round(len(fake) / (6 * len(patients))))
    fill_log(total, patients=patients * weight + fake)
    print(f"filled the log in {time.perf_counter() - started:.0f} s")

    started, sealed = time.perf_counter(), 0
    while batch := audit.sealing.seal_access_log():
        sealed += batch
    seal_seconds = time.perf_counter() - started
    rate = sealed / seal_seconds

    started = time.perf_counter()
    report = audit.verifying.verify_access_log(full=True)
    verify_full = time.perf_counter() - started
    assert report.ok, report.problems
    started = time.perf_counter()
    audit.verifying.verify_access_log()
    verify_incremental = time.perf_counter() - started

    lead = get_user_model().objects.get(username="lead")
    auditor = get_user_model().objects.get(username="auditor.mertens")
    pages = Requester(lead)
    api = Requester(lead, token=ApiToken.objects.create(user=lead, name="bench")[1])
    patient = Patient.objects.filter(status="in_treatment").first()
    rows = [
        ("patient page", pages, patient.get_absolute_url()),
        ("patient list (25 rows)", pages, reverse("casework:patient_list")),
        ("API list of 50 patients", api, reverse("api:patient_list")),
    ]
    results = [(label, measure(requester, path)) for label, requester, path in rows]

    reader = Requester(auditor)
    log_url = reverse("audit:event_list")
    auditor_p95 = [
        ("no filter", p95(reader, log_url)),
        ("a file number", p95(reader, f"{log_url}?file_number={patient.file_number}")),
        ("part of a user name", p95(reader, f"{log_url}?username=marti")),
    ]

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"\n| measure ({vendor}, {total:,} events) | figure | target |")
    print("|---|---|---|")
    for label, times in results:
        for mode in ("worker", "embedded"):
            ratio = times[mode] / times["off"]
            how = "by a worker" if mode == "worker" else "after the response (embedded)"
            figures = f"{times[mode] * 1000:.1f} ms vs {times['off'] * 1000:.1f} ms unlogged"
            print(
                f"| {label}, logged, sealing {how} | ×{ratio:.2f} ({figures})"
                f" | ≤ ×{PAGE_TARGET:.2f} {verdict(ratio <= PAGE_TARGET)} |"
            )
    print(f"| sealing | {rate:,.0f} rows/s ({sealed:,} rows in {seal_seconds:.0f} s) | — |")
    print(
        f"| audit_verify --full | {verify_full:.1f} s | ≤ {VERIFY_TARGET:.0f} s "
        f"{verdict(verify_full <= VERIFY_TARGET)} |"
    )
    print(f"| audit_verify, incremental after it | {verify_incremental:.2f} s | — |")
    for label, value in auditor_p95:
        print(
            f"| auditor's page p95, {label} | {value:.1f} ms | ≤ {AUDITOR_TARGET:.0f} ms "
            f"{verdict(value <= AUDITOR_TARGET)} |"
        )


if __name__ == "__main__":
    main()
