"""The cache: Django's Redis backend, making one redis-py client per pool, and `Outage`.

The cache is Django's own Redis backend (settings.CACHES), as `RedisCache`
below; what uses it (kept pages, sessions' copies, the signed-in person, the
comment limit) catches its failures and carries on without it, logging
through `cache_outage` (a service this process can do without for a while
went away, or came back).
"""

import logging
import threading
import time

from django.core.cache.backends import redis as django_redis


class _ClientPerPool(django_redis.RedisCacheClient):
    """Django's Redis cache client, that makes its redis-py client once per
    connection pool instead of on every cache call.

    A redis-py 8 client builds its table of about 170 response callbacks when it
    is made: Django makes one for every get, set or get_many, three on every
    signed-in page, and `make bench` showed that cost between the staff pages
    and their goal. A client is safe to share between threads (it takes a
    connection from the pool for each command) and after a fork (the pool
    notices the new process). `get_client` is the method Django names for a
    custom client to override; tests/lra_commissioning/test_cache.py pins it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """settings.CACHES' backend: Django's, with `_ClientPerPool`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool


class Outage:
    """Whether this process can reach a service it can do without for a while.

    The cache and the Celery broker (both Redis) are optional for a request:
    pages are rendered without kept copies, work that cannot be queued waits
    in the database. Each failure is still worth one line in the log, not one
    traceback per request: `down()` logs a warning the first time only, and
    `up()` one more when the service answers again, with how long it was away,
    and then runs what was registered with `when_back()` (once per outage).
    """

    def __init__(self, what: str, meanwhile: str, logger: logging.Logger):
        self.what = what
        self.meanwhile = meanwhile
        self.log = logger
        self.lock = threading.Lock()
        self.since: float | None = None
        self.on_back = []

    def when_back(self, action) -> None:
        """Run `action()` when the service answers again after an outage."""
        if action not in self.on_back:
            self.on_back.append(action)

    @property
    def is_down(self) -> bool:
        return self.since is not None

    def down(self, exc: BaseException) -> None:
        with self.lock:
            if self.since is not None:
                return
            self.since = time.monotonic()
        self.log.warning(
            "%s cannot be reached (%s: %s): %s", self.what, type(exc).__name__, exc, self.meanwhile
        )

    def up(self) -> bool:
        """The service answered; True when that ends an outage (what was read may predate it)."""
        if self.since is None:  # the usual case: nothing to lock or log
            return False
        with self.lock:
            since, self.since = self.since, None
        if since is None:
            return False
        self.log.warning("%s is back after %.0f s", self.what, time.monotonic() - since)
        for action in self.on_back:
            action()
        return True


# When it is back, lra_commissioning/page_cache.py makes good the writes it missed.
cache_outage = Outage(
    "The cache (Redis)",
    "pages are rendered without kept copies until it is back",
    logging.getLogger("lra_commissioning.cache"),
)
