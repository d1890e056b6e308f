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
`IGNORED_TABLES` (sessions, sign-in throttling, idempotency keys, the
outboxes) moves the generation:
- outside a transaction, at once;
- inside one, when it commits (so no other process caches the old data under
  the new generation), and also before this connection next reads the
  generation (so the same request, or a test inside one transaction, sees its
  own write).

When the cache cannot be reached as a write commits (Redis down or paused),
the generation cannot move there. The write then leaves a row in
`PendingPageInvalidation` (the database survives what the cache missed), and
no kept page is served while such a row exists: the next lookup in any
process, or the catch-up job, moves the generation once the cache answers and
deletes the rows it saw. So a kept page is never older than a committed write.

What a page is kept under: the kind of page, the path, today's date (what is in
force, what is late), for a signed-in page the person and the values the view
read from the address, for a public page the query parameters its view
declares. Never the raw query string: `?cb=1` gets the same kept copy, and
stores nothing new. While the view runs, `request.GET` records what it reads;
a view that reads a parameter it did not declare is not kept (in development
and tests that is an error, so it is found at once).

Kept pages also expire after `PAGE_CACHE_SECONDS`. If the cache is down the
pages are rendered as usual: the cache is never needed. Its going away and
coming back are logged once each (`lra_commissioning.cache.cache_outage`).

Pages are also kept in each process (`_LocalPages`). A signed-in page is
served from there only under the generation read with this request's session
(`read_with_generation`, after the database said no write is waiting), so it
never lags. For public pages the process reads the shared generation at most
once a second: a public page may lag a write made in another process by up to
a second.
"""

import contextvars
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from .cache import cache_outage

log = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"

# Bookkeeping that no kept page shows: writing these must not empty the cache
# (a signed-in person's session is saved as they go, sign-in attempts are logged).
PENDING_TABLE = "lra_commissioning_pendingpageinvalidation"  # PendingPageInvalidation's
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "django_admin_log",
        "lra_commissioning_idempotencykey",
        "lra_commissioning_unqueuedtask",
        PENDING_TABLE,
    }
)
# Two-factor devices count: a session's device is kept with its person (auth.py),
# and a removed app must stop its sessions at once. A sign-in writes the person's
# last sign-in anyway, so the device's own writes then cost nothing more.
IGNORED_PREFIXES = ("axes_",)

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


# The generation -------------------------------------------------------------------


def content_generation():
    """The current generation (None if the page cache is off or the cache is down)."""
    return lookup("generation")[1]


def start_content_generation() -> None:
    """Start the generation if there is none yet (raises when the cache cannot be reached).

    It starts from the clock, never from 0: a key evicted and re-created must
    not bring back what was kept under an earlier generation.
    """
    cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def read_content_generation():
    """The shared generation, read now (started if there is none yet); raises when the
    cache cannot be reached. Unlike `content_generation`, it asks nothing else."""
    return generation_or_started(cache.get(GENERATION_KEY))


def generation_or_started(generation):
    """`generation`, just read from the cache, or if there was none the one started now."""
    if generation is None:
        start_content_generation()
        generation = cache.get(GENERATION_KEY)
    return generation


def _move_generation() -> None:
    """Move the shared generation (raises when the cache cannot be reached)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing kept can be stale
        start_content_generation()


def _remember_pending_invalidation() -> None:
    """The cache missed a write: keep that in the database until it is made good."""
    from .models import PendingPageInvalidation

    try:
        with transaction.atomic():  # a savepoint inside a transaction: it survives a failure
            PendingPageInvalidation.objects.create()
    except DatabaseError as exc:
        # The database refused too (before its migration, or down: then no write
        # committed either). Kept pages expire after PAGE_CACHE_SECONDS.
        log.warning("A write could not mark kept pages stale (%s: %s)", type(exc).__name__, exc)


# The generation as read with this request's session (`read_with_generation`):
# the signed-in person's kept copy (lra_commissioning/auth.py) and kept pages are
# checked against it without a round trip of their own. Forgotten at the start
# and end of every request, and whenever this process moves the generation.
_generation_read_with_session: contextvars.ContextVar = contextvars.ContextVar(
    "generation_read_with_session", default=None
)


def remember_generation_read_with_session(generation) -> None:
    _generation_read_with_session.set(generation)


def generation_read_with_session():
    """The generation read with this request's session (None if it was not, or has moved here)."""
    return _generation_read_with_session.get()


