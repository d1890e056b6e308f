"""The annual report and the cabinet committee report: data, charts, PDF.

`build_report_data(start_year=..., kind=...)` gathers the content from the
other apps' contract reads (performance, funding, SLAs, business plan) and the
specification's outcomes and KPIs. `render_report_pdf(data)` takes only that
structure, so tests and the benchmark can feed it any data they like.

The PDF is tagged (PDF/UA-1): title, language en-GB, headings, tables, and a
chart per KPI whose alternative text is the SVG's <title>.
"""

import datetime
import logging
import mimetypes
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from lra_commissioning import dates

from .models import ReportKind

# WeasyPrint logs every layout step at INFO; the worker's log needs none of it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

RATING_LABELS = {
    "green": "On target",
    "amber": "Within tolerance",
    "red": "Outside tolerance",
    "missing": "No result",
    "in_range": "In expected range",
    "out_of_range": "Outside expected range",
}

RATING_FILLS = {"green": "#00703c", "amber": "#f47738", "red": "#d4351c", "missing": "#505a5f"}


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

    @property
    def rating_label(self) -> str:
        return RATING_LABELS.get(self.rating, self.rating.replace("_", " ").capitalize())

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value

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


@dataclass
class ReportData:
    kind: str
    start_year: int
    council_name: str
    outcomes: list[OutcomeSection] = field(default_factory=list)
    kpis_have_results: bool = False
    budget: list = field(default_factory=list)  # funding.selectors.OutturnLine
    slas: list = field(default_factory=list)  # slas.selectors.SlaYearSummary
    business_plan: list = field(default_factory=list)  # (code, title, how)
    # Filled in when the change-management and action-plan apps provide reads.
    changes: list = field(default_factory=list)
    action_plans: list = field(default_factory=list)
    generated_on: datetime.date | None = None

    @property
    def year_label(self) -> str:
        return dates.financial_year_label(self.start_year)

    @property
    def previous_year_label(self) -> str:
        return dates.financial_year_label(self.start_year - 1)

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
    def rating_counts(self) -> list[tuple[str, str, int]]:
        counts: dict[str, int] = {}
        for k in self.kpis:
            counts[k.rating] = counts.get(k.rating, 0) + 1
        order = ["green", "amber", "red", "in_range", "out_of_range", "missing"]
        return [(r, RATING_LABELS[r], counts[r]) for r in order if counts.get(r)]

    @property
    def budget_totals(self):
        if not self.budget:
            return None
        budget = sum((line.budget for line in self.budget), Decimal("0"))
        outturn = sum((line.outturn for line in self.budget), Decimal("0"))
        return {"budget": budget, "outturn": outturn, "variance": outturn - budget}

    @property
    def budget_rows(self):
        return [(b.category, b.budget, b.outturn, b.outturn - b.budget) for b in self.budget]

    @property
    def rating_chart(self) -> "Chart | None":
        return rating_chart(self) if self.kpis else None

    def summary_dict(self) -> dict:
        """What the public HTML summary shows, kept with the report."""
        totals = self.budget_totals
        return {
            "title": self.title,
            "kpi_count": len(self.kpis),
            "kpis_have_results": self.kpis_have_results,
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
            if totals is None
            else {k: str(v.quantize(Decimal("0.01"))) for k, v in totals.items()},
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


@dataclass
class Chart:
    title: str  # the alternative text
    width: int
    height: int
    bars: list[Bar]
    target_y: float | None = None
    baseline_y: float = 0
    # Text labels under the bars (the small trend charts have none: drawing
    # hundreds of them doubles the PDF's rendering time; the alt text and the
    # appendix table give the values).
    labelled: bool = False


def _fmt(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return "no value"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{text}%" if unit == "percentage" else text


def trend_chart(kpi: KpiRow) -> Chart:
    width, height, top, bottom, left = 300, 80, 6, 6, 4
    values = [v for _m, v in kpi.monthly_values if v is not None]
    monthly_target = None
    if kpi.target is not None and kpi.unit != "count":
        monthly_target = kpi.target
    peak = max([*values, monthly_target or Decimal("0"), Decimal("1")])
    plot_h = height - top - bottom
    slot = (width - left) / max(len(kpi.monthly_values), 1)
    bars = []
    for i, (month, value) in enumerate(kpi.monthly_values):
        h = 0 if value is None else float(value / peak) * plot_h
        bars.append(
            Bar(
                x=left + i * slot + 2,
                y=top + plot_h - h,
                width=slot - 4,
                height=h,
                label=month.strftime("%b")[0],
                value_text=_fmt(value, kpi.unit),
            )
        )
    present = [(m, v) for m, v in kpi.monthly_values if v is not None]
    high = max(present, key=lambda mv: mv[1])
    low = min(present, key=lambda mv: mv[1])
    first, last = kpi.monthly_values[0][0], kpi.monthly_values[-1][0]
    title = (
        f"Bar chart of the monthly values of {kpi.code} {kpi.title}, {first:%B %Y} to "
        f"{last:%B %Y}: highest {_fmt(high[1], kpi.unit)} in {high[0]:%B}, lowest "
        f"{_fmt(low[1], kpi.unit)} in {low[0]:%B}"
        + (f"; target {_fmt(monthly_target, kpi.unit)}" if monthly_target is not None else "")
        + f"; {len(kpi.monthly_values) - len(present)} month(s) without a value."
    )
    target_y = (
        None if monthly_target is None else top + plot_h - float(monthly_target / peak) * plot_h
    )
    return Chart(title, width, height, bars, target_y, top + plot_h)


def rating_chart(data: ReportData) -> Chart:
    counts = data.rating_counts
    width, height, top, bottom, left = 420, 150, 10, 24, 10
    peak = max([n for _r, _l, n in counts] + [1])
    plot_h = height - top - bottom
    slot = (width - left) / max(len(counts), 1)
    bars = [
        Bar(
            x=left + i * slot + 8,
            y=top + plot_h - n / peak * plot_h,
            width=slot - 16,
            height=n / peak * plot_h,
            label=label,
            value_text=str(n),
            fill=RATING_FILLS.get(rating, "#1d70b8"),
        )
        for i, (rating, label, n) in enumerate(counts)
    ]
    title = f"Bar chart of KPI ratings for {data.year_label}: " + "; ".join(
        f"{label} {n}" for _r, label, n in counts
    )
    return Chart(title, width, height, bars, None, top + plot_h, labelled=True)


# Gathering the content --------------------------------------------------------


def build_report_data(*, start_year: int, kind: str, today=None) -> ReportData:
    """The report's content for a year from the other apps' contract reads."""
    from django.utils import timezone

    from funding.selectors import budget_outturn
    from performance.selectors import kpi_year_results
    from slas.selectors import sla_year_summary
    from specifications.models import SpecificationVersion, VersionStatus
    from specifications.selectors import business_plan_summary

    version = (
        SpecificationVersion.objects.filter(
            specification__financial_year__start_year=start_year,
            status=VersionStatus.PUBLISHED,
        )
        .prefetch_related("outcomes__kpis")
        .order_by("-major", "-minor")
        .first()
    )
    results = {r.code: r for r in kpi_year_results(start_year=start_year)}
    data = ReportData(
        kind=kind,
        start_year=start_year,
        council_name=settings.COUNCIL_NAME,
        kpis_have_results=bool(results),
        budget=list(budget_outturn(start_year=start_year)),
        slas=list(sla_year_summary(start_year=start_year)),
        business_plan=list(business_plan_summary(start_year=start_year)),
        generated_on=today or timezone.localdate(),
    )
    months = dates.financial_year_months(start_year)
    seen = set()
    if version is not None:
        for outcome in version.outcomes.all():
            section = OutcomeSection(outcome.code, outcome.title, outcome.description)
            for kpi in outcome.kpis.all():
                seen.add(kpi.code)
                section.kpis.append(_row(kpi, results.get(kpi.code), months))
            data.outcomes.append(section)
    # Results for KPIs the specification no longer lists still belong in the report.
    extra = [r for code, r in results.items() if code not in seen]
    if extra:
        section = OutcomeSection("", "Other measures", "")
        section.kpis = [_row_from_result(r) for r in extra]
        data.outcomes.append(section)
    return data


def _row_from_result(r) -> KpiRow:
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
        monthly_values=list(r.monthly_values),
        comparator_position=r.comparator_position,
    )


def _row(kpi, result, months) -> KpiRow:
    if result is not None:
        return _row_from_result(result)
    return KpiRow(
        code=kpi.code,
        title=kpi.title,
        outcome_code=kpi.outcome.code if kpi.outcome_id else "",
        unit=kpi.unit,
        higher_is_better=kpi.higher_is_better,
        target=kpi.annual_target,
        floor=kpi.floor,
        value=None,
        rating="missing",
        monthly_values=[(m, None) for m in months],
    )


# Rendering -------------------------------------------------------------------

REPORT_BASE_URL = "https://report.lra.invalid/"


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves our own static files to WeasyPrint and refuses every other URL.

    No file:// URLs, no network: a report's HTML can never make the worker
    read a local file or call out, whatever the content says.
    """

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        base = urlsplit(REPORT_BASE_URL)
        if (
            parts.scheme != base.scheme
            or parts.netloc != base.netloc
            or not parts.path.startswith(settings.STATIC_URL)
        ):
            raise ValueError(f"The report may only use the site's static files, not {url}")
        name = parts.path[len(settings.STATIC_URL) :]
        if ".." in name.split("/"):
            raise ValueError(f"Refused path {url}")
        body = _read_static(name)
        if body is None:
            raise ValueError(f"No static file {name}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


def _read_static(name: str) -> bytes | None:
    path = finders.find(name)
    if path:
        with open(path, "rb") as f:
            return f.read()
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as f:
            return f.read()
    return None


def render_report_html(data: ReportData) -> str:
    return render_to_string(
        "cycle/report/pdf.html", {"data": data, "report_css": "cycle/report.css"}
    )


def render_report_pdf(data: ReportData) -> bytes:
    html = HTML(
        string=render_report_html(data),
        base_url=REPORT_BASE_URL,
        url_fetcher=StaticFilesOnlyFetcher(),
    )
    return html.write_pdf(pdf_variant="pdf/ua-1")
