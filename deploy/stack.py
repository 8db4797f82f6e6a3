"""The whole stack on this machine, for `make up` and `make down` (docs/operations.md, "The
stack on one machine"): PostgreSQL and Redis as they run here, production settings, HTTP on
127.0.0.1 only.

    python deploy/stack.py prepare      var/stack.env (keys made once), and the database
    python deploy/stack.py wait URL S   until URL answers 200, at most S seconds
    python deploy/stack.py stop         the processes `make up` started, gracefully
"""

import contextlib
import os
import secrets
import shlex
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ROOT / "var" / "stack.env"
PID_FILE = ROOT / "var" / "stack.pid"


def prepare(database_url: str, broker_url: str, address: str) -> None:
    ENV_FILE.parent.mkdir(exist_ok=True)
    if not ENV_FILE.exists():
        settings = {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "GUNICORN_BIND": address,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOCAL_HTTP_ONLY": "true",
            "CLINIC_NAME": "Centre d'aide aux auteurs (démonstration)",
            "CLINIC_ADDRESS": "Rue de la Démonstration 1, 4000 Liège",
            "CLINIC_PLACE": "Liège",
            # Mail waits in the outbox until something listens here ("Outgoing mail").
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": "8025",
        }
        ENV_FILE.write_text("".join(f"{key}={shlex.quote(v)}\n" for key, v in settings.items()))
        ENV_FILE.chmod(0o600)
        print(f"Wrote {ENV_FILE.relative_to(ROOT)} (its keys are this stack's own).")
    create_database(read_env()["DATABASE_URL"])


def read_env() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)
    return {key: shlex.split(value)[0] for key, value in pairs}


def create_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    maintenance = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created the database {name}.")


def wait(url: str, seconds: float) -> None:
    if not url.startswith("http://"):
        sys.exit(f"Not a local HTTP address: {url}")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (http only)
                if response.status == 200:
                    print(f"{url}: ready.")
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(1)
    sys.exit(f"{url} was not ready after {seconds:.0f} s: see var/stack.log.")


def stop(seconds: float = 60) -> None:
    if not PID_FILE.exists():
        print("No stack is running (no var/stack.pid).")
        return
    pid = int(PID_FILE.read_text())
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.kill(pid, signal.SIGTERM)  # honcho stops web, worker and beat, each gracefully
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.5)
    if _alive(pid):
        sys.exit(f"The stack (process {pid}) did not stop within {seconds:.0f} s.")
    PID_FILE.unlink()
    print("The stack has stopped.")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "prepare":
        prepare(*args)
    elif command == "wait":
        wait(args[0], float(args[1]))
    elif command == "stop":
        stop()
    else:
        sys.exit(__doc__)
