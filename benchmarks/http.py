"""Pages over HTTP on gunicorn + PostgreSQL: throughput, queries and a bounded load test.

Figures, side by side in one run, on the benchmark's own database:
- queries per page over the demo's own history (`load_demo`), early in it and
  at its end ten or more years in (the demo's later years added from the same
  generator, demo_data.history, where the demo holds fewer), rendered from
  nothing and kept in the page cache (lra_commissioning/page_cache.py);
- server time per page in-process, rendered and kept;
- requests per second of each page as a ratio to a trivial Django view on the
  same gunicorn + PostgreSQL stack (goal: >= 0.5 staff pages, >= 0.8 public),
  and, for staff pages, to a trivial signed-in view (the session, the person
  and their second factor: the floor under every staff page; the commissioner
  is signed in past the second factor, with OTP_REQUIRED on as in production);
- a bounded open-loop load test of the public annual report page at 50
  requests per second on 127.0.0.1 (goal: p95 < 500 ms, no errors).

Every request goes to 127.0.0.1 only, on a free port (BENCH_PORT to choose one),
and every loop is bounded in count and time.
"""

import datetime
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
THROUGHPUT_SECONDS = 5.0
ROUNDS = 3
CONCURRENCY = 4
TEN_YEARS = 10
LOAD_RATE = 50
LOAD_SECONDS = 10


def _free_port() -> int:
    """A port no one listens on now: BENCH_PORT, or one the system picks."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _last_month():
    from performance.models import KpiReturn

    last = KpiReturn.objects.filter(kpi_code="LIB01").order_by("-period_start").first()
    return last.period_start if last else None


def _pages(at=None):
    """(label, url, signed in?): the pages measured, each against a trivial view."""
    at = at or _last_month()
    month = f"?month={at:%Y-%m}" if at else ""
    return [
        ("trivial Django view", "/bench/trivial/", False),
        ("trivial signed-in view", "/bench/trivial-signed-in/", True),
        ("commissioner's dashboard", f"/performance/{month}", True),
        ("KPI page (LIB01)", f"/performance/kpis/LIB01/{month}", True),
        ("public specification", "/specification/", False),
        ("public annual reports", "/annual-reports/", False),
    ]


def _staff_client(cookies):
    """A test client holding the signed-in commissioner's cookies."""
    from django.test import Client

    client = Client()
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def _query_counts(cookies, at):
    """Queries per page for month `at`: rendered from nothing (page cache empty), then kept."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lra_commissioning import page_cache

    staff = _staff_client(cookies)
    visitor = Client()
    counts = {}
    for label, url, signed_in in _pages(at)[2:]:
        client = staff if signed_in else visitor
        measured = []
        client.get(url, secure=True)
        for clear in (True, False):
            if clear:
                cache.clear()
                page_cache.forget_local_pages()
            with CaptureQueriesContext(connection) as queries:
                status = client.get(url, secure=True).status_code
            real = [q for q in queries if "SAVEPOINT" not in q["sql"]]
            measured.append(len(real))
        counts[label] = (*measured, status)
    return counts


def _render_times(cookies, repeats=20):
    """Server time per page in this process: rendered from nothing, and kept."""
    from django.core.cache import cache
    from django.test import Client

    from lra_commissioning import page_cache

    staff = _staff_client(cookies)
    visitor = Client()
    lines = ["http: server time per page in-process (median of 20), rendered vs kept:"]
    for label, url, signed_in in _pages()[2:]:
        client = staff if signed_in else visitor
        timings = {"rendered": [], "kept": []}
        for _ in range(repeats):
            cache.clear()
            page_cache.forget_local_pages()
            for kind in ("rendered", "kept"):
                started = time.perf_counter()
                client.get(url, secure=True)
                timings[kind].append(time.perf_counter() - started)
        rendered = statistics.median(timings["rendered"]) * 1000
        kept = statistics.median(timings["kept"]) * 1000
        lines.append(f"  {label:<28} rendered {rendered:6.1f} ms, kept {kept:5.1f} ms")
    return lines


def _start_gunicorn(database_url, port):
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "LRA_TESTING": "true",  # plain static storage: no collectstatic needed
        # The same key as this process, so the session it signed in is valid there.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "OTP_REQUIRED": "true",  # as in production: staff pass the second factor
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "benchmarks.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def _get(conn, url, cookies):
    headers = {"X-Forwarded-Proto": "https"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _throughput(url, cookies, port):
    done = []
    errors = []
    deadline = time.perf_counter() + THROUGHPUT_SECONDS

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        count = 0
        while time.perf_counter() < deadline:
            try:
                status = _get(conn, url, cookies)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                errors.append(1)
                continue
            if status != 200:
                errors.append(status)
            count += 1
        done.append(count)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started), len(errors)


def _load_test(url, port):
    """Open loop: a request every 1/LOAD_RATE s for LOAD_SECONDS, each timed."""
    latencies = []
    errors = []
    lock = threading.Lock()

    def one():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        t0 = time.perf_counter()
        try:
            status = _get(conn, url, None)
        except (OSError, http.client.HTTPException) as exc:
            status = repr(exc)
        elapsed = time.perf_counter() - t0
        conn.close()
        with lock:
            latencies.append(elapsed)
            if status != 200:
                errors.append(status)

    threads = []
    start = time.perf_counter()
    for i in range(LOAD_RATE * LOAD_SECONDS):
        delay = start + i / LOAD_RATE - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=15)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    return len(latencies), statistics.median(latencies), p95, errors


def _years_with_returns() -> list[int]:
    from lra_commissioning import dates
    from performance.models import MonthlyReturn

    months = MonthlyReturn.objects.values_list("month", flat=True)
    return sorted({dates.financial_year_of(month) for month in months})


def _first_free_year() -> int:
    """The first financial year after every one the demo has a specification for."""
    from specifications.models import Specification

    years = Specification.objects.values_list("financial_year__start_year", flat=True)
    return max([*years, *_years_with_returns()]) + 1


def _sign_in_past_the_second_factor(client, person):
    """Sign `person` in as production does: password, then a code from their app (so
    each staff request checks the session's device, as with OTP_REQUIRED on)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=person, name="Benchmark app", defaults={"confirmed": True}
    )
    client.force_login(person)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _history_to_compare():
    """(early month, late month or None, years in at each): the months to compare.

    With ten years or more of the demo, the end of its second year against its
    last month; with fewer, its last month against the last once ten years are in
    (None: load them first)."""
    years = _years_with_returns()
    last = _last_month()
    if len(years) >= TEN_YEARS:
        return datetime.date(years[0] + 2, 3, 1), last, 2, len(years)
    return last, None, len(years), None


