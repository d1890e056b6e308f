"""The cache backend: Django's Redis cache, with one redis-py client per connection pool
(lra_commissioning/cache.py)."""

import pytest
import redis
from django.core.cache import cache, caches

from lra_commissioning.cache import RedisCache


def test_the_cache_makes_its_redis_client_once_and_answers_through_it():
    assert isinstance(caches["default"], RedisCache)
    client = cache._cache.get_client()
    cache.set("cache-test", {"kept": 1})
    assert cache.get_many(["cache-test"]) == {"cache-test": {"kept": 1}}
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client  # one server: one pool


def test_a_redis_that_went_away_and_came_back_answers_again(private_redis):
    from tests.brokers import cache_at

    with cache_at(private_redis.url):
        from django.core.cache import cache as at_private

        at_private.set("k", "before")
        private_redis.stop()
        with pytest.raises(redis.RedisError):
            at_private.get("k")
        private_redis.start()
        at_private.set("k", "after")  # the kept client reconnects through its pool
        assert at_private.get("k") == "after"
