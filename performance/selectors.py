"""Reads of performance data, for the people asking.

Each page costs a fixed number of queries however many years or KPIs there
are: the dashboard reads one window of returns (last year and this year) in
one query and rates in Python with the pure functions in `rag.py`.

The functions below the line are contracts other apps rely on (funding's full
cost, the annual report): keep their signatures and return types.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from lra_commissioning import dates
from lra_commissioning.permissions import visible_q
from specifications.models import KPI, SpecificationVersion, VersionStatus

from . import periods, rag
from .models import (
    ActionPlan,
    ComparatorValue,
    KpiReturn,
    ManagementReport,
    MonthlyReturn,
    PlanStatus,
    ValueStatus,
)

RATED_STATUSES = (ValueStatus.SUBMITTED, ValueStatus.QUERIED, ValueStatus.ACCEPTED)
TWO = Decimal("0.01")


def _version_in_force(on):
    return (
        SpecificationVersion.objects.filter(status=VersionStatus.PUBLISHED, starts_on__lte=on)
        .order_by("-starts_on", "-major", "-minor")
        .first()
    )


def default_month(today=None) -> datetime.date:
    """The latest month with a return, or else the last month that has ended."""
    latest = MonthlyReturn.objects.exclude(status="draft").order_by("-month").first()
    if latest:
        return latest.month
    today = today or timezone.localdate()
    return dates.add_months(today, -1)


def month_choices(today=None) -> list[datetime.date]:
    """Months from the first specification to last month, newest first."""
    today = today or timezone.localdate()
    first = (
        SpecificationVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .order_by("starts_on")
        .values_list("starts_on", flat=True)
        .first()
    )
    if first is None:
        return []
    months, current = [], dates.add_months(today, -1)
    while current >= first.replace(day=1):
        months.append(current)
        current = dates.add_months(current, -1)
    return months


# Annual figures and comparators --------------------------------------------------


def annual_figure(aggregation: str, values: list[Decimal]) -> Decimal | None:
    """A year's figure from its periods' values, by the KPI's aggregation rule."""
    if not values:
        return None
    if aggregation == "sum":
        return sum(values)
    if aggregation == "average":
        return (sum(values) / len(values)).quantize(TWO)
    return values[-1]


_QUARTILES = {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}


def comparator_position(ours: Decimal | None, others: list[Decimal], higher_is_better: bool):
    """(rank, group size, quartile text) of our value among comparators, or None."""
    if ours is None or not others:
        return None
    better = [v for v in others if (v > ours if higher_is_better else v < ours)]
    rank = len(better) + 1
    size = len(others) + 1
    quartile = min(4, math.ceil(rank * 4 / size))
    return rank, size, _QUARTILES[quartile]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def position_text(position) -> str:
    if position is None:
        return ""
    rank, size, quartile = position
    return f"{_ordinal(rank)} of {size} ({quartile})"


# The dashboard ----------------------------------------------------------------


@dataclass
class KpiRow:
    kpi: KPI
    period: dates.Period | None
    value_record: KpiReturn | None
    rating: rag.Rating
    direction: str
    trend: str
    spark: list  # (label, value or None), oldest first
    ytd: Decimal | None
    target: Decimal | None
    floor: Decimal | None
    last_year: Decimal | None
    comparator: str
    plan: ActionPlan | None
    plan_needed: str  # why an action plan is needed, "" when not

    @property
    def value(self):
        return self.value_record.value if self.value_record else None

    @property
    def queried(self) -> bool:
        return bool(self.value_record) and self.value_record.status == ValueStatus.QUERIED

    @property
    def needs_attention(self) -> bool:
        return self.rating.needs_attention or self.queried

    @property
    def direction_label(self):
        return rag.DIRECTION_LABELS[self.direction]

    @property
    def direction_arrow(self):
        return rag.DIRECTION_ARROWS[self.direction]

    @property
    def trend_label(self):
        return rag.DIRECTION_LABELS[self.trend]


def _period_ends(frequency: str, up_to: datetime.date, count: int) -> list[dates.Period]:
    """The last `count` periods of a frequency ending in or before `up_to` (oldest first)."""
    found, month = [], up_to.replace(day=1)
    guard = 0
    while len(found) < count and guard < count * 12 + 12:
        period = periods.period_ending_in(frequency, month)
        if period is not None:
            found.append(period)
        month = dates.add_months(month, -1)
        guard += 1
    return list(reversed(found))


