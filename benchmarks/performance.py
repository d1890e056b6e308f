"""Benchmark: the commissioner's dashboard over ten years of sixty monthly KPIs.

`python -m benchmarks` (or `make bench`) runs it. It builds its own test
database (Django's test-database machinery: the configured database's name
with a `test_` prefix, created and destroyed here), loads the history in bulk,
then times the dashboard and the KPI page through the test client and counts
their queries.
"""

import datetime
import time
from decimal import Decimal


def load_history(*, years: int, kpis: int, first_year: int = 2016):
    """Accepted monthly returns for `years` years of `kpis` monthly counts, in bulk."""
    from django.utils import timezone

    from lra_commissioning import dates
    from lra_commissioning.models import FinancialYear
    from performance.models import KpiReturn, MonthlyReturn
    from specifications.models import (
        KPI,
        Outcome,
        Section,
        ServiceRequirement,
        Specification,
        SpecificationVersion,
        StrategicOutcome,
    )

    strategic, _ = StrategicOutcome.objects.get_or_create(
        code="BENCH", defaults={"title": "Benchmark outcome"}
    )

    for start_year in range(first_year, first_year + years):
        year, _ = FinancialYear.objects.get_or_create(start_year=start_year)
        spec, _ = Specification.objects.get_or_create(financial_year=year)
        version = SpecificationVersion.objects.create(
            specification=spec,
            major=1,
            status="published",
            starts_on=dates.financial_year_start(start_year),
        )
        # A version's full shape (a section, an outcome with a requirement), as published ones have.
        Section.objects.create(version=version, kind="introduction", heading="Introduction")
        outcome = Outcome.objects.create(
            version=version, strategic_outcome=strategic, code="O1", title="Outcome"
        )
        ServiceRequirement.objects.create(outcome=outcome, code="O1.R1", text="Requirement")
        rows = KPI.objects.bulk_create(
            KPI(
                version=version,
                outcome=outcome,
                code=f"K{i:03d}",
                title=f"Measure {i}",
                service_area="libraries",
                unit="count",
                frequency="monthly",
                annual_aggregation="sum",
                annual_target=Decimal(12000),
                floor=Decimal(10800),
                order=i,
            )
            for i in range(kpis)
        )
        for month in dates.financial_year_months(start_year):
            end = dates.month_end(month)
            at = timezone.make_aware(datetime.datetime.combine(end, datetime.time(12)))
            ret = MonthlyReturn.objects.create(
                month=month,
                status="accepted",
                due_on=end + datetime.timedelta(days=14),
                submitted_at=at,
            )
            KpiReturn.objects.bulk_create(
                KpiReturn(
                    monthly_return=ret,
                    kpi=kpi,
                    kpi_code=kpi.code,
                    period_start=month,
                    period_end=end,
                    value=Decimal(900 + (i * 37 + month.month * 11) % 250),
                    status="accepted",
                    submitted_at=at,
                )
                for i, kpi in enumerate(rows)
            )
    return dates.financial_year_months(first_year + years - 1)[-1]


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
            ("KPI page", f"/performance/kpis/K000/?month={last_month:%Y-%m}"),
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
                f"performance {label}: {years} years x {kpis} monthly KPIs "
                f"({years * 12 * kpis} values, loaded in {load_seconds:.1f} s), rendered "
                f"from nothing: median {timings[len(timings) // 2] * 1000:.0f} ms, "
                f"best {timings[0] * 1000:.0f} ms, {len(queries)} queries"
            )
    finally:
        teardown_databases(old, verbosity=0)


BENCHMARKS = [dashboard_benchmark]
