"""Capacity: how many clinicians the whole stack serves, and how fast (bench/README.md).

    .venv/bin/python bench/load.py [--clinicians 30] [--seconds 120] [--configs sync:3,sync:5]
    .venv/bin/python bench/load.py --closed [--clinicians 1,8,32] [--seconds 60]

Starts the stack as production runs it (`make up`, stack name `load`, its own PostgreSQL
database and Redis database, port 8033), with the demo clinic and N psychologists of its own
(`load.01`...), each in the care team of some demo patients, each with a phone enrolled. Then,
for each web configuration (`sync:W` for W synchronous workers, `gthread:WxT` for W workers of
T threads), it restarts the stack and lets N simulated clinicians work for the given time:

- each logs in (the password, then the second factor's code), the logins spread over the first
  30 seconds, as at the start of a clinic's morning;
- then, every 1 to 5 seconds (at random: faster than anyone works), one of: the home page, the
  patient list, a search, a patient's page, the agenda, an API list of a patient's sessions, or
  a personal note written (the form fetched, then posted: the write).

It reports, per configuration: the client's p50 / p95 / p99 / max over every request, the
same for logins and for the rest, the server's own p95 (gunicorn's access log: without the
queueing), errors, and whether every note posted was stored exactly once. Run it on a quiet
machine; the clients share it with the stack, as a clinic's browsers would not.

`--closed` is the capacity step: a closed loop without think time. Every clinician logs in
first; once all are in, each sends its next request as soon as the last one is answered (the
note's typing pause too is left out), for `--seconds`. Throughput is the pages answered in that
window divided by its length, logins left out. With 1, 8 and 32 clinicians it shows what one
user gets, where the workers fill up, and what the stack serves at most.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from base64 import b32decode, b32encode
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django_otp.oath import totp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.stack import read_env

NAME = "load"
ADDRESS = "127.0.0.1:8033"
BASE = f"http://{ADDRESS}"
STACK = {
    "STACK_NAME": NAME,
    "STACK_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/clinic_load",
    "STACK_BROKER_URL": "redis://127.0.0.1:6379/5",
    "STACK_ADDRESS": ADDRESS,
}
PATIENTS_EACH = 8
# Logins spread over half a minute, or one a second for more than 30 clinicians.
RAMP_SECONDS = 30
THINK_SECONDS = (1.0, 5.0)  # between two actions, and typing a note (open loop)
TARGET_MS = 500
# What a clinician does between two pauses, and how often.
ACTIONS = {
    "home": 20,
    "patient list": 15,
    "search": 10,
    "patient page": 25,
    "agenda": 10,
    "api sessions": 10,
    "note": 10,
}


# --- In the stack's own environment (a subprocess): the clinicians, and what they wrote ------


def _django():
    os.environ.update(read_env(NAME))
    import django

    django.setup()


def prepare(pool: str, count: int) -> None:
    """N psychologists with a phone enrolled (their keys printed as JSON), each in the care
    team of PATIENTS_EACH demo patients (a patient has several). Running it again adds
    nothing."""
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.roles import Role
    from casework.models import CareTeamMembership, Patient
    from casework.services.patients import care_team_assign
    from workspace.management.commands.seed_demo import DEMO_PASSWORD

    User = get_user_model()
    lead = User.objects.get(username="lead")
    patients = list(Patient.objects.filter(status="in_treatment").order_by("pk"))
    keys = {}
    for number in range(1, count + 1):
        username = f"load.{pool}.{number:03d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name="Clinician",
                last_name=f"{pool}.{number:03d}",
                email=f"{username}@clinic.example",
            )
            user.groups.add(Group.objects.get(name=Role.PSYCHOLOGIST))
            for index in range(PATIENTS_EACH):
                patient = patients[(number * PATIENTS_EACH + index) % len(patients)]
                care_team_assign(
                    actor=lead,
                    patient=patient,
                    clinician=user,
                    role=CareTeamMembership.Role.CO_THERAPIST,
                )
            TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        keys[username] = b32encode(device.bin_key).decode()
    print(json.dumps({"password": DEMO_PASSWORD, "keys": keys}))


def notes_since(epoch: float) -> None:
    """How many notes each load clinician wrote since then (JSON)."""
    _django()
    import datetime

    from django.db.models import Count

    from notes.models import ClinicalNote

    since = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
    rows = (
        ClinicalNote.objects.filter(author__username__startswith="load.", created_at__gte=since)
        .values("author__username")
        .annotate(n=Count("pk"))
    )
    print(json.dumps({row["author__username"]: row["n"] for row in rows}))


def in_stack(*arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, __file__, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


# --- The clinicians ------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    started: float
    ms: float
    status: int


@dataclass
class Clinician:
    username: str
    password: str
    key: str
    seed: int
    think: tuple[float, float] = THINK_SECONDS
    samples: list[Sample] = field(default_factory=list)
    notes_posted: int = 0

    def __post_init__(self):
        self.session = requests.Session()
        self.random = random.Random(self.seed)

    def call(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        if method == "POST":
            kwargs.setdefault("headers", {})["X-CSRFToken"] = self.session.cookies.get(
                "csrftoken", ""
            )
        started = time.monotonic()
        try:
            answer = self.session.request(
                method, BASE + path, timeout=60, allow_redirects=False, **kwargs
            )
        except requests.RequestException:
            self.samples.append(Sample(kind, started, (time.monotonic() - started) * 1000, 0))
            return None
        self.samples.append(
            Sample(kind, started, (time.monotonic() - started) * 1000, answer.status_code)
        )
        return answer

    def log_in(self) -> bool:
        page = self.call("login", "GET", "/login/")
        if page is None:
            return False
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', page.text).group(1)
        answer = self.call(
            "login",
            "POST",
            "/login/",
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": token,
            },
        )
        if answer is None or answer.status_code != 302:
            return False
        location = answer.headers["Location"]
        while (form := self.call("login", "GET", location)) is not None and form.is_redirect:
            location = form.headers["Location"]  # the home page sends on to the second factor
        if form is None or form.status_code != 200:
            return False
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', form.text).group(1)
        key = self._key()
        answer = self.call(
            "login",
            "POST",
            location,
            data={"code": f"{totp(key, step=30, digits=6):06d}", "csrfmiddlewaretoken": token},
        )
        return answer is not None and answer.status_code == 302

    def pause(self) -> None:
        if self.think[1]:
            time.sleep(self.random.uniform(*self.think))

    def _key(self) -> bytes:
        return b32decode(self.key)

    def work(self, until: float) -> None:
        listed = self.call("api sessions", "GET", "/api/v1/patients/")
        patients = [row["id"] for row in listed.json()["results"]] if listed is not None else []
        names = [row["last_name"][:3] for row in listed.json()["results"]] if listed else ["a"]
        kinds, weights = zip(*ACTIONS.items(), strict=True)
        while True:
            self.pause()
            if time.monotonic() >= until:
                return
            kind = self.random.choices(kinds, weights)[0]
            patient = self.random.choice(patients)
            if kind == "home":
                self.call(kind, "GET", "/")
            elif kind == "patient list":
                self.call(kind, "GET", "/patients/")
            elif kind == "search":
                self.call(kind, "GET", "/patients/", params={"q": self.random.choice(names)})
            elif kind == "patient page":
                self.call(kind, "GET", f"/patients/{patient}/")
            elif kind == "agenda":
                self.call(kind, "GET", "/agenda/")
            elif kind == "api sessions":
                self.call(kind, "GET", f"/api/v1/patients/{patient}/appointments/")
            else:
                self.write_note(patient)

    def write_note(self, patient: int) -> None:
        form = self.call("note", "GET", f"/patients/{patient}/notes/new/")
        if form is None or form.status_code != 200:
            return
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', form.text).group(1)
        self.pause()  # typing
        answer = self.call(
            "note",
            "POST",
            f"/patients/{patient}/notes/new/",
            data={
                "kind": "personal",
                "text": "Point de situation rédigé pendant la mesure de charge.",
                "csrfmiddlewaretoken": token,
            },
        )
        if answer is not None and answer.status_code == 302:
            self.notes_posted += 1


def ramp(count: int) -> float:
    return max(RAMP_SECONDS, count)


def run_clinicians(logins: dict, seconds: float) -> list[Clinician]:
    """The open loop: logins spread over the ramp, then work with pauses until its end."""
    clinicians = [
        Clinician(username, logins["password"], key, seed)
        for seed, (username, key) in enumerate(sorted(logins["keys"].items()))
    ]
    start = time.monotonic()
    until = start + ramp(len(clinicians)) + seconds

    def one(clinician: Clinician, offset: float) -> None:
        time.sleep(offset)
        if clinician.log_in():
            clinician.work(until)

    spread = random.Random(0)
    _together(one, [(c, spread.uniform(0, ramp(len(clinicians)))) for c in clinicians])
    return clinicians


def run_closed(logins: dict, seconds: float) -> tuple[list[Clinician], float]:
    """The closed loop: everyone logs in, then, once all are in, works without a pause for
    `seconds`. Returns the clinicians and the moment the window opened."""
    clinicians = [
        Clinician(username, logins["password"], key, seed, think=(0.0, 0.0))
        for seed, (username, key) in enumerate(sorted(logins["keys"].items()))
    ]
    window: dict[str, float] = {}

    def open_window() -> None:  # run once, by the last to arrive, before anyone goes on
        window["start"] = time.monotonic()
        window["until"] = window["start"] + seconds

    everyone_in = threading.Barrier(len(clinicians), action=open_window)

    def one(clinician: Clinician) -> None:
        logged_in = clinician.log_in()
        everyone_in.wait()
        if logged_in:
            clinician.work(window["until"])

    _together(one, [(c,) for c in clinicians])
    return clinicians, window["start"]


def _together(target, arguments: list[tuple]) -> None:
    threads = [threading.Thread(target=target, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- Measuring -----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def server_times(log: Path, offset: int) -> list[float]:
    """gunicorn's own time per request (its access log's last field), from offset on."""
    with log.open("rb") as lines:
        lines.seek(offset)
        text = lines.read().decode(errors="replace")
    return [float(ms) for ms in re.findall(r'HTTP/1\.1\\?" \d{3} \S+ (\d+)ms', text)]


def make(*targets: str, **environment: str) -> None:
    arguments = [f"{key}={value}" for key, value in STACK.items()]
    done = subprocess.run(
        ["make", *targets, *arguments],
        cwd=ROOT,
        check=False,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"make {' '.join(targets)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def configuration(text: str) -> dict[str, str]:
    model, _, size = text.partition(":")
    workers, _, threads = size.partition("x")
    if model not in {"sync", "gthread"} or not workers.isdigit():
        sys.exit(f"A configuration is sync:W or gthread:WxT, not {text!r}.")
    return {"WEB_CONCURRENCY": workers, "GUNICORN_THREADS": threads or "1"}


def measure(text: str, count: int, seconds: float, pool: str, *, closed: bool = False) -> dict:
    """N clinicians of their own (a code is taken once: no login reuses another run's)."""
    logins = json.loads(in_stack("prepare", pool, str(count)))
    time.sleep(5)  # the stack settles after the preparation's work
    log = ROOT / "var" / f"{NAME}.log"
    offset = log.stat().st_size
    epoch = time.time()
    if closed:
        clinicians, opened = run_closed(logins, seconds)
        window = seconds
    else:
        clinicians, opened = run_clinicians(logins, seconds), 0.0
        window = ramp(count) + seconds
    written = json.loads(in_stack("notes", str(epoch)))
    samples = [sample for clinician in clinicians for sample in clinician.samples]
    logins = [s.ms for s in samples if s.kind == "login"]
    pages = [s.ms for s in samples if s.kind != "login" and s.started >= opened]
    every = logins + pages
    errors = [s for s in samples if s.status == 0 or s.status >= 400]
    posted = {c.username: c.notes_posted for c in clinicians if c.notes_posted}
    return {
        "configuration": text,
        "loop": "closed" if closed else "open",
        "clinicians": count,
        "requests": len(samples),
        # Closed: the pages answered while everyone worked; open: every request, logins too.
        "per second": (len(pages) if closed else len(samples)) / window,
        "p50": percentile(every, 0.50),
        "p95": percentile(every, 0.95),
        "p99": percentile(every, 0.99),
        "max": max(every, default=float("nan")),
        "login p95": percentile(logins, 0.95),
        "pages p50": percentile(pages, 0.50),
        "pages p95": percentile(pages, 0.95),
        "pages p99": percentile(pages, 0.99),
        "server p95": percentile(server_times(log, offset), 0.95),
        "errors": len(errors),
        "notes": f"{sum(written.values())} stored / {sum(posted.values())} posted",
        "exactly once": written == posted,
        "logged in": sum(1 for c in clinicians if any(s.kind != "login" for s in c.samples)),
    }


def report(results: list[dict]) -> None:
    print(
        "\n| configuration | loop | clinicians | req/s | pages p50 | pages p95 | pages p99 "
        "| max | logins p95 | server p95 | errors | notes (exactly once) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['configuration']} | {r['loop']} | {r['clinicians']} ({r['logged in']} in) "
            f"| {r['per second']:.1f} | {r['pages p50']:.0f} ms | {r['pages p95']:.0f} ms "
            f"| {r['pages p99']:.0f} ms | {r['max']:.0f} ms | {r['login p95']:.0f} ms "
            f"| {r['server p95']:.0f} ms | {r['errors']} "
            f"| {r['notes']} ({'yes' if r['exactly once'] else 'NO'}) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinicians", help="one number, or several: 30,60,90")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--configs", default="sync:3,sync:5")
    parser.add_argument(
        "--closed", action="store_true", help="no think time, the clock started once all are in"
    )
    arguments = parser.parse_args()
    counts = arguments.clinicians or ("1,8,32" if arguments.closed else "30")
    make("down")
    make("up", STACK_FRESH="1")
    results = []
    for number, text in enumerate(arguments.configs.split(",")):
        make("down")
        make("up", **configuration(text))
        for count in counts.split(","):
            pool = f"{number}{len(results)}"
            results.append(
                measure(text, int(count), arguments.seconds, pool, closed=arguments.closed)
            )
            print(json.dumps(results[-1]), flush=True)
    make("down")
    report(results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["notes"]:
        notes_since(float(sys.argv[2]))
    else:
        main()
