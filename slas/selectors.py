"""Reads of support services and SLAs, for the people asking.

The functions `annual_charges` and `sla_year_summary` are contracts other apps
rely on (funding's full cost, the annual report): keep their signatures and
return types. Every read here costs a fixed number of queries.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from lra_commissioning import dates
from lra_commissioning.models import FinancialYear
from lra_commissioning.permissions import Perm, can, visible_q
from lra_commissioning.roles import Role

from .models import (
    AGREED_STATUSES,
    REPORTING_STATUSES,
    SLA,
    AgreementStatus,
    LevelUnit,
    Rating,
    ServiceLevel,
    ServiceLevelResult,
    SupportService,
    agreement_status,
    format_value,
    level_periods,
    results_due_on,
)


def today() -> datetime.date:
    return timezone.localdate()


def support_services_for(user):
    """The support services whose SLAs this user may see (support leads: their own),
    by the same rule as each SLA's page (`sla.view`)."""
    return (
        SupportService.objects.filter(visible_q(user, Perm.SLA_VIEW))
        .prefetch_related("leads")
        .order_by("name")
    )


def _sla_queryset():
    return SLA.objects.select_related("financial_year", "support_service").prefetch_related(
        "support_service__leads"
    )


def years_with_slas() -> list[int]:
    return list(
        FinancialYear.objects.filter(slas__isnull=False)
        .values_list("start_year", flat=True)
        .distinct()
        .order_by("start_year")
    )


def default_year(on: datetime.date | None = None) -> int:
    """The year the SLA pages open on: this financial year if it has SLAs, otherwise
    the latest earlier year with an agreed SLA (the demo council lives in 2016/17)."""
    current = dates.financial_year_of(on or today())
    agreed_years = sorted(
        FinancialYear.objects.filter(
            slas__status__in=AGREED_STATUSES, start_year__lte=current
        ).values_list("start_year", flat=True)
    )
    if current in years_with_slas() or not agreed_years:
        return current
    return agreed_years[-1]


@dataclass
class IndexRow:
    support_service: SupportService
    sla: SLA | None
    status: AgreementStatus
    results_met: int = 0
    results_breached: int = 0


def sla_index(*, user, start_year: int, on: datetime.date | None = None) -> list[IndexRow]:
    """One row per support service the user may see, with its SLA for the year (4 queries)."""
    on = on or today()
    services = list(support_services_for(user))
    slas = {
        s.support_service_id: s
        for s in _sla_queryset()
        .filter(financial_year__start_year=start_year, support_service__in=services)
        .annotate(
            met=Count(
                "service_levels__results", filter=Q(service_levels__results__rating=Rating.MET)
            ),
            breached=Count(
                "service_levels__results",
                filter=Q(service_levels__results__rating=Rating.BREACHED),
            ),
        )
    }
    rows = []
    for service in services:
        sla = slas.get(service.pk)
        rows.append(
            IndexRow(
                support_service=service,
                sla=sla,
                status=agreement_status(sla, start_year, on),
                results_met=getattr(sla, "met", 0),
                results_breached=getattr(sla, "breached", 0),
            )
        )
    return rows


def sla_for(*, user, pk) -> SLA | None:
    """An SLA with everything its page shows, or None if it does not exist or the
    user may not see it (the view answers 404 either way)."""
    sla = (
        _sla_queryset()
        .select_related("proposed_by", "service_agreed_by", "support_agreed_by", "based_on")
        .prefetch_related(
            "responsibilities",
            "escalation_contacts",
            Prefetch("service_levels", queryset=ServiceLevel.objects.prefetch_related("results")),
            "successors__financial_year",
        )
        .filter(pk=pk)
        .first()
    )
    if sla is None or not can(user, Perm.SLA_VIEW, sla):
        return None
    return sla


# Performance over time -------------------------------------------------------


