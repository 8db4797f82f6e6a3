"""/healthz and /readyz, for load balancers and monitoring: open to anyone, one word per part,
and red exactly while a part is down (docs/operations.md, "Health")."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from common import health
from common.beat import SingleBeatScheduler
from common.models import Heartbeat
from common.tasks import heartbeat
from config.celery import app
from tests.conftest import wait_until

PARTS = {"database", "migrations", "broker", "worker", "beat"}


def readyz(client=None):
    response = (client or Client()).get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_anyone_without_touching_the_database(
    django_assert_num_queries, client_for, treating_psychologist
):
    # A load balancer sends no cookie: not one query.
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"alive": True}

    assert client_for(treating_psychologist).get("/healthz").json() == {"alive": True}


@pytest.mark.django_db
def test_readyz_on_the_embedded_demo_is_ready_and_says_only_one_word_per_part():
    status, body = readyz()

    assert status == 200
    assert body == {
        "ready": True,
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "broker": "in process",
            "worker": "in process",
            "beat": "in process",
        },
    }


@pytest.mark.django_db
def test_readyz_refuses_to_change_anything():
    response = Client().post("/readyz")

    assert response.status_code == 405


@pytest.mark.django_db
def test_readyz_is_red_while_the_database_is_unreachable(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    status, body = readyz()
    monkeypatch.undo()

    assert status == 503
    assert body["ready"] is False
    assert body["checks"]["database"] == "unreachable"
    assert body["checks"]["migrations"] == "unknown"
    assert readyz()[0] == 200  # back


@pytest.mark.django_db
def test_readyz_is_red_while_a_migration_is_pending(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["0099_new"])

    status, body = readyz()

    assert status == 503
    assert body["checks"]["migrations"] == "pending"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_follows_the_worker_and_the_broker_going_and_coming_back(
    own_redis, settings, tmp_path
):
    settings.HEALTH_WORKER_SILENCE_SECONDS = 2
    beat = SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / "beat"))
    beat.hold()

    # Nothing has run yet: the broker and the beat answer, no worker has shown itself.
    status, body = readyz()
    assert status == 503
    assert body["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "broker": "ok",
        "worker": "silent",
        "beat": "ok",
    }

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        heartbeat.delay()
        assert wait_until(lambda: readyz()[0] == 200)

    # The worker stopped: once its silence is longer than allowed, /readyz says so.
    assert wait_until(lambda: readyz()[1]["checks"]["worker"] == "silent", timeout=5)
    assert readyz()[0] == 503

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        heartbeat.delay()
        assert wait_until(lambda: readyz()[0] == 200)

        # The broker stops (and its lock with it, Redis keeping nothing on disk)...
        own_redis.stop()
        status, body = readyz()
        assert status == 503
        assert body["checks"]["broker"] == "unreachable"
        assert body["checks"]["beat"] == "unknown"

        # ...and comes back: the beat takes its lock again, the worker reconnects.
        own_redis.start()
        beat.hold()
        heartbeat.delay()
        assert wait_until(lambda: readyz()[0] == 200, timeout=30)
        beat.close()


@pytest.mark.worker
@pytest.mark.django_db
def test_a_second_beat_sends_nothing_until_the_first_is_gone(own_redis, tmp_path, caplog):
    app.conf.beat_schedule, saved = (
        {"often": {"task": "common.tasks.heartbeat", "schedule": 0.1}},
        app.conf.beat_schedule,
    )
    first = SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / "first"))
    second = SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / "second"))
    try:
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            first.tick()
            second.tick()
            time.sleep(0.05)

        sent = first.schedule["often"].total_run_count
        assert sent >= 5
        assert second.schedule["often"].total_run_count == 0
        # Every message on the broker came from the first beat: none was sent twice.
        assert own_redis.client().llen("celery") == sent
        assert "Another beat holds the lock" in caplog.text

        # The first beat stops; the second takes over at its next tick.
        first.close()
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            second.tick()
            time.sleep(0.05)
        assert second.schedule["often"].total_run_count >= 3
        assert health.readiness()["beat"] == "ok"
        second.close()
        assert health.readiness()["beat"] == "stopped"
    finally:
        first.close()
        second.close()
        app.conf.beat_schedule = saved


@pytest.mark.worker
@pytest.mark.django_db
def test_the_beat_that_takes_over_goes_on_from_the_last_runs_of_the_first(own_redis):
    app.conf.beat_schedule, saved = (
        {"hourly": {"task": "common.tasks.heartbeat", "schedule": 3600.0}},
        app.conf.beat_schedule,
    )
    first = SingleBeatScheduler(app=app)
    second = SingleBeatScheduler(app=app)
    try:
        # Both started long ago: to each, the hourly task is due.
        for beat in (first, second):
            beat.schedule["hourly"].last_run_at -= datetime.timedelta(hours=2)
        first.tick()
        second.tick()
        assert first.schedule["hourly"].total_run_count == 1

        # The first stops; the second takes over and knows the task has just gone.
        first.close()
        second.tick()
        second.tick()
        assert second.schedule["hourly"].total_run_count == 1
        assert own_redis.client().llen("celery") == 1
    finally:
        first.close()
        second.close()
        app.conf.beat_schedule = saved


@pytest.mark.django_db
def test_the_heartbeat_task_records_when_a_worker_last_ran_it():
    heartbeat()
    first = Heartbeat.objects.get(name="worker").at
    heartbeat()

    assert Heartbeat.objects.get(name="worker").at >= first
    assert Heartbeat.objects.count() == 1
    assert timezone.now() - first < datetime.timedelta(seconds=5)
