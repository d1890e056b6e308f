"""Rendered pages kept in the cache until the data they show changes.

The heaviest pages (the commissioner's dashboard, a KPI page, the public
specification and annual reports) are read far more often than anything is
written: returns come monthly, the specification yearly. So their rendered
HTML is kept in the cache under a key that includes the *content generation*:
a counter that moves on every write to the service's data. A write anywhere
makes every kept page stale at once, so a page can never show data older than
the last write that the reader could see.

How a write is noticed: every database connection carries an execute wrapper
(Django's "database instrumentation") that looks at each statement. An
INSERT, UPDATE, DELETE or TRUNCATE on any table except the bookkeeping ones in
`IGNORED_TABLES` (sessions, sign-in throttling, two-factor devices,
idempotency keys) moves the generation:
- outside a transaction, at once;
- inside one, when it commits (so no other process caches the old data under
  the new generation), and also before this connection next reads the
  generation (so the same request, or a test inside one transaction, sees its
  own write).

Kept pages also expire after `PAGE_CACHE_SECONDS` and carry today's date in
their keys where the date matters (what is in force, what is late). If the
cache is down the pages are rendered as usual: the cache is never needed.

Public pages are also kept in each process (`_LocalPages`), which reads the
shared generation at most once a second: a public page may lag a write made
in another process by up to a second. Signed-in pages never lag.
"""

import logging
import re
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

log = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"

# Bookkeeping that no kept page shows: writing these must not empty the cache
# (a signed-in person's session is saved as they go, sign-in attempts are logged).
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "django_admin_log",
        "lra_commissioning_idempotencykey",
    }
)
IGNORED_PREFIXES = ("axes_", "otp_")

_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([\w.]+)"?',
    re.IGNORECASE,
)
_READ_ONLY = (
    "SELECT",
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "SET ",
    "SHOW",
    "BEGIN",
    "COMMIT",
    "DECLARE",  # server-side cursors for .iterator() on PostgreSQL
    "FETCH",
    "CLOSE",
    "PRAGMA",
    "EXPLAIN",
)


def _statement_changes_content(sql: str) -> bool:
    head = sql.lstrip()[:10].upper()
    if head.startswith(_READ_ONLY):
        return False
    match = _WRITE.match(sql)
    if match is None:
        # Anything else that is not a plain read (a CTE, DDL): assume it writes.
        return True
    table = match.group(1).rsplit(".", 1)[-1].strip('"').lower()
    return table not in IGNORED_TABLES and not table.startswith(IGNORED_PREFIXES)


def content_generation():
    """The current generation (None if the page cache is off or the cache is down)."""
    return lookup("generation")[1]


def bump_content_generation() -> None:
    """Make every kept page stale (called on writes; safe when the cache is down)."""
    connection.lra_content_written = False
    _local.forget_generation()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet: nothing kept can be stale
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:  # noqa: BLE001 - kept pages then expire by PAGE_CACHE_SECONDS
        log.warning("page cache unavailable: could not mark pages stale", exc_info=True)


def _bump_after_commit() -> None:
    bump_content_generation()


def notice_writes(execute, sql, params, many, context):
    """Execute wrapper: every statement passes here (see the module docstring)."""
    result = execute(sql, params, many, context)
    if _statement_changes_content(sql):
        conn = context["connection"]
        if conn.in_atomic_block:
            conn.lra_content_written = True
            pending = any(entry[1] is _bump_after_commit for entry in conn.run_on_commit)
            if not pending:
                transaction.on_commit(_bump_after_commit, using=conn.alias)
        else:
            bump_content_generation()
    return result


def install(sender, connection, **kwargs):
    """`connection_created` receiver: watch this connection's statements."""
    if notice_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(notice_writes)


def lookup(*parts):
    """Find a kept page: (key, generation, kept value or None), in one round trip.

    A page is kept with the generation it was rendered under, and served only
    while that is still the current one. key is None when pages cannot be kept
    right now (the page cache is off, or the cache is down).
    """
    if not settings.PAGE_CACHE_SECONDS:
        return None, None, None
    if getattr(connection, "lra_content_written", False):
        bump_content_generation()
    key = "page:" + ":".join(str(p) for p in parts)
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            # Start from the clock, never from 0: a key evicted and re-created
            # must not bring back pages kept under an earlier generation.
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
            return key, cache.get(GENERATION_KEY), None
    except Exception:  # noqa: BLE001 - the cache is an optimisation; carry on without it
        log.warning("page cache unavailable: rendering without it", exc_info=True)
        return None, None, None
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        return key, generation, kept[1]
    return key, generation, None


