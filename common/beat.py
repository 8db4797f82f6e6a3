"""Exactly one beat sends the scheduled tasks, however many are started.

A beat holds a lock in Redis (the broker) for as long as it runs, renewing it on every tick; a
second beat finds the lock taken, sends nothing and says so, and takes over within
`LOCK_SECONDS` once the first is gone. The tasks are idempotent besides, so the few seconds in
which a stalled beat and its successor might both send change nothing (docs/operations.md,
"Scheduled work").
"""

import contextlib
import logging
import uuid

import redis
from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)

LOCK_KEY = "clinic:beat"
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
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


class SingleBeatScheduler(PersistentScheduler):
    """Celery's own scheduler (its schedule kept in a file), sending only while it holds the
    lock."""

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
        elif not held and self._holding is not False:
            logger.warning(
                "Another beat holds the lock %r: this one sends nothing while that one runs.",
                LOCK_KEY,
            )
        self._holding = held
        return held

    def close(self) -> None:
        with contextlib.suppress(redis.RedisError):  # unreachable: the lock expires by itself
            self._redis.eval(_RELEASE, 1, LOCK_KEY, self._token)
        super().close()


def beat_running(url: str) -> bool:
    """Whether some beat holds the lock (it renews it every few seconds while it runs)."""
    return bool(connect(url).exists(LOCK_KEY))
