"""Requests over HTTP to the clinic's own web server, for the benchmarks (bench/README.md).

`served()` starts gunicorn as production runs it (gunicorn.conf.py, config.settings.
production: synchronous workers, one per core and one more, WhiteNoise, the database's
timeouts, tasks queued to a broker) on one database; `HTTPRequester` times a page from the
request sent to the last byte received, as a browser waits for it. Import after
django.setup(): the sessions are made in-process, on the same database, with the same key."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

from bench.inprocess import Requester

ROOT = Path(__file__).resolve().parent.parent
# The in-process requesters' sessions are read by the server: both sign with these keys.
KEYS = ("SECRET_KEY", "AUDIT_CHAIN_KEY")


def server_environment(database: str, *, conn_max_age: int, address: str) -> dict[str, str]:
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{database}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": url,
        "CONN_MAX_AGE": str(conn_max_age),
        "GUNICORN_BIND": address,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOCAL_HTTP_ONLY": "true",  # plain HTTP on the machine itself, as `make up` serves
        "CLINIC_NAME": "Bench clinic",
        "CLINIC_ADDRESS": "Rue du Banc 1;4000 Liège",
        "CLINIC_PLACE": "Liège",
        # Tasks are queued as in production; nobody runs them during the measure.
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13"),
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": str(settings.VAR_DIR),
        **{key: str(getattr(settings, key)) for key in KEYS},
    }


def collect_static() -> None:
    """The hashed static files WhiteNoise serves and the pages name (production refuses a page
    whose static file it cannot name)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=server_environment(connection.settings_dict["NAME"], conn_max_age=0, address=""),
        check=True,
    )


@contextlib.contextmanager
def served(database: str, *, conn_max_age: int, port: int):
    """gunicorn on `database` at 127.0.0.1:`port` for the time of the block. conn_max_age: 60
    keeps each worker's connection (production's default), 0 opens one per request."""
    address = f"127.0.0.1:{port}"
    # Its log to a file: a pipe nobody reads fills up, and then the workers wait to write.
    log = Path(settings.VAR_DIR) / f"gunicorn-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=server_environment(database, conn_max_age=conn_max_age, address=address),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://{address}"
    try:
        for _ in range(300):
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer within 30 seconds")
        yield base
    finally:
        process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: nothing is in flight
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class HTTPRequester:
    """The same user as an in-process Requester (its session cookie or API token), over
    HTTP. Queries are counted in-process: the same code asks the same ones."""

    def __init__(self, base: str, inprocess: Requester):
        self.base, self.inprocess = base, inprocess
        self.session = requests.Session()
        if inprocess.token:
            self.session.headers["Authorization"] = f"Token {inprocess.token}"
        else:
            self.session.headers["Cookie"] = inprocess.cookie

    def get(self, path: str) -> float:
        started = time.perf_counter()
        response = self.session.get(self.base + path, timeout=60, allow_redirects=False)
        elapsed = time.perf_counter() - started  # the body is read: the last byte is in
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return elapsed

    def count_queries(self, path: str) -> int:
        return self.inprocess.count_queries(path)
