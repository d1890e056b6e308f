"""The annual report and the cabinet committee report: data, charts, PDF and page.

`build_report_data(start_year=..., kind=..., report=...)` gathers the content:
what the service and the commissioner wrote (the `AnnualReport` record), and
from the feature apps' contract reads (their selectors) the year's records:
performance rated month by month against the version in force, the changes
applied, action plans, escalations and the board's responses, SLAs, budget
and unit costs. `render_report_pdf(data)` takes only that structure, so tests
and the benchmark can feed it any data they like.

The PDF is tagged (PDF/UA-1): title, language en-GB, headings, tables, and a
chart per KPI whose alternative text is the SVG's <title>. The same body is
kept with the report (`body_html`) and is the public page's content.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string

from lra_commissioning import dates
from lra_commissioning.numbers import format_money, format_number, format_percent
from lra_commissioning.pdf import render_pdf
from lra_commissioning.templatetags.figures import in_sentence

from .models import ReportKind

RATING_LABELS = {
    "green": "On target",
    "amber": "Within tolerance",
    "red": "Outside tolerance",
    "missing": "No result",
    "in_range": "In expected range",
    "out_of_range": "Outside expected range",
    "not_rated": "Not rated (no target)",
}
RATING_ORDER = ["green", "amber", "red", "in_range", "out_of_range", "not_rated", "missing"]
RATING_FILLS = {
    "green": "#00703c",
    "amber": "#b25000",
    "red": "#d4351c",
    "missing": "#505a5f",
    "in_range": "#1d70b8",
    "out_of_range": "#912b88",
    "not_rated": "#505a5f",
}
NO_VALUE = "—"


def figure(value, unit: str = "") -> str:
    """A figure as the report prints it: separators, a unit, "—" for no value."""
    if value is None:
        return NO_VALUE
    if unit == "percentage":
        return format_percent(value)
    if unit == "pounds":
        return format_money(value)
    return format_number(value)


@dataclass
class KpiRow:
    code: str
    title: str
    outcome_code: str
    unit: str
    higher_is_better: bool
    target: Decimal | None
    floor: Decimal | None
    value: Decimal | None
    rating: str
    previous_value: Decimal | None = None
    monthly_values: list = field(default_factory=list)  # [(date, Decimal | None)]
    comparator_position: str = ""
    comparator_basis: str = ""
    monthly_targets: list = field(default_factory=list)  # [Decimal | None] per month
    months_covered: int = 12
    covered_label: str = ""
    months_rated: int = 0
    months_on_target: int = 0
    target_note: str = ""

    @property
    def is_part_year(self) -> bool:
        return 0 < self.months_covered < 12

    @property
    def rating_label(self) -> str:
        label = RATING_LABELS.get(self.rating, self.rating.replace("_", " ").capitalize())
        if self.is_part_year and self.rating != "missing":
            return f"{label} (part year: {self.months_covered} months)"
        return label

    @property
    def value_text(self) -> str:
        return figure(self.value, self.unit)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "No target"
        return figure(self.target, self.unit)

    @property
    def floor_text(self) -> str:
        return figure(self.floor, self.unit)

    @property
    def previous_text(self) -> str:
        return figure(self.previous_value, self.unit)

    @property
    def months_text(self) -> str:
        if not self.months_rated:
            return NO_VALUE
        return f"{self.months_on_target} of {self.months_rated}"

    @property
    def chart(self) -> "Chart | None":
        if not any(v is not None for _m, v in self.monthly_values):
            return None
        return trend_chart(self)


@dataclass
class OutcomeSection:
    code: str
    title: str
    description: str
    kpis: list[KpiRow] = field(default_factory=list)
    narrative: str = ""
    highlights: list[str] = field(default_factory=list)
    case_study: str = ""
    assessment: str = ""
    plan_approach: str = ""
    actions: list = field(default_factory=list)  # ActionReturnRow

    @property
    def anchor(self) -> str:
        return f"outcome-{(self.code or 'other').lower()}"


@dataclass
class ActionReturnRow:
    outcome_code: str
    description: str
    milestone_on: datetime.date | None
    delivery: str  # label, "" when not reported
    comment: str


@dataclass
class BudgetRow:
    category: str
    budget: Decimal
    outturn: Decimal

    @property
    def variance(self) -> Decimal:
        return self.outturn - self.budget


@dataclass
class Finance:
    spending: list[BudgetRow]
    income: list[BudgetRow]
    closed: bool = True

    @staticmethod
    def _sum(rows, attr):
        return sum((getattr(r, attr) for r in rows), Decimal("0"))

    @property
    def spending_total(self) -> BudgetRow:
        return BudgetRow(
            "Gross spending",
            self._sum(self.spending, "budget"),
            self._sum(self.spending, "outturn"),
        )

    @property
    def income_total(self) -> BudgetRow:
        return BudgetRow(
            "Income", self._sum(self.income, "budget"), self._sum(self.income, "outturn")
        )

    @property
    def net(self) -> BudgetRow:
        s, i = self.spending_total, self.income_total
        return BudgetRow("Net cost", s.budget - i.budget, s.outturn - i.outturn)

    @property
    def headline(self) -> list[BudgetRow]:
        return [self.spending_total, self.income_total, self.net]


@dataclass
class UnitCost:
    label: str
    activity: Decimal | None
    cost: Decimal | None  # net cost of the same months
    months: int
    basis: str

    @property
    def unit_cost(self) -> Decimal | None:
        if not self.activity or self.cost is None:
            return None
        return (self.cost / self.activity).quantize(Decimal("0.01"))


@dataclass
class Headline:
    label: str
    this_year: str
    last_year: str


@dataclass
class ReportData:
    kind: str
    start_year: int
    council_name: str
    outcomes: list[OutcomeSection] = field(default_factory=list)
    kpis_have_results: bool = False
    finance: Finance | None = None
    unit_costs: list[UnitCost] = field(default_factory=list)
    slas: list = field(default_factory=list)  # slas.selectors.SlaYearSummary
    changes: list = field(default_factory=list)  # changes.selectors.AppliedChange
    action_plans: list = field(default_factory=list)  # performance ActionPlanSummary
    escalations: list = field(default_factory=list)  # performance EscalationSummary
    headlines: list[Headline] = field(default_factory=list)
    generated_on: datetime.date | None = None
    # Written by the people who own the report.
    foreword: str = ""
    foreword_by: str = ""
    overall_assessment: str = ""
    assessed_by: str = ""
    # The part of the year the specification covered (12 months: the whole year).
    months_covered: int = 12
    coverage_label: str = ""
    # The cabinet committee's consideration.
    committee: str = ""
    committee_meeting_on: datetime.date | None = None
    recommendation: str = ""
    resolution: str = ""

    @property
    def year_label(self) -> str:
        return dates.financial_year_label(self.start_year)

    @property
    def previous_year_label(self) -> str:
        return dates.financial_year_label(self.start_year - 1)

    @property
    def is_part_year(self) -> bool:
        return 0 < self.months_covered < 12

    @property
    def title(self) -> str:
        if self.kind == ReportKind.CABINET:
            return (
                f"Libraries, Registration and Archives: annual performance report "
                f"{self.year_label} to the cabinet committee"
            )
        return f"Libraries, Registration and Archives annual report {self.year_label}"

    @property
    def kpis(self) -> list[KpiRow]:
        return [k for o in self.outcomes for k in o.kpis]

    @property
    def actions(self) -> list[ActionReturnRow]:
        return [a for o in self.outcomes for a in o.actions]

    @property
    def rating_counts(self) -> list[tuple[str, str, int]]:
        counts: dict[str, int] = {}
        for k in self.kpis:
            counts[k.rating] = counts.get(k.rating, 0) + 1
        return [(r, RATING_LABELS[r], counts[r]) for r in RATING_ORDER if counts.get(r)]

    @property
    def rating_chart(self) -> "Chart | None":
        return rating_chart(self) if self.kpis else None

    @property
    def contents(self) -> list[tuple[str, str]]:
        items = [("summary", "Summary")]
        if self.foreword:
            items.append(("foreword", "Foreword"))
        items += [
            ("outcomes", "Performance against each outcome"),
            ("business-plan", "Business plan delivery"),
            ("changes", "Changes made in the year"),
            ("action-plans", "Action plans"),
            ("escalations", "Escalations to the board"),
            ("slas", "Support service agreements"),
            ("budget", "Budget and unit costs"),
        ]
        if self.kind == ReportKind.CABINET:
            items.append(("committee", "The cabinet committee"))
        return items

    def summary_dict(self) -> dict:
        """What the public pages list, kept with the report."""
        net = self.finance.net if self.finance else None
        return {
            "title": self.title,
            "kpi_count": len(self.kpis),
            "kpis_have_results": self.kpis_have_results,
            "part_year": self.coverage_label if self.is_part_year else "",
            "ratings": [[label, n] for _r, label, n in self.rating_counts],
            "outcomes": [
                {
                    "code": o.code,
                    "title": o.title,
                    "kpis": len(o.kpis),
                    "on_target": sum(1 for k in o.kpis if k.rating == "green"),
                }
                for o in self.outcomes
            ],
            "budget": None
            if net is None
            else {
                "net_budget": str(net.budget.quantize(Decimal("0.01"))),
                "net_outturn": str(net.outturn.quantize(Decimal("0.01"))),
            },
            "headlines": [[h.label, h.this_year, h.last_year] for h in self.headlines],
            "slas": len(self.slas),
            "slas_agreed_on_time": sum(1 for s in self.slas if s.agreed_by_deadline),
        }


# Charts: SVG drawn here, the same in the browser and the PDF -------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str
    fill: str = "#1d70b8"
    label_x: float = 0
    label_y: float = 0
    value_x: float = 0
    target_y: float | None = None  # this period's target (a mark across the bar)
    floor_y: float | None = None

    @property
    def right(self) -> float:
        return self.x + self.width


@dataclass
class AxisLabel:
    x: float
    y: float
    text: str
    anchor: str = "end"


@dataclass
class Chart:
    title: str  # the alternative text
    width: int
    height: int
    bars: list[Bar]
    target_y: float | None = None
    baseline_y: float = 0
    labelled: bool = False
    horizontal: bool = False
    axis_x: float = 0
    axis_labels: list[AxisLabel] = field(default_factory=list)

    # Each month's marks are drawn as one path per kind, not one line per month:
    # WeasyPrint draws every SVG element at a cost, and a year's report has sixty
    # charts (0.5 s of its PDF's 3 s when they were lines).
    @property
    def target_marks(self) -> str:
        """The months' targets: a dark mark across each bar that has one (path data)."""
        return _marks_across(self.bars, "target_y")

    @property
    def floor_marks(self) -> str:
        """The months' floors: a grey mark across each bar that has one (path data)."""
        return _marks_across(self.bars, "floor_y")


