"""The whole stack on this machine, for `make up` and `make down` (docs/operations.md,
"Processes"): PostgreSQL and Redis as they run here, production settings, HTTP on 127.0.0.1
only. NAME tells stacks apart (var/NAME.env, .pid, .log): `stack` by default, `smoke` for the
tests of tests/stack.

    python deploy/stack.py prepare NAME DATABASE_URL BROKER_URL ADDRESS [--fresh]
        var/NAME.env (keys made once) and the database; --fresh starts from nothing
    python deploy/stack.py wait NAME SECONDS
        until /readyz answers 200
    python deploy/stack.py stop NAME
        the processes `make up` started, each finishing what it was doing
"""

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

VAR = Path(__file__).resolve().parent.parent / "var"


def env_file(name: str) -> Path:
    return VAR / f"{name}.env"


def pid_file(name: str) -> Path:
    return VAR / f"{name}.pid"


def prepare(name: str, database_url: str, broker_url: str, address: str, *flags: str) -> None:
    VAR.mkdir(exist_ok=True)
    path = env_file(name)
    if "--fresh" in flags:
        path.unlink(missing_ok=True)
        # The access log's heads belong to the database dropped here: kept, they would make
        # the sealer refuse the new one (docs/security.md, the access log's threat model).
        shutil.rmtree(VAR / f"{name}-checkpoints", ignore_errors=True)
        drop_database(database_url)
        redis.Redis.from_url(broker_url).flushdb()
    if not path.exists():
        settings = {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(50),
            "AUDIT_CHECKPOINT_DIR": str(VAR / f"{name}-checkpoints"),
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "GUNICORN_BIND": address,
            "SITE_URL": f"http://{address}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOCAL_HTTP_ONLY": "true",
            "CLINIC_NAME": "Centre d'aide aux auteurs (démonstration)",
            "CLINIC_ADDRESS": "Rue de la Démonstration 1;4000 Liège",
            "CLINIC_PLACE": "Liège",
            # Mail waits in the outbox until something listens here ("Outgoing mail").
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": "8025",
        }
        path.write_text("".join(f"{key}={shlex.quote(v)}\n" for key, v in settings.items()))
        path.chmod(0o600)
        print(f"Wrote var/{path.name} (its keys are this stack's own).")
    create_database(read_env(name)["DATABASE_URL"])


def read_env(name: str) -> dict[str, str]:
    lines = env_file(name).read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line)
    return {key: shlex.split(value)[0] for key, value in pairs}


def _maintenance(url: str):
    return psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True)


def create_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created the database {name}.")


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait(name: str, seconds: float) -> None:
    url = f"http://{read_env(name)['GUNICORN_BIND']}/readyz"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    print(f"{url}: ready.")
                    return
        except OSError:  # not listening yet, refused, timed out; a 503 (HTTPError) too
            pass
        time.sleep(1)
    sys.exit(f"{url} was not ready after {seconds:.0f} s: see var/{name}.log.")


def stop(name: str, seconds: float = 60) -> None:
    path = pid_file(name)
    if not path.exists():
        print(f"No stack {name!r} is running (no var/{path.name}).")
        return
    pid = int(path.read_text())
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.kill(pid, signal.SIGTERM)  # honcho stops web, worker and beat, each gracefully
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.5)
    if _alive(pid):
        sys.exit(f"The stack (process {pid}) did not stop within {seconds:.0f} s.")
    path.unlink()
    print("The stack has stopped.")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["help"]
    if command == "prepare":
        prepare(*args)
    elif command == "wait":
        wait(args[0], float(args[1]))
    elif command == "stop":
        stop(args[0])
    else:
        sys.exit(__doc__)