@dataclass
class PeriodResult:
    label: str
    start: datetime.date
    end: datetime.date
    due_on: datetime.date
    result: ServiceLevelResult | None
    repeat_breach: bool = False

    @property
    def needs_improvement_action(self) -> bool:
        return self.repeat_breach and not self.result.improvement_action


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str
    value_text: str
    breached: bool

    @property
    def marker_left(self) -> float:
        return self.x - 6

    @property
    def marker_top(self) -> float:
        return self.y - 6


@dataclass
class Chart:
    title: str
    width: int
    height: int
    points: list[ChartPoint]
    target_y: float
    target_text: str
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int

    @property
    def axis_label_x(self) -> int:
        return self.plot_left - 8

    @property
    def x_label_y(self) -> int:
        return self.plot_bottom + 20

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class LevelPerformance:
    level: ServiceLevel
    periods: list[PeriodResult] = field(default_factory=list)
    chart: Chart | None = None

    @property
    def met(self):
        return sum(1 for p in self.periods if p.result and p.result.rating == Rating.MET)

    @property
    def breached(self):
        return sum(1 for p in self.periods if p.result and p.result.rating == Rating.BREACHED)


def _nice_range(values, unit):
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) / 10
    lo, hi = lo - pad, hi + pad
    if unit in (LevelUnit.PERCENTAGE,):
        lo, hi = max(lo, Decimal(0)), min(hi, Decimal(100))
    else:
        lo = max(lo, Decimal(0))
    return float(lo), float(hi)


def _chart(level: ServiceLevel, periods: list[PeriodResult]) -> Chart | None:
    reported = [p for p in periods if p.result is not None]
    if not reported:
        return None
    width, height = 640, 260
    left, right, top, bottom = 70, width - 20, 20, height - 40
    lo, hi = _nice_range([p.result.value for p in reported] + [level.target], level.unit)

    def y_of(value) -> float:
        return bottom - (float(value) - lo) / (hi - lo) * (bottom - top)

    step = (right - left) / max(len(periods), 1)

    def x_of(i) -> float:
        return left + step * (i + 0.5)

    points = [
        ChartPoint(
            x=x_of(i),
            y=y_of(p.result.value),
            label=p.label,
            value_text=format_value(p.result.value, level.unit),
            breached=p.result.is_breach,
        )
        for i, p in enumerate(periods)
        if p.result is not None
    ]
    ticks = []
    for n in range(5):
        value = lo + (hi - lo) * n / 4
        places = 0 if hi - lo >= 8 else (1 if hi - lo >= 1 else 2)
        ticks.append((y_of(value), f"{value:.{places}f}"))
    # Monthly charts have twelve periods: label every other month to keep the axis legible.
    every = 2 if len(periods) > 6 else 1
    x_labels = [
        (x_of(i), p.start.strftime("%b %y") if len(periods) > 4 else p.label.split(" ")[0])
        for i, p in enumerate(periods)
        if i % every == 0
    ]
    return Chart(
        title=f"{level.measure}: results against the target of {level.target_text}",
        width=width,
        height=height,
        points=points,
        target_y=y_of(level.target),
        target_text=f"Target {level.target_text}",
        y_ticks=ticks,
        x_labels=x_labels,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
    )


def level_performance(sla: SLA, *, with_charts: bool = True) -> list[LevelPerformance]:
    """Each service level's periods with their results, repeat breaches marked.

    Uses the SLA's prefetched service levels and results: no further queries.
    """
    out = []
    for level in sla.service_levels.all():
        results = {r.period_start: r for r in level.results.all()}
        periods = []
        previous = None
        for period in level_periods(level.frequency, sla.starts_on, sla.financial_year.start_year):
            result = results.get(period.start)
            repeat = bool(
                result and result.is_breach and previous is not None and previous.is_breach
            )
            periods.append(
                PeriodResult(
                    label=period.label,
                    start=period.start,
                    end=period.end,
                    due_on=results_due_on(period.end),
                    result=result,
                    repeat_breach=repeat,
                )
            )
            previous = result
        perf = LevelPerformance(level=level, periods=periods)
        if with_charts:
            perf.chart = _chart(level, periods)
        out.append(perf)
    return out


