"""Years of the demo's KPIs as accepted monthly returns, written in bulk.

For the benchmarks (ten years behind the dashboard) and the query-count tests:
the demo's own KPIs (codes, units, frequencies, aggregations) with the demo's
own figures and targets (performance.demo_figures), one published
specification version per year, without going through the services (fast,
and nothing else is needed to draw the pages).
"""

import datetime

from performance import demo_figures

# The demo's KPIs: code: (title, service area, unit).
KPIS = {
    "LIB01": ("Library visits", "libraries", "count"),
    "LIB02": ("Items issued", "libraries", "count"),
    "LIB03": ("E-issues (e-books, e-audio and e-magazines)", "libraries", "count"),
    "LIB04": ("Active borrowers", "libraries", "count"),
    "LIB05": ("Home library service customers", "libraries", "count"),
    "LIB06": ("Customer satisfaction with libraries", "libraries", "percentage"),
    "LIB07": ("Event attendances", "libraries", "count"),
    "LIB08": ("Digital skills sessions delivered", "libraries", "count"),
    "REG01": ("Deaths registered within 5 days", "registration", "percentage"),
    "REG02": (
        "Birth registration appointments available within 5 working days",
        "registration",
        "percentage",
    ),
    "REG03": (
        "Death registration appointments available within 2 working days",
        "registration",
        "percentage",
    ),
    "REG04": ("Average wait for a birth registration appointment", "registration", "days"),
    "REG05": ("Births registered", "registration", "count"),
    "REG06": ("Deaths registered", "registration", "count"),
    "REG07": ("Ceremonies conducted", "registration", "count"),
    "REG08": ("Customer satisfaction with registration", "registration", "percentage"),
    "ARC01": ("Archive documents produced", "archives", "count"),
    "ARC02": ("Archive enquiries answered within 10 working days", "archives", "percentage"),
    "ARC03": ("Customer satisfaction with archives", "archives", "percentage"),
    "ARC04": ("Archive search room visits", "archives", "count"),
    "WS01": ("Volunteer hours", "whole_service", "count"),
    "WS02": ("Income from fees and charges", "whole_service", "pounds"),
}


def kpi_codes(count: int | None = None) -> list[str]:
    """The demo's KPI codes, or `count` codes: the demo's, then copies ("LIB01-2", ...)."""
    codes = list(KPIS)
    if count is None:
        return codes
    return [
        codes[i % len(codes)] + (f"-{i // len(codes) + 1}" if i >= len(codes) else "")
        for i in range(count)
    ]


def load_history(*, years: int, kpis: int | None = None, first_year: int = 2016):
    """Accepted monthly returns for `years` years from April of `first_year`, in bulk.

    `kpis`: how many KPIs (default: the demo's own, about twenty); more than the
    demo has repeats its KPIs under new codes ("LIB01-2"), each with its
    figures. Returns the last month loaded (first of the month).
    """
    from django.utils import timezone

    from lra_commissioning import dates
    from lra_commissioning.models import FinancialYear
    from performance import periods
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
    codes = kpi_codes(kpis)
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
        rows = []
        for order, code in enumerate(codes):
            base = code.split("-")[0]
            figures = demo_figures.KPIS[base]
            if start_year < figures.first_year:
                continue
            title, area, unit = KPIS[base]
            goal = demo_figures.targets(base, start_year)
            rows.append(
                KPI(
                    version=version,
                    outcome=outcome,
                    code=code,
                    title=title,
                    service_area=area,
                    unit=unit,
                    higher_is_better=figures.higher_is_better,
                    frequency=figures.frequency,
                    annual_aggregation=figures.aggregation,
                    is_activity=goal.target is None,
                    annual_target=goal.target,
                    floor=goal.floor,
                    expected_low=goal.expected_low,
                    expected_high=goal.expected_high,
                    monthly_profile=goal.profile if figures.aggregation == "sum" else [],
                    order=order,
                )
            )
        rows = KPI.objects.bulk_create(rows)
        for month in dates.financial_year_months(start_year):
            end = dates.month_end(month)
            at = timezone.make_aware(datetime.datetime.combine(end, datetime.time(12)))
            ret = MonthlyReturn.objects.create(
                month=month,
                status="accepted",
                due_on=end + datetime.timedelta(days=14),
                submitted_at=at,
            )
            values = []
            for kpi in rows:
                period = periods.period_ending_in(kpi.frequency, month)
                if period is None:
                    continue
                values.append(
                    KpiReturn(
                        monthly_return=ret,
                        kpi=kpi,
                        kpi_code=kpi.code,
                        period_start=period.start,
                        period_end=period.end,
                        value=demo_figures.monthly_value(kpi.code.split("-")[0], month),
                        status="accepted",
                        submitted_at=at,
                    )
                )
            KpiReturn.objects.bulk_create(values)
    return dates.financial_year_months(first_year + years - 1)[-1]
