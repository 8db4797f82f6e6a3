"""The helpline's statistics at two years of a network's contacts (bench/README.md, issue 30).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_helpline \\
    .venv/bin/python bench/helpline_statistics.py [--recreate] [--scale 1.0] [--runs 15] [--explain]

On an empty PostgreSQL database (`--recreate` drops and creates it first, if its name says
bench): migrates, seeds the helpline's contacts as bench/scale.py does (at scale 1: 40,000
contacts over the last two years up to now, answered by 5 listeners, a tenth of them missed,
one problem tag for each answered one), counts every month (helpline.counts.count_all, timed),
VACUUM ANALYZEs them as autovacuum would, times counting this month again (what saving a
contact adds), then times
`helpline.statistics.figures` for last year, this year, this month and a month of last year:
the median over `--runs` calls of each statement's time (from the application's side: sent,
run, rows fetched), of the statements together and of the whole call, on one kept connection
as the app keeps it (prepared statements, JIT off: config/settings). `--explain` prints each
statement's EXPLAIN (ANALYZE, BUFFERS) once. Target: the statements together ≤ 20 ms.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

from bench.databases import server

TARGET_MS = 20.0
CONTACTS_PER_SCALE = 40_000  # bench/scale.py: 2 a patient, 20,000 patients at scale 1


def recreate() -> None:
    from dj_database_url import parse

    name = parse(os.environ["DATABASE_URL"])["NAME"]
    if "bench" not in name:
        sys.exit(f"--recreate recreates benchmark databases only (…bench…), not {name!r}.")
    server(f'DROP DATABASE IF EXISTS "{name}"')
    server(f'CREATE DATABASE "{name}"')


def seed(contacts: int) -> None:
    """The contacts of bench/scale.py (the same draws, in a generator of their own): spread
    over the last two years up to now, a tenth missed, a third repeat, one tag if answered."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bench.helpline_rows import contact_fields
    from helpline.models import Contact, ProblemTag

    rng = random.Random(2026)
    now = timezone.now()
    User = get_user_model()
    listeners = [
        User.objects.create(username=f"listener{n}", first_name="L", last_name="Bench")
        for n in range(5)
    ]
    tags = list(ProblemTag.objects.values_list("pk", flat=True))
    rows, tagged = [], []
    for _ in range(contacts):
        fields = contact_fields(rng, now)
        rows.append(Contact(**fields, listener=rng.choice(listeners)))
        tagged.append(None if fields["missed"] else rng.choice(tags))
    Contact.objects.bulk_create(rows, batch_size=2000)
    Through = Contact.tags.through
    Through.objects.bulk_create(
        [Through(contact_id=c.pk, problemtag_id=t) for c, t in zip(rows, tagged, strict=True) if t],
        batch_size=5000,
    )  # past the hooks that count a contact's tags: counted again below, as after a COPY


def vacuum() -> None:
    """What autovacuum does to a table that grows: statistics, and the visibility map that
    lets an index-only scan skip the table."""
    from django.db import connection

    from helpline.models import Contact

    with connection.cursor() as cursor:
        for model in (Contact, Contact.tags.through):
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')


class Timer:
    """execute_wrapper: each statement's time, from the application's side, with its SQL."""

    def __init__(self):
        self.statements: list[tuple[str, tuple, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, (time.perf_counter() - started) * 1000))


def measure(year: int, month: int | None, runs: int, explain: bool) -> dict:
    from django.db import connection

    from helpline.statistics import figures

    per_statement: list[list[float]] = []
    totals, walls, counts = [], [], set()
    timer = Timer()
    for _ in range(runs):
        timer.statements = []
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            figures(year, month)
        walls.append((time.perf_counter() - started) * 1000)
        counts.add(len(timer.statements))
        for index, (_sql, _params, ms) in enumerate(timer.statements):
            if len(per_statement) <= index:
                per_statement.append([])
            per_statement[index].append(ms)
        totals.append(sum(ms for _sql, _params, ms in timer.statements))
    plans = []
    if explain:
        with connection.cursor() as cursor:
            for sql, params, _ms in timer.statements:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return {
        "statements": [
            (timer.statements[i][0], statistics.median(times))
            for i, times in enumerate(per_statement)
        ],
        "sql": statistics.median(totals),
        "wall": statistics.median(walls),
        "counts": counts,
        "plans": plans,
    }


def machine_speed() -> float:
    """A pure-Python loop's time, as bench/scale.py prints it: to compare runs across days."""
    started = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i % 7
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--no-seed", action="store_true", help="measure the data already there")
    args = parser.parse_args()
    if args.recreate:
        recreate()
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from helpline import counts
    from helpline.models import Contact

    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL database.")
    if not args.no_seed:
        call_command("migrate", verbosity=0)
        if Contact.objects.exists():
            sys.exit("The database has contacts already: --recreate, or --no-seed.")
        started = time.perf_counter()
        seed(int(CONTACTS_PER_SCALE * args.scale))
        print(
            f"seeded {Contact.objects.count():,} contacts in {time.perf_counter() - started:.0f} s"
        )
    started = time.perf_counter()
    months = counts.count_all()
    elapsed = (time.perf_counter() - started) * 1000
    print(f"counted {months} months from scratch in {elapsed:.0f} ms")
    vacuum()
    today = timezone.localdate()
    cases = [
        ("last year", today.year - 1, None),
        ("this year", today.year, None),
        ("this month", today.year, today.month),
        ("a month of last year", today.year - 1, 6),
    ]
    print(f"machine: a pure-Python loop in {machine_speed():.0f} ms")
    recounts = []
    for _ in range(args.runs):  # what a contact saved now adds: its month counted again
        started = time.perf_counter()
        counts.count_months({counts.month_of(timezone.now())})
        recounts.append((time.perf_counter() - started) * 1000)
    print(f"one month counted again (what a save adds): {statistics.median(recounts):.1f} ms")
    figures_of = {}
    for label, year, month in cases:
        measure(year, month, 3, False)  # the connection prepares its statements first
        figures_of[label] = result = measure(year, month, args.runs, args.explain)
        in_period = Contact.objects.filter(
            started_at__year=year, **({"started_at__month": month} if month else {})
        ).count()
        verdict = "ok" if result["sql"] <= TARGET_MS else "MISSED"
        print(
            f"\n{label} ({year}{f'-{month:02d}' if month else ''}, {in_period:,} contacts): "
            f"SQL {result['sql']:.1f} ms, whole call {result['wall']:.1f} ms, "
            f"{'/'.join(map(str, sorted(result['counts'])))} statements, "
            f"target ≤ {TARGET_MS:.0f} ms: {verdict}"
        )
        for sql, ms in result["statements"]:
            print(f"  {ms:7.2f} ms  {sql[:110]}")
        for sql, plan in result["plans"]:
            print(f"\n  -- {sql[:200]}\n{plan}")


if __name__ == "__main__":
    main()