def _marks_across(bars: list[Bar], height: str) -> str:
    """SVG path data: a horizontal stroke across each bar at its `height` (where it has one)."""
    return "".join(
        f"M{bar.x:.1f} {y:.1f}H{bar.right:.1f}"
        for bar in bars
        if (y := getattr(bar, height)) is not None
    )


def _fmt(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return "no value"
    return figure(value, unit)


def trend_chart(kpi: KpiRow) -> Chart:
    """Monthly values as bars, with a y axis (0 and the top value), each month's
    target (a dark mark) and floor (a grey mark), and the first and last months."""
    width, height, top, bottom, left = 300, 96, 8, 14, 44
    values = [v for _m, v in kpi.monthly_values if v is not None]
    targets = list(kpi.monthly_targets) or [None] * len(kpi.monthly_values)
    floors = [
        None if t is None or kpi.floor is None or not kpi.target else t * kpi.floor / kpi.target
        for t in targets
    ]
    peak = max([*values, *(t for t in targets if t is not None), Decimal("1")])
    plot_h = height - top - bottom
    slot = (width - left) / max(len(kpi.monthly_values), 1)

    def y_of(v):
        return top + plot_h - float(v / peak) * plot_h

    bars = []
    for i, (month, value) in enumerate(kpi.monthly_values):
        h = 0 if value is None else float(value / peak) * plot_h
        t = targets[i] if i < len(targets) else None
        f = floors[i] if i < len(floors) else None
        bars.append(
            Bar(
                x=left + i * slot + 2,
                y=top + plot_h - h,
                width=slot - 4,
                height=h,
                label=month.strftime("%b"),
                value_text=_fmt(value, kpi.unit),
                target_y=None if t is None else y_of(t),
                floor_y=None if f is None else y_of(f),
            )
        )
    present = [(m, v) for m, v in kpi.monthly_values if v is not None]
    high = max(present, key=lambda mv: mv[1])
    low = min(present, key=lambda mv: mv[1])
    first, last = kpi.monthly_values[0][0], kpi.monthly_values[-1][0]
    shown_targets = [t for t in targets if t is not None]
    target_text = ""
    if shown_targets:
        if len(set(shown_targets)) == 1:
            target_text = f"; monthly target {_fmt(shown_targets[0], kpi.unit)}"
        else:
            target_text = (
                f"; monthly targets from {_fmt(min(shown_targets), kpi.unit)} to "
                f"{_fmt(max(shown_targets), kpi.unit)}"
            )
    title = (
        f"Bar chart of the monthly values of {kpi.code} {kpi.title}, {first:%B %Y} to "
        f"{last:%B %Y}: highest {_fmt(high[1], kpi.unit)} in {high[0]:%B}, lowest "
        f"{_fmt(low[1], kpi.unit)} in {low[0]:%B}"
        + target_text
        + f"; {len(kpi.monthly_values) - len(present)} month(s) without a value."
    )
    axis = [
        AxisLabel(left - 3, top + 4, _fmt(peak, kpi.unit)),
        AxisLabel(left - 3, top + plot_h + 3, "0"),
        AxisLabel(left, height - 2, first.strftime("%b %Y"), "start"),
        AxisLabel(width, height - 2, last.strftime("%b %Y"), "end"),
    ]
    return Chart(title, width, height, bars, None, top + plot_h, axis_x=left, axis_labels=axis)


def rating_chart(data: ReportData) -> Chart:
    """A horizontal bar per rating: each label on its own row, so none overlap."""
    counts = data.rating_counts
    row_h, label_w, width, top = 24, 190, 480, 4
    height = top + row_h * max(len(counts), 1) + 4
    peak = max([n for _r, _l, n in counts] + [1])
    plot_w = width - label_w - 40
    bars = []
    for i, (rating, label, n) in enumerate(counts):
        y = top + i * row_h
        w = n / peak * plot_w
        bars.append(
            Bar(
                x=label_w,
                y=y + 4,
                width=w,
                height=row_h - 8,
                label=label,
                value_text=str(n),
                fill=RATING_FILLS.get(rating, "#1d70b8"),
                label_x=label_w - 6,
                label_y=y + row_h / 2 + 4,
                value_x=label_w + w + 4,
            )
        )
    title = f"Bar chart of KPI ratings for {data.year_label}: " + "; ".join(
        f"{label} {n}" for _r, label, n in counts
    )
    return Chart(
        title, width, height, bars, None, 0, labelled=True, horizontal=True, axis_x=label_w
    )


# Gathering the content --------------------------------------------------------


def _months_label(months: list[datetime.date]) -> str:
    if not months:
        return ""
    return f"{months[0]:%B %Y} to {months[-1]:%B %Y}"


def _row(r) -> KpiRow:
    """A KpiRow from performance.selectors.KpiYearReport."""
    history = r.target_history
    note = ""
    if len(history) > 1:
        note = "Target changed: " + "; ".join(
            f"{figure(t, r.unit) if t is not None else 'no target'} from {m:%B %Y} (version {v})"
            for m, t, v in history
        )
    return KpiRow(
        code=r.code,
        title=r.title,
        outcome_code=r.outcome_code,
        unit=r.unit,
        higher_is_better=r.higher_is_better,
        target=r.target,
        floor=r.floor,
        value=r.value,
        rating=r.rating,
        previous_value=r.previous_value,
        monthly_values=[(m, v) for m, v, _t in r.monthly],
        monthly_targets=[t for _m, _v, t in r.monthly],
        comparator_position=r.comparator_position,
        comparator_basis=r.comparator_basis,
        months_covered=len(r.months_covered),
        covered_label=_months_label(r.months_covered),
        months_rated=r.months_rated,
        months_on_target=r.months_on_target,
        target_note=note,
    )


def _finance(year_finance) -> Finance | None:
    if year_finance is None:
        return None
    return Finance(
        spending=[
            BudgetRow(line.category, line.budget, line.outturn)
            for line in year_finance.lines
            if not line.is_income
        ],
        income=[
            BudgetRow(line.category, line.budget, line.outturn)
            for line in year_finance.lines
            if line.is_income
        ],
        closed=year_finance.closed,
    )


def _unit_costs(year_finance, rows: dict[str, KpiRow]) -> list[UnitCost]:
    """Each unit cost on the same months as its activity: the net cost of the months
    with an activity figure, divided by the activity of those months."""
    from funding.selectors import UNIT_COSTS

    out = []
    for code, label in UNIT_COSTS:
        kpi = rows.get(code)
        if kpi is None or year_finance is None:
            continue
        months = [m for m, v in kpi.monthly_values if v is not None]
        activity = sum((v for _m, v in kpi.monthly_values if v is not None), Decimal("0"))
        costed = [m for m in months if m in year_finance.monthly_net]
        cost = sum((year_finance.monthly_net[m] for m in costed), Decimal("0")) if costed else None
        if len(costed) != len(months):
            # Activity in months without monitoring: count only the months with both.
            activity = sum(
                (v for m, v in kpi.monthly_values if v is not None and m in costed),
                Decimal("0"),
            )
        basis = (
            f"Net cost and {in_sentence(kpi.title)} of the same {len(costed)} months "
            f"({_months_label(costed)})"
            if costed
            else "No months with both a cost and an activity figure"
        )
        out.append(UnitCost(label, activity or None, cost, len(costed), basis))
    return out


def _headlines(data: ReportData, previous_rows, finance_now, finance_before) -> list[Headline]:
    """Three to five figures with last year beside them."""
    rows = {k.code: k for k in data.kpis}
    on_target = sum(1 for k in data.kpis if k.rating == "green")
    before_on_target = sum(1 for r in previous_rows if r.rating == "green")
    out = [
        Headline(
            "KPIs on target",
            f"{on_target} of {len(data.kpis)}",
            f"{before_on_target} of {len(previous_rows)}" if previous_rows else NO_VALUE,
        )
    ]
    if finance_now is not None:
        before = _finance(finance_before)
        out.append(
            Headline(
                "Net cost of the service",
                format_money(finance_now.net.outturn),
                format_money(before.net.outturn) if before else NO_VALUE,
            )
        )
        out.append(
            Headline(
                "Income",
                format_money(finance_now.income_total.outturn),
                format_money(before.income_total.outturn) if before else NO_VALUE,
            )
        )
    for code in ("LIB01", "LIB02"):
        kpi = rows.get(code)
        if kpi is not None and len(out) < 5:
            out.append(Headline(kpi.title, kpi.value_text, kpi.previous_text))
    return out


def build_report_data(*, start_year: int, kind: str, report=None, today=None) -> ReportData:
    """The report's content for a year, from its record and the feature apps' reads."""
    from django.utils import timezone

    from changes.selectors import changes_applied_in
    from funding.selectors import year_finance
    from performance.selectors import action_plans_in_year, escalations_in_year, kpi_year_report
    from slas.selectors import sla_year_summary
    from specifications.selectors import business_plan_summary, year_outcomes

    results = kpi_year_report(start_year=start_year)
    finance_now = year_finance(start_year=start_year)
    data = ReportData(
        kind=kind,
        start_year=start_year,
        council_name=settings.COUNCIL_NAME,
        kpis_have_results=any(r.value is not None for r in results),
        finance=_finance(finance_now),
        slas=list(sla_year_summary(start_year=start_year)),
        changes=changes_applied_in(start_year=start_year),
        action_plans=action_plans_in_year(start_year=start_year),
        escalations=escalations_in_year(start_year=start_year),
        generated_on=today or timezone.localdate(),
    )
    approaches = {code: how for code, _t, how in business_plan_summary(start_year=start_year)}
    sections = {
        o.code: OutcomeSection(
            o.code, o.title, o.description, plan_approach=approaches.get(o.code, "")
        )
        for o in year_outcomes(start_year=start_year)
    }
    rows = [_row(r) for r in results]
    for row in rows:
        section = sections.get(row.outcome_code)
        if section is None:
            section = sections.setdefault(
                "", OutcomeSection("", "Other measures", "Measures without an outcome.")
            )
        section.kpis.append(row)
    covered = sorted({m for r in results for m in r.months_covered})
    data.months_covered = len(covered) or 12
    if 0 < len(covered) < 12:
        data.coverage_label = (
            f"Part year: the specification was in force for {len(covered)} months of "
            f"{data.year_label}, {_months_label(covered)}. Results cover those months only "
            f"and are not rated as a whole year."
        )
    if report is not None:
        _add_what_was_written(data, report, sections)
    data.outcomes = list(sections.values())
    by_code = {k.code: k for k in rows}
    data.unit_costs = _unit_costs(finance_now, by_code)
    data.headlines = _headlines(
        data,
        kpi_year_report(start_year=start_year - 1),
        data.finance,
        year_finance(start_year=start_year - 1),
    )
    return data


def _add_what_was_written(data: ReportData, report, sections: dict) -> None:
    from .models import Delivery

    data.foreword = report.foreword
    if report.foreword_by_id:
        person = report.foreword_by
        data.foreword_by = f"{person}, {person.job_title}" if person.job_title else str(person)
    data.overall_assessment = report.overall_assessment
    if report.assessed_by_id:
        data.assessed_by = str(report.assessed_by)
    data.committee = report.committee
    data.committee_meeting_on = report.committee_meeting_on
    data.recommendation = report.recommendation
    data.resolution = report.resolution
    for chapter in report.outcomes.all():
        section = sections.get(chapter.outcome_code)
        if section is None:
            section = sections[chapter.outcome_code] = OutcomeSection(
                chapter.outcome_code, chapter.outcome_title, ""
            )
        section.narrative = chapter.narrative
        section.highlights = chapter.highlight_list
        section.case_study = chapter.case_study
        section.assessment = chapter.assessment
    for action in report.action_returns.all():
        section = sections.get(action.outcome_code) or sections.setdefault(
            "", OutcomeSection("", "Other measures", "")
        )
        section.actions.append(
            ActionReturnRow(
                outcome_code=action.outcome_code,
                description=action.description,
                milestone_on=action.milestone_on,
                delivery=Delivery(action.delivery).label if action.delivery else "",
                comment=action.comment,
            )
        )


# Rendering -------------------------------------------------------------------


def render_report_body(data: ReportData) -> str:
    """The report's content as HTML: the PDF's body and the public page's."""
    return render_to_string("cycle/report/body.html", {"data": data})


def render_report_html(data: ReportData, body: str | None = None) -> str:
    """The PDF's HTML: the body (rendered here unless given) in the PDF's frame."""
    if body is None:
        body = render_report_body(data)
    return render_to_string(
        "cycle/report/pdf.html", {"data": data, "body": body, "report_css": "cycle/report.css"}
    )


def render_report_pdf(data: ReportData, body: str | None = None) -> bytes:
    return render_pdf(render_report_html(data, body))