def forget_generation_read_with_session(**kwargs) -> None:
    """Also the `request_started` and `request_finished` receiver."""
    _generation_read_with_session.set(None)


def see_own_writes() -> None:
    """Move the generation now if this connection wrote inside a transaction that has
    not committed yet (a test, or a request that wrote before reading), so what it
    reads next is not kept from before its own write."""
    if getattr(connection, "lra_content_written", False):
        bump_content_generation()


def _kept_value(entry, generation):
    """The page in a kept `(generation, page)` entry, if kept under `generation`."""
    if entry is not None and entry[0] == generation:
        return entry[1]
    return None


def bump_content_generation() -> bool:
    """Make every kept page stale (called on writes). False when the cache missed it:
    then the move waits in the database and kept pages are not served until it is made."""
    connection.lra_content_written = False
    forget_generation_read_with_session()
    _local.forget_generation()
    try:
        _move_generation()
    except Exception as exc:  # noqa: BLE001 - any cache failure: the database keeps the move
        cache_outage.down(exc)
        _remember_pending_invalidation()
        return False
    cache_outage.up()
    return True


def settle_pending_invalidations() -> int:
    """Move the generation for writes the cache missed; how many were settled.

    Raises nothing: while the cache is still away (or the database cannot be
    read) the rows stay, and kept pages stay unserved.
    """
    from .models import PendingPageInvalidation

    try:
        seen = PendingPageInvalidation.objects.order_by("-id").values_list("id", flat=True).first()
    except DatabaseError:
        return 0
    if seen is None:
        return 0
    try:
        _move_generation()
    except Exception as exc:  # noqa: BLE001
        cache_outage.down(exc)
        return 0
    cache_outage.up()
    forget_generation_read_with_session()
    _local.forget_generation()
    deleted, _ = PendingPageInvalidation.objects.filter(id__lte=seen).delete()
    log.info("Kept pages made stale for %d write(s) the cache had missed", deleted)
    return deleted


# Asked before every kept page is served, so it is one plain statement (the ORM
# would build the same query again on every request); on PostgreSQL it is also
# the connection's health check (lra_commissioning/postgresql/base.py).
PENDING_SQL = f"SELECT EXISTS (SELECT 1 FROM {PENDING_TABLE})"  # noqa: S608 - a constant


def _invalidation_pending() -> bool:
    """Whether a write is waiting for its generation move (raises DatabaseError).

    When the connection's health check is due it is made as the cursor opens,
    and it asks this same question: its answer is used, one round trip."""
    connection.health_check_answer = None
    with connection.cursor() as cursor:
        answer = connection.health_check_answer
        if answer is None:
            cursor.execute(PENDING_SQL)
            answer = cursor.fetchone()
    return bool(answer[0])


def _no_invalidation_pending() -> bool:
    """Whether kept pages may be served: no write is waiting for its move (settling any)."""
    try:
        if not _invalidation_pending():
            return True
    except DatabaseError:
        return False  # cannot tell: render
    settle_pending_invalidations()
    return not _invalidation_pending()


def read_with_generation(keys) -> dict:
    """Read `keys` from the cache with the content generation, in one round trip, and
    remember that generation for the rest of this request (raises what the cache raises).

    The database is asked first whether a write is waiting for its generation
    move (settling any; on PostgreSQL this is the connection's health check, made
    anyway), so the generation read after it is not older than any committed
    write. When the database cannot say, or the cache has only just come back
    (the writes it missed are moving the generation), nothing is remembered and
    each reader asks for itself.
    """
    forget_generation_read_with_session()
    see_own_writes()
    current = _no_invalidation_pending()
    found = cache.get_many([*keys, GENERATION_KEY])
    if cache_outage.up() or not current:
        forget_generation_read_with_session()
    else:
        remember_generation_read_with_session(found.get(GENERATION_KEY))
    return found


def _after_commit() -> None:
    bump_content_generation()


def notice_writes(execute, sql, params, many, context):
    """Execute wrapper: every statement passes here (see the module docstring)."""
    result = execute(sql, params, many, context)
    if _statement_changes_content(sql):
        conn = context["connection"]
        if conn.in_atomic_block:
            conn.lra_content_written = True
            pending = any(entry[1] is _after_commit for entry in conn.run_on_commit)
            if not pending:
                transaction.on_commit(_after_commit, using=conn.alias)
        else:
            bump_content_generation()
    return result


def install(sender, connection, **kwargs):
    """`connection_created` receiver: watch this connection's statements, and make
    its health check the pending-move question."""
    connection.health_check_sql = PENDING_SQL
    if notice_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(notice_writes)


