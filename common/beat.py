"""Exactly one beat sends the scheduled tasks, however many are started.

A beat holds a lock in Redis (the broker) for as long as it runs, renewing it on every tick; a
second beat finds the lock taken, sends nothing and says so, and takes over within
`LOCK_SECONDS` once the first is gone. The tasks are idempotent besides, so the few seconds in
which a stalled beat and its successor might both send change nothing (docs/operations.md,
"Scheduled work").

When each task last went out is kept beside the lock in Redis, written by the lock's holder
only, not in a file of each beat's: the beat that takes over goes on from there, and sends
again neither what its predecessor has just sent nor a daily task it sent this morning. (Two
beats writing one schedule file left it unreadable to the one that took over, which then
stopped: tests/stack/test_faults.py.)
"""

import contextlib
import datetime
import json
import logging
import uuid

import redis
from celery.beat import Scheduler

logger = logging.getLogger(__name__)

LOCK_KEY = "clinic:beat"
RUNS_KEY = "clinic:beat:runs"  # each task's last run and count, as the lock's holder sent it
LOCK_SECONDS = 30
# A beat ticks at least this often, so that it renews its lock well before the lock expires.
TICK_SECONDS = 5

# Renew or release the lock only if it is still this beat's (another may have taken it over).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RECORD = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('hset', KEYS[2], ARGV[2], ARGV[3])
end
return -1
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


class SingleBeatScheduler(Scheduler):
    """Celery's scheduler, sending only while it holds the lock, its record of the last runs
    kept in Redis with the lock."""

    def __init__(self, *args, **kwargs):
        self._token = uuid.uuid4().hex
        self._holding: bool | None = None
        super().__init__(*args, **kwargs)
        self._redis = connect(self.app.conf.broker_url)

    def tick(self, *args, **kwargs) -> float:
        if not self.hold():
            return TICK_SECONDS
        return min(super().tick(*args, **kwargs), TICK_SECONDS)

    def hold(self) -> bool:
        """Take the lock, or renew it if it is this beat's already."""
        ttl = LOCK_SECONDS * 1000
        try:
            held = bool(
                self._redis.set(LOCK_KEY, self._token, nx=True, px=ttl)
                or self._redis.eval(_RENEW, 1, LOCK_KEY, self._token, ttl)
            )
        except redis.RedisError as error:
            logger.warning("The beat cannot reach Redis (%s): it sends nothing meanwhile.", error)
            held = False
        if held and self._holding is not True:
            logger.info("This beat holds the lock %r: it sends the scheduled tasks.", LOCK_KEY)
            self._resume()
        elif not held and self._holding is not False:
            logger.warning(
                "Another beat holds the lock %r: this one sends nothing while that one runs.",
                LOCK_KEY,
            )
        self._holding = held
        return held

    def _resume(self) -> None:
        """Go on from each task's last run as the previous holder recorded it (this beat's own,
        if it held the lock last); a task never recorded keeps the time this beat started."""
        try:
            runs = self._redis.hgetall(RUNS_KEY)
        except redis.RedisError:
            return
        for name, entry in self.schedule.items():
            if recorded := runs.get(name.encode()):
                run = json.loads(recorded)
                entry.last_run_at = datetime.datetime.fromisoformat(run["last_run_at"])
                entry.total_run_count = run["total_run_count"]
        self._heap = None  # the next tick orders the tasks anew

    def reserve(self, entry):
        """The task is about to go: its run recorded for whoever holds the lock next."""
        entry = super().reserve(entry)
        run = {
            "last_run_at": entry.last_run_at.isoformat(),
            "total_run_count": entry.total_run_count,
        }
        try:
            self._redis.eval(
                _RECORD, 2, LOCK_KEY, RUNS_KEY, self._token, entry.name, json.dumps(run)
            )
        except redis.RedisError as error:
            logger.warning("The beat cannot record that %s ran (%s).", entry.name, error)
        return entry

    def close(self) -> None:
        super().close()
        with contextlib.suppress(redis.RedisError):  # unreachable: the lock expires by itself
            self._redis.eval(_RELEASE, 1, LOCK_KEY, self._token)


def beat_running(url: str) -> bool:
    """Whether some beat holds the lock (it renews it every few seconds while it runs)."""
    return bool(connect(url).exists(LOCK_KEY))
