"""Reads of budgets and monitoring, for the people asking.

The functions marked as contracts (`budget_exceptions`, `budget_outturn`) are
relied on by other apps (the commissioner's dashboard, through
`lra_commissioning.dashboard`, and the annual report): keep
their signatures and return types. Every read here costs a fixed number of
queries, however many years, lines and months there are.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from lra_commissioning import dates
from lra_commissioning.permissions import Perm, visible_q
from performance.selectors import annual_activity
from slas.models import SupportService
from slas.selectors import annual_charges
from specifications.models import SpecificationVersion
from specifications.models import VersionStatus as SpecStatus

from . import budget as calc
from .models import (
    AGREED_STATUSES,
    BudgetNotice,
    BudgetVersion,
    Category,
    ExceptionExplanation,
    FundingConfirmation,
    MonitoringMonth,
    VersionStatus,
)

# Used where no specification version is in force (the model's defaults).
DEFAULT_TOLERANCE_PERCENT = Decimal("2.00")
DEFAULT_TOLERANCE_AMOUNT = Decimal("25000.00")

# Unit costs: KPI code -> what one unit costs.
UNIT_COSTS = [("LIB01", "Cost per library visit"), ("LIB02", "Cost per item issued")]


# Contracts -------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetException:
    """A budget category outside the specification's tolerance in a month."""

    category: str  # the category's label
    budget_ytd: Decimal
    actual_ytd: Decimal
    forecast_outturn: Decimal
    annual_budget: Decimal
    variance: Decimal  # forecast outturn - annual budget (pounds)
    variance_percent: Decimal
    explained: bool
    url: str  # where the service explains it / the commissioner reads it


@dataclass(frozen=True)
class OutturnLine:
    category: str
    budget: Decimal
    outturn: Decimal  # actual for a closed year, forecast otherwise


def budget_exceptions(*, month: datetime.date) -> list[BudgetException]:
    """Categories outside tolerance in the month's monitoring (first day of month).

    Empty when the month has no monitoring. A category with a zero budget has no
    percentage: its variance_percent is given as 100 (or -100).
    """
    report = monitoring_report(month=month)
    if report is None:
        return []
    url = reverse("funding:monitoring_month", kwargs={"year": month.year, "month": month.month})
    return [
        BudgetException(
            category=row.label,
            budget_ytd=row.budget_ytd,
            actual_ytd=row.actual_ytd,
            forecast_outturn=row.forecast,
            annual_budget=row.annual_budget,
            variance=row.forecast_variance,
            variance_percent=row.forecast_variance_percent
            if row.forecast_variance_percent is not None
            else Decimal(100).copy_sign(row.forecast_variance),
            explained=row.explanation is not None,
            url=url,
        )
        for row in report.rows
        if row.is_exception
    ]


def budget_outturn(*, start_year: int) -> list[OutturnLine]:
    """Budget against outturn per category for a financial year.

    Outturn is the sum of the monthly actuals once the year has ended, the
    latest forecast outturn before that. Empty when the year has no agreed
    budget or no monitoring.
    """
    data = _year_data(start_year)
    if data.version is None or not data.months:
        return []
    closed = dates.financial_year_end(start_year) < timezone.localdate()
    latest = data.months[-1]
    lines = []
    for category in calc.CATEGORY_ORDER:
        if closed:
            outturn = sum(
                (m.values.get(category, (calc.ZERO, calc.ZERO))[0] for m in data.months),
                calc.ZERO,
            )
        else:
            outturn = latest.values.get(category, (calc.ZERO, calc.ZERO))[1]
        lines.append(
            OutturnLine(
                category=Category(category).label,
                budget=data.budget.get(category, calc.ZERO),
                outturn=outturn,
            )
        )
    return lines


@dataclass(frozen=True)
class FinanceLine:
    category: str
    is_income: bool
    budget: Decimal
    outturn: Decimal

    @property
    def variance(self) -> Decimal:
        return self.outturn - self.budget