# Kept pages ---------------------------------------------------------------------------


def page_key(*parts) -> str:
    """The cache key of a kept page: its kind, then a digest of what it varies on."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts[1:]).encode()).hexdigest()[:40]
    return f"page:{parts[0]}:{digest}"


def lookup(*parts):
    """Find a kept page: (key, generation, kept value or None), in one round trip.

    A page is kept with the generation it was rendered under, and served only
    while that is still the current one. key is None when pages cannot be kept
    right now (the page cache is off, the cache is down, or a write is still
    waiting for its generation move).
    """
    if not settings.PAGE_CACHE_SECONDS:
        return None, None, None
    see_own_writes()
    key = page_key(*parts)
    generation = generation_read_with_session()
    if generation is not None:
        return _lookup_under(key, generation)
    if not _no_invalidation_pending():
        return None, None, None
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = generation_or_started(found.get(GENERATION_KEY))
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation; carry on without it
        cache_outage.down(exc)
        return None, None, None
    if cache_outage.up():
        return None, None, None  # back just now: the generation read may predate missed writes
    return key, generation, _kept_value(found.get(key), generation)


def _lookup_under(key, generation):
    """`lookup` for a generation read with this request's session: this process's copy
    when it has one, else the shared cache's (read without the generation)."""
    kept = _local.current(key, generation)
    if kept is not None:
        return key, generation, kept
    try:
        found = cache.get(key)
    except Exception as exc:  # noqa: BLE001
        cache_outage.down(exc)
        return None, None, None
    if cache_outage.up():
        return None, None, None
    kept = _kept_value(found, generation)
    if kept is not None:
        _local.put(key, generation, kept)
    return key, generation, kept


def keep(key, generation, value) -> None:
    """Keep a rendered page under the generation it was looked up with."""
    if key is None or generation is None:
        return
    try:
        cache.set(key, (generation, value), timeout=settings.PAGE_CACHE_SECONDS)
    except Exception as exc:  # noqa: BLE001
        cache_outage.down(exc)


class _LocalPages:
    """Pages kept in this process too, in front of the shared cache.

    For public pages (`lookup`) the shared generation is read again at most
    every PUBLIC_STALENESS seconds (and at once after this process writes), so
    a public page can lag a write made by *another* process by that long.
    Signed-in pages are served from here only under the generation read during
    their own request (`current`), so they never lag.
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

    def current(self, key, generation):
        """The page kept here under `generation`, a generation read during this request."""
        return _kept_value(self.pages.get(key), generation)

    def lookup(self, *parts):
        see_own_writes()
        if time.monotonic() - self.read_at < self.PUBLIC_STALENESS:
            key = page_key(*parts)
            kept = self.current(key, self.generation)
            if kept is not None:
                return key, self.generation, kept
        key, generation, kept = lookup(*parts)
        if key is not None:
            self.generation, self.read_at = generation, time.monotonic()
            if kept is not None:
                self.put(key, generation, kept)
        return key, generation, kept


_local = _LocalPages()
# Writes the cache missed are made good as soon as any cache call in this process
# finds it back (the catch-up job does it within a minute for every process).
cache_outage.when_back(settle_pending_invalidations)


def forget_local_pages() -> None:
    """Empty this process's layer (tests do, with the shared cache)."""
    _local.clear()


def viewer_key(user) -> str:
    """Whose page this is: staff pages are kept per person (what one sees, and
    which buttons, follow from their roles and their own records)."""
    if user is None or not user.is_authenticated:
        return "public"
    return f"user-{user.pk}"


# What a view reads from the address ----------------------------------------------------

EVERYTHING = "*"


class _ReadRecordingQueryDict(QueryDict):
    """The request's query parameters, noting which of them the view reads.

    Reading one parameter records its name; anything that sees them all
    (iterating, `urlencode`, `dict`, a copy, the length) records EVERYTHING.
    """

    def _note(self, name):
        read = self.__dict__.get("lra_read")  # None while QueryDict itself fills it in
        if read is not None:
            read.add(name)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def _everything(self):
        self._note(EVERYTHING)

    def __iter__(self):
        self._everything()
        return super().__iter__()

    def __len__(self):
        self._everything()
        return super().__len__()

    def keys(self):
        self._everything()
        return super().keys()

    def items(self):
        self._everything()
        return super().items()

    def lists(self):
        self._everything()
        return super().lists()

    def values(self):
        self._everything()
        return super().values()

    def dict(self):
        self._everything()
        return super().dict()

    def urlencode(self, safe=None):
        self._everything()
        return super().urlencode(safe)

    def copy(self):
        self._everything()
        return QueryDict(super().urlencode(), mutable=True, encoding=self.encoding)

    __copy__ = copy


