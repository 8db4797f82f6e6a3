"""The pages people use all day, at 1,000 and at 20,000 patients, in one run (bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale \\
    .venv/bin/python bench/scale.py [--scale 1.0] [--requests 40] [--clinicians 60|400]

On an empty PostgreSQL database: loads the reference data and a staff of 60 clinicians (or
`--clinicians`: 400 of 50 patients each is a network of small caseloads), then
seeds a clinic with COPY (at scale 1: 20,000 patients, each with a mandate, an episode, a lead
therapist and ~50 weekly appointments with their outcomes, so 1,000,000 appointments; 50,000
assessments, 100,000 letters and 40,000 helpline contacts; for half the patients a closed
first episode with its intake, a signed Static-99R and yearly checks of their record, which
the follow-up statistics read), first its first 5 % (its first three clinicians' patients,
334 each, as many as at full size), which it copies aside (a database `<name>_small`, dropped
at the end unless `--keep-small` asks to profile it), then the rest.
For each page and API list: p50 and p95 over HTTP (bench/over_http.py: gunicorn as in
production, each worker's database connection kept; then, at full size, a new one per
request) over `--requests` requests, and its query count, at both sizes, each beside its
targets (docs/performance.md). The two sizes are measured in turns, a few requests each, so
that the drift of a shared machine's speed falls on both alike:

- query counts identical at both sizes;
- p95 <= 60 ms at the full size, and <= 1.5x its own p95 at the small size; <= 80 ms at the
  full size with a new connection per request;
- the clinical lead's statistics (the follow-up page and endpoint, the indicators page and
  endpoint), which count every patient: p95 <= 1 s at the full size, no growth target.

Each step also writes the access log of a clinic in use (100 events per patient, so 2,000,000
at scale 1, sealed and verified as earlier nights would have left them: bench/log_rows.py),
which the auditor's page and the daily tasks then meet. At half and full size it times the
background work: the compliance evaluation and one run of each scheduled task. It also times
the seeding against a plain COPY of the same rows; bench/access_log.py measures the log itself
(sealing, verifying, what logging costs a page).
"""

import argparse
import contextlib
import datetime
import hashlib
import io
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.databases import server  # before Django: --fresh makes the database it will use

os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("CONN_MAX_AGE", "60")  # as in production (docs/operations.md)
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Shared with the web server measured (bench/over_http.py), which reads the sessions made here and
# must, as production does, have keys of 50 characters or more.
for _key in ("SECRET_KEY", "AUDIT_CHAIN_KEY"):
    os.environ.setdefault(_key, secrets.token_urlsafe(50))


def fresh_database() -> None:
    """--fresh: drop and create the database DATABASE_URL names, if its name says bench."""
    from dj_database_url import parse

    name = parse(os.environ["DATABASE_URL"])["NAME"]
    if not name.startswith("bench"):
        sys.exit(f"--fresh recreates benchmark databases only (bench...), not {name!r}.")
    server(f'DROP DATABASE IF EXISTS "{name}{SMALL_SUFFIX}"')
    server(f'DROP DATABASE IF EXISTS "{name}"')
    server(f'CREATE DATABASE "{name}"')


SMALL_SUFFIX = "_small"  # the copy of the small clinic, measured beside the full one


if "--fresh" in sys.argv:
    fresh_database()

import django

django.setup()

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.urls import reverse
from django.utils import timezone
from psycopg.types.json import Jsonb

from accounts.models import ApiToken
from accounts.roles import Role
from assessments.models import Assessment
from assessments.selectors import STATIC99R_LEVELS
from bench.helpline_rows import contact_fields
from bench.inprocess import Requester
from bench.log_rows import fill_log
from bench.over_http import HTTPRequester, collect_static, served
from casework.models import (
    Appointment,
    Attendance,
    AttendanceOutcome,
    Authority,
    CareTeamMembership,
    Episode,
    FollowUpCheck,
    JusticeContact,
    Mandate,
    Patient,
    PatientUserObjectPermission,
)
from common.text import search_key
from helpline.models import Contact, ProblemTag
from reports.models import Dispatch, Letter
from workspace.management.commands.seed_demo import OUTCOME_MIX

