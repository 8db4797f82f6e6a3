"""What producing letters costs, measured in one run (bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_letters \\
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/letters.py [--letters 200]

On an empty database: loads the demo clinic, drafts and signs periodic reports, then measures:
- one letter through our code (reports.services.letter_render: claim, build the HTML from the
  frozen facts, render through the static-only fetcher, seal if a seal is configured, store
  with its SHA-256, log) against the project's own WeasyPrint call alone on the same HTML
  (common.pdf.render_pdf: the same fetcher, fonts and PDF/A), so that the ratio is what our
  code adds around the render; medians of interleaved runs, one letter each;
- with a seal configured (LETTER_SEAL_CERTIFICATE, LETTER_SEAL_PASSWORD): sealing a letter
  against rendering it, medians of 50 interleaved runs in this process;
- N letters (default 200) through two real Celery worker processes on the Redis broker, from
  the commit that signs them all to the last PDF stored, against the ideal: N × one render
  through our code ÷ 2; three rounds, the median reported (a 2-core machine is noisy).
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
if os.environ.get("REDIS_URL"):
    os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]

import django

django.setup()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from casework.models import Mandate
from common.pdf import render_pdf
from config.celery import app
from reports import services
from reports.models import Letter
from reports.rendering import render_html

SINGLE_TARGET, WORKERS_TARGET = 1.15, 1.20
SINGLE_RUNS = 25
SEAL_RUNS = 50
ROUNDS = 3  # of N letters through the workers; the median is reported


def draft_reports(count: int) -> list[Letter]:
    """`count` replies to the authorities over the demo's active mandates (several each)."""
    admin = get_user_model().objects.get(username="admin.leroy")
    mandates = list(
        Mandate.objects.filter(status="active", patient__status="in_treatment").order_by("pk")
    )
    today = timezone.localdate()
    letters = []
    for index in range(count):
        mandate = mandates[index % len(mandates)]
        end = today - datetime.timedelta(days=index // len(mandates))
        kind = "reply_to_request"  # an end of treatment needs the episode closed first
        letters.append(
            services.letter_draft(
                actor=admin,
                patient=mandate.patient,
                kind=kind,
                # It answers a request of the authority, received on a day (its deadline).
                request_received_on=end,
                mandate=mandate,
                period_start=end - datetime.timedelta(days=180),
                period_end=end,
                paragraph="La personne se présente de manière régulière et ponctuelle.",
            )
        )
    return letters


def sign(letters: list[Letter]) -> float:
    """Sign as the clinical lead; the renders are queued when the transaction commits.
    Returns the time of the commit (perf_counter)."""
    lead = get_user_model().objects.get(username="lead")
    committed = []
    with transaction.atomic():
        # First in line at the commit, before the renders are queued.
        transaction.on_commit(lambda: committed.append(time.perf_counter()))
        for letter in letters:
            services.letter_sign(actor=lead, letter=letter)
    return committed[0]


def weasyprint_alone(html: str) -> bytes:
    """The same HTML through the project's own WeasyPrint call and nothing else: the static-
    only fetcher, the same fonts, PDF/A (an earlier baseline used WeasyPrint's default
    fetcher, which is slower, and flattered our code)."""
    return render_pdf(html)


def single(letters: list[Letter]) -> tuple[float, float]:
    """Medians of one letter through our code and of our WeasyPrint call alone, interleaved."""
    ours, alone = [], []
    for letter in letters:
        letter = Letter.objects.get(pk=letter.pk)
        html = render_html(letter, letter.facts)
        started = time.perf_counter()
        weasyprint_alone(html)
        alone.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert services.letter_render(letter_id=letter.pk)
        ours.append(time.perf_counter() - started)
    return statistics.median(ours), statistics.median(alone)


def sealing(letters: list[Letter]) -> tuple[float, float]:
    """Medians of sealing a letter's PDF and of rendering it, interleaved."""
    from reports.sealing import seal_pdf

    htmls = [render_html(letter, letter.facts) for letter in letters]
    sealed, rendered = [], []
    for run in range(SEAL_RUNS):
        started = time.perf_counter()
        pdf = render_pdf(htmls[run % len(htmls)])
        rendered.append(time.perf_counter() - started)
        started = time.perf_counter()
        seal_pdf(pdf)
        sealed.append(time.perf_counter() - started)
    return statistics.median(sealed), statistics.median(rendered)


def start_workers() -> subprocess.Popen:
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    for _ in range(120):
        if app.control.ping(timeout=0.5):
            return worker
    worker.terminate()
    sys.exit("The workers did not start.")


def through_workers(letters: list[Letter]) -> tuple[float, list[float]]:
    """Seconds from the commit that signs them all to the last PDF stored, and each letter's
    time in a worker (claimed to stored)."""
    ids = [letter.pk for letter in letters]
    committed = sign(letters)
    while Letter.objects.filter(pk__in=ids, pdf_sha256="").exists():
        time.sleep(0.05)
    elapsed = time.perf_counter() - committed
    spans = [
        (stored - claimed).total_seconds()
        for claimed, stored in Letter.objects.filter(pk__in=ids).values_list(
            "render_started_at", "rendered_at"
        )
    ]
    return elapsed, spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    count = parser.parse_args().letters
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the workers take their letters from a Redis broker.")
    call_command("migrate", verbosity=0)
    if get_user_model().objects.exists():
        sys.exit("The database is not empty: point DATABASE_URL at an empty database.")
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    vendor = connection.vendor

    letters = draft_reports(SINGLE_RUNS + 2 + ROUNDS * count)
    warm, measured = letters[:2], letters[2 : SINGLE_RUNS + 2]
    rest = letters[SINGLE_RUNS + 2 :]
    rounds = [rest[index * count : (index + 1) * count] for index in range(ROUNDS)]
    with mock.patch("reports.services._queue_render", lambda letter: None):
        sign(warm + measured)  # rendered below, one by one, in this process
    single(warm)  # fonts loaded, templates compiled
    ours, alone = single(measured)
    sealed = sealing(measured) if settings.LETTER_SEAL_CERTIFICATE else None

    app.control.purge()  # what seeding queued (sealing, rules): not part of the measure
    worker = start_workers()
    try:
        results = [through_workers(queued) for queued in rounds]
    finally:
        worker.terminate()  # a warm shutdown: the tasks the commits queued may still run
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    ideal = count * ours / 2
    assert not Letter.objects.filter(pk__in=[letter.pk for letter in rest], pdf_sha256="")
    times = sorted(elapsed for elapsed, _spans in results)
    elapsed = statistics.median(times)
    spans = [span for _elapsed, round_spans in results for span in round_spans]

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    ratio_single, ratio_workers = ours / alone, elapsed / ideal
    print(f"\n| measure ({vendor}) | figure | target |")
    print("|---|---|---|")
    how = "sealed" if sealed else "not sealed"
    print(
        f"| one letter through our code ({how}) vs our WeasyPrint call alone | ×{ratio_single:.2f} "
        f"({ours * 1000:.0f} ms vs {alone * 1000:.0f} ms, medians of {SINGLE_RUNS}) "
        f"| ≤ ×{SINGLE_TARGET:.2f} {verdict(ratio_single <= SINGLE_TARGET)} |"
    )
    print(
        f"| {count} letters through 2 workers vs {count} × one letter ÷ 2 | ×{ratio_workers:.2f} "
        f"({elapsed:.1f} s vs {ideal:.1f} s; median of {ROUNDS} rounds: "
        f"{', '.join(f'{value:.1f}' for value in times)} s) | ≤ ×{WORKERS_TARGET:.2f} "
        f"{verdict(ratio_workers <= WORKERS_TARGET)} |"
    )
    if sealed:
        seal, render = sealed
        print(
            f"| sealing one letter vs rendering it | ×{seal / render:.2f} ({seal * 1000:.0f} ms "
            f"vs {render * 1000:.0f} ms, medians of {SEAL_RUNS}) | — |"
        )
    spans.sort()
    print(
        f"| one letter in a worker, claimed to stored: median, slowest | "
        f"{statistics.median(spans) * 1000:.0f} ms, {spans[-1] * 1000:.0f} ms | — |"
    )


if __name__ == "__main__":
    main()
