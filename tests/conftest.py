"""Personas and a patient they relate to differently; see tests/README.md for the conventions."""

import itertools
import os
import time

import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import (
    AuthorityFactory,
    JusticeContactFactory,
    UserFactory,
    patient_in_care,
    verify_session,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when a service or tool is missing — except in CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _the_installations_language():
    """Each test starts in the installation's language: a request answered in another (a
    user's preference, a browser's Accept-Language) leaves it active in the thread, and the
    next test's messages would come out in French."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def _audit_checkpoints_root(tmp_path_factory):
    return tmp_path_factory.mktemp("audit-checkpoints")


_checkpoint_dirs = itertools.count()


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, _audit_checkpoints_root):
    """Each test keeps the access log's checkpoints (written outside the database) apart: a
    folder of its own, which the code makes when it first writes there (as it did under
    tmp_path / "audit"). Not tmp_path itself: a directory made and removed for each of the
    suite's 1,800 tests was 2 % of its time, and few tests write a checkpoint."""
    settings.AUDIT_CHECKPOINT_DIR = _audit_checkpoints_root / str(next(_checkpoint_dirs))


NO_TRUNCATE_TRIGGERS = {
    "audit_accessevent": "audit_accessevent_no_truncate",
    "audit_accesseventpatient": "audit_accesseventpatient_no_truncate",
}


@pytest.fixture(autouse=True)
def _let_the_test_flush_through(request):
    """A transactional test ends with Django's flush, a TRUNCATE of every table, which the
    access log's triggers refuse on PostgreSQL: switch those off for that flush only. (The
    test of the triggers switches them on again inside its own transaction.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")  # so that this ends before the flush
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table, trigger in NO_TRUNCATE_TRIGGERS.items():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """Data built once for a whole module, in a transaction rolled back when the module ends;
    each test still runs in a savepoint of its own (mark the module django_db). For what a
    module's tests only read: building it per test is most of the suite's time."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def treating_psychologist(db):
    return UserFactory(username="psy.treating", role=Role.PSYCHOLOGIST)


@pytest.fixture
def other_psychologist(db):
    return UserFactory(username="psy.other", role=Role.PSYCHOLOGIST)


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR)


@pytest.fixture
def clinical_lead(db):
    return UserFactory(username="lead", role=Role.CLINICAL_LEAD)


@pytest.fixture
def helpline_listener(db):
    return UserFactory(username="helpline", role=Role.HELPLINE_LISTENER)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def authority(db):
    return AuthorityFactory(name="Commission de probation de Liège")


@pytest.fixture
def justice_contact(db):
    return JusticeContactFactory(name="Claire Renard")


@pytest.fixture
def patient(administrator, clinical_lead, treating_psychologist, authority, justice_contact):
    """In the treating psychologist's care team, with a mandate; nobody else's patient."""
    return patient_in_care(
        administrator=administrator,
        lead=clinical_lead,
        psychologist=treating_psychologist,
        authority=authority,
        justice_contact=justice_contact,
    )


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
            verify_session(client, user)  # past the second factor (tests/accounts test it)
        return client

    return make


@pytest.fixture
def api_for():
    """An API client authenticated as this user (None: anonymous)."""
    from rest_framework.test import APIClient

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def redis_broker():
    """The shared broker REDIS_URL names, for one test at a time: two test processes (pytest
    -n) on one queue would each take the other's tasks, which name rows of the other's test
    database. A lock on a file named after the URL makes the others wait."""
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "REDIS_URL is not set: the worker tests need a Redis broker")
    import fcntl
    import hashlib
    import tempfile
    from pathlib import Path

    import redis

    from config.celery import app

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        require(False, f"Redis does not answer at {url}")
    name = hashlib.sha256(url.encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"clinic-tests-redis-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, the test done
        saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
        app.conf.update(broker_url=url, task_always_eager=False)
        _forget_connections()
        # Tasks an earlier holder left on the queue belong to its own test database.
        app.control.purge()
        yield url
        app.conf.update(saved)
        _forget_connections()


class OwnRedis:
    """A Redis server of the test's own, on a free port, that the test may stop and start
    again (a broker outage): nothing else uses it."""

    def __init__(self, directory):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process = None

    def start(self) -> None:
        import subprocess

        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

        def answers():
            try:
                return redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
            except redis.exceptions.ConnectionError:
                return False

        assert wait_until(answers, timeout=10), "the test's Redis server did not start"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


@pytest.fixture
def own_redis(settings, tmp_path):
    """A broker of the test's own, for the Celery app and for the settings /readyz reads."""
    import shutil

    from config.celery import app

    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = OwnRedis(tmp_path)
    server.start()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    settings.CELERY_BROKER_URL = server.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=server.url, task_always_eager=False)
    _forget_connections()
    yield server
    app.conf.update(saved)
    _forget_connections()
    if server.process.poll() is None:
        server.stop()


def _forget_connections():
    from config.celery import app

    # Celery keeps the connection (and producer) pool it opened first: after an earlier test,
    # that is one to the default broker, and the tasks would go there instead of to REDIS_URL.
    app._pool = None
    app.amqp._producer_pool = None


def wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