class _Rater:
    """Rates a KPI's periods from one window of values (no queries)."""

    def __init__(self, kpi, values_by_end, tolerance, due_days, today):
        self.kpi = kpi
        self.values = values_by_end  # period_end -> KpiReturn
        self.tolerance = tolerance
        self.due_days = due_days
        self.today = today

    def ytd(self, period) -> Decimal | None:
        start_year = dates.financial_year_of(period.start)
        start = dates.financial_year_start(start_year)
        vals = [
            r.value
            for end, r in self.values.items()
            if start <= end <= period.end and r.value is not None
        ]
        if not vals:
            return None
        return annual_figure(self.kpi.annual_aggregation, vals)

    def rate(self, period) -> rag.Rating:
        record = self.values.get(period.end)
        value = record.value if record else None
        cumulative = self.kpi.annual_aggregation == "sum"
        due_on = periods.due_date(period.end, self.due_days)
        return rag.rate(
            value=value,
            target=self.kpi.annual_target,
            floor=self.kpi.floor,
            higher_is_better=self.kpi.higher_is_better,
            cumulative=cumulative,
            month_number=dates.month_number_in_year(period.end),
            profile=self.kpi.monthly_profile,
            ytd_value=self.ytd(period) if cumulative and value is not None else None,
            is_activity=self.kpi.is_activity,
            expected_low=self.kpi.expected_low,
            expected_high=self.kpi.expected_high,
            tolerance_percent=self.tolerance,
            due=self.today > due_on,
            submitted_late=bool(record) and record.monthly_return.is_late,
        )


def _window_values(codes, start, end):
    """{code: {period_end: KpiReturn}} for rated values ending in [start, end] (one query)."""
    rows = (
        KpiReturn.objects.filter(
            kpi_code__in=codes,
            period_end__gte=start,
            period_end__lte=end,
            status__in=RATED_STATUSES,
        )
        .select_related("monthly_return")
        .order_by("period_end")
    )
    by_code = defaultdict(dict)
    for row in rows:
        by_code[row.kpi_code][row.period_end] = row
    return by_code


def _comparators(codes, years):
    by_key = defaultdict(list)
    for c in ComparatorValue.objects.filter(kpi_code__in=codes, start_year__in=years):
        by_key[(c.kpi_code, c.start_year)].append(c.value)
    return by_key


def plan_trigger(ratings: list[rag.Rating]) -> str:
    """Why a plan is needed: a red latest period, or amber three periods running."""
    if not ratings:
        return ""
    states = [r.underlying or r.state for r in ratings]
    if states[-1] == rag.RED:
        return "Red this period"
    if len(states) >= 3 and all(s == rag.AMBER for s in states[-3:]):
        return "Amber three periods running"
    return ""


@dataclass
class Dashboard:
    month: datetime.date
    version: SpecificationVersion | None
    rows: list[KpiRow]
    counts: dict
    show_all: bool
    monthly_return: MonthlyReturn | None
    report: ManagementReport | None
    budget_exceptions: list = field(default_factory=list)

    @property
    def shown_rows(self):
        return self.rows if self.show_all else [r for r in self.rows if r.needs_attention]