@dataclass(frozen=True)
class YearFinance:
    """Gross spending, income and net cost against budget for a financial year.

    Spending lines and income lines are never added together: net is spending
    less income. `monthly_net` is each monitored month's actual net cost, so a
    cost can be put on the same months as part-year activity.
    """

    lines: list[FinanceLine]
    closed: bool  # outturn is the year's actuals (else the latest forecast)
    monthly_net: dict[datetime.date, Decimal]

    def _total(self, income: bool, attr: str) -> Decimal:
        return sum(
            (getattr(line, attr) for line in self.lines if line.is_income == income), calc.ZERO
        )

    @property
    def spending_budget(self) -> Decimal:
        return self._total(False, "budget")

    @property
    def spending_outturn(self) -> Decimal:
        return self._total(False, "outturn")

    @property
    def income_budget(self) -> Decimal:
        return self._total(True, "budget")

    @property
    def income_outturn(self) -> Decimal:
        return self._total(True, "outturn")

    @property
    def net_budget(self) -> Decimal:
        return self.spending_budget - self.income_budget

    @property
    def net_outturn(self) -> Decimal:
        return self.spending_outturn - self.income_outturn


def year_finance(*, start_year: int) -> YearFinance | None:
    """The year's budget and outturn by line, split into spending and income.
    None when the year has no agreed budget or no monitoring."""
    from .models import INCOME_CATEGORIES

    data = _year_data(start_year)
    if data.version is None or not data.months:
        return None
    closed = dates.financial_year_end(start_year) < timezone.localdate()
    latest = data.months[-1]
    lines = []
    for category in calc.CATEGORY_ORDER:
        if closed:
            outturn = sum(
                (m.values.get(category, (calc.ZERO, calc.ZERO))[0] for m in data.months),
                calc.ZERO,
            )
        else:
            outturn = latest.values.get(category, (calc.ZERO, calc.ZERO))[1]
        lines.append(
            FinanceLine(
                category=Category(category).label,
                is_income=category in INCOME_CATEGORIES,
                budget=data.budget.get(category, calc.ZERO),
                outturn=outturn,
            )
        )
    monthly_net = {
        m.month: sum(
            (
                -actual if category in INCOME_CATEGORIES else actual
                for category, (actual, _f) in m.values.items()
            ),
            calc.ZERO,
        )
        for m in data.months
    }
    return YearFinance(lines=lines, closed=closed, monthly_net=monthly_net)


# Versions and the five-year grid ----------------------------------------------


def version_for_year(start_year: int) -> BudgetVersion | None:
    """The agreed version in force for a financial year: the latest agreed one covering it."""
    return (
        BudgetVersion.objects.filter(
            status__in=AGREED_STATUSES,
            start_year__lte=start_year,
            start_year__gt=start_year - 5,
        )
        .order_by("-number")
        .first()
    )


def latest_agreed_version(user=None) -> BudgetVersion | None:
    """The latest agreed version; given a user, the latest agreed one they may open
    (to a service manager, the latest confirmed to the service)."""
    qs = BudgetVersion.objects.filter(status__in=AGREED_STATUSES)
    if user is not None:
        qs = qs.filter(visible_q(user, Perm.BUDGET_VERSION_VIEW))
    return qs.order_by("-number").first()


def open_version(user=None) -> BudgetVersion | None:
    """The version in the making (draft, returned or with the board); given a user,
    only if they may open it (a draft is the commissioners')."""
    qs = BudgetVersion.objects.filter(
        status__in=[VersionStatus.DRAFT, VersionStatus.RETURNED, VersionStatus.PROPOSED]
    )
    if user is not None:
        qs = qs.filter(visible_q(user, Perm.BUDGET_VERSION_VIEW))
    return qs.order_by("-number").first()


def versions_for_list(user):
    """Every version this person may open, newest first (`budget_version.view`)."""
    return list(
        BudgetVersion.objects.filter(visible_q(user, Perm.BUDGET_VERSION_VIEW))
        .select_related("board_decided_by", "notice")
        .order_by("-number")
    )


def line_labels(*, keys) -> dict[str, str]:
    """Line key -> label, in display order (one query for support service names)."""
    support_ids = {sid for key in keys if (sid := calc.parse_line_key(key)[1]) is not None}
    names = dict(SupportService.objects.filter(pk__in=support_ids).values_list("pk", "name"))
    ordered = sorted(
        keys,
        key=lambda k: (
            calc.CATEGORY_ORDER.index(calc.parse_line_key(k)[0]),
            names.get(calc.parse_line_key(k)[1] or 0, ""),
        ),
    )
    labels = {}
    for key in ordered:
        category, sid = calc.parse_line_key(key)
        labels[key] = (
            f"Corporate recharge: {names.get(sid, 'support service')}"
            if sid
            else Category(category).label
        )
    return labels