@override_settings(OTP_REQUIRED=True)  # as gunicorn runs here, and production
def pages_over_http():

    from django.conf import settings
    from django.test import Client

    from demo_data.history import load_history
    from lra_commissioning import demo, notifications
    from lra_commissioning.models import User

    lines = []
    with notifications.recorded_quietly():  # nobody is e-mailed about the story's past
        demo.load("benchmark-password-123")
    client = Client()
    _sign_in_past_the_second_factor(client, User.objects.get(email="commissioner@example.org"))
    # As a browser does: the session, and the CSRF cookie its first page set (without
    # it every staff page would make a new CSRF secret and send it as a cookie).
    client.get("/performance/", secure=True)
    cookies = {name: client.cookies[name].value for name in ("sessionid", "csrftoken")}

    early, late, early_years, late_years = _history_to_compare()
    early_counts = _query_counts(cookies, early)
    if late is None:  # the demo holds fewer than ten years: its next years from the generator
        years = _years_with_returns()
        load_history(years=TEN_YEARS - len(years), first_year=_first_free_year())
        late, late_years = _last_month(), len(_years_with_returns())
    late_counts = _query_counts(cookies, late)
    lines.append(
        "http: queries per page (savepoints not counted) over the demo's own history, "
        f"at {early:%B %Y} ({early_years} years in) vs at {late:%B %Y} ({late_years} years "
        "in); rendered from nothing, and then kept in the page cache:"
    )
    for label, (cold, warm, status) in early_counts.items():
        ten_cold, ten_warm, ten_status = late_counts[label]
        verdict = "equal" if (cold, warm) == (ten_cold, ten_warm) else "DIFFERENT"
        lines.append(
            f"  {label:<28} rendered {cold:>3} vs {ten_cold:>3}, kept {warm:>2} vs {ten_warm:>2} "
            f"({verdict}; status {status}/{ten_status})"
        )
    lines.extend(_render_times(cookies))

    database = settings.DATABASES["default"]
    database_url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    port = _free_port()
    process = _start_gunicorn(database_url, port)
    try:
        pages = _pages()
        for _label, url, staff in pages:
            _throughput(url, cookies if staff else None, port)  # warm up
        # Each page in turn, ROUNDS times, keeping each page's best round: on a
        # shared machine a burst of someone else's work then falls on one round
        # of every page alike, not on one page's only measurement.
        rounds = {label: [] for label, _url, _staff in pages}
        for _ in range(ROUNDS):
            for label, url, staff in pages:
                rounds[label].append(_throughput(url, cookies if staff else None, port))
        results = {
            label: (
                max(rps for rps, _ in rounds[label]),
                sum(errors for _, errors in rounds[label]),
                staff,
            )
            for label, _url, staff in pages
        }
        trivial = results["trivial Django view"][0]
        floor = results["trivial signed-in view"][0]
        lines.append(
            f"http: requests per second on gunicorn (2 workers) + PostgreSQL, "
            f"{CONCURRENCY} keep-alive clients, best of {ROUNDS} rounds of "
            f"{THROUGHPUT_SECONDS:.0f} s each, pages kept in the page cache (as between writes):"
        )
        for label, (rps, errors, staff) in results.items():
            ratio = rps / trivial if trivial else 0
            goal = 0.5 if staff else 0.8
            verdict = (
                ""
                if label.startswith("trivial")
                else (f" (goal >= {goal}: {'ok' if ratio >= goal else 'BELOW GOAL'})")
            )
            of_floor = f", {rps / floor:4.2f} of signed-in floor" if staff and floor else ""
            lines.append(
                f"  {label:<28} {rps:7.1f} req/s  ratio {ratio:4.2f}{verdict}{of_floor}, "
                f"errors {errors}"
            )
        sent, median, p95, errors = _load_test("/annual-reports/", port)
        verdict = "ok" if p95 < 0.5 and not errors else "OVER GOAL"
        lines.append(
            f"http: load test, public annual reports at {LOAD_RATE} req/s for {LOAD_SECONDS} s: "
            f"{sent} requests, median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"errors {len(errors)} (goal p95 < 500 ms, no errors: {verdict})"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    return lines


BENCHMARKS = [pages_over_http]
