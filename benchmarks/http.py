"""Pages over HTTP on gunicorn + PostgreSQL: throughput, queries and a bounded load test.

Figures, side by side in one run, on the benchmark's own database:
- queries per page with the demo's years of data and again with ten years;
- requests per second of each page as a ratio to a trivial Django view on the
  same gunicorn + PostgreSQL stack (goal: >= 0.5 staff pages, >= 0.8 public);
- a bounded open-loop load test of the public annual report page at 50
  requests per second on 127.0.0.1 (goal: p95 < 500 ms, no errors).

Every request goes to 127.0.0.1 only, and every loop is bounded in count and time.
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
THROUGHPUT_SECONDS = 5.0
CONCURRENCY = 4
LOAD_RATE = 50
LOAD_SECONDS = 10


def _pages():
    from performance.models import KpiReturn

    last = KpiReturn.objects.filter(kpi_code="LIB01").order_by("-period_start").first()
    month = f"?month={last.period_start:%Y-%m}" if last else ""
    return [
        ("trivial Django view", "/bench/trivial/", False),
        ("commissioner's dashboard", f"/performance/{month}", True),
        ("KPI page (LIB01)", f"/performance/kpis/LIB01/{month}", True),
        ("public specification", "/specification/", False),
        ("public annual reports", "/annual-reports/", False),
    ]


def _query_counts(session_cookie):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = session_cookie
    counts = {}
    for label, url, _staff in _pages()[1:]:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        counts[label] = (len(queries), status)
    return counts


def _start_gunicorn(database_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "LRA_TESTING": "true",  # plain static storage: no collectstatic needed
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "OTP_REQUIRED": "false",
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
            f"127.0.0.1:{PORT}",
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
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def _get(conn, url, cookie):
    headers = (
        {"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"}
        if cookie
        else {"X-Forwarded-Proto": "https"}
    )
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _throughput(url, cookie):
    done = []
    errors = []
    deadline = time.perf_counter() + THROUGHPUT_SECONDS

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        count = 0
        while time.perf_counter() < deadline:
            try:
                status = _get(conn, url, cookie)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
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


def _load_test(url):
    """Open loop: a request every 1/LOAD_RATE s for LOAD_SECONDS, each timed."""
    latencies = []
    errors = []
    lock = threading.Lock()

    def one():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
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


def pages_over_http():
    from importlib import import_module

    from django.conf import settings
    from django.test import Client

    from benchmarks.performance import load_history
    from lra_commissioning import demo
    from lra_commissioning.models import User

    lines = []
    ctx = demo.load("benchmark-password-123")
    for path in demo.APP_LOADERS:
        import_module(path).load(ctx)
    client = Client()
    client.force_login(User.objects.get(email="commissioner@example.org"))
    cookie = client.cookies["sessionid"].value

    demo_counts = _query_counts(cookie)
    # Eight more years of the same KPIs: ten years of data in all.
    load_history(years=8, kpis=21, first_year=2018)
    ten_counts = _query_counts(cookie)
    lines.append("http: queries per page, demo data (2016/17-2017/18) vs ten years:")
    for label, (count, status) in demo_counts.items():
        ten, ten_status = ten_counts[label]
        verdict = "equal" if count == ten else "DIFFERENT"
        lines.append(
            f"  {label:<28} {count:>3} vs {ten:>3} queries "
            f"({verdict}; status {status}/{ten_status})"
        )

    database = settings.DATABASES["default"]
    database_url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    process = _start_gunicorn(database_url)
    try:
        results = {}
        for label, url, staff in _pages():
            _throughput(url, cookie if staff else None)  # warm up
            results[label] = (*_throughput(url, cookie if staff else None), staff)
        trivial = results["trivial Django view"][0]
        lines.append(
            f"http: requests per second on gunicorn (2 workers) + PostgreSQL, "
            f"{CONCURRENCY} keep-alive clients, {THROUGHPUT_SECONDS:.0f} s each:"
        )
        for label, (rps, errors, staff) in results.items():
            ratio = rps / trivial if trivial else 0
            goal = 0.5 if staff else 0.8
            verdict = (
                ""
                if label.startswith("trivial")
                else (f" (goal >= {goal}: {'ok' if ratio >= goal else 'BELOW GOAL'})")
            )
            lines.append(
                f"  {label:<28} {rps:7.1f} req/s  ratio {ratio:4.2f}{verdict}, errors {errors}"
            )
        sent, median, p95, errors = _load_test("/annual-reports/")
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
