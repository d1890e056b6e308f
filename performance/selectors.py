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
from lra_commissioning.dashboard import budget_exceptions
from lra_commissioning.models import FinancialYear
from lra_commissioning.permissions import Perm, visible_q
from specifications.models import KPI, SpecificationVersion, Unit, VersionStatus

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


def first_month() -> datetime.date | None:
    """The first month of the first published specification: the earliest month with
    anything to show (one query)."""
    first = (
        SpecificationVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .order_by("starts_on")
        .values_list("starts_on", flat=True)
        .first()
    )
    return first.replace(day=1) if first else None


# Before any specification is published, months back to April 2000 may still be
# addressed (a management report needs no specification); never a later month
# than this one, nor anything the date arithmetic cannot hold.
EARLIEST_MONTH = datetime.date(2000, 4, 1)


def month_in_range(month: datetime.date, today=None) -> bool:
    """Whether a month can be shown: from the first specification (or April 2000
    while there is none) to this month."""
    today = today or timezone.localdate()
    first = first_month() or EARLIEST_MONTH
    return first <= month.replace(day=1) <= today.replace(day=1)


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


PER_1000_RESIDENTS = "per 1,000 residents"


@dataclass(frozen=True)
class Comparison:
    """This council among other authorities for one KPI and year, on one basis.

    A count (items issued, visits) is compared per 1,000 residents: the other
    authorities' values are imported per 1,000 residents, and this council's
    year figure is divided by its resident population. A percentage or a number
    of days is compared as it is.
    """

    start_year: int
    ours: Decimal | None  # on the comparison's basis; None when it cannot be worked out
    others: list  # [(authority, value)], as imported
    position: str  # "3rd of 16 (top quartile)", "" when there is none
    basis: str  # PER_1000_RESIDENTS or ""
    sources: str  # where the other authorities' figures come from
    missing: str  # why there is no position, "" when there is one

    @property
    def year_label(self) -> str:
        return dates.financial_year_label(self.start_year)

    @property
    def basis_text(self) -> str:
        """E.g. "per 1,000 residents, against 15 other authorities' figures for 2016/17
        (Illustrative)"."""
        text = f"against {len(self.others)} other authorities' figures for {self.year_label}" + (
            f" ({self.sources})" if self.sources else ""
        )
        return f"{self.basis}, {text}" if self.basis else text


def compare_with_other_authorities(
    kpi, start_year: int, ours_total: Decimal | None, others: list, residents: int | None
) -> Comparison:
    """The one rule for comparing with other authorities (see Comparison).

    `others` are ComparatorValue rows for the KPI and year; `residents` is the
    council's resident population that year (None when it is not recorded)."""
    basis = PER_1000_RESIDENTS if kpi.unit == Unit.COUNT else ""
    missing = ""
    ours = ours_total
    if ours_total is None:
        missing = "no accepted figure for this council yet"
    elif basis:
        if residents:
            ours = (ours_total * 1000 / residents).quantize(TWO)
        else:
            ours = None
            missing = (
                f"the council's resident population for "
                f"{dates.financial_year_label(start_year)} is not recorded"
            )
    position = position_text(
        comparator_position(ours, [c.value for c in others], kpi.higher_is_better)
    )
    sources = "; ".join(sorted({c.source for c in others if c.source}))
    return Comparison(
        start_year=start_year,
        ours=ours,
        others=[(c.authority, c.value) for c in others],
        position=position,
        basis=basis,
        sources=sources,
        missing=missing,
    )


def resident_populations(years) -> dict[int, int]:
    """Residents in each of `years` where known. Always one query (pages ask even
    with no comparators to show, so their query count does not follow the data)."""
    return dict(
        FinancialYear.objects.filter(
            start_year__in=list(years), resident_population__isnull=False
        ).values_list("start_year", "resident_population")
    )


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
    """{(KPI code, start year): [ComparatorValue]}."""
    by_key = defaultdict(list)
    for c in ComparatorValue.objects.filter(kpi_code__in=codes, start_year__in=years):
        by_key[(c.kpi_code, c.start_year)].append(c)
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
    def year(self) -> int:
        return dates.financial_year_of(self.month)

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
    residents = resident_populations([start_year, start_year - 1])
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
            compared = compare_with_other_authorities(kpi, year, ours, others, residents.get(year))
            if compared.position:
                comparator = f"{compared.position}, {compared.year_label}" + (
                    f", {compared.basis}" if compared.basis else ""
                )
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