def kpi_rows(*, month: datetime.date, codes=None, today=None) -> tuple:
    """(version, rows) for every KPI in force in `month`, rated for its latest period."""
    today = today or timezone.localdate()
    month = month.replace(day=1)
    version = _version_in_force(month)
    if version is None:
        return None, []
    kpis = list(KPI.objects.filter(version=version).order_by("order", "code"))
    if codes is not None:
        kpis = [k for k in kpis if k.code in codes]
    all_codes = [k.code for k in kpis]
    start_year = dates.financial_year_of(month)
    window_start = dates.financial_year_start(start_year - 1)
    window = _window_values(all_codes, window_start, dates.month_end(month))
    comparators = _comparators(all_codes, [start_year, start_year - 1])
    plans = {
        p.kpi_code: p
        for p in ActionPlan.objects.filter(kpi_code__in=all_codes, status=PlanStatus.OPEN)
    }
    due_days = periods.due_working_days()
    tolerance = version.performance_tolerance_percent
    rows = []
    for kpi in kpis:
        values = window.get(kpi.code, {})
        rater = _Rater(kpi, values, tolerance, due_days, today)
        period = periods.latest_period_by(kpi.frequency, month)
        if period is None:
            rows.append(
                KpiRow(
                    kpi,
                    None,
                    None,
                    rag.Rating(rag.NOT_DUE),
                    rag.UNKNOWN,
                    rag.UNKNOWN,
                    [],
                    None,
                    kpi.annual_target,
                    kpi.floor,
                    None,
                    "",
                    plans.get(kpi.code),
                    "",
                )
            )
            continue
        recent = _period_ends(kpi.frequency, period.end, 12)
        spark = []
        for p in recent:
            rec = values.get(p.end)
            spark.append((p.label, rec.value if rec else None))
        record = values.get(period.end)
        rating = rater.rate(period)
        previous = spark[-2][1] if len(spark) >= 2 else None
        last_three = [rater.rate(p) for p in recent[-3:]]
        last_year_end = dates.month_end(dates.add_months(period.end, -12))
        last_year_rec = values.get(last_year_end)
        # Comparator position on the latest year with comparators whose figure we know.
        comparator = ""
        for year in (start_year, start_year - 1):
            others = comparators.get((kpi.code, year))
            if not others:
                continue
            in_year = [
                r.value
                for end, r in values.items()
                if dates.financial_year_of(end) == year and r.status == ValueStatus.ACCEPTED
            ]
            ours = annual_figure(kpi.annual_aggregation, in_year)
            text = position_text(comparator_position(ours, others, kpi.higher_is_better))
            if text:
                comparator = f"{text}, {dates.financial_year_label(year)}"
                break
        rows.append(
            KpiRow(
                kpi=kpi,
                period=period,
                value_record=record,
                rating=rating,
                direction=rag.direction(
                    record.value if record else None, previous, kpi.higher_is_better
                ),
                trend=rag.trend([v for _, v in spark[-6:]], kpi.higher_is_better),
                spark=spark,
                ytd=rater.ytd(period),
                target=rating.basis_target
                if rating.basis_target is not None
                else kpi.annual_target,
                floor=rating.basis_floor if rating.basis_floor is not None else kpi.floor,
                last_year=last_year_rec.value if last_year_rec else None,
                comparator=comparator,
                plan=plans.get(kpi.code),
                plan_needed=plan_trigger(last_three),
            )
        )
    return version, rows


COUNTED = [
    (rag.GREEN, "Green"),
    (rag.AMBER, "Amber"),
    (rag.RED, "Red"),
    (rag.MISSING, "Missing"),
    (rag.LATE, "Late"),
    ("queried", "Queried"),
]


def visible_returns(user):
    """The monthly KPI returns this person may open (`kpi_return.view`)."""
    return MonthlyReturn.objects.filter(visible_q(user, "kpi_return.view"))


def visible_reports(user):
    """The management reports this person may open (`management_report.view`)."""
    return ManagementReport.objects.filter(visible_q(user, "management_report.view"))


def dashboard(*, month: datetime.date, user, show_all: bool = False, today=None) -> Dashboard:
    """The exception dashboard for a month, as this person may see it: the month's
    return and report only if they may open them (a draft stays with the service)."""
    from funding.selectors import budget_exceptions

    month = month.replace(day=1)
    version, rows = kpi_rows(month=month, today=today)
    counts = {key: 0 for key, _ in COUNTED}
    for row in rows:
        if row.rating.state in counts:
            counts[row.rating.state] += 1
        if row.queried:
            counts["queried"] += 1
    return Dashboard(
        month=month,
        version=version,
        rows=rows,
        counts=counts,
        show_all=show_all,
        monthly_return=visible_returns(user).filter(month=month).first(),
        report=visible_reports(user).filter(month=month).first(),
        budget_exceptions=budget_exceptions(month=month),
    )


# The KPI page ------------------------------------------------------------------------


@dataclass
class KpiPage:
    kpi: KPI
    row: KpiRow
    history: list  # (period label, period end, value, status) for the chart and table
    ytd: Decimal | None
    forecast: Decimal | None
    forecast_method: str
    comparators: list  # (year label, [(authority, value)], position text)