@dataclass
class GridRow:
    key: str
    label: str
    category: str
    is_income: bool
    amounts: list[Decimal]  # one per year, in order
    allows_negative: bool = False


@dataclass
class BudgetGrid:
    version: BudgetVersion
    years: list[int]
    expenditure: list[GridRow]
    income: list[GridRow]
    totals: list[calc.YearTotals]
    year_labels: list[str] = field(default_factory=list)

    @property
    def rows(self):
        return self.expenditure + self.income


def budget_grid(version: BudgetVersion) -> BudgetGrid:
    """The version's lines as a grid of line × year with derived totals (3 queries)."""
    lines = list(version.lines.select_related("support_service"))
    savings = {y.start_year: y.savings_required for y in version.years_set.all()}
    years = version.years
    amounts = defaultdict(dict)  # key -> year -> amount
    labels = {}
    for line in lines:
        key = line.key
        amounts[key][line.start_year] = line.amount
        labels[key] = (
            f"Corporate recharge: {line.support_service.name}"
            if line.support_service_id
            else Category(line.category).label
        )
    ordered = sorted(
        amounts,
        key=lambda k: (calc.CATEGORY_ORDER.index(calc.parse_line_key(k)[0]), labels[k]),
    )
    expenditure, income = [], []
    for key in ordered:
        category, _ = calc.parse_line_key(key)
        row = GridRow(
            key=key,
            label=labels[key],
            category=category,
            is_income=calc.is_income(category),
            amounts=[amounts[key].get(y, calc.ZERO) for y in years],
            allows_negative=calc.allows_negative(category),
        )
        (income if row.is_income else expenditure).append(row)
    totals = [
        calc.year_totals(
            {key: amounts[key].get(y, calc.ZERO) for key in amounts},
            start_year=y,
            savings=savings.get(y, calc.ZERO),
            rule=version.income_rule,
            percent=version.income_service_percent,
            threshold=version.income_threshold,
        )
        for y in years
    ]
    return BudgetGrid(
        version=version,
        years=years,
        expenditure=expenditure,
        income=income,
        totals=totals,
        year_labels=[dates.financial_year_label(y) for y in years],
    )


# The December confirmation ----------------------------------------------------


@dataclass(frozen=True)
class ConfirmationStatus:
    start_year: int
    year_label: str
    due: datetime.date
    confirmed_on: datetime.date | None
    version_number: int | None

    @property
    def met(self) -> bool:
        return self.confirmed_on is not None and self.confirmed_on <= self.due

    @property
    def late(self) -> bool:
        return self.confirmed_on is not None and self.confirmed_on > self.due

    def overdue_on(self, today) -> bool:
        return self.confirmed_on is None and today > self.due

    @property
    def status_text(self) -> str:
        if self.met:
            return "Met"
        if self.late:
            return "Confirmed late"
        return "Not confirmed"


def confirmation_due(start_year: int) -> datetime.date:
    """Funding for a financial year is confirmed by 31 December before it starts."""
    return datetime.date(start_year - 1, 12, 31)


def confirmation_statuses(start_years) -> list[ConfirmationStatus]:
    found = {
        c.start_year: c
        for c in FundingConfirmation.objects.filter(
            start_year__in=list(start_years)
        ).select_related("version")
    }
    result = []
    for year in sorted(start_years):
        c = found.get(year)
        result.append(
            ConfirmationStatus(
                start_year=year,
                year_label=dates.financial_year_label(year),
                due=confirmation_due(year),
                confirmed_on=c.confirmed_on if c else None,
                version_number=c.version.number if c else None,
            )
        )
    return result


def confirmation_years(today: datetime.date) -> list[int]:
    """Years whose confirmation the budget pages show: every confirmed year and next year."""
    years = set(FundingConfirmation.objects.values_list("start_year", flat=True))
    years.add(dates.financial_year_of(today) + 1)
    return sorted(years)


# Notices ------------------------------------------------------------------------