# The summary counts every KPI shown once, by its colour (a late value keeps its
# colour), so the counts add up to the KPIs listed. Late and queried are notes
# on top ("of which"), never a colour of their own.
COUNTED = [
    (rag.GREEN, "Green"),
    (rag.AMBER, "Amber"),
    (rag.RED, "Red"),
    (rag.IN_RANGE, "In range"),
    (rag.OUT_OF_RANGE, "Out of range"),
    (rag.NOT_RATED, "Not rated"),
    (rag.MISSING, "Missing"),
    (rag.NOT_DUE, "Not yet due"),
]
NOTED = [(rag.LATE, "Of which late"), ("queried", "Of which queried")]


def rating_counts(rows) -> dict:
    """{colour: count} over COUNTED (adding up to len(rows)), plus "late" and "queried"."""
    counts = {key: 0 for key, _ in COUNTED + NOTED}
    for row in rows:
        counts[row.rating.colour] = counts.get(row.rating.colour, 0) + 1
        if row.rating.state == rag.LATE:
            counts[rag.LATE] += 1
        if row.queried:
            counts["queried"] += 1
    return counts


def visible_returns(user):
    """The monthly KPI returns this person may open (`kpi_return.view`)."""
    return MonthlyReturn.objects.filter(visible_q(user, Perm.KPI_RETURN_VIEW))


def visible_reports(user):
    """The management reports this person may open (`management_report.view`)."""
    return ManagementReport.objects.filter(visible_q(user, Perm.MANAGEMENT_REPORT_VIEW))


def dashboard(*, month: datetime.date, user, show_all: bool = False, today=None) -> Dashboard:
    """The exception dashboard for a month, as this person may see it: the month's
    return and report only if they may open them (a draft stays with the service)."""
    month = month.replace(day=1)
    version, rows = kpi_rows(month=month, today=today)
    counts = rating_counts(rows)
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


# The review page ---------------------------------------------------------------------


@dataclass
class ReviewRow:
    """A submitted value with what the commissioner needs beside it to decide."""

    value_record: KpiReturn
    row: KpiRow | None

    @property
    def kpi(self):
        return self.value_record.kpi

    @property
    def rating(self) -> rag.Rating:
        return self.row.rating if self.row else rag.Rating(rag.NOT_RATED)

    @property
    def previous(self):
        """(period label, value) of the period before, or None."""
        if self.row and len(self.row.spark) >= 2:
            return self.row.spark[-2]
        return None


def review_rows(*, monthly_return: MonthlyReturn, today=None) -> list[ReviewRow]:
    """Each value of the return with its target, floor, rating, the period before
    and the same period last year (a fixed number of queries)."""
    records = list(monthly_return.values.select_related("kpi").order_by("kpi__order", "kpi_code"))
    _version, rows = kpi_rows(
        month=monthly_return.month, codes={r.kpi_code for r in records}, today=today
    )
    by_code = {r.kpi.code: r for r in rows}
    return [ReviewRow(record, by_code.get(record.kpi_code)) for record in records]


# The KPI page ------------------------------------------------------------------------

PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "annual": 1}
CHART_PERIODS = {"monthly": 24, "quarterly": 12, "annual": 8}


@dataclass
class ChartPoint:
    """One period of a KPI's history: its value (None: none submitted) and the target
    and floor in force for that period, on the same basis as the value."""

    label: str
    end: datetime.date
    value: Decimal | None
    status: str
    target: Decimal | None
    floor: Decimal | None