def _forecast(kpi, year_values, last_year_values, month_number):
    """Year-end forecast and the method used, stated for the reader."""
    known = [v for v in year_values if v is not None]
    if not known:
        return None, "No forecast: there are no values for this year yet."
    if kpi.annual_aggregation == "latest":
        return known[-1], "The latest value, carried to the year end."
    if kpi.annual_aggregation == "average":
        return (
            (sum(known) / len(known)).quantize(TWO),
            "The average of this year's values so far.",
        )
    ytd = sum(known)
    if len(last_year_values) == 12 and all(v is not None for v in last_year_values):
        last_ytd = sum(last_year_values[:month_number])
        if last_ytd:
            forecast = (ytd * sum(last_year_values) / last_ytd).quantize(Decimal(1))
            return forecast, (
                "Seasonal: this year to date, scaled by last year's share of the annual "
                "total reached by the same month."
            )
    return (
        (ytd * 12 / month_number).quantize(Decimal(1)),
        "Straight line: this year to date divided by the months so far, times twelve.",
    )


def kpi_page(*, code: str, month: datetime.date, today=None) -> KpiPage | None:
    month = month.replace(day=1)
    version, rows = kpi_rows(month=month, codes={code}, today=today)
    if not rows:
        return None
    row = rows[0]
    kpi = row.kpi
    records = list(
        KpiReturn.objects.filter(
            kpi_code=code, status__in=RATED_STATUSES, period_end__lte=dates.month_end(month)
        ).order_by("period_end")
    )
    history = [
        (
            dates.month_period(r.period_end).label
            if kpi.frequency == "monthly"
            else f"{r.period_start:%b %Y} to {r.period_end:%b %Y}",
            r.period_end,
            r.value,
            r.get_status_display(),
        )
        for r in records
    ]
    by_end = {r.period_end: r.value for r in records}
    start_year = dates.financial_year_of(month)
    this_year = [
        by_end.get(dates.month_end(m))
        for m in dates.financial_year_months(start_year)
        if m <= month
    ]
    last_year = [
        by_end.get(dates.month_end(m)) for m in dates.financial_year_months(start_year - 1)
    ]
    forecast, method = _forecast(kpi, this_year, last_year, dates.month_number_in_year(month))
    comp_rows = defaultdict(list)
    for c in ComparatorValue.objects.filter(kpi_code=code).order_by("-start_year", "authority"):
        comp_rows[c.start_year].append((c.authority, c.value))
    accepted = defaultdict(list)
    for r in records:
        if r.status == ValueStatus.ACCEPTED:
            accepted[dates.financial_year_of(r.period_end)].append(r.value)
    comparators = []
    for year, others in comp_rows.items():
        ours = annual_figure(kpi.annual_aggregation, accepted.get(year, []))
        position = comparator_position(ours, [v for _, v in others], kpi.higher_is_better)
        comparators.append(
            (dates.financial_year_label(year), others, ours, position_text(position))
        )
    return KpiPage(kpi, row, history, row.ytd, forecast, method, comparators)


# The data-entry status board -------------------------------------------------------


def status_board(*, start_year: int, user, today=None):
    """Each month of a year: the return and the report, their state, due date and lateness.

    Only the returns and reports this person may open are given: to a
    commissioner a draft is not yet submitted, so the month shows as due or missing.
    """
    today = today or timezone.localdate()
    months = dates.financial_year_months(start_year)
    returns = {r.month: r for r in visible_returns(user).filter(month__in=months)}
    reports = {r.month: r for r in visible_reports(user).filter(month__in=months)}
    due_days = periods.due_working_days()
    lines = []
    for month in months:
        due_on = periods.due_date(month, due_days)
        lines.append(
            {
                "month": month,
                "due_on": due_on,
                "return": returns.get(month),
                "report": reports.get(month),
                "overdue": today > due_on,
                "ended": dates.month_end(month) < today,
            }
        )
    return lines


# Open data --------------------------------------------------------------------------


def published_years() -> list[int]:
    """Years whose specification is published and has ended: their accepted values are open."""
    today = timezone.localdate()
    years = (
        SpecificationVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .values_list("specification__financial_year__start_year", flat=True)
        .distinct()
    )
    return sorted(y for y in years if dates.financial_year_start(y) <= today)


def open_data_values(years: list[int]):
    """Accepted values of the given years, with their KPI definitions (two queries)."""
    if not years:
        return [], []
    start = dates.financial_year_start(min(years))
    end = dates.financial_year_end(max(years))
    values = list(
        KpiReturn.objects.filter(
            status=ValueStatus.ACCEPTED, period_end__gte=start, period_end__lte=end
        )
        .select_related("kpi")
        .order_by("period_end", "kpi__order", "kpi_code")
    )
    kpis = list(
        KPI.objects.filter(
            version__status=VersionStatus.PUBLISHED,
            version__specification__financial_year__start_year__in=years,
        )
        .select_related("version__specification__financial_year")
        .order_by("version__starts_on", "order")
    )
    return values, kpis


