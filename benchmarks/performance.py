"""Benchmark: the commissioner's dashboard over ten years of sixty KPIs.

The history is the demo's (demo_data.history: the demo's KPIs, repeated to
sixty, with the figures of performance.demo_figures).

`python -m benchmarks` (or `make bench`) runs it. It builds its own test
database (Django's test-database machinery: the configured database's name
with a `test_` prefix, created and destroyed here), loads the history in bulk,
then times the dashboard and the KPI page through the test client and counts
their queries.
"""

import time


def dashboard_benchmark(years: int = 10, kpis: int = 60, repeats: int = 5):
    """Print the dashboard's and KPI page's server time and query count."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    from demo_data.history import kpi_codes, load_history
    from lra_commissioning import page_cache
    from lra_commissioning.models import User
    from lra_commissioning.roles import Role
    from tests.factories import make_user

    # A database of its own, so no one's test database is touched.
    default = settings.DATABASES["default"]
    default.setdefault("TEST", {})["NAME"] = f"bench_{default['NAME']}"
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        last_month = load_history(years=years, kpis=kpis)
        load_seconds = time.perf_counter() - started
        user = make_user(Role.COMMISSIONER, email="bench@example.org")
        client = Client()
        client.force_login(User.objects.get(pk=user.pk))
        for label, url in [
            ("dashboard", f"/performance/?month={last_month:%Y-%m}&show=all"),
            ("KPI page", f"/performance/kpis/{kpi_codes()[0]}/?month={last_month:%Y-%m}"),
        ]:
            client.get(url)  # warm up
            timings = []
            for _ in range(repeats):
                # Rendered from nothing each time: the page cache is emptied first.
                cache.clear()
                page_cache.forget_local_pages()
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    timings.append(time.perf_counter() - t0)
                assert response.status_code == 200, response.status_code
            timings.sort()
            print(
                f"performance {label}: {years} years x {kpis} KPIs "
                f"({years * 12 * kpis} values, loaded in {load_seconds:.1f} s), rendered "
                f"from nothing: median {timings[len(timings) // 2] * 1000:.0f} ms, "
                f"best {timings[0] * 1000:.0f} ms, {len(queries)} queries"
            )
    finally:
        teardown_databases(old, verbosity=0)


BENCHMARKS = [dashboard_benchmark]