@dataclass
class KpiPage:
    kpi: KPI
    row: KpiRow
    history: list  # [ChartPoint], oldest first, one per period (gaps included)
    ytd: Decimal | None
    forecast: Decimal | None
    forecast_method: str
    comparators: list  # [Comparison], latest year first


def _kpi_definitions(codes) -> dict[str, list[KPI]]:
    """Every published definition of each code, newest in force first (one query)."""
    found = defaultdict(list)
    for kpi in (
        KPI.objects.filter(code__in=codes, version__status=VersionStatus.PUBLISHED)
        .select_related("version")
        .order_by("-version__starts_on", "-version__major", "-version__minor")
    ):
        found[kpi.code].append(kpi)
    return found


def definition_in_force(definitions: list[KPI], day: datetime.date) -> KPI | None:
    """The KPI as defined by the version in force on `day` (see _version_in_force)."""
    return next((k for k in definitions if k.version.starts_on <= day), None)


def period_target(kpi: KPI | None, period: dates.Period):
    """(target, floor) for one period, on the basis its value is reported: a count
    summed over the year gets the share of the annual target profiled to that
    period; any other KPI its annual target. (None, None) for an activity measure."""
    if kpi is None or kpi.is_activity or kpi.annual_target is None:
        return None, None
    floor = kpi.floor
    if floor is None and kpi.version.performance_tolerance_percent is not None:
        floor = rag.floor_from_tolerance(
            kpi.annual_target, kpi.version.performance_tolerance_percent, kpi.higher_is_better
        )
    if kpi.annual_aggregation != "sum":
        return kpi.annual_target, floor
    last = dates.month_number_in_year(period.end)
    first = dates.month_number_in_year(period.start)
    share = rag.profiled_share(last, kpi.monthly_profile)
    if first > 1:
        share -= rag.profiled_share(first - 1, kpi.monthly_profile)
    return (
        (kpi.annual_target * share).quantize(TWO),
        None if floor is None else (floor * share).quantize(TWO),
    )


def _month_list(months: list[datetime.date]) -> str:
    names = [f"{m:%B}" for m in months]
    if len(names) > 3 and all(
        dates.add_months(a, 1) == b for a, b in zip(months, months[1:], strict=False)
    ):
        return f"{names[0]} to {names[-1]} {months[-1]:%Y}"
    text = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return f"{text} {months[-1]:%Y}"


def _forecast(kpi, year_values, last_year_values):
    """Year-end forecast from the periods that have values, and its basis in words.

    year_values / last_year_values: [(month, value or None)] of this year's and
    last year's months (this year's up to the month shown). Only months with a
    value count: two values entered by October forecast from those two, not
    from seven months.
    """
    known = [(m, v) for m, v in year_values if v is not None]
    if not known:
        return None, "No forecast: there are no values for this year yet."
    n = len(known)
    periods_word = {"monthly": "month", "quarterly": "quarter", "annual": "year"}.get(
        kpi.frequency, "period"
    )
    months_named = _month_list([m for m, _ in known])
    basis = f"{n} {periods_word}{'s' if n != 1 else ''} with values ({months_named})"
    if kpi.annual_aggregation == "latest":
        return known[-1][1], f"The latest value, carried to the year end. Based on {basis}."
    if kpi.annual_aggregation == "average":
        return (
            (sum(v for _, v in known) / n).quantize(TWO),
            f"The average of this year's values so far. Based on {basis}.",
        )
    ytd = sum(v for _, v in known)
    per_year = PERIODS_PER_YEAR.get(kpi.frequency, 12)
    last_by_number = {dates.month_number_in_year(m): v for m, v in last_year_values}
    if len(last_by_number) >= per_year and all(v is not None for v in last_by_number.values()):
        last_total = sum(last_by_number.values())
        last_same = sum(last_by_number[dates.month_number_in_year(m)] for m, _ in known)
        if last_total and last_same:
            forecast = (ytd * last_total / last_same).quantize(Decimal(1))
            return forecast, (
                f"Seasonal: the total of the {basis}, scaled by last year's share of its "
                "annual total in the same periods."
            )
    return (
        (ytd * per_year / n).quantize(Decimal(1)),
        f"Straight line: the average of the {basis}, times {per_year}.",
    )


