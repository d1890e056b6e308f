"""A made-up year of results, for the benchmark, tests and previews of the report.

Built only from the report's own input structure (`ReportData`), never the
database, so it shows what a full year looks like before the other apps'
contract reads return data.
"""

import datetime
from decimal import Decimal

from funding.selectors import OutturnLine
from lra_commissioning import dates
from slas.selectors import SlaYearSummary

from .report import KpiRow, OutcomeSection, ReportData


def sample_report_data(*, start_year: int = 2016, kpi_count: int = 60, kind="annual"):
    months = dates.financial_year_months(start_year)
    outcomes = [
        OutcomeSection(f"O{i}", f"Outcome {i}", f"What outcome {i} is about.") for i in range(1, 5)
    ]
    ratings = ["green", "green", "amber", "red", "green", "in_range"]
    for n in range(kpi_count):
        base = Decimal(1000 + 37 * n)
        monthly = [(m, base + Decimal((i * 13 + n) % 90)) for i, m in enumerate(months)]
        if n % 7 == 0:
            monthly[5] = (months[5], None)
        outcomes[n % 4].kpis.append(
            KpiRow(
                code=f"K{n + 1:02d}",
                title=f"Measure number {n + 1}",
                outcome_code=outcomes[n % 4].code,
                unit="count" if n % 3 else "percentage",
                higher_is_better=True,
                target=base * 12,
                floor=base * 11,
                value=sum((v for _m, v in monthly if v is not None), Decimal("0")),
                rating=ratings[n % len(ratings)],
                previous_value=base * 12 - 100,
                monthly_values=monthly,
                comparator_position=f"{n % 16 + 1} of 16",
            )
        )
    return ReportData(
        kind=kind,
        start_year=start_year,
        council_name="Kent County Council",
        outcomes=outcomes,
        kpis_have_results=True,
        budget=[
            OutturnLine("Staff", Decimal("9500000.00"), Decimal("9420000.00")),
            OutturnLine("Premises", Decimal("3100000.00"), Decimal("3190000.50")),
            OutturnLine("Income", Decimal("-2400000.00"), Decimal("-2350000.00")),
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
        business_plan=[("O1", "Outcome 1", "Through the reading programme.")],
        generated_on=datetime.date(start_year + 1, 5, 2),
    )
