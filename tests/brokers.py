"""Point the Celery app (and Django's cache) at another Redis for a test."""

import contextlib

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
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    with override_settings(CACHES=cache, REDIS_URL=url), celery_broker(url, queue=queue):
        yield