def kpi_page(*, code: str, month: datetime.date, today=None) -> KpiPage | None:
    month = month.replace(day=1)
    version, rows = kpi_rows(month=month, codes={code}, today=today)
    if not rows:
        return None
    row = rows[0]
    kpi = row.kpi
    latest = row.period or periods.latest_period_by(kpi.frequency, month)
    chart_periods = (
        _period_ends(kpi.frequency, latest.end, CHART_PERIODS.get(kpi.frequency, 24))
        if latest
        else []
    )
    start_year = dates.financial_year_of(month)
    window_start = min(
        [dates.financial_year_start(start_year - 1)] + [p.start for p in chart_periods]
    )
    records = {
        r.period_end: r
        for r in KpiReturn.objects.filter(
            kpi_code=code,
            status__in=RATED_STATUSES,
            period_end__gte=window_start,
            period_end__lte=dates.month_end(month),
        )
    }
    definitions = _kpi_definitions([code])[code]
    history = []
    for p in chart_periods:
        record = records.get(p.end)
        target, floor = period_target(definition_in_force(definitions, p.start), p)
        history.append(
            ChartPoint(
                label=p.label,
                end=p.end,
                value=record.value if record else None,
                status=record.get_status_display() if record else "",
                target=target,
                floor=floor,
            )
        )
    by_end = {end: r.value for end, r in records.items()}
    this_year = [
        (m, by_end.get(dates.month_end(m)))
        for m in dates.financial_year_months(start_year)
        if m <= month and periods.period_ending_in(kpi.frequency, m)
    ]
    last_year = [
        (m, by_end.get(dates.month_end(m)))
        for m in dates.financial_year_months(start_year - 1)
        if periods.period_ending_in(kpi.frequency, m)
    ]
    forecast, method = _forecast(kpi, this_year, last_year)
    comp_rows = defaultdict(list)
    for c in ComparatorValue.objects.filter(kpi_code=code).order_by("-start_year", "authority"):
        comp_rows[c.start_year].append(c)
    accepted = _accepted_by_year([code], min(comp_rows, default=start_year), start_year)
    residents = resident_populations([start_year, *comp_rows])
    comparators = []
    for year, others in comp_rows.items():
        ours = annual_figure(kpi.annual_aggregation, [v for _, v in accepted.get((code, year), [])])
        comparators.append(
            compare_with_other_authorities(kpi, year, ours, others, residents.get(year))
        )
    return KpiPage(kpi, row, history, row.ytd, forecast, method, comparators)


# The year at a glance ------------------------------------------------------------------


@dataclass
class YearCell:
    month: datetime.date
    period: dates.Period | None  # None: no period of this KPI ends in this month
    rating: rag.Rating | None
    record: KpiReturn | None

    @property
    def value(self):
        return self.record.value if self.record else None


@dataclass
class YearRow:
    kpi: KPI
    cells: list[YearCell]
    ytd: Decimal | None
    forecast: Decimal | None
    forecast_method: str


@dataclass
class YearGrid:
    start_year: int
    months: list[datetime.date]
    version: SpecificationVersion | None
    rows: list[YearRow]

    @property
    def label(self) -> str:
        return dates.financial_year_label(self.start_year)


