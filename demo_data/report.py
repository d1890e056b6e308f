"""A made-up year of results, for the benchmark, tests and previews of the report.

Built only from the report's own input structure (`ReportData`), never the
database, so it shows what a full year looks like before the other apps'
contract reads return data. Each measure's monthly figures are one of the
demo's KPIs' (performance.demo_figures), in turn.
"""

import datetime
from decimal import Decimal

from cycle.report import (
    BudgetRow,
    Finance,
    Headline,
    KpiRow,
    OutcomeSection,
    ReportData,
)
from lra_commissioning import dates
from performance import demo_figures
from slas.selectors import SlaYearSummary


def sample_report_data(*, start_year: int = 2016, kpi_count: int = 60, kind="annual"):
    months = dates.financial_year_months(start_year)
    outcomes = [
        OutcomeSection(f"O{i}", f"Outcome {i}", f"What outcome {i} is about.") for i in range(1, 5)
    ]
    ratings = ["green", "green", "amber", "red", "green", "in_range"]
    codes = [
        code
        for code, kpi in demo_figures.KPIS.items()
        if kpi.frequency == demo_figures.MONTHLY and kpi.first_year <= start_year
    ]
    for n in range(kpi_count):
        code = codes[n % len(codes)]
        figures = demo_figures.KPIS[code]
        goal = demo_figures.targets(code, start_year)
        monthly = [(m, demo_figures.monthly_value(code, m)) for m in months]
        if n % 7 == 0:
            monthly[5] = (months[5], None)
        outcomes[n % 4].kpis.append(
            KpiRow(
                code=f"K{n + 1:02d}",
                title=f"Measure number {n + 1}",
                outcome_code=outcomes[n % 4].code,
                unit=_unit(code),
                higher_is_better=figures.higher_is_better,
                target=goal.target,
                floor=goal.floor,
                value=demo_figures.annual_value(code, start_year),
                rating=ratings[n % len(ratings)],
                previous_value=demo_figures.annual_value(code, start_year - 1),
                monthly_values=monthly,
                monthly_targets=[_monthly_target(code, goal.target)] * len(monthly),
                comparator_position=f"{n % 16 + 1} of 16",
            )
        )
    return ReportData(
        kind=kind,
        start_year=start_year,
        council_name="Kent County Council",
        outcomes=outcomes,
        kpis_have_results=True,
        finance=Finance(
            spending=[
                BudgetRow("Staffing", Decimal("9500000.00"), Decimal("9420000.00")),
                BudgetRow("Premises", Decimal("3100000.00"), Decimal("3190000.50")),
            ],
            income=[BudgetRow("Fees and charges", Decimal("2400000.00"), Decimal("2350000.00"))],
        ),
        headlines=[
            Headline("KPIs on target", f"{kpi_count // 2} of {kpi_count}", "—"),
            Headline("Net cost of the service", "£10,260,001", "£10,100,000"),
        ],
        slas=[
            SlaYearSummary(
                "ICT",
                "In force",
                datetime.date(start_year, 3, 20),
                True,
                Decimal("450000.00"),
                10,
                2,
            ),
            SlaYearSummary("HR", "Missing", None, False, Decimal("0"), 0, 0),
        ],
        generated_on=datetime.date(start_year + 1, 5, 2),
    )


def _unit(code: str) -> str:
    """The unit of the demo's KPI `code`, as the specification names it."""
    if code == "WS02":
        return "pounds"
    if code == "REG04":
        return "days"
    return "percentage" if demo_figures.KPIS[code].places else "count"


def _monthly_target(code: str, annual_target):
    """A month's share of a summed count's annual target; a rate's target as it is."""
    if annual_target is None or demo_figures.KPIS[code].places:
        return annual_target
    return (annual_target / 12).quantize(Decimal("1"))
