"""The whole stack as production runs it, started fresh with `make up` and driven over HTTP
as a clinician's browser would: `make stack-test` (docs/operations.md, "Processes").

It needs PostgreSQL and Redis on this machine; without them it skips, and fails in CI.
"""

import os
import re
import subprocess
import time
from base64 import b32decode
from pathlib import Path

import pytest
import requests
from django_otp.oath import totp

from tests.conftest import require
from workspace.management.commands.seed_demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent
NAME = "smoke"
ADDRESS = os.environ.get("STACK_TEST_ADDRESS", "127.0.0.1:8031")
BASE = f"http://{ADDRESS}"
STACK = {
    "STACK_NAME": NAME,
    "STACK_DATABASE_URL": os.environ.get(
        "STACK_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_smoke"
    ),
    "STACK_BROKER_URL": os.environ.get("STACK_TEST_BROKER_URL", "redis://127.0.0.1:6379/4"),
    "STACK_ADDRESS": ADDRESS,
}


def make(*targets: str, **variables: str) -> subprocess.CompletedProcess:
    arguments = [f"{key}={value}" for key, value in {**STACK, **variables}.items()]
    return subprocess.run(
        ["make", *targets, *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="package")
def stack():
    """A fresh stack: new keys, an empty database and broker, the demo clinic seeded."""
    started = make("up", STACK_FRESH="1")
    if started.returncode != 0:
        log = ROOT / "var" / f"{NAME}.log"
        tail = log.read_text()[-3000:] if log.exists() else ""
        require(
            "could not connect" not in started.stderr.lower(),
            f"PostgreSQL or Redis is not running: {started.stderr[-500:]}",
        )
        make("down")
        pytest.fail(f"make up failed:\n{started.stdout[-2000:]}\n{started.stderr[-3000:]}\n{tail}")
    yield BASE
    stopped = make("down")
    assert stopped.returncode == 0, stopped.stderr


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} in the page"
    return match.group(1)


def results(answer) -> list[dict]:
    """An API list's items, paginated or not."""
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["results"] if isinstance(body, dict) else body


def eventually(condition, seconds: float = 60.0, every: float = 0.5):
    """The condition's first true value, asked every half second until it comes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    raise AssertionError(f"not within {seconds:.0f} s")


class Clinician(requests.Session):
    """A browser's session: cookies, the CSRF token on every change, URLs relative to the
    stack's address."""

    def __init__(self, base: str = BASE):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        if method.upper() not in {"GET", "HEAD"} and "csrftoken" in self.cookies:
            kwargs.setdefault("headers", {})["X-CSRFToken"] = self.cookies["csrftoken"]
        kwargs.setdefault("timeout", 30)
        address = self.base + url if url.startswith("/") else url
        return super().request(method, address, *args, **kwargs)


def code(secret: str) -> str:
    """What the phone's app shows now for the key typed from the enrolment page."""
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, step=30, digits=6):06d}"


def log_in(username: str, base: str = BASE) -> Clinician:
    """The first login of a demo user: the password, then the phone enrolled with the key the
    page shows, and the first code. Returns the session, past its second factor."""
    session = Clinician(base)
    page = session.get("/login/")
    answer = session.post(
        "/login/",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
        },
    )
    assert "/account/two-factor/setup/" in answer.url, answer.url
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', answer.text).group(1)
    enrolled = session.post(
        answer.url,
        data={
            "code": code(secret.replace(" ", "")),
            "csrfmiddlewaretoken": hidden(answer.text, "csrfmiddlewaretoken"),
            "next": "/",
        },
    )
    assert enrolled.status_code == 200 and "recovery" in enrolled.text.lower(), enrolled.text
    return session