def year_at_a_glance(*, start_year: int, today=None) -> YearGrid:
    """Every KPI of the year as a row, its months as columns, each cell rated against
    the target in force for that period; year to date and forecast at the end.

    A fixed number of queries however many KPIs or years there are.
    """
    today = today or timezone.localdate()
    months = dates.financial_year_months(start_year)
    shown_to = min(months[-1], today.replace(day=1))
    version = _version_in_force(max(shown_to, months[0]))
    if version is None or shown_to < months[0]:
        return YearGrid(start_year, months, None, [])
    kpis = list(KPI.objects.filter(version=version).order_by("order", "code"))
    codes = [k.code for k in kpis]
    definitions = _kpi_definitions(codes)
    window = _window_values(
        codes, dates.financial_year_start(start_year - 1), dates.financial_year_end(start_year)
    )
    due_days = periods.due_working_days()
    rows = []
    for kpi in kpis:
        values = window.get(kpi.code, {})
        cells = []
        latest = None
        for month in months:
            period = periods.period_ending_in(kpi.frequency, month)
            if period is None or month > shown_to:
                cells.append(YearCell(month, period, None, None))
                continue
            defined = definition_in_force(definitions[kpi.code], period.start) or kpi
            rater = _Rater(
                defined, values, defined.version.performance_tolerance_percent, due_days, today
            )
            rating = rater.rate(period)
            record = values.get(period.end)
            cells.append(YearCell(month, period, rating, record))
            latest = (period, rater)
        ytd = latest[1].ytd(latest[0]) if latest else None
        this_year = [
            (c.month, c.value) for c in cells if c.period is not None and c.month <= shown_to
        ]
        last_year = [
            (m, values[dates.month_end(m)].value if dates.month_end(m) in values else None)
            for m in dates.financial_year_months(start_year - 1)
            if periods.period_ending_in(kpi.frequency, m)
        ]
        forecast, method = _forecast(kpi, this_year, last_year)
        rows.append(YearRow(kpi, cells, ytd, forecast, method))
    return YearGrid(start_year, months, version, rows)


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
                "key": f"{month:%Y-%m}",
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
        .order_by()  # the model's ordering (major, minor) would make each version a row
        .values_list("specification__financial_year__start_year", flat=True)
        .distinct()
    )
    return sorted({y for y in years if dates.financial_year_start(y) <= today})


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI as one published version defined it, and the days that definition applied."""

    kpi: KPI
    version_number: str
    applies_from: datetime.date
    applies_to: datetime.date | None  # None while that version is still in force


def open_data_values(years: list[int]) -> tuple[list, list[KpiDefinition]]:
    """Accepted values of the given years, with their KPI definitions: each version's
    definition of each KPI, with the version and the days it applied (three queries).
    A version applies from its start until the day before the next published version
    starts (the version in force is the latest published one to have started)."""
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
    starts = list(
        SpecificationVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .order_by("starts_on")
        .values_list("pk", "starts_on")
    )
    until = {
        pk: (starts[i + 1][1] - datetime.timedelta(days=1)) if i + 1 < len(starts) else None
        for i, (pk, _) in enumerate(starts)
    }
    definitions = [
        KpiDefinition(
            kpi=k,
            version_number=k.version.number,
            applies_from=k.version.starts_on,
            applies_to=until.get(k.version_id),
        )
        for k in kpis
    ]
    return values, definitions


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


# How many months one period of a KPI covers.
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


@dataclass(frozen=True)
class Activity:
    """A year's accepted activity figure and how many months of the year it covers."""

    value: Decimal
    months: int  # 12 for a whole year; fewer while returns are still to come or missing


def annual_activity(*, start_year: int) -> dict[str, Activity]:
    """Accepted annual figure per KPI code for a financial year, with the months it covers.

    Used by funding for unit costs (cost per library visit, per item issued), which
    must divide the cost of the same months: a part year's activity is never set
    against a whole year's cost.
    """
    version = _version_in_force(dates.financial_year_start(start_year))
    if version is None:
        return {}
    kpis = list(KPI.objects.filter(version=version))
    accepted = _accepted_by_year([k.code for k in kpis], start_year, start_year)
    result = {}
    for kpi in kpis:
        periods_ = accepted.get((kpi.code, start_year), [])
        figure = annual_figure(kpi.annual_aggregation, [v for _, v in periods_])
        if figure is not None:
            months = min(12, len(periods_) * PERIOD_MONTHS.get(kpi.frequency, 1))
            result[kpi.code] = Activity(value=figure, months=months)
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
    residents = resident_populations([start_year]).get(start_year)
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
                comparator_position=compare_with_other_authorities(
                    kpi, start_year, value, comparators.get((kpi.code, start_year), []), residents
                ).position,
            )
        )
    return results


