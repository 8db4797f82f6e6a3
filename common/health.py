"""Can this installation serve and work? The answers behind /healthz and /readyz, for load
balancers and monitoring (docs/operations.md, "Health"): one word per part, nothing more.
"""

import datetime

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from common.beat import beat_running
from common.models import Heartbeat

OK = "ok"
DEFAULT_QUEUE = "celery"  # Celery's; every task of ours goes there
IN_PROCESS = "in process"  # no broker: the embedded demo runs its tasks in the web process

# Once this process has seen the database carry all its migrations, it stays so: the next
# code with new migrations comes with a new process.
_migrated = False


def readiness() -> dict[str, str]:
    """Each part's state: "ok" (or "in process") when it works."""
    states = {"database": _database()}
    states["migrations"] = _migrations() if states["database"] == OK else "unknown"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        states |= {"broker": IN_PROCESS, "worker": IN_PROCESS, "beat": IN_PROCESS}
    else:
        states["broker"] = _broker()
        states["worker"] = _worker() if states["database"] == OK else "unknown"
        states["beat"] = _beat() if states["broker"] == OK else "unknown"
    return states


def is_ready(states: dict[str, str]) -> bool:
    return all(state in (OK, IN_PROCESS) for state in states.values())


def queue_depth() -> int | None:
    """Tasks waiting for a worker on the broker's default queue; None without a broker or
    when it does not answer."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    try:
        return redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2
        ).llen(DEFAULT_QUEUE)
    except redis.RedisError:
        return None


def background_stopped() -> bool:
    """No worker has shown itself lately (one query): letters wait to be rendered and e-mails
    to be sent. Never so when tasks run in the web process."""
    return not settings.CELERY_TASK_ALWAYS_EAGER and _worker() != OK


def last_heartbeat() -> datetime.datetime | None:
    return Heartbeat.objects.filter(name="worker").values_list("at", flat=True).first()


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unreachable"
    return OK


def _migrations() -> str:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return OK if _migrated else "pending"


def _broker() -> str:
    try:
        redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2
        ).ping()
    except redis.RedisError:
        return "unreachable"
    return OK


def _worker() -> str:
    """A worker ran the heartbeat the beat sends every minute, lately."""
    silence = datetime.timedelta(seconds=settings.HEALTH_WORKER_SILENCE_SECONDS)
    seen = Heartbeat.objects.filter(name="worker", at__gte=timezone.now() - silence).exists()
    return OK if seen else "silent"


def _beat() -> str:
    try:
        return OK if beat_running(settings.CELERY_BROKER_URL) else "stopped"
    except redis.RedisError:
        return "unknown"