def notices_for_list(user):
    """The notices this person may open, newest first.

    A notice is issued when its version is confirmed to the service, so whoever
    may open the version may open its notice (`budget_version.view`).
    """
    return list(
        BudgetNotice.objects.filter(visible_q(user, Perm.BUDGET_VERSION_VIEW, path="version__"))
        .select_related("version", "acknowledged_by", "issued_by")
        .order_by("-issued_on", "-id")
    )


def notice_with_lines(pk) -> BudgetNotice | None:
    return (
        BudgetNotice.objects.select_related(
            "version", "previous_version", "issued_by", "acknowledged_by"
        )
        .prefetch_related("lines")
        .filter(pk=pk)
        .first()
    )


# Monitoring --------------------------------------------------------------------


@dataclass
class _Month:
    month: datetime.date
    values: dict[str, tuple[Decimal, Decimal]]  # category -> (actual, forecast)
    entered_by: str
    entered_at: datetime.datetime


@dataclass
class _YearData:
    start_year: int
    version: BudgetVersion | None
    budget: dict[str, Decimal]  # category -> annual budget
    months: list[_Month]  # months entered, in order
    explanations: dict[tuple[datetime.date, str], ExceptionExplanation]
    spec_versions: list  # published specification versions, latest first


def _published_spec_versions():
    """The published specification versions, latest start first (one query).

    A small read of specifications' records: the tolerance in force on a month.
    """
    return list(
        SpecificationVersion.objects.filter(status=SpecStatus.PUBLISHED)
        .select_related("specification__financial_year")
        .order_by("-starts_on", "-major", "-minor")
    )


def _tolerance_on(spec_versions, day):
    for v in spec_versions:
        if v.starts_on <= day:
            return (
                v.budget_tolerance_percent,
                v.budget_tolerance_amount,
                f"specification {v.specification.financial_year.label} version {v.number}",
            )
    return DEFAULT_TOLERANCE_PERCENT, DEFAULT_TOLERANCE_AMOUNT, "the default tolerance"


def _year_data(start_year: int) -> _YearData:
    version = version_for_year(start_year)
    budget = defaultdict(lambda: calc.ZERO)
    if version is not None:
        for category, amount in version.lines.filter(start_year=start_year).values_list(
            "category", "amount"
        ):
            budget[category] += amount
    first, last = (
        dates.financial_year_start(start_year),
        dates.add_months(dates.financial_year_start(start_year), 11),
    )
    months = []
    for m in (
        MonitoringMonth.objects.filter(month__range=(first, last))
        .select_related("entered_by")
        .prefetch_related("lines")
        .order_by("month")
    ):
        months.append(
            _Month(
                month=m.month,
                values={
                    line.category: (line.actual, line.forecast_outturn) for line in m.lines.all()
                },
                entered_by=str(m.entered_by),
                entered_at=m.entered_at,
            )
        )
    explanations = {
        (e.month, e.category): e
        for e in ExceptionExplanation.objects.filter(month__range=(first, last)).select_related(
            "explained_by"
        )
    }
    return _YearData(
        start_year=start_year,
        version=version,
        budget=dict(budget),
        months=months,
        explanations=explanations,
        spec_versions=_published_spec_versions(),
    )


@dataclass
class MonitoringRow:
    category: str
    label: str
    is_income: bool
    annual_budget: Decimal
    budget_ytd: Decimal
    actual_month: Decimal
    actual_ytd: Decimal
    variance_ytd: Decimal
    variance_ytd_percent: Decimal | None
    forecast: Decimal
    forecast_variance: Decimal
    forecast_variance_percent: Decimal | None
    is_exception: bool
    explanation: ExceptionExplanation | None

    @property
    def adverse(self) -> bool:
        """Over budget on spending, or short of budget on income."""
        return self.forecast_variance < 0 if self.is_income else self.forecast_variance > 0


@dataclass
class MonitoringReport:
    month: datetime.date
    start_year: int
    version: BudgetVersion | None
    tolerance_percent: Decimal
    tolerance_amount: Decimal
    tolerance_source: str
    months_elapsed: int
    months_entered: int
    rows: list[MonitoringRow]
    entered_by: str
    entered_at: datetime.datetime

    @property
    def exceptions(self):
        return [r for r in self.rows if r.is_exception]

    @property
    def unexplained(self):
        return [r for r in self.rows if r.is_exception and r.explanation is None]