@dataclass(frozen=True)
class KpiYearReport:
    """One KPI's year for the annual report, each month against the version in force.

    `months_covered` are the months in which a published version defined the KPI
    (fewer than twelve: a part year, rated on those months only). The target
    and floor are on the same basis as `value`: for a count summed over the
    year, the sum of each covered month's profiled share of the target in
    force that month; for any other KPI, the target in force at the last
    covered month (`target_history` says when it changed).
    """

    code: str
    title: str
    outcome_code: str
    unit: str
    higher_is_better: bool
    is_activity: bool
    aggregation: str
    target: Decimal | None
    floor: Decimal | None
    value: Decimal | None
    rating: str
    previous_value: Decimal | None
    months_covered: list[datetime.date]
    # (first day of month, value or None, target that month or None), April first
    monthly: list[tuple[datetime.date, Decimal | None, Decimal | None]]
    months_rated: int  # months with a value and a target
    months_on_target: int
    target_history: list[tuple[datetime.date, Decimal | None, str]]  # (from, target, version)
    comparator_position: str = ""
    comparator_basis: str = ""

    @property
    def is_part_year(self) -> bool:
        return 0 < len(self.months_covered) < 12


def kpi_year_report(*, start_year: int) -> list[KpiYearReport]:
    """Every KPI defined in the year, each month rated against the version in force
    that month (a fixed number of queries)."""
    months = dates.financial_year_months(start_year)
    codes = list(
        KPI.objects.filter(
            version__status=VersionStatus.PUBLISHED,
            version__starts_on__lte=dates.financial_year_end(start_year),
        )
        .values_list("code", flat=True)
        .distinct()
    )
    definitions = _kpi_definitions(codes)
    # Outcome codes of the latest definitions (one query).
    outcome_codes = dict(
        KPI.objects.filter(pk__in=[d[0].pk for d in definitions.values() if d]).values_list(
            "pk", "outcome__code"
        )
    )
    accepted = _accepted_by_year(codes, start_year - 1, start_year)
    comparators = _comparators(codes, [start_year])
    residents = resident_populations([start_year]).get(start_year)
    results = []
    for code in codes:
        in_force = [(m, definition_in_force(definitions[code], m)) for m in months]
        covered = [(m, k) for m, k in in_force if k is not None]
        if not covered:
            continue
        last = covered[-1][1]
        by_end = dict(accepted.get((code, start_year), []))
        monthly, history = [], []
        rated = on_target = 0
        summed_target = summed_floor = Decimal(0)
        has_target = True
        for m, kpi in in_force:
            value = by_end.get(dates.month_end(m))
            if kpi is None:
                monthly.append((m, value, None))
                continue
            target, floor = period_target(kpi, dates.month_period(m))
            if not history or history[-1][1] != kpi.annual_target:
                history.append((m, kpi.annual_target, kpi.version.number))
            monthly.append((m, value, target))
            if target is None:
                has_target = False
            else:
                summed_target += target
                summed_floor += floor if floor is not None else target
            if value is not None and target is not None:
                rated += 1
                state = rag.rate_value(
                    value, target=target, floor=target, higher_is_better=kpi.higher_is_better
                )
                on_target += state == rag.GREEN
        covered_ends = {dates.month_end(m) for m, _k in covered}
        values = [v for end, v in accepted.get((code, start_year), []) if end in covered_ends]
        value = annual_figure(last.annual_aggregation, values)
        previous = annual_figure(
            last.annual_aggregation, [v for _, v in accepted.get((code, start_year - 1), [])]
        )
        if last.is_activity or not has_target:
            target = floor = None
        elif last.annual_aggregation == "sum":
            target, floor = summed_target, summed_floor
        else:
            target, floor = period_target(last, dates.month_period(covered[-1][0]))
        if value is None:
            rating = rag.MISSING
        elif last.is_activity or target is None:
            share = Decimal(len(covered)) / 12 if last.annual_aggregation == "sum" else 1
            rating = rag.rate_range(
                value,
                low=None if last.expected_low is None else last.expected_low * share,
                high=None if last.expected_high is None else last.expected_high * share,
            )
        else:
            rating = rag.rate_value(
                value, target=target, floor=floor, higher_is_better=last.higher_is_better
            )
        others = comparators.get((code, start_year), [])
        # A part year is not compared with other authorities' whole years.
        compared = (
            compare_with_other_authorities(last, start_year, value, others, residents)
            if others and not (0 < len(covered) < 12)
            else None
        )
        results.append(
            KpiYearReport(
                code=code,
                title=last.title,
                outcome_code=outcome_codes.get(last.pk) or "",
                unit=last.unit,
                higher_is_better=last.higher_is_better,
                is_activity=last.is_activity,
                aggregation=last.annual_aggregation,
                target=target,
                floor=floor,
                value=value,
                rating=rating,
                previous_value=previous,
                months_covered=[m for m, _k in covered],
                monthly=monthly,
                months_rated=rated,
                months_on_target=on_target,
                target_history=history,
                comparator_position=compared.position if compared else "",
                comparator_basis=compared.basis_text if compared else "",
            )
        )
    order = {c: i for i, c in enumerate(sorted(codes))}
    results.sort(key=lambda r: (r.outcome_code or "~", order[r.code]))
    return results