# ------------------------------------------------------------------------------------
# Contracts other apps rely on.


@dataclass(frozen=True)
class KpiYearResult:
    """One KPI's result for a financial year, for the annual report."""

    code: str
    title: str
    outcome_code: str
    service_area: str
    unit: str
    higher_is_better: bool
    target: Decimal | None
    floor: Decimal | None
    value: Decimal | None  # the accepted annual figure (by the KPI's aggregation rule)
    rating: str  # green | amber | red | missing | in_range | out_of_range
    previous_value: Decimal | None  # the same KPI's annual figure the year before
    # (first day of month, accepted value or None), April first
    monthly_values: list[tuple[datetime.date, Decimal | None]] = field(default_factory=list)
    comparator_position: str = ""  # e.g. "3rd of 16 (top quartile)", "" when none


def _accepted_by_year(codes, first_year, last_year):
    """{(code, start_year): [(period_end, value)]} of accepted values (one query)."""
    out = defaultdict(list)
    rows = (
        KpiReturn.objects.filter(
            kpi_code__in=codes,
            status=ValueStatus.ACCEPTED,
            period_end__gte=dates.financial_year_start(first_year),
            period_end__lte=dates.financial_year_end(last_year),
        )
        .order_by("period_end")
        .values_list("kpi_code", "period_end", "value")
    )
    for code, end, value in rows:
        out[(code, dates.financial_year_of(end))].append((end, value))
    return out


def annual_activity(*, start_year: int) -> dict[str, Decimal]:
    """Accepted annual figure per KPI code for a financial year.

    Used by funding for unit costs (cost per library visit, per item issued).
    """
    version = _version_in_force(dates.financial_year_start(start_year))
    if version is None:
        return {}
    kpis = list(KPI.objects.filter(version=version))
    accepted = _accepted_by_year([k.code for k in kpis], start_year, start_year)
    result = {}
    for kpi in kpis:
        figure = annual_figure(
            kpi.annual_aggregation, [v for _, v in accepted.get((kpi.code, start_year), [])]
        )
        if figure is not None:
            result[kpi.code] = figure
    return result


def kpi_year_results(*, start_year: int) -> list[KpiYearResult]:
    """Every KPI of the specification in force in that year, with its result."""
    version = _version_in_force(dates.financial_year_start(start_year))
    if version is None:
        return []
    kpis = list(KPI.objects.filter(version=version).select_related("outcome"))
    codes = [k.code for k in kpis]
    accepted = _accepted_by_year(codes, start_year - 1, start_year)
    comparators = _comparators(codes, [start_year])
    results = []
    for kpi in kpis:
        this_year = accepted.get((kpi.code, start_year), [])
        value = annual_figure(kpi.annual_aggregation, [v for _, v in this_year])
        previous = annual_figure(
            kpi.annual_aggregation, [v for _, v in accepted.get((kpi.code, start_year - 1), [])]
        )
        rating = rag.rate(
            value=value,
            target=kpi.annual_target,
            floor=kpi.floor,
            higher_is_better=kpi.higher_is_better,
            is_activity=kpi.is_activity,
            expected_low=kpi.expected_low,
            expected_high=kpi.expected_high,
            tolerance_percent=version.performance_tolerance_percent,
        ).state
        by_end = dict(this_year)
        monthly = [
            (m, by_end.get(dates.month_end(m))) for m in dates.financial_year_months(start_year)
        ]
        results.append(
            KpiYearResult(
                code=kpi.code,
                title=kpi.title,
                outcome_code=kpi.outcome.code if kpi.outcome else "",
                service_area=kpi.service_area,
                unit=kpi.unit,
                higher_is_better=kpi.higher_is_better,
                target=kpi.annual_target,
                floor=kpi.floor,
                value=value,
                rating=rating,
                previous_value=previous,
                monthly_values=monthly,
                comparator_position=position_text(
                    comparator_position(
                        value, comparators.get((kpi.code, start_year), []), kpi.higher_is_better
                    )
                ),
            )
        )
    return results
