"""Point the Celery app (and Django's cache) at another Redis for a test, or at a
redis-server of the test's own (`PrivateRedis`: never the shared one)."""

import contextlib
import socket
import subprocess
import time

import redis
from django.conf import settings
from django.test import override_settings
from kombu import pools as kombu_pools

from lra_commissioning.celery import app

# Nothing listens on this port: every connection is refused, as with Redis stopped.
DEAD_REDIS = "redis://127.0.0.1:6390/0"


def reset_connections():
    """Forget every pooled broker connection (the app's and kombu's shared registry)
    and the app's cached queue declarations, so the next use connects to the broker,
    and routes to the default queue, configured now."""
    kombu_pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app.__dict__.pop("amqp", None)  # its queues and default queue are cached on first use


@contextlib.contextmanager
def celery_broker(url, *, queue=None):
    """Tasks really go to the broker at `url` (not run in-process) while inside."""
    names = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {name: app.conf[name] for name in names}
    app.conf.update(
        task_always_eager=False,
        broker_url=url,
        task_default_queue=queue or saved["task_default_queue"],
    )
    reset_connections()
    try:
        yield app
    finally:
        app.conf.update(**saved)
        reset_connections()


@contextlib.contextmanager
def redis_at(url, *, queue=None):
    """The cache and the Celery broker both at `url`, as REDIS_URL would set them."""
    cache = {"default": {"BACKEND": "lra_commissioning.cache.RedisCache", "LOCATION": url}}
    with override_settings(CACHES=cache, REDIS_URL=url), celery_broker(url, queue=queue):
        yield


@contextlib.contextmanager
def cache_at(url):
    """Django's cache (only) at `url`, with the production settings' timeouts."""
    cache = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    cache["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 1, "socket_timeout": 1}
    )
    cache["default"]["BACKEND"] = "lra_commissioning.cache.RedisCache"
    with override_settings(CACHES=cache):
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what, timeout=60, every=0.2):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


class PrivateRedis:
    """A redis-server of this test's own, on a free port, with nothing saved to disk."""

    def __init__(self, workdir):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process = None

    def client(self):
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=2)

    def _answers(self):
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, "redis-server to answer", timeout=20)

    def pause(self, seconds: float) -> None:
        """Every client's commands wait this long (CLIENT PAUSE), as in a stall."""
        self.client().execute_command("CLIENT", "PAUSE", int(seconds * 1000), "ALL")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None
        assert not self._answers()
