"""Signing people in: Django's ModelBackend, with the signed-in person and their roles
kept in the cache.

Every staff request needs the signed-in person and their roles (`User.roles`).
Reading them from PostgreSQL on every request would cost a round trip each
time; instead they are read once (one query for both) and kept in the cache
under the *content generation* (lra_commissioning/page_cache.py), the counter
that moves when any write through Django's database connection commits. So a
removed role, a closed account (`is_active`) or a new password (and a new
last sign-in) is seen on the very next request: the write moved the
generation, the kept copy no longer matches it, and the person is read again.
A write made while the cache could not be reached leaves a
`PendingPageInvalidation` row, turned into a generation move once the cache
answers by the first cache call of a process that saw the outage
(`cache_outage.when_back`), or by the catch-up job within a minute; kept people also expire after
`PERSON_CACHE_SECONDS` whatever happens. With the cache down the person is read from the
database, as if nothing were kept: an outage locks nobody out.

The password hash is never kept (a leak of the cache must not give it away):
a kept person comes back with `password` deferred and with the session's
authentication hash, which Django's sign-in check compares against
(`User.get_session_auth_hash`). Anything that needs the password itself
(checking the old one when changing it) loads it from the database.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Aggregate, CharField

from . import page_cache
from .cache import cache_outage
from .models import User
from .roles import Role

# A kept person is trusted for at most this long, whatever happens to the cache.
PERSON_CACHE_SECONDS = 120
# Not kept: the password hash (see the module docstring).
_KEPT_FIELDS = tuple(f.attname for f in User._meta.concrete_fields if f.attname != "password")


class RoleList(Aggregate):
    """A person's role names joined with commas (GROUP_CONCAT; STRING_AGG on PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s, ',')",
            **extra_context,
        )


def person_key(user_id) -> str:
    return f"person:{user_id}"


def _read_person(user_id):
    """The person and their roles from the database, in one query (None if there is none)."""
    user = (
        User._default_manager.filter(pk=user_id)
        .annotate(role_list=RoleList("role_grants__role"))
        .first()
    )
    if user is not None:
        names = [name for name in (user.role_list or "").split(",") if name]
        # As User.roles: a closed account holds no role.
        user.roles = frozenset(Role(name) for name in names) if user.is_active else frozenset()
    return user


def _kept_form(user) -> dict:
    return {
        "fields": [getattr(user, name) for name in _KEPT_FIELDS],
        "roles": sorted(user.roles),
        "session_auth_hash": user.get_session_auth_hash(),
    }


def _from_kept(kept) -> User:
    user = User.from_db(DEFAULT_DB_ALIAS, _KEPT_FIELDS, kept["fields"])
    user.roles = frozenset(Role(name) for name in kept["roles"])
    user.kept_session_auth_hash = kept["session_auth_hash"]
    return user


def cached_person(user_id):
    """The person with `user_id` and their roles: the kept copy when it is current,
    else from the database (and kept for the next request). None if there is none."""
    if getattr(connection, "lra_content_written", False):
        # This connection wrote inside a transaction that has not committed yet
        # (a test, or a request that wrote before signing in): move the
        # generation now, as the kept pages do, so it sees its own write.
        page_cache.bump_content_generation()
    key = person_key(user_id)
    try:
        found = cache.get_many([page_cache.GENERATION_KEY, key])
        if page_cache.GENERATION_KEY not in found:
            page_cache.start_content_generation()
            found[page_cache.GENERATION_KEY] = cache.get(page_cache.GENERATION_KEY)
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation: read the database
        cache_outage.down(exc)
        return _read_person(user_id)
    if cache_outage.up():
        # Back after an outage: writes it missed have just moved the generation,
        # after it was read here.
        return _read_person(user_id)
    generation = found.get(page_cache.GENERATION_KEY)
    kept = found.get(key)
    if generation is not None and kept is not None and kept["generation"] == generation:
        return _from_kept(kept)
    user = _read_person(user_id)
    if user is None or generation is None:
        return user
    try:
        cache.set(key, {"generation": generation, **_kept_form(user)}, timeout=PERSON_CACHE_SECONDS)
    except Exception as exc:  # noqa: BLE001
        cache_outage.down(exc)
    return user


class RolesModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = cached_person(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