@dataclass(frozen=True)
class ActionPlanSummary:
    kpi: str
    trigger: str
    opened_for: datetime.date
    summary: str
    status: str
    closed_on: datetime.date | None
    outcome: str  # why it closed, with the closing note
    actions_done: int
    actions: int


def action_plans_in_year(*, start_year: int) -> list[ActionPlanSummary]:
    """Action plans open at any time in a financial year, with how they ended (2 queries)."""
    start = dates.financial_year_start(start_year)
    end = dates.financial_year_end(start_year)
    plans = (
        ActionPlan.objects.filter(opened_for_month__lte=end)
        .exclude(status=PlanStatus.CLOSED, closed_at__date__lt=start)
        .prefetch_related("actions")
        .order_by("opened_for_month", "id")
    )
    out = []
    for p in plans:
        actions = list(p.actions.all())
        closed_on = timezone.localdate(p.closed_at) if p.closed_at else None
        if closed_on and closed_on <= end:
            outcome = p.get_close_reason_display()
            if p.closing_note:
                outcome += f": {p.closing_note}"
            status = "Closed"
        else:
            outcome = "Still open at the end of the year"
            status = "Open"
            closed_on = None
        out.append(
            ActionPlanSummary(
                kpi=f"{p.kpi_code} {p.kpi_title}",
                trigger=p.trigger,
                opened_for=p.opened_for_month,
                summary=p.summary,
                status=status,
                closed_on=closed_on,
                outcome=outcome,
                actions_done=sum(1 for a in actions if a.status == "done"),
                actions=len(actions),
            )
        )
    return out


@dataclass(frozen=True)
class EscalationSummary:
    title: str
    kind: str
    raised_on: datetime.date
    description: str
    board_response: str
    responded_on: datetime.date | None


def escalations_in_year(*, start_year: int) -> list[EscalationSummary]:
    """Risks escalated to the board in a financial year, with its responses (1 query)."""
    from .models import Escalation

    rows = Escalation.objects.filter(
        raised_at__date__range=(
            dates.financial_year_start(start_year),
            dates.financial_year_end(start_year),
        )
    ).order_by("raised_at", "id")
    return [
        EscalationSummary(
            title=e.title,
            kind=e.get_kind_display(),
            raised_on=timezone.localdate(e.raised_at),
            description=e.description,
            board_response=e.board_response,
            responded_on=timezone.localdate(e.responded_at) if e.responded_at else None,
        )
        for e in rows
    ]
