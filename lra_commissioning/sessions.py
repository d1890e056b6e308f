"""Sessions in the database with a copy in the cache (Django's `cached_db` engine),
that carry on from the database alone while the cache cannot be reached.

Django's `cached_db` store reads a session from the cache and falls back to the
database on a miss, but a cache that does not answer makes some of its calls
raise (keeping the copy after a database read, checking a new key, deleting a
session on sign-out): with Redis down nobody could sign in or out. Here every
cache call of the store goes through `_cached`, which treats a failure as a
miss and logs the outage once (`lra_commissioning.cache.cache_outage`).

Reading a session also reads the content generation (lra_commissioning/page_cache.py)
in the same round trip, for the signed-in person's kept copy (lra_commissioning/auth.py).

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
        # person's kept copy is checked against it (lra_commissioning/auth.py).
        try:
            found = self._cache.get_many([self.cache_key, page_cache.GENERATION_KEY])
        except Exception as exc:  # noqa: BLE001 - the database has every session
            cache_outage.down(exc)
            found = {}
        else:
            if not cache_outage.up():  # back just now: writes it missed move the generation
                page_cache.remember_generation_read_with_session(
                    found.get(page_cache.GENERATION_KEY)
                )
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