def keep(key, generation, value) -> None:
    """Keep a rendered page under the generation it was looked up with."""
    if key is None or generation is None:
        return
    try:
        cache.set(key, (generation, value), timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("page cache unavailable: page not kept", exc_info=True)


class _LocalPages:
    """Public pages kept in this process too, in front of the shared cache.

    The shared generation is read again at most every PUBLIC_STALENESS seconds
    (and at once after this process writes), so a public page can lag a
    write made by *another* process by that long. Signed-in pages never use
    this layer: they read the generation on every request.
    """

    PUBLIC_STALENESS = 1.0
    MAX_PAGES = 256

    def __init__(self):
        self.lock = threading.Lock()
        self.pages: OrderedDict = OrderedDict()
        self.generation = None
        self.read_at = float("-inf")

    def forget_generation(self):
        self.read_at = float("-inf")

    def clear(self):
        with self.lock:
            self.pages.clear()
            self.generation = None
            self.read_at = float("-inf")

    def keep(self, key, generation, value):
        """Keep a page in the shared cache and in this process."""
        keep(key, generation, value)
        if key is not None:
            self.put(key, generation, value)

    def put(self, key, generation, value):
        with self.lock:
            self.pages[key] = (generation, value)
            self.pages.move_to_end(key)
            while len(self.pages) > self.MAX_PAGES:
                self.pages.popitem(last=False)

    def lookup(self, *parts):
        if getattr(connection, "lra_content_written", False):
            bump_content_generation()
        if time.monotonic() - self.read_at < self.PUBLIC_STALENESS:
            key = "page:" + ":".join(str(p) for p in parts)
            entry = self.pages.get(key)
            if entry is not None and entry[0] == self.generation:
                return key, self.generation, entry[1]
        key, generation, kept = lookup(*parts)
        if key is not None:
            self.generation, self.read_at = generation, time.monotonic()
            if kept is not None:
                self.put(key, generation, kept)
        return key, generation, kept


_local = _LocalPages()


def forget_local_pages() -> None:
    """Empty this process's layer (tests do, with the shared cache)."""
    _local.clear()


def viewer_key(user) -> str:
    """Whose page this is: staff pages are kept per person (what one sees, and
    which buttons, follow from their roles and their own records)."""
    if user is None or not user.is_authenticated:
        return "public"
    return f"user-{user.pk}"


def _is_personal(request, response) -> bool:
    """Whether this response carries something of this visitor's own."""
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a form's CSRF token
        or isinstance(getattr(request, "_csp_nonce", None), str)  # a script nonce
        or response.cookies
        or response.streaming
    )


def keep_public_page(view):
    """Decorator for a public page: visitors who are not signed in get the kept copy.

    Only the body and its content type are kept; the middleware adds the
    security headers afresh to every response. A signed-in person, a request
    with a message to show, a form with a CSRF token or anything but a 200 is
    never kept or served from the cache.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        # No session and no message cookie: a visitor with nothing of their own
        # (the quick answer, without loading a session or the messages).
        plain = not (
            request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
        )
        if not plain and (request.user.is_authenticated or len(get_messages(request))):
            return view(request, *args, **kwargs)
        key, generation, kept = _local.lookup(
            "public", timezone.localdate().isoformat(), request.get_full_path()
        )
        if kept is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not _is_personal(request, response):
            _local.keep(key, generation, (response.content, response["Content-Type"]))
        return response

    return wrapped


# Rendered in place of the CSRF token when a signed-in person's page is kept;
# each response gets that person's own token in its place.
CSRF_PLACEHOLDER = "lra-csrf-token-placeholder-7d1f0c"


def render_kept(request, template_name, build):
    """A signed-in person's page, kept whole until the next write.

    `build()` returns the template's context; it runs only when nothing is
    kept. The page is kept per person, per address (path and query) and per
    day, so what it shows follows the person's roles and today's date. The
    CSRF token (the sign-out form) is put in afresh for each response, and a
    request with a message to show is rendered afresh.
    """
    if len(get_messages(request)):
        return render(request, template_name, build())
    key, generation, kept = lookup(
        "staff",
        template_name,
        viewer_key(request.user),
        timezone.localdate().isoformat(),
        request.get_full_path(),
    )
    if kept is None:
        context = {**build(), "csrf_token": CSRF_PLACEHOLDER}
        kept = render_to_string(template_name, context, request)
        keep(key, generation, kept)
    return HttpResponse(kept.replace(CSRF_PLACEHOLDER, get_token(request)))