# The commissioner's overview -------------------------------------------------


@dataclass
class OverviewCell:
    start_year: int
    sla: SLA | None
    status: AgreementStatus
    met: int
    breached: int


@dataclass
class OverviewRow:
    support_service: SupportService
    cells: list[OverviewCell]


def overview(*, user, years: list[int], on: datetime.date | None = None) -> list[OverviewRow]:
    """Agreement status and results per support service across several years (3 queries)."""
    on = on or today()
    services = list(support_services_for(user))
    slas = {
        (s.support_service_id, s.financial_year.start_year): s
        for s in SLA.objects.select_related("financial_year")
        .filter(financial_year__start_year__in=years, support_service__in=services)
        .annotate(
            met=Count(
                "service_levels__results", filter=Q(service_levels__results__rating=Rating.MET)
            ),
            breached=Count(
                "service_levels__results",
                filter=Q(service_levels__results__rating=Rating.BREACHED),
            ),
        )
    }
    rows = []
    for service in services:
        cells = []
        for year in years:
            sla = slas.get((service.pk, year))
            cells.append(
                OverviewCell(
                    start_year=year,
                    sla=sla,
                    status=agreement_status(sla, year, on),
                    met=getattr(sla, "met", 0),
                    breached=getattr(sla, "breached", 0),
                )
            )
        rows.append(OverviewRow(support_service=service, cells=cells))
    return rows


# Contracts -------------------------------------------------------------------


@dataclass(frozen=True)
class SlaYearSummary:
    support_service: str
    status: str  # the SLA's status label, or "Missing"
    agreed_on: datetime.date | None
    agreed_by_deadline: bool  # agreed on or before 1 April of the year
    annual_charge: Decimal
    results_met: int
    results_breached: int


def annual_charges(*, start_year: int) -> dict[int, Decimal]:
    """Annual charge or recharge of each agreed SLA, by support service id."""
    return {
        row["support_service_id"]: row["annual_charge"]
        for row in SLA.objects.filter(
            financial_year__start_year=start_year, status__in=AGREED_STATUSES
        ).values("support_service_id", "annual_charge")
    }


def sla_year_summary(*, start_year: int) -> list[SlaYearSummary]:
    """One line per support service for a financial year."""
    deadline = dates.financial_year_start(start_year)
    slas = {
        s.support_service_id: s
        for s in SLA.objects.filter(financial_year__start_year=start_year).annotate(
            met=Count(
                "service_levels__results", filter=Q(service_levels__results__rating=Rating.MET)
            ),
            breached=Count(
                "service_levels__results",
                filter=Q(service_levels__results__rating=Rating.BREACHED),
            ),
        )
    }
    lines = []
    for service in SupportService.objects.order_by("name"):
        sla = slas.get(service.pk)
        if sla is None:
            lines.append(
                SlaYearSummary(service.name, "Missing", None, False, Decimal("0.00"), 0, 0)
            )
            continue
        lines.append(
            SlaYearSummary(
                support_service=service.name,
                status=sla.get_status_display(),
                agreed_on=sla.agreed_on,
                agreed_by_deadline=sla.agreed_on is not None and sla.agreed_on <= deadline,
                annual_charge=sla.annual_charge,
                results_met=sla.met,
                results_breached=sla.breached,
            )
        )
    return lines


# Attention -------------------------------------------------------------------


def slas_needing_attention(*, user):
    """The SLAs a person may act on now, with levels and results prefetched (3 queries)."""
    qs = _sla_queryset().prefetch_related(
        Prefetch("service_levels", queryset=ServiceLevel.objects.prefetch_related("results"))
    )
    wanted = Q(status="proposed")
    if Role.SUPPORT_LEAD in user.roles:
        wanted |= Q(status__in=REPORTING_STATUSES)
    qs = qs.filter(wanted)
    if not (user.roles & {Role.SERVICE_MANAGER}):
        qs = qs.filter(support_service__leads=user)
    return list(qs.distinct())
