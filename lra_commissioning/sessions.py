"""Sessions in the database with a copy in the cache (Django's `cached_db` engine),
that carry on from the database alone while the cache cannot be reached.

Django's `cached_db` store reads a session from the cache and falls back to the
database on a miss, but a cache that does not answer makes some of its calls
raise (keeping the copy after a database read, checking a new key, deleting a
session on sign-out): with Redis down nobody could sign in or out. Here every
cache call of the store goes through `_cached`, which treats a failure as a
miss and logs the outage once (`lra_commissioning.cache.cache_outage`).

Reading a session also reads the content generation in the same round trip
(`page_cache.read_with_generation`), for the signed-in person's kept copy
(lra_commissioning/auth.py) and kept pages.

A copy in the cache is kept for at most `SESSION_CACHE_SECONDS` (an active
session is saved, and so kept again, every `SESSION_TOUCH_SECONDS`): a session
signed out while the cache could not be reached (deleted from the database
only) cannot come back with the cache for longer than that.
"""

from django.contrib.sessions.backends import cached_db, db

from . import page_cache
from .cache import cache_outage

SESSION_CACHE_SECONDS = 120


class SessionStore(cached_db.SessionStore):
    """`cached_db`, each of whose cache calls may fail; the database part is `db`'s."""

    def _cached(self, call, *args, default=None):
        try:
            result = call(*args)
        except Exception as exc:  # noqa: BLE001 - the database has every session
            cache_outage.down(exc)
            return default
        cache_outage.up()
        return result

    def _keep(self, data, expiry_age):
        self._cached(self._cache.set, self.cache_key, data, min(expiry_age, SESSION_CACHE_SECONDS))

    def load(self):
        # The content generation comes in the same round trip: the signed-in
        # person's kept copy and kept pages are checked against it.
        try:
            found = page_cache.read_with_generation([self.cache_key])
        except Exception as exc:  # noqa: BLE001 - the database has every session
            cache_outage.down(exc)
            found = {}
        data = found.get(self.cache_key)
        if data is not None:
            return data
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        self._keep(data, self.get_expiry_age(expiry=s.expire_date))
        return data

    def exists(self, session_key):
        if session_key and self._cached(
            self._cache.has_key, self.cache_key_prefix + session_key, default=False
        ):
            return True
        return db.SessionStore.exists(self, session_key)

    def save(self, must_create=False):
        db.SessionStore.save(self, must_create)
        self._keep(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        db.SessionStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cached(self._cache.delete, self.cache_key_prefix + session_key)