P95_TARGET_MS, GROWTH_TARGET = 60.0, 1.5
# Over HTTP (bench/over_http.py): the web server as production runs it, each worker keeping its
# database connection (the targets above), and again opening one per request (this target).
NEW_CONNECTION_P95_TARGET_MS = 80.0
PORT = 8071  # and the next two: the small clinic, the full one, the full one with new connections
WARM_UP = 18  # untimed requests of each page first: each of the 3 workers past its first plans
# The clinical lead's statistics count every patient of the network, so their time grows with
# it by definition and the pages' growth target cannot apply. Theirs: the same number of
# queries at both sizes (a fixed few, whatever the cohort), and p95 within a second at full
# size: a page opened now and then to read the clinic's outcomes, not all day, kept within the
# second a reader waits without losing the thread.
STATISTICS_P95_TARGET_MS = 1000.0
STATISTICS = (
    "follow-up, by completion",
    "follow-up, by risk level",
    "API follow-up",
    "indicators",
    "API indicators",
)
FIRST_SHARE = 0.05  # the small clinic: the first 5 % (1,000 patients at scale 1)
# The network's clinicians, each leading an equal share of its patients at full size (334 at
# scale 1). Patients come in blocks of one clinician's caseload, so the small clinic is its
# first three clinicians' patients: a clinician's caseload is the same at both sizes, and the
# growth measured is the network's, not one clinician's (docs/performance.md).
CLINICIANS = 60
APPOINTMENTS_PER_PATIENT = 50  # weekly: 40 weeks back, 10 ahead
HELPLINE_CONTACTS_PER_PATIENT = 2  # 40,000 contacts over two years at scale 1
LOG_EVENTS_PER_PATIENT = 100  # 2,000,000 access-log events at scale 1
# What happened after treatment (clinic_statistics.follow_up): half the patients come back for
# a second episode of care, their first one closed years ago. Its intake is their start of
# treatment; the open episodes have no intake in this seed (as before: an intake would make
# their periodic reports owed and change every other page's and task's work).
FORMER_EPISODE_SHARE = 0.5
EXIT_MIX = [  # how the first episode ended
    ("completed", 0.5),
    ("stopped_by_patient", 0.15),
    ("revoked", 0.1),
    ("transferred", 0.08),
    ("moved", 0.07),
    ("mandate_ended", 0.07),
    ("other", 0.03),
]
CHECKED_SHARE = 0.6  # of the patients with an intake: 1 to 5 yearly checks of the record
OFFENCE_SHARE = 0.08  # of the patients checked: a new offence found (2.4 % of all patients)
CATEGORY_MIX = [("sexual", 0.25), ("violent", 0.35), ("other", 0.4)]
SCORED_SHARE = 0.7  # of the patients with an intake: a signed Static-99R in its first weeks
STATIC99R_MIX = [("I", 0.1), ("II", 0.25), ("III", 0.35), ("IVa", 0.2), ("IVb", 0.1)]
rng = random.Random(2026)
# The follow-up statistics' data drawn apart, so that the rest of the clinic is drawn exactly as
# it was before they were seeded (the same outcomes, alerts and letters: figures compare).
rng28 = random.Random(28)
BENCH_PDF = b"%PDF-1.7 bench"  # what a worker rendered; no page reads it
BENCH_PDF_SHA256 = hashlib.sha256(BENCH_PDF).hexdigest()
now = timezone.now()
today = timezone.localdate()


# --- COPY, the fast way in ------------------------------------------------------------------


class Table:
    """Rows for one model, written with COPY; ids given here so that rows can point at each
    other; defaults of the model's fields fill what a row leaves out."""

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.rows = []
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{model._meta.db_table}"')
            self.next_id = cursor.fetchone()[0] + 1

    def add(self, **values) -> int:
        row_id = values.setdefault("id", self.next_id)
        self.next_id = max(self.next_id, row_id + 1)
        row = []
        for field in self.fields:
            if field.attname in values:
                value = values[field.attname]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            if isinstance(field, models.JSONField) and value is not None:
                value = Jsonb(value)
            row.append(value)
        self.rows.append(row)
        return row_id

    def copy(self) -> int:
        table, count = self.model._meta.db_table, len(self.rows)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in self.rows:
                    copy.write_row(row)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        self.rows = []
        return count