class _RecordingReads:
    """While inside, `request.GET` notes what the code reads; `.read` is the set of names."""

    def __init__(self, request):
        self.request = request

    def __enter__(self):
        self.original = self.request.GET
        recording = _ReadRecordingQueryDict(
            self.original.urlencode(), encoding=self.original.encoding
        )
        recording.lra_read = set()
        self.read = recording.lra_read
        self.request.GET = recording
        return self

    def __exit__(self, *exc):
        self.request.GET = self.original
        return False

    def undeclared(self, declared) -> set[str]:
        return self.read - set(declared)


def _refuse_to_keep(view_name, undeclared) -> None:
    names = ", ".join(sorted("the whole query" if n == EVERYTHING else n for n in undeclared))
    message = (
        f"{view_name} read {names} from the address without declaring it, so its page "
        "cannot be kept: declare the parameter (keep_public_page(query=...)) or pass "
        "the value to render_kept(..., varies_on=...)"
    )
    if settings.DEBUG or settings.TESTING:
        raise ImproperlyConfigured(message)
    log.error("%s; the page was not kept", message)


def _declared_query(request, names) -> str:
    """The declared parameters' values in a fixed order (absent ones left out)."""
    return urlencode(
        [(name, value) for name in sorted(names) for value in request.GET.getlist(name)]
    )


def _is_personal(request, response) -> bool:
    """Whether this response carries something of this visitor's own."""
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a form's CSRF token
        or isinstance(getattr(request, "_csp_nonce", None), str)  # a script nonce
        or response.cookies
        or response.streaming
    )


def keep_public_page(view=None, *, query=()):
    """Decorator for a public page: visitors who are not signed in get the kept copy.

    `@keep_public_page`, or `@keep_public_page(query=("old", "new"))` for a view
    that reads those query parameters: the page is kept per value of each, and
    any other parameter is ignored (it neither renders the page again nor
    keeps another copy). Only the body and its content type are kept; the
    middleware adds the security headers afresh to every response. A
    signed-in person, a request with a message to show, a form with a CSRF
    token or anything but a 200 is never kept or served from the cache.
    """
    if view is None:
        return lambda view: keep_public_page(view, query=query)
    declared = frozenset(query)

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
            "public",
            timezone.localdate().isoformat(),
            request.path,
            _declared_query(request, declared),
        )
        if kept is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        with _RecordingReads(request) as reads:
            response = view(request, *args, **kwargs)
        undeclared = reads.undeclared(declared)
        if undeclared:
            _refuse_to_keep(view.__qualname__, undeclared)
        elif response.status_code == 200 and not _is_personal(request, response):
            _local.keep(key, generation, (response.content, response["Content-Type"]))
        return response

    return wrapped


def render_kept(request, template_name, build, *, varies_on=()):
    """A signed-in person's page, kept whole until the next write.

    `build()` returns the template's context; it runs only when nothing is
    kept. The page is kept per person, per path, per day and per value in
    `varies_on`: what the view read from the address (a month, "show all"),
    read before calling this. Neither `build()` nor the template may read
    `request.GET` themselves. The CSRF token (the sign-out form) is put in
    afresh for each response, and a request with a message to show is
    rendered afresh.

    The token goes where the template's `{% csrf_token %}` was: the page is
    rendered with a random stand-in made for that one rendering and kept as
    the pieces between them, so nothing in the page's text (a KPI's title, a
    comment) can ever be taken for the token's place.
    """
    if len(get_messages(request)):
        return render(request, template_name, build())
    key, generation, kept = lookup(
        "staff",
        template_name,
        viewer_key(request.user),
        timezone.localdate().isoformat(),
        request.path,
        *varies_on,
    )
    if kept is None:
        stand_in = "csrf-" + secrets.token_urlsafe(24)
        with _RecordingReads(request) as reads:
            html = render_to_string(template_name, {**build(), "csrf_token": stand_in}, request)
        kept = html.split(stand_in)
        undeclared = reads.undeclared(())
        if undeclared:
            _refuse_to_keep(template_name, undeclared)
        else:
            _local.keep(key, generation, kept)
    return HttpResponse(get_token(request).join(kept) if len(kept) > 1 else kept[0])
