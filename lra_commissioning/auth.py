"""Signing people in: Django's ModelBackend, with the signed-in person and their roles
kept in each web process.

Every staff request needs the signed-in person and their roles (`User.roles`).
Reading them from PostgreSQL on every request would cost a round trip each
time; instead each process reads a person once (one query for both) and keeps
them under the *content generation* (lra_commissioning/page_cache.py), the
counter in the shared cache that moves when any write through Django's
database connection commits. The session engine reads the generation in the
same round trip as the session (lra_commissioning/sessions.py), so checking
the kept person costs no round trip of its own. A removed role, a closed
account (`is_active`) or a new password (and a new last sign-in) is seen on
the very next request, in every process: the write moved the generation, the
kept copy no longer matches it, and the person is read again.
A write made while the cache could not be reached leaves a
`PendingPageInvalidation` row, turned into a generation move once the cache
answers by the first cache call of a process that saw the outage
(`cache_outage.when_back`), or by the catch-up job within a minute; kept people also expire after
`PERSON_CACHE_SECONDS` whatever happens. With the cache down the person is read from the
database, as if nothing were kept: an outage locks nobody out.

The second factor a session passed its code with (django-otp's device, looked
up on every request by its `OTPMiddleware`) is kept the same way
(`cached_device`, used by `lra_commissioning.middleware.OTPMiddleware`): a
removed or replaced authenticator app counts at the next request everywhere.

The password hash is never kept: a kept person comes back with `password`
deferred and with the session's authentication hash, which Django's sign-in
check compares against (`User.get_session_auth_hash`). Anything that needs the
password itself (checking the old one when changing it) loads it from the
database.
"""

import threading
import time
from collections import OrderedDict

from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Aggregate, CharField
from django_otp.models import Device

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


class _KeptRecords:
    """Records this process has read (people, devices), each with the generation it was read under.

    A kept record is used only while that generation is still the current one
    (read with the session, or here when it was not) and for at most
    PERSON_CACHE_SECONDS; each use makes a new instance from the kept form, so
    nothing one request sets on its person or device reaches another.
    """

    MAX_RECORDS = 1024

    def __init__(self):
        self.lock = threading.Lock()
        self.records: OrderedDict = OrderedDict()

    def get(self, key, generation):
        entry = self.records.get(key)
        if entry is None:
            return None
        kept_generation, kept_at, kept = entry
        if kept_generation != generation or time.monotonic() - kept_at > PERSON_CACHE_SECONDS:
            return None
        return kept

    def keep(self, key, generation, kept) -> None:
        with self.lock:
            self.records[key] = (generation, time.monotonic(), kept)
            self.records.move_to_end(key)
            while len(self.records) > self.MAX_RECORDS:
                self.records.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.records.clear()


_people = _KeptRecords()
_devices = _KeptRecords()


def forget_kept_people() -> None:
    """Empty this process's kept people and devices (tests do, with the shared cache)."""
    _people.clear()
    _devices.clear()


def _current_generation():
    """The content generation for checking a kept person; None when the cache cannot
    say (it is down, or has just come back: then the person is read afresh)."""
    generation = page_cache.generation_read_with_session()
    if generation is not None:
        return generation
    try:
        generation = page_cache.read_content_generation()
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation: read the database
        cache_outage.down(exc)
        return None
    if cache_outage.up():
        # Back after an outage: writes it missed have just moved the generation,
        # after it was read here.
        return None
    return generation


def _kept_or_read(records: _KeptRecords, key, read, kept_form, from_kept):
    """`from_kept(kept)` when `records` keep `key` under the current generation, else
    `read(key)` from the database (kept in `kept_form(record)` for the next request)."""
    page_cache.see_own_writes()  # as the kept pages do
    generation = _current_generation()
    if generation is None:
        return read(key)
    kept = records.get(key, generation)
    if kept is not None:
        return from_kept(kept)
    record = read(key)
    if record is not None:
        records.keep(key, generation, kept_form(record))
    return record


def cached_person(user_id):
    """The person with `user_id` and their roles: the kept copy when it is current,
    else from the database (and kept for the next request). None if there is none."""
    return _kept_or_read(_people, user_id, _read_person, _kept_form, _from_kept)


# What a session's device is checked by (django-otp's OTPMiddleware: whose it is and
# whether it is confirmed). The secret and the use counters are never kept: read
# from a kept device they load from the database (deferred fields).
_DEVICE_FIELDS = ("id", "user_id", "name", "confirmed")


def _device_kept_form(device) -> tuple:
    return type(device), [getattr(device, name) for name in _DEVICE_FIELDS]


def _device_from_kept(kept):
    model, values = kept
    return model.from_db(DEFAULT_DB_ALIAS, _DEVICE_FIELDS, values)


def cached_device(persistent_id: str):
    """The two-factor device with `persistent_id` (`Device.from_persistent_id`): the kept
    copy when it is current, else from the database (and kept). None if there is none."""
    return _kept_or_read(
        _devices, persistent_id, Device.from_persistent_id, _device_kept_form, _device_from_kept
    )


class RolesModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = cached_person(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