def plain_copy_seconds(model, rows: int) -> float:
    """COPY of as many rows of the same table, already formatted: the floor for seeding."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE plain (LIKE "{table}" INCLUDING DEFAULTS)')
        cursor.execute(f'SELECT * FROM "{table}" LIMIT {rows}')
        text = io.StringIO()
        with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
            for data in copy:
                text.write(bytes(data).decode())
        text.seek(0)
        started = time.perf_counter()
        with cursor.cursor.copy("COPY plain FROM STDIN") as copy:
            copy.write(text.read())
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE plain")
    return elapsed


# --- The clinic -------------------------------------------------------------------------------


def staff(clinicians: int) -> dict:
    User = get_user_model()

    def person(username, role):
        user = User.objects.create(
            username=username,
            first_name=username,
            last_name="Bench",
            email=f"{username}@bench.invalid",  # so that reminders are composed and sent
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return {
        "lead": person("lead", Role.CLINICAL_LEAD),
        "admin": person("admin", Role.ADMINISTRATOR),
        "auditor": person("auditor", Role.AUDITOR),
        "clinicians": [person(f"psy{n:03d}", Role.PSYCHOLOGIST) for n in range(clinicians)],
        "listeners": [person(f"listener{n}", Role.HELPLINE_LISTENER) for n in range(5)],
    }


def seed(
    first: int, last: int, people: dict, authorities, contacts, caseload: int
) -> dict[str, int]:
    """Patients [first, last) with everything the pages read about them; each clinician leads
    `caseload` consecutive patients (see CLINICIANS)."""
    tables = {
        model: Table(model)
        for model in (
            Patient,
            Mandate,
            Episode,
            FollowUpCheck,
            CareTeamMembership,
            PatientUserObjectPermission,
            Appointment,
            Appointment.clinicians.through,
            Attendance,
            Assessment,
            Letter,
            Dispatch,
            Contact,
            Contact.tags.through,
        )
    }
    outcomes = {o.code: o.pk for o in AttendanceOutcome.objects.all()}
    codes, chances = zip(*OUTCOME_MIX, strict=True)
    zones = list(
        Permission.objects.filter(
            content_type__app_label="casework", codename__in=["access_frame", "access_clinical"]
        ).values_list("pk", flat=True)
    )
    admin, clinicians = people["admin"], people["clinicians"]
    tags = list(ProblemTag.objects.values_list("pk", flat=True))
    for n in range(first, last):
        clinician, k = clinicians[n // caseload], n % caseload  # k: the clinician's k-th
        last_name, first_name = f"Bench{n:06d}", rng.choice(["Jean", "Marc", "Luc", "Wim", "Tom"])
        file_number = f"B-{n:06d}"
        started = today - datetime.timedelta(days=rng.randint(300, 900))
        patient = tables[Patient].add(
            file_number=file_number,
            last_name=last_name,
            first_name=first_name,
            date_of_birth=datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 12000),
            sex="male",
            preferred_language=rng.choice(["fr", "nl"]),
            status="in_treatment",
            lead_therapist_id=clinician.pk,
            created_by_id=admin.pk,
            search_text=search_key(file_number, last_name, first_name),
        )
        tables[Mandate].add(
            patient_id=patient,
            authority_id=rng.choice(authorities),
            justice_contact_id=rng.choice(contacts),
            legal_framework_id="probation",
            decision_date=started - datetime.timedelta(days=20),
            starts_on=started,
            session_frequency="weekly",
            sharing_basis="consent",
            created_by_id=admin.pk,
        )
        tables[Episode].add(
            patient_id=patient,
            stage="in_treatment",
            referral_source="justice_assistant",
            referral_received_on=started - datetime.timedelta(days=30),
            referral_recorded_by_id=admin.pk,
        )
        if rng28.random() < FORMER_EPISODE_SHARE:
            former_episode(tables, patient, started, admin, clinician)
        tables[CareTeamMembership].add(
            patient_id=patient,
            clinician_id=clinician.pk,
            role="lead",
            starts_on=started,
            assigned_by_id=people["lead"].pk,
        )
        for zone in zones:
            tables[PatientUserObjectPermission].add(
                permission_id=zone, user_id=clinician.pk, content_object_id=patient
            )
        # The clinician's k-th patient comes on weekday k % 5, at one of 9 hours: each
        # clinician's week is spread over Monday to Friday, 8:00 to 17:00.
        weekday, hour = k % 5, 8 + (k // 5) % 9
        for week in range(-40, APPOINTMENTS_PER_PATIENT - 40):
            starts = timezone.make_aware(
                datetime.datetime.combine(
                    today + datetime.timedelta(days=7 * week + weekday - today.weekday()),
                    datetime.time(hour),
                )
            )
            appointment = tables[Appointment].add(
                kind="individual",
                status="scheduled",
                patient_id=patient,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                created_by_id=admin.pk,
            )
            tables[Appointment.clinicians.through].add(
                appointment_id=appointment, user_id=clinician.pk
            )
            past = starts < now - datetime.timedelta(days=3)
            code = rng.choices(codes, chances)[0] if past else None
            code, evidence, received_on = with_evidence(code, starts)
            tables[Attendance].add(
                appointment_id=appointment,
                patient_id=patient,
                starts_at=starts,
                outcome_id=outcomes[code] if code else None,
                recorded_at=starts + datetime.timedelta(hours=2) if code else None,
                evidence=evidence,
                evidence_received_on=received_on,
            )
        for index in range(2 if n % 2 else 3):  # 50,000 at 20,000 patients
            assessed = today - datetime.timedelta(days=100 * (index + 1))
            tables[Assessment].add(
                patient_id=patient,
                instrument=["static99r", "stable2007", "acute2007"][index],
                instrument_version="bench",
                assessor_id=clinician.pk,
                assessed_on=assessed,
                responses={},
                status="draft",
                next_due_on=assessed + datetime.timedelta(days=365),
            )
        for index in range(5):  # 100,000 at 20,000 patients
            due_on = started + datetime.timedelta(days=180 * index + 180)
            # A report is drafted, signed and sent around its due date; the latest ones, due
            # from a fortnight ago on, are still drafts (the to-do list's letters to prepare).
            sent = due_on < today - datetime.timedelta(days=14)
            signed_at = timezone.make_aware(
                datetime.datetime.combine(due_on - datetime.timedelta(days=3), datetime.time(11))
            )
            letter = tables[Letter].add(
                kind="periodic_report",
                patient_id=patient,
                mandate_id=tables[Mandate].next_id - 1,
                recipients=["authority", "justice_assistant"],
                language="fr",
                status="sent" if sent else "draft",
                period_start=started + datetime.timedelta(days=180 * index),
                period_end=started + datetime.timedelta(days=180 * index + 179),
                due_on=due_on,
                **(
                    {
                        "ready_at": signed_at,
                        "signed_at": signed_at,
                        "signed_by_id": clinician.pk,
                        "rendered_at": signed_at,
                        "pdf": BENCH_PDF,
                        "pdf_sha256": BENCH_PDF_SHA256,
                    }
                    if sent
                    else {}
                ),
            )
            for recipient in ("authority", "justice_assistant") if sent else ():
                tables[Dispatch].add(
                    letter_id=letter,
                    recipient=recipient,
                    channel="post",
                    recorded_at=signed_at + datetime.timedelta(days=1),
                    recorded_by_id=admin.pk,
                    sent_at=signed_at + datetime.timedelta(days=1),
                )
        # The helpline's contacts (it knows no patients: they come with the clinic's size
        # only), spread over the last two years up to now.
        for _ in range(HELPLINE_CONTACTS_PER_PATIENT):
            fields = contact_fields(rng, now)
            contact = tables[Contact].add(**fields, listener_id=rng.choice(people["listeners"]).pk)
            if not fields["missed"]:
                tables[Contact.tags.through].add(contact_id=contact, problemtag_id=rng.choice(tags))
    return {model._meta.db_table: table.copy() for model, table in tables.items()}


def former_episode(tables, patient: int, started: datetime.date, admin, clinician) -> None:
    """A first episode of care, closed before the open one's referral (FORMER_EPISODE_SHARE),
    with what the follow-up statistics read of it: its intake (the start of treatment), a
    signed Static-99R in its first weeks (SCORED_SHARE), and yearly checks of the justice record
    from the intake on (CHECKED_SHARE), one of which may find a new offence committed after the
    start and not after the check (FollowUpCheck's constraints)."""
    referred = started - datetime.timedelta(days=rng28.randint(1000, 3000))  # 3 to 8 years back
    intake = referred + datetime.timedelta(days=rng28.randint(14, 60))
    closed = intake + datetime.timedelta(days=rng28.randint(180, 700))  # before the new referral
    exits, weights = zip(*EXIT_MIX, strict=True)
    tables[Episode].add(
        patient_id=patient,
        stage="closed",
        referral_source="justice_assistant",
        referral_received_on=referred,
        referral_recorded_by_id=admin.pk,
        intake_on=intake,
        intake_recorded_by_id=admin.pk,
        treatment_started_on=intake + datetime.timedelta(days=14),
        treatment_started_by_id=admin.pk,
        closed_on=closed,
        closed_by_id=admin.pk,
        exit_reason=rng28.choices(exits, weights)[0],
    )
    if rng28.random() < SCORED_SHARE:
        assessed = intake + datetime.timedelta(days=rng28.randint(0, 60))
        levels, chances = zip(*STATIC99R_MIX, strict=True)
        tables[Assessment].add(
            patient_id=patient,
            instrument="static99r",
            instrument_version="bench",
            assessor_id=clinician.pk,
            assessed_on=assessed,
            responses={},
            levels={STATIC99R_LEVELS: rng28.choices(levels, chances)[0]},
            trained_assessor=True,
            complete=True,
            status="signed",
            signed_at=timezone.make_aware(datetime.datetime.combine(assessed, datetime.time(12))),
            next_due_on=None,  # long superseded: no reminder
        )
    if rng28.random() >= CHECKED_SHARE:
        return
    days = [
        365 * year + rng28.randint(-30, 30)
        for year in range(1, rng28.randint(1, 5) + 1)
        if intake + datetime.timedelta(days=365 * year + 30) < today
    ]
    found = rng28.randrange(len(days)) if days and rng28.random() < OFFENCE_SHARE else None
    categories, chances = zip(*CATEGORY_MIX, strict=True)
    for index, day in enumerate(days):
        checked = intake + datetime.timedelta(days=day)
        offence = (
            {
                "new_offence": True,
                "offence_on": intake + datetime.timedelta(days=rng28.randint(1, day)),
                "kind": rng28.choice(["charge", "conviction"]),
                "category": rng28.choices(categories, chances)[0],
            }
            if index == found
            else {}
        )
        tables[FollowUpCheck].add(
            patient_id=patient,
            checked_on=checked,
            source="justice_record",
            recorded_by_id=admin.pk,
            **offence,
        )


def with_evidence(code: str | None, starts: datetime.datetime) -> tuple[str | None, str, object]:
    """An outcome with its evidence as a clinic's would stand: a medical certificate arrives
    within days; an absence awaiting its evidence waits three weeks at most, then is settled
    (nine in ten with a certificate, the rest unacceptable). So only recent sessions still
    wait for a document, as on the to-do list of a clinic in use."""
    if code == "absence-awaiting-evidence" and starts < now - datetime.timedelta(days=21):
        code = "absence-medical" if rng.random() < 0.9 else "absence-unacceptable"
    if code == "absence-awaiting-evidence":
        return code, "awaited", None
    if code == "absence-medical":
        received_on = timezone.localdate(starts) + datetime.timedelta(days=rng.randint(1, 10))
        if received_on < today:
            return code, "received", received_on
        return code, "awaited", None
    return code, "not_needed", None


# --- Measuring --------------------------------------------------------------------------------


# One connection per database, kept from turn to turn (closed by close_kept()).
_kept = {}


@contextlib.contextmanager
def on(database: str):
    """Requests and queries on this database (the small clinic's copy or the full one),
    through a connection of its own kept between turns, as a web process keeps its connection
    between requests (CONN_MAX_AGE, docs/operations.md). Closed at every turn, as it was until
    2026-12-03, it made every timed request one of a connection's first six, on which
    PostgreSQL plans each statement anew: 4 to 7 ms a page (docs/performance.md)."""
    seeding = connections[DEFAULT_DB_ALIAS]
    if database not in _kept:
        settings_dict = {**seeding.settings_dict, "NAME": database}
        _kept[database] = type(seeding)(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = _kept[database]
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = seeding


def close_kept() -> None:
    for kept in _kept.values():
        kept.close()
    _kept.clear()


ROUND = 5  # requests per size in turn


def measure(sizes: dict[str, list], requests: int) -> dict[str, dict[str, tuple]]:
    """p50, p95 and the query count of each page at each size. The sizes take turns, ROUND
    requests each, each turn after an untimed request (the connection, the caches): the
    machine's speed drifts by 10 to 40 % within minutes on a shared host, and taking turns
    lets the drift fall on both sizes alike, so that their ratio holds."""
    results = {size: {} for size in sizes}
    for index in range(len(next(iter(sizes.values())))):
        times = {size: [] for size in sizes}
        for _ in range(max(1, requests // ROUND)):
            for size, pages in sizes.items():
                label, requester, path = pages[index]
                with on(size):
                    requester.get(path)
                    times[size] += [requester.get(path) for _ in range(ROUND)]
        for size, pages in sizes.items():
            label, requester, path = pages[index]
            with on(size):
                queries = requester.count_queries(path)
            ordered = sorted(times[size])
            p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
            results[size][label] = (statistics.median(ordered) * 1000, p95 * 1000, queries)
    return results


def machine_speed() -> float:
    """Milliseconds this machine takes, now, for a fixed piece of pure Python (the best of
    three), printed before and after the pages' times: so that a reader can tell a slow spell
    of a shared host from slow code, and compare runs on different days (docs/performance.md).
    """

    def work() -> float:
        started = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        return (time.perf_counter() - started) * 1000

    return min(work() for _ in range(3))


def pages(people) -> list[tuple[str, Requester, str]]:
    # Patients are shared out evenly: the first clinician has as many as any other.
    psychologist, lead, admin = people["clinicians"][0], people["lead"], people["admin"]
    patient = (
        Patient.objects.filter(care_team__clinician=psychologist, care_team__ends_on__isnull=True)
        .order_by("pk")
        .first()
    )
    psy, led, adm = Requester(psychologist), Requester(lead), Requester(admin)
    api = Requester(admin, token=ApiToken.objects.create(user=admin, name="bench")[1])
    auditor = Requester(people["auditor"])
    listener = Requester(people["listeners"][0])
    lead_api = Requester(lead, token=ApiToken.objects.create(user=lead, name="bench")[1])
    follow_up = "event=sexual&window_years=5"  # the page's default question
    this_year = timezone.localdate().year
    statistics = [
        # The lead's statistics count the whole network: their own target (STATISTICS).
        ("follow-up, by completion", led, f"/statistics/follow-up/?{follow_up}&group=completion"),
        ("follow-up, by risk level", led, f"/statistics/follow-up/?{follow_up}&group=risk_level"),
        ("API follow-up", lead_api, f"/api/v1/statistics/follow-up/?{follow_up}&group=completion"),
        # This year's: the year the seeded sessions, letters and contacts fall in.
        ("indicators", led, f"/statistics/indicators/?year={this_year}"),
        ("API indicators", lead_api, f"/api/v1/statistics/indicators/?year={this_year}"),
    ]
    return [
        ("psychologist's home", psy, "/dashboard/"),
        ("lead's home", led, "/dashboard/"),
        ("every caseload", led, reverse("workspace:caseloads")),  # the lead's, a page of 25
        ("administrator's home", adm, "/dashboard/"),
        ("patient list", adm, "/patients/"),
        ("patient search", adm, "/patients/?q=bench0001"),  # 100 matches at 1,000 or 20,000
        ("patient search, broad", adm, "/patients/?q=jean"),  # a fifth of the clinic matches
        ("patient page", psy, patient.get_absolute_url()),
        ("patient notes", psy, reverse("notes:list", args=[patient.pk])),
        ("agenda, day", psy, "/agenda/?view=day"),
        ("agenda, week", psy, "/agenda/?view=week"),
        ("clinic agenda", adm, "/agenda/clinic/"),
        ("to-do list", psy, "/agenda/todo/"),
        ("letters dashboard", adm, "/letters/"),
        ("access log", auditor, reverse("audit:event_list")),
        ("helpline listener's home", listener, reverse("helpline:log")),
        ("helpline contacts", listener, reverse("helpline:contacts")),
        ("helpline statistics", listener, reverse("helpline:statistics")),  # this year's
        ("API patients", api, "/api/v1/patients/"),
        ("API appointments", api, f"/api/v1/patients/{patient.pk}/appointments/"),
        ("API letters", api, f"/api/v1/patients/{patient.pk}/letters/"),
        *statistics,
    ]


# --- Background work -------------------------------------------------------------------------

TASKS_TARGET_S, TASKS_GROWTH_TARGET, EVALUATION_TARGET_S = 30.0, 2.2, 30.0


def timed(job) -> tuple[float, object]:
    started = time.perf_counter()
    result = job()
    return time.perf_counter() - started, result


def background_work() -> dict[str, tuple[float, object]]:
    """The full compliance evaluation, first when it raises the clinic's alerts, then again
    (what every later run costs), and one run of each scheduled task (docs/operations.md).

    Alerts set letters off through tasks; here they are queued as a broker would take them
    (common.after_response) and counted, not drafted: that is the workers' work."""
    from assessments import tasks as assessment_tasks
    from audit import tasks as audit_tasks
    from casework import services
    from casework import tasks as casework_tasks
    from common import after_response
    from helpline import tasks as helpline_tasks
    from privacy import tasks as privacy_tasks
    from reports import drafting
    from reports import tasks as letter_tasks

    results = {}
    after_response._state.pending = []
    try:
        seconds, raised = timed(lambda: len(services.compliance_evaluate()))
        queued = len(after_response._state.pending)
    finally:
        after_response._state.pending = None
    results["compliance evaluation, first"] = (seconds, f"{raised:,} alerts, {queued:,} queued")
    seconds, raised = timed(lambda: len(services.compliance_evaluate()))
    results["compliance evaluation, again"] = (seconds, f"{raised:,} alerts")
    # The letters that fell due before today, drafted as earlier daily runs would have: the
    # seed has none, and today's run drafts the reports that fall due today.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    seconds, drafted = timed(lambda: len(drafting.draft_due_letters(today=yesterday)))
    results["letters due until yesterday"] = (seconds, f"{drafted:,} letters")
    for label, task in [
        # The seed writes sessions in bulk, past the services that mark them: counted as
        # every night (casework.services.session_counts), before the statistics are measured.
        ("session counts, nightly", casework_tasks.recount_all_sessions),
        ("session counts, marked ones", casework_tasks.count_sessions),
        # The helpline's contacts too are written with COPY, past the ORM that counts them by
        # month (helpline.counts): counted as every night, before its statistics are measured.
        ("helpline counts, nightly", helpline_tasks.recount_months),
        ("compliance, hourly", casework_tasks.evaluate_compliance),
        ("outcome reminders", casework_tasks.send_outcome_reminders),
        ("assessment reminders", assessment_tasks.send_due_reminders),
        ("letters due", letter_tasks.draft_due_letters),
        ("letters to render", letter_tasks.render_pending_letters),
        ("access log sealing", audit_tasks.seal_access_log),
        ("access log check", audit_tasks.verify_access_log),
        ("retention sweep", lambda: len(privacy_tasks.retention_sweep()["destroyed"])),
        ("access copies to make", privacy_tasks.make_pending_access_copies),
        ("helpline summaries", helpline_tasks.erase_old_summaries),
    ]:
        seconds, result = timed(task)
        results[f"task: {label}"] = (seconds, f"{result:,}" if isinstance(result, int) else result)
    # The session counts were just written at once: their statistics, as autovacuum takes them
    # within a minute of so many rows changing.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE casework_sessioncount")
        cursor.execute("ANALYZE helpline_monthlycount")
        cursor.execute("ANALYZE helpline_monthlytagcount")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--clinicians",
        type=int,
        default=CLINICIANS,
        help="the network's shape: 60 clinicians of 334 patients each, or 400 of 50",
    )
    parser.add_argument("--fresh", action="store_true", help="recreate the bench database first")
    parser.add_argument(
        "--keep-small",
        action="store_true",
        help="keep the small clinic's copy (<name>_small) for profiling, rather than dropping it",
    )
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at an empty PostgreSQL database.")
    call_command("migrate", verbosity=0)
    if get_user_model().objects.exists():
        sys.exit("The database is not empty: point DATABASE_URL at an empty database.")
    total = round(20_000 * options.scale)
    small = max(1, round(total * FIRST_SHARE))
    people = staff(options.clinicians)
    caseload = -(-total // options.clinicians)  # rounded up: nobody is left without a clinician
    authorities = [
        Authority.objects.create(
            kind="probation_commission",
            name=f"Commission {n}",
            region="wallonia",
            language="fr",
            address=f"Palais de justice\nPlace Saint-Lambert {n + 1}\n4000 Liège",
        ).pk
        for n in range(10)
    ]
    contacts = [
        JusticeContact.objects.create(
            name=f"Assistant {n}",
            service="Maison de justice",
            language="fr",
            address=f"Place Saint-Michel {n + 1}\n4000 Liège",
        ).pk
        for n in range(20)
    ]

    half = round(total * 0.5)

    logged = {"events": 0, "seconds": 0.0}

    def grow(first: int, last: int) -> tuple[dict[str, int], float]:
        seconds, seeded = timed(lambda: seed(first, last, people, authorities, contacts, caseload))
        # The access log of a clinic in use, sealed and verified (bench/log_rows.py).
        events = LOG_EVENTS_PER_PATIENT * (last - first)
        patients = list(Patient.objects.values_list("pk", "file_number"))
        log_seconds, _ = timed(lambda: fill_log(events, patients=patients, sealed=True))
        logged["events"] += events
        logged["seconds"] += log_seconds
        # As autovacuum leaves a database in use: statistics, and the visibility map that lets
        # an index answer alone (a bulk COPY leaves it empty, which no live table stays).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return seeded, seconds

    seeded, first_seconds = grow(0, small)
    background_work()  # the small clinic's alerts, so that both sizes have some
    full_name = connection.settings_dict["NAME"]
    small_name = full_name + SMALL_SUFFIX
    connection.close()
    server(f'CREATE DATABASE "{small_name}" TEMPLATE "{full_name}"')  # the small clinic, kept
    middle, middle_seconds = grow(small, half)
    work_half = background_work()
    rest, rest_seconds = grow(half, total)
    work_full = background_work()
    inprocess = {}
    for name in (small_name, full_name):
        with on(name):
            inprocess[name] = pages(people)  # their sessions, in each database

    def over(base: str, name: str) -> list:
        return [(label, HTTPRequester(base, who), path) for label, who, path in inprocess[name]]

    collect_static()
    machine = [machine_speed()]
    with (
        served(small_name, conn_max_age=60, port=PORT) as small_base,
        served(full_name, conn_max_age=60, port=PORT + 1) as full_base,
    ):
        sizes = {small_name: over(small_base, small_name), full_name: over(full_base, full_name)}
        for size, measured_pages in sizes.items():
            with on(size):
                for _label, requester, path in measured_pages:
                    for _ in range(WARM_UP):
                        requester.get(path)
        measured = measure(sizes, options.requests)
    with served(full_name, conn_max_age=0, port=PORT + 2) as base:
        new_connections = measure({full_name: over(base, full_name)}, options.requests)[full_name]
    machine.append(machine_speed())
    at_small, at_full = measured[small_name], measured[full_name]
    close_kept()
    if not options.keep_small:
        server(f'DROP DATABASE "{small_name}"')
    rest = {table: count + middle[table] for table, count in rest.items()}
    rest_seconds += middle_seconds

    rows = sum(seeded.values()) + sum(rest.values())
    appointments = seeded["casework_appointment"] + rest["casework_appointment"]
    plain = plain_copy_seconds(Attendance, min(200_000, rest["casework_attendance"]))
    plain_rate = min(200_000, rest["casework_attendance"]) / plain

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(
        f"\n{total:,} patients, {appointments:,} appointments, {rows:,} rows seeded in "
        f"{first_seconds + rest_seconds:.0f} s ({rows / (first_seconds + rest_seconds):,.0f} "
        f"rows/s; a plain COPY of attendances: {plain_rate:,.0f} rows/s); the access log: "
        f"{logged['events']:,} events, sealed, in {logged['seconds']:.0f} s\n"
    )
    print(
        f"This machine's speed: {machine[0]:.0f} ms before the pages, {machine[1]:.0f} ms after "
        "(bench.scale.machine_speed: a fixed loop of pure Python; lower is faster)\n"
    )
    print(
        f"{options.clinicians} clinicians of {caseload:,} patients each. Over HTTP, gunicorn as "
        "in production; each worker's database connection kept, and (last column) a new "
        "connection per request.\n"
    )
    print(
        f"| page | queries {small:,} / {total:,} | p50 {small:,} | p95 {small:,} "
        f"| p50 {total:,} | p95 {total:,} | growth of p95 | p95 {total:,}, new connections "
        "| verdict |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label in at_full:
        s50, s95, sq = at_small[label]
        f50, f95, fq = at_full[label]
        _n50, n95, _nq = new_connections[label]
        growth = f95 / s95
        if label in STATISTICS:
            ok = sq == fq and max(f95, n95) <= STATISTICS_P95_TARGET_MS
        else:
            ok = (
                sq == fq
                and f95 <= P95_TARGET_MS
                and growth <= GROWTH_TARGET
                and n95 <= NEW_CONNECTION_P95_TARGET_MS
            )
        print(
            f"| {label} | {sq} / {fq} | {s50:.1f} ms | {s95:.1f} ms | {f50:.1f} ms "
            f"| {f95:.1f} ms | ×{growth:.2f} | {n95:.1f} ms | {verdict(ok)} |"
        )

    print(
        f"\n| background work | {half:,} patients | {total:,} patients | growth | result at "
        f"{total:,} |"
    )
    print("|---|---|---|---|---|")
    for label in work_full:
        (h, _), (f, result) = work_half[label], work_full[label]
        print(f"| {label} | {h:.2f} s | {f:.2f} s | ×{f / h:.2f} | {result} |")
    tasks_half = sum(t for label, (t, _) in work_half.items() if label.startswith("task:"))
    tasks_full = sum(t for label, (t, _) in work_full.items() if label.startswith("task:"))
    again = work_full["compliance evaluation, again"][0]
    ok = tasks_full <= TASKS_TARGET_S and tasks_full / tasks_half <= TASKS_GROWTH_TARGET
    print(
        f"| scheduled tasks together | {tasks_half:.2f} s | {tasks_full:.2f} s "
        f"| ×{tasks_full / tasks_half:.2f} | {verdict(ok)} (≤ {TASKS_TARGET_S:.0f} s, "
        f"≤ ×{TASKS_GROWTH_TARGET}) |"
    )
    print(
        f"\nA full compliance evaluation at {total:,} patients: {again:.1f} s "
        f"({verdict(again <= EVALUATION_TARGET_S)}, ≤ {EVALUATION_TARGET_S:.0f} s)."
    )


if __name__ == "__main__":
    main()
