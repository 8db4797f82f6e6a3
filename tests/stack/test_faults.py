"""Faults on the real stack, each followed by ordinary work (docs/operations.md, "Fault tests"):
the mail server down, then hanging, then accepting a message whose recording fails; a worker
killed in the middle of a render; Redis restarted with renders queued; a second beat.

The stack is this module's own: production settings, gunicorn, a Celery worker and beat
started one by one (so that one can be killed or restarted), PostgreSQL (`clinic_faults`), a
Redis server started here, and a mail server run in this process, which may be down, accept,
or hang. Its periods are short (the outbox's first pause, the beat's frequent tasks) so that
the whole takes a few minutes.
"""

import contextlib
import datetime
import email
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests
from aiosmtpd.controller import Controller

from tests.conftest import OwnRedis, require
from tests.reports.certificates import seal_pkcs12
from tests.stack.conftest import ROOT, eventually, hidden, log_in, results

pytestmark = pytest.mark.stack

NAME = "faults"
ADDRESS = os.environ.get("FAULT_TEST_ADDRESS", "127.0.0.1:8032")
BASE = f"http://{ADDRESS}"
DATABASE_URL = os.environ.get(
    "FAULT_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_faults"
)
VAR = ROOT / "var"
BIN = Path(sys.executable).parent
SEAL_PASSWORD = "fault-test-seal"
HEARTBEAT = 10  # seconds between two heartbeats sent by the beat
# Short periods, so that a fault and its mending fit in seconds (config/settings/base.py).
PERIODS = {
    "OUTBOX_FIRST_PAUSE_SECONDS": "2",
    "OUTBOX_SEND_DUE_SECONDS": "2",
    "HEARTBEAT_SECONDS": str(HEARTBEAT),
    "PENDING_WORK_SECONDS": "5",
    "LETTER_RENDER_TIMEOUT": "15",
    "EMAIL_TIMEOUT": "4",
}
COMMANDS = {  # as the Procfile runs them
    "web": [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py"],
    "worker": [str(BIN / "celery"), "--app", "config", "worker", "--loglevel", "INFO"],
    "beat": [str(BIN / "celery"), "--app", "config", "beat", "--loglevel", "INFO"],
}
FAST = 3.0  # seconds: a page answered normally, whatever the mail server does


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The parts the test controls -------------------------------------------------------------


class _Hanging(threading.Thread):
    """Accepts connections and never says a word."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", port))
        self.listener.settimeout(0.2)
        self.connections: list[socket.socket] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                connection, _address = self.listener.accept()
                self.connections.append(connection)

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        for connection in self.connections:
            connection.close()
        self.listener.close()


class MailServer:
    """An SMTP server on a port of its own: down (nothing listens), accepting, or hanging
    (the connection accepted, no greeting ever). It keeps every message it accepted."""

    def __init__(self):
        self.port = free_port()
        self.received: list[email.message.Message] = []
        self.before_answering = None  # called on DATA, before the 250
        self._controller = None
        self._hanging = None

    async def handle_DATA(self, server, session, envelope):
        self.received.append(email.message_from_bytes(envelope.content))
        if self.before_answering is not None:
            hook, self.before_answering = self.before_answering, None
            hook()
        return "250 Message accepted for delivery"

    def accept(self) -> None:
        self._stop_hanging()
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def down(self) -> None:
        self._stop_hanging()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hang(self) -> None:
        self.down()
        self._hanging = _Hanging(self.port)
        self._hanging.start()

    def _stop_hanging(self) -> None:
        if self._hanging is not None:
            self._hanging.stop()
            self._hanging = None

    def copies(self, message_id: str) -> int:
        return sum(1 for message in self.received if message["Message-ID"] == message_id)


class Processes:
    """Web, worker and beat, each started alone with the stack's environment, each in a
    process group of its own (a Celery worker's pool goes with it when it is killed)."""

    def __init__(self, environment: dict[str, str]):
        self.environment = environment
        self.running: dict[str, subprocess.Popen] = {}

    def log_path(self, name: str) -> Path:
        return VAR / f"{NAME}-{name}.log"

    def start(self, name: str, kind: str | None = None) -> None:
        kind = kind or name
        arguments = list(COMMANDS[kind])
        # Its connections named in pg_stat_activity (libpq reads PGAPPNAME).
        environment = dict(self.environment, PGAPPNAME=f"{NAME}-{kind}")
        if kind == "worker":  # the Procfile's
            arguments += ["--concurrency", "2", "--hostname", f"{name}@{NAME}"]
            environment["DB_STATEMENT_TIMEOUT"] = "360"
        with self.log_path(name).open("ab") as log:
            self.running[name] = subprocess.Popen(
                arguments,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def stop(self, name: str, seconds: float = 60) -> None:
        """SIGTERM, as a service manager would: each finishes what it was doing."""
        process = self.running.pop(name)
        process.terminate()
        try:
            process.wait(seconds)
        finally:
            with contextlib.suppress(ProcessLookupError):  # what is left of its group
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def kill(self, name: str) -> None:
        """SIGKILL to the whole group: no time to finish anything."""
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.stop(name, 30)

    def log(self, name: str) -> list[dict]:
        """The process's log lines (JSON in production), those that are JSON."""
        lines = []
        for line in self.log_path(name).read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    lines.append(entry)
        return lines

    def said(self, name: str, words: str) -> list[datetime.datetime]:
        """When the process logged a line containing these words."""
        return [
            datetime.datetime.fromisoformat(entry["time"])
            for entry in self.log(name)
            if words in entry.get("message", "")
        ]


def query(sql: str, *params) -> list[tuple]:
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        return connection.execute(sql, params).fetchall()


def _manage(environment: dict[str, str], *arguments: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {arguments[0]}: {done.stderr[-3000:]}"


def _static_collected() -> bool:
    """The static files collected already (var/static, shared with the other stacks) and no
    newer than the sources: collecting them again takes most of a minute."""
    manifest = VAR / "static" / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    return manifest.stat().st_mtime > newest


def ready() -> bool:
    with contextlib.suppress(requests.RequestException):
        return requests.get(f"{BASE}/readyz", timeout=5).status_code == 200
    return False


@pytest.fixture(scope="module")
def stack():
    """The fault stack, fresh: a new database and Redis, the demo clinic seeded, a seal for
    its letters (so that they may go by e-mail), then web, worker and beat."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    own_redis, mail = OwnRedis(VAR), MailServer()
    own_redis.start()
    where = (NAME, DATABASE_URL, own_redis.url, ADDRESS)
    prepared = subprocess.run(
        [sys.executable, "deploy/stack.py", "prepare", *where, "--fresh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        own_redis.stop()
        require("could not connect" not in prepared.stderr.lower(), "PostgreSQL is not running")
        pytest.fail(prepared.stderr[-3000:])
    for name in ("web", "worker", "worker-2", "beat", "beat-2"):
        (VAR / f"{NAME}-{name}.log").unlink(missing_ok=True)
    (VAR / f"{NAME}-seal.p12").write_bytes(seal_pkcs12(SEAL_PASSWORD))
    lines = (VAR / f"{NAME}.env").read_text().splitlines()
    settings = {key: shlex.split(value)[0] for key, value in (line.split("=", 1) for line in lines)}
    environment = {
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        **settings,
        **PERIODS,
        "EMAIL_PORT": str(mail.port),
        "WEB_CONCURRENCY": "3",
        # The same clinicians open files in an emergency test after test: each opens at once.
        "EMERGENCY_ACCESSES_PER_DAY": "100",
    }
    _manage(environment, "migrate", "--no-input")
    if not _static_collected():
        _manage(environment, "collectstatic", "--no-input", "--verbosity", "0")
    _manage(environment, "seed_demo")  # its letters unsealed, as a clinic's old ones
    environment |= {
        "LETTER_SEAL_CERTIFICATE": str(VAR / f"{NAME}-seal.p12"),
        "LETTER_SEAL_PASSWORD": SEAL_PASSWORD,
    }
    processes = Processes(environment)
    mail.accept()
    try:
        for name in ("web", "worker", "beat"):
            processes.start(name)
        eventually(ready, 90)
        yield type("Stack", (), {"processes": processes, "mail": mail, "redis": own_redis})
    finally:
        processes.stop_all()
        mail.down()
        own_redis.stop()


@pytest.fixture(autouse=True)
def _whole_again(stack):
    """After each test, whatever became of it, the stack whole again for the next: the mail
    server accepting, Redis, web, worker and beat running."""
    yield
    stack.mail.before_answering = None
    stack.mail.accept()
    if stack.redis.process.poll() is not None:
        stack.redis.start()
    for name in ("web", "worker", "beat"):
        if name not in stack.processes.running:
            stack.processes.start(name)
    eventually(ready, 60)


# --- What the clinicians do -------------------------------------------------------------------

_sessions: dict[str, requests.Session] = {}


def clinician(username: str) -> requests.Session:
    """The demo user's session, logged in once (a second first login would find the phone
    enrolled already)."""
    if username not in _sessions:
        _sessions[username] = log_in(username, BASE)
    return _sessions[username]


class Letters:
    """Letters to sign, each drafted as a clinician would: a letter about a difficulty in the
    frame of the treatment, on the active mandate of one of their patients. (The demo's own
    letters wait on periods that end on dates relative to the day it was seeded: how many of
    them may be signed today depends on the day.)"""

    PARAGRAPH = "Two sessions were missed this month; the next ones are booked."

    def __init__(self, usernames=("psy.martin", "psy.peeters", "psy.dubois")):
        self.mandates = []
        for username in usernames:
            session = clinician(username)
            for patient in results(session.get("/api/v1/patients/")):
                url = f"/api/v1/patients/{patient['id']}/"
                for mandate in results(session.get(f"{url}mandates/")):
                    if mandate["status"] == "active":
                        self.mandates.append((session, f"{url}letters/", mandate["id"]))

    def sign(self):
        """The next letter drafted and signed: (its signer, its URL, the letter)."""
        assert self.mandates, "no active mandate left in the demo clinic"
        session, letters, mandate = self.mandates.pop(0)
        drafted = session.post(
            letters, json={"kind": "difficulty", "mandate": mandate, "paragraph": self.PARAGRAPH}
        )
        assert drafted.status_code == 201, drafted.text
        url = f"{letters}{drafted.json()['id']}/"
        signed = session.post(f"{url}sign/")
        assert signed.status_code == 200, signed.text
        return session, url, signed.json()


@pytest.fixture(scope="module")
def letters(stack):
    return Letters()


def rendered(session, url) -> bool:
    return session.get(url).json()["pdf_ready"]


def renders_of(letter_id: int) -> int:
    """The letter's renders, as the access log counts them (one "printed" each)."""
    return query(
        "SELECT count(*) FROM audit_accessevent WHERE object_type = 'reports.letter' "
        "AND object_id = %s AND action = 'print'",
        str(letter_id),
    )[0][0]


def open_in_an_emergency(username: str) -> tuple[requests.Session, str]:
    """A psychologist opens, in an emergency, a file they do not treat: the clinical lead is
    told by e-mail. Returns the session and the e-mail's Message-ID."""
    session = clinician(username)
    file_number = query(
        "SELECT p.file_number FROM casework_patient p WHERE NOT EXISTS (SELECT 1 FROM "
        "casework_careteammembership m JOIN accounts_user u ON u.id = m.clinician_id "
        "WHERE m.patient_id = p.id AND u.username = %s) ORDER BY p.id LIMIT 1",
        username,
    )[0][0]
    before = _last_message()
    page = session.get("/emergency-access/")
    opened = session.post(
        "/emergency-access/",
        data={
            "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
            "file_number": file_number,
            "reason": "The patient called in distress; the care team is away today.",
            "understood": "on",
        },
    )
    assert opened.status_code == 200 and file_number in opened.text, opened.text[-2000:]
    (message_id,) = [
        row[0]
        for row in query(
            "SELECT message_id FROM common_outboxmessage WHERE id > %s AND subject LIKE %s",
            before,
            f"%{file_number}%",
        )
    ]
    return session, message_id


def _last_message() -> int:
    return query("SELECT coalesce(max(id), 0) FROM common_outboxmessage")[0][0]


def outbox_row(message_id: str) -> tuple:
    """(sent_at, attempts) of the message."""
    return query(
        "SELECT sent_at, attempts FROM common_outboxmessage WHERE message_id = %s", message_id
    )[0]


def dispatch_by_email(session, url: str, letter: dict) -> str:
    """The letter goes by e-mail to its first recipient and by post to the others; returns
    the e-mail's Message-ID."""
    first, *others = letter["recipients"]
    sent = session.post(
        f"{url}dispatches/", json={"recipient": first, "channel": "email", "to": "ja@example.org"}
    )
    assert sent.status_code == 201, sent.text
    for recipient in others:
        posted = session.post(f"{url}dispatches/", json={"recipient": recipient, "channel": "post"})
        assert posted.status_code == 201, posted.text
    return query(
        "SELECT m.message_id FROM reports_dispatch d JOIN common_outboxmessage m "
        "ON m.id = d.message_id WHERE d.id = %s",
        sent.json()["id"],
    )[0][0]


def timed(call):
    started = time.monotonic()
    answer = call()
    return time.monotonic() - started, answer


# --- The faults -------------------------------------------------------------------------------


def test_mail_server_down_for_a_while_then_back_each_message_goes_once(stack, letters):
    session, url, letter = letters.sign()
    eventually(lambda: rendered(session, url))
    stack.mail.down()

    # The lead's alert of an emergency access, and a letter's e-mail, while nothing listens.
    _dubois, alert = open_in_an_emergency("psy.dubois")
    letter_email = dispatch_by_email(session, url, letter)
    eventually(lambda: outbox_row(alert)[1] >= 2 and outbox_row(letter_email)[1] >= 2, 30)
    assert outbox_row(alert)[0] is None and outbox_row(letter_email)[0] is None
    waiting = session.get(url).json()
    assert (waiting["status"], waiting["state"]) == ("sending", "E-mail not yet delivered")

    stack.mail.accept()
    eventually(lambda: outbox_row(alert)[0] and outbox_row(letter_email)[0], 30)
    assert eventually(lambda: session.get(url).json()["status"] == "sent", 10)

    # The clinic works on: another alert goes, once; nothing went twice meanwhile.
    _peeters, another = open_in_an_emergency("psy.peeters")
    eventually(lambda: outbox_row(another)[0], 20)
    time.sleep(5)  # a few more rounds of the outbox
    assert [stack.mail.copies(m) for m in (alert, letter_email, another)] == [1, 1, 1]


def test_a_hanging_mail_server_holds_up_no_page_and_no_render(stack, letters):
    stack.mail.hang()
    _dubois, alert = open_in_an_emergency("psy.dubois")
    eventually(lambda: outbox_row(alert)[1] >= 1, 10)

    # Pages answer as ever while a worker waits on the server...
    seconds, (_peeters, another) = timed(lambda: open_in_an_emergency("psy.peeters"))
    assert seconds < FAST, f"an emergency access opened in {seconds:.1f} s"
    session, url, _letter = letters.sign()
    for page in ("/", url, "/api/v1/patients/", f"{url}pdf/"):
        seconds, answer = timed(lambda page=page: session.get(page))
        assert answer.status_code in (200, 409), f"{page}: {answer.status_code}"
        assert seconds < FAST, f"{page}: {seconds:.1f} s"
    # ...and the worker renders the letter signed meanwhile.
    eventually(lambda: rendered(session, url), 30)
    assert outbox_row(alert)[0] is None  # still hanging: not sent

    stack.mail.accept()
    eventually(lambda: outbox_row(alert)[0] and outbox_row(another)[0], 45)
    time.sleep(5)
    assert [stack.mail.copies(alert), stack.mail.copies(another)] == [1, 1]


def test_accepted_but_not_recorded_goes_once_and_ends_up_recorded(stack):
    def the_database_drops_the_workers_connections():
        query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND application_name = %s AND pid <> pg_backend_pid()",
            f"{NAME}-worker",
        )

    # The server accepts the message; by then the worker's connection is gone: the recording
    # of the sending fails.
    stack.mail.before_answering = the_database_drops_the_workers_connections
    session, alert = open_in_an_emergency("psy.dubois")
    eventually(lambda: stack.mail.copies(alert), 20)
    assert stack.mail.before_answering is None  # it did drop them
    assert outbox_row(alert)[0] is None  # not recorded: the worker's connection was gone

    eventually(lambda: outbox_row(alert)[0], 30)
    time.sleep(5)
    assert stack.mail.copies(alert) == 1
    # The clinic works on: its pages, and the next message.
    assert session.get("/").status_code == 200
    _peeters, another = open_in_an_emergency("psy.peeters")
    eventually(lambda: outbox_row(another)[0], 20)
    assert stack.mail.copies(another) == 1


def test_a_worker_killed_in_the_middle_of_a_render_renders_the_letter_once(stack, letters):
    for _attempt in range(3):
        session, url, letter = letters.sign()
        eventually(
            lambda letter=letter: query(
                "SELECT render_started_at FROM reports_letter WHERE id = %s", letter["id"]
            )[0][0],
            30,
            0.02,
        )
        stack.processes.kill("worker")
        if not rendered(session, url):
            break  # killed while it rendered
        stack.processes.start("worker")  # it was quicker: again, with another letter
        eventually(ready, 60)
    else:
        pytest.fail("three renders ended before the worker could be killed")

    stack.processes.start("worker")
    # The letter's claim runs out (LETTER_RENDER_TIMEOUT) and the beat queues it again.
    eventually(lambda: rendered(session, url), 60)
    assert renders_of(letter["id"]) == 1
    pdf = session.get(f"{url}pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # The clinic works on: the next letter is rendered at once, once.
    session, url, letter = letters.sign()
    eventually(lambda: rendered(session, url), 30)
    time.sleep(6)  # a round of the safety net
    assert renders_of(letter["id"]) == 1


def test_redis_restarted_with_renders_queued_renders_them_all(stack, letters):
    stack.processes.stop("worker")
    signed = [letters.sign() for _ in range(2)]
    eventually(lambda: stack.redis.client().llen("celery"), 10)  # the renders wait in the queue

    stack.redis.stop()  # and are lost with it (kept in memory only)
    stack.redis.start()
    stack.processes.start("worker")
    for session, url, _letter in signed:
        eventually(lambda session=session, url=url: rendered(session, url), 60)
    eventually(ready, 60)  # the beat holds its lock again, the worker beats
    time.sleep(6)
    assert [renders_of(letter["id"]) for _session, _url, letter in signed] == [1, 1]

    # The clinic works on: a letter signed now is rendered; a message goes.
    session, url, _letter = letters.sign()
    eventually(lambda: rendered(session, url), 30)
    _dubois, alert = open_in_an_emergency("psy.dubois")
    eventually(lambda: outbox_row(alert)[0], 20)
    assert stack.mail.copies(alert) == 1


def test_a_second_beat_sends_nothing_then_takes_over_without_doubling_a_task(stack):
    processes = stack.processes
    processes.start("beat-2", "beat")
    eventually(lambda: processes.said("beat-2", "Another beat holds the lock"), 30)
    time.sleep(HEARTBEAT + 2)  # at least one heartbeat from the first beat meanwhile
    assert not processes.said("beat-2", "Sending due task")

    # The first beat stops just after it sent a heartbeat; the second takes over.
    sent = len(processes.said("beat", "Sending due task heartbeat"))
    eventually(lambda: len(processes.said("beat", "Sending due task heartbeat")) > sent, 30, 0.1)
    processes.stop("beat")
    eventually(lambda: processes.said("beat-2", "This beat holds the lock"), 30)
    eventually(lambda: processes.said("beat-2", "Sending due task heartbeat"), 2 * HEARTBEAT + 5)
    processes.running["beat"] = processes.running.pop("beat-2")  # the beat, from now on

    first = processes.said("beat", "Sending due task heartbeat")
    second = processes.said("beat-2", "Sending due task heartbeat")
    between = (second[0] - first[-1]).total_seconds()
    assert between >= 0.8 * HEARTBEAT, f"a heartbeat {between:.1f} s after the previous one"
    assert ready()

    # The clinic works on: mail still goes, sent by the new beat's outbox rounds.
    stack.mail.down()
    _dubois, alert = open_in_an_emergency("psy.dubois")
    eventually(lambda: outbox_row(alert)[1] >= 1, 10)
    stack.mail.accept()
    eventually(lambda: outbox_row(alert)[0], 30)
    assert stack.mail.copies(alert) == 1