def _report_from(data: _YearData, month: datetime.date) -> MonitoringReport | None:
    entered = {m.month: m for m in data.months}
    this = entered.get(month)
    if this is None:
        return None
    elapsed = dates.month_number_in_year(month)
    percent, amount, source = _tolerance_on(data.spec_versions, month)
    rows = []
    for category in calc.CATEGORY_ORDER:
        annual = data.budget.get(category, calc.ZERO)
        budget_ytd = calc.profiled_budget(annual, elapsed)
        actual_ytd = sum(
            (m.values.get(category, (calc.ZERO,))[0] for m in data.months if m.month <= month),
            calc.ZERO,
        )
        actual_month, forecast = this.values.get(category, (calc.ZERO, calc.ZERO))
        variance_ytd = actual_ytd - budget_ytd
        forecast_variance = forecast - annual
        rows.append(
            MonitoringRow(
                category=category,
                label=Category(category).label,
                is_income=calc.is_income(category),
                annual_budget=annual,
                budget_ytd=budget_ytd,
                actual_month=actual_month,
                actual_ytd=actual_ytd,
                variance_ytd=variance_ytd,
                variance_ytd_percent=calc.variance_percent(variance_ytd, budget_ytd),
                forecast=forecast,
                forecast_variance=forecast_variance,
                forecast_variance_percent=calc.variance_percent(forecast_variance, annual),
                is_exception=calc.is_outside_tolerance(
                    variance=forecast_variance,
                    budget=annual,
                    tolerance_percent=percent,
                    tolerance_amount=amount,
                ),
                explanation=data.explanations.get((month, category)),
            )
        )
    return MonitoringReport(
        month=month,
        start_year=data.start_year,
        version=data.version,
        tolerance_percent=percent,
        tolerance_amount=amount,
        tolerance_source=source,
        months_elapsed=elapsed,
        months_entered=len([m for m in data.months if m.month <= month]),
        rows=rows,
        entered_by=this.entered_by,
        entered_at=this.entered_at,
    )


def monitoring_report(*, month: datetime.date) -> MonitoringReport | None:
    """Variance per category for a month (year to date and forecast), or None
    when the month has no monitoring (a fixed number of queries)."""
    return _report_from(_year_data(dates.financial_year_of(month)), month)


@dataclass
class MonthSummary:
    month: datetime.date
    label: str
    entered: bool
    ended: bool
    budget_expenditure: Decimal  # the month's share of the annual expenditure budget
    actual_expenditure: Decimal | None
    exceptions: int
    unexplained: int


@dataclass
class YearMonitoring:
    start_year: int
    year_label: str
    version: BudgetVersion | None
    months: list[MonthSummary]
    latest: MonitoringReport | None


def year_monitoring(start_year: int, *, today: datetime.date) -> YearMonitoring:
    """Each month of a year: entered or not, expenditure against budget, exceptions."""
    data = _year_data(start_year)
    annual_expenditure = sum(
        (a for c, a in data.budget.items() if not calc.is_income(c)), calc.ZERO
    )
    monthly_budget = calc.money(annual_expenditure / Decimal(12))
    entered = {m.month: m for m in data.months}
    months = []
    latest = None
    for month in dates.financial_year_months(start_year):
        m = entered.get(month)
        report = _report_from(data, month) if m else None
        if report:
            latest = report
        months.append(
            MonthSummary(
                month=month,
                label=f"{month:%B %Y}",
                entered=m is not None,
                ended=dates.month_end(month) < today,
                budget_expenditure=monthly_budget,
                actual_expenditure=sum(
                    (a for c, (a, _f) in m.values.items() if not calc.is_income(c)), calc.ZERO
                )
                if m
                else None,
                exceptions=len(report.exceptions) if report else 0,
                unexplained=len(report.unexplained) if report else 0,
            )
        )
    return YearMonitoring(
        start_year=start_year,
        year_label=dates.financial_year_label(start_year),
        version=data.version,
        months=months,
        latest=latest,
    )


def latest_monitored_month() -> datetime.date | None:
    return MonitoringMonth.objects.order_by("-month").values_list("month", flat=True).first()


def monitored_years() -> list[int]:
    months = MonitoringMonth.objects.values_list("month", flat=True)
    return sorted({dates.financial_year_of(m) for m in months})


def monitoring_years(today: datetime.date) -> list[int]:
    """The years budget monitoring can show: from the first agreed budget's first year
    (or the first monitored year) to this financial year (two queries)."""
    this_year = dates.financial_year_of(today)
    starts = (
        list(
            BudgetVersion.objects.filter(status__in=AGREED_STATUSES).values_list(
                "start_year", flat=True
            )
        )
        + monitored_years()
    )
    if not starts:
        return [this_year]
    return list(range(min(min(starts), this_year), this_year + 1))


# Full cost ------------------------------------------------------------------------


@dataclass
class SupportCost:
    name: str
    recharge_budget: Decimal | None
    sla_charge: Decimal | None

    @property
    def counted(self) -> Decimal:
        """The SLA's agreed charge where there is one, else the budget's recharge line."""
        if self.sla_charge is not None:
            return self.sla_charge
        return self.recharge_budget or calc.ZERO

    @property
    def source(self) -> str:
        if self.sla_charge is not None:
            return "SLA charge"
        return "Budget recharge" if self.recharge_budget is not None else "No cost recorded"


@dataclass
class FullCostYear:
    start_year: int
    label: str
    direct: Decimal  # gross expenditure less corporate recharges
    support: list[SupportCost]
    support_total: Decimal
    income: Decimal  # the service's income (its share of building income)
    full_cost: Decimal
    unit_costs: list[tuple[str, str, Decimal | None, Decimal | None]]  # code, label, activity, cost
    # KPI code -> months of the year its activity (and so the cost set against it) covers.
    unit_cost_months: dict[str, int] = field(default_factory=dict)

    @property
    def unit_cost_rows(self) -> list[tuple[str, str, Decimal | None, Decimal | None, int]]:
        """(code, label, activity, cost per unit, months covered) for the page."""
        return [
            (code, label, activity, cost, self.unit_cost_months.get(code, 12))
            for code, label, activity, cost in self.unit_costs
        ]


def unit_cost(annual_cost: Decimal, activity: Decimal, months: int) -> Decimal | None:
    """What one unit of activity cost, over the same months as the activity: a year's
    cost is spread evenly over its twelve months, so seven months' activity is set
    against seven twelfths of the year's cost, never the whole year's."""
    if not activity or months <= 0:
        return None
    return calc.money(annual_cost * months / 12 / activity)


def full_cost(version: BudgetVersion) -> list[FullCostYear]:
    """Direct budget + each support service's cost (SLA charge, or the budget's
    recharge where no SLA is agreed, so nothing is counted twice) - income."""
    grid = budget_grid(version)
    services = dict(SupportService.objects.values_list("pk", "name"))
    result = []
    for index, (year, totals) in enumerate(zip(grid.years, grid.totals, strict=True)):
        recharges = {}
        for row in grid.expenditure:
            _, sid = calc.parse_line_key(row.key)
            if sid is not None:
                recharges[sid] = row.amounts[index]
        charges = annual_charges(start_year=year)
        support = [
            SupportCost(
                name=services.get(sid, f"Support service {sid}"),
                recharge_budget=recharges.get(sid),
                sla_charge=charges.get(sid),
            )
            for sid in sorted(set(recharges) | set(charges), key=lambda s: services.get(s, ""))
        ]
        support_total = sum((s.counted for s in support), calc.ZERO)
        direct = totals.gross_expenditure - totals.corporate_recharges
        cost = direct + support_total - totals.service_income
        activity = annual_activity(start_year=year)
        units = []
        months = {}
        for code, label in UNIT_COSTS:
            figure = activity.get(code)
            units.append(
                (
                    code,
                    label,
                    figure.value if figure else None,
                    unit_cost(cost, figure.value, figure.months) if figure else None,
                )
            )
            if figure:
                months[code] = figure.months
        result.append(
            FullCostYear(
                start_year=year,
                label=dates.financial_year_label(year),
                direct=direct,
                support=support,
                support_total=support_total,
                income=totals.service_income,
                full_cost=cost,
                unit_costs=units,
                unit_cost_months=months,
            )
        )
    return result
