"""The annual report: a tagged PDF read back, its workflow, honest 'no data' sections."""

import datetime
import io
import re
from unittest import mock

import pytest
from pypdf import PdfReader

from cycle import report as report_module
from cycle import services
from cycle.models import AnnualReport, Deadline, ReportStatus
from demo_data.report import sample_report_data
from lra_commissioning.models import FinancialYear
from lra_commissioning.workflow import DomainError, TransitionNotAllowed
from performance.selectors import KpiYearReport

from .factories import make_deadline


def structure(pdf_bytes):
    """(counts of structure tags, figure alternative texts, catalogue, metadata title)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    root = reader.trailer["/Root"]
    counts, alts = {}, []

    def walk(node):
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        tag = node.get("/S")
        if tag:
            counts[tag] = counts.get(tag, 0) + 1
            if tag == "/Figure":
                alts.append(str(node.get("/Alt") or ""))
        kids = node.get("/K")
        if kids is None:
            return
        kids = kids.get_object()
        for kid in kids if isinstance(kids, list) else [kids]:
            walk(kid)

    walk(root["/StructTreeRoot"])
    return counts, alts, root, reader.metadata.title, reader


@pytest.fixture(scope="module")
def sixty_kpi_pdf():
    data = sample_report_data(kpi_count=60)
    return data, report_module.render_report_pdf(data)


def test_report_pdf_is_tagged_titled_and_in_english(sixty_kpi_pdf):
    data, pdf = sixty_kpi_pdf
    counts, _alts, root, title, _reader = structure(pdf)
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert title == "Libraries, Registration and Archives annual report 2016/17"
    assert counts["/H1"] == 1
    assert counts["/H2"] >= 7
    assert counts["/Table"] >= 4


def test_report_pdf_has_a_row_per_kpi_and_a_chart_with_alternative_text_each(sixty_kpi_pdf):
    data, pdf = sixty_kpi_pdf
    counts, alts, _root, _title, reader = structure(pdf)
    # One trend chart per KPI plus the ratings chart, every one with its <title> as /Alt.
    assert len(alts) == 61
    assert all(alt.startswith("Bar chart of") for alt in alts)
    assert any("K42 Measure number 42" in alt for alt in alts)
    text = "".join(page.extract_text() for page in reader.pages)
    for n in range(1, 61):
        assert f"K{n:02d} Measure number {n}" in text
    # KPI rows (60) + the appendix's monthly rows (60) + headers and the smaller tables.
    assert counts["/TR"] >= 120


def test_report_without_data_says_so_in_each_section(db):
    FinancialYear.objects.get_or_create(start_year=2016)
    data = report_module.build_report_data(start_year=2016, kind="annual")
    html = report_module.render_report_html(data)
    assert "No published specification was found for 2016/17" in html
    assert "No budget monitoring data was available" in html
    assert "No SLA data was available" in html
    assert "No changes to the specification took effect in 2016/17" in html
    assert "No improvement action plans were open in 2016/17" in html
    assert "No risks were escalated to the board in 2016/17" in html
    assert "To come" not in html


def test_report_data_comes_from_the_feature_apps_reads(db):
    result = KpiYearReport(
        code="L01",
        title="Library visits",
        outcome_code="O1",
        unit="count",
        higher_is_better=True,
        is_activity=False,
        aggregation="sum",
        target=None,
        floor=None,
        value=None,
        rating="missing",
        previous_value=None,
        months_covered=[datetime.date(2016, 4, 1)],
        monthly=[(datetime.date(2016, 4, 1), None, None)],
        months_rated=0,
        months_on_target=0,
        target_history=[],
    )
    with mock.patch("performance.selectors.kpi_year_report", return_value=[result]):
        data = report_module.build_report_data(start_year=2016, kind="cabinet")
    assert [k.code for k in data.kpis] == ["L01"]
    # A KPI without a target says so, never "None"; no value is a dash.
    html = report_module.render_report_body(data)
    assert "No target" in html and "None" not in html
    assert data.kpis[0].value_text == "—"
    assert "cabinet committee" in data.title


# The workflow ------------------------------------------------------------------


@pytest.fixture
def finished_year(db):
    year = FinancialYear.objects.get_or_create(start_year=2016)[0]
    # The annual report written by the service and assessed: ready to produce.
    AnnualReport.objects.create(
        financial_year=year,
        kind="annual",
        status=ReportStatus.WITH_COMMISSIONER,
        foreword="The year.",
        overall_assessment="A good year.",
    )
    return year


def test_a_report_cannot_be_produced_before_its_year_ends(commissioner, finished_year):
    with pytest.raises(DomainError, match="has not finished yet"):
        services.annual_report_request(
            start_year=2016, kind="annual", by=commissioner, today=datetime.date(2017, 3, 31)
        )
    assert AnnualReport.objects.get().status == ReportStatus.WITH_COMMISSIONER


def test_report_is_rendered_reviewed_approved_and_published_meeting_its_deadline(
    commissioner, finished_year, django_capture_on_commit_callbacks
):
    make_deadline(
        key="annual_report:2016",
        kind="annual_report",
        title="Annual report 2016/17",
        due_on=datetime.date(2017, 7, 31),
        responsible_role="commissioner",
    )
    with (
        mock.patch.object(
            report_module, "build_report_data", return_value=sample_report_data(kpi_count=4)
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = services.annual_report_request(
            start_year=2016, kind="annual", by=commissioner, today=datetime.date(2017, 4, 1)
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.GENERATED
    assert report.pdf.read(5) == b"%PDF-"
    report.pdf.close()
    assert report.summary["kpi_count"] == 4
    with pytest.raises(TransitionNotAllowed):
        services.annual_report_publish(report=report, by=commissioner)
    report = services.annual_report_approve(report=report, by=commissioner)
    report = services.annual_report_publish(report=report, by=commissioner)
    assert report.status == ReportStatus.PUBLISHED
    assert Deadline.objects.get(key="annual_report:2016").met_on is not None
    with pytest.raises(TransitionNotAllowed):
        services.annual_report_request(start_year=2016, kind="annual", by=commissioner)


def test_cabinet_report_is_done_when_approved_and_never_published(commissioner, finished_year):
    with mock.patch("cycle.tasks.render_annual_report.delay_on_commit"):
        report = services.annual_report_request(start_year=2016, kind="cabinet", by=commissioner)
    with mock.patch.object(
        report_module, "build_report_data", return_value=sample_report_data(kpi_count=2)
    ):
        assert services.annual_report_render(report_id=report.pk) is True
        # Delivered twice: the second finds it rendered and does nothing.
        assert services.annual_report_render(report_id=report.pk) is False
    report.refresh_from_db()
    report = services.annual_report_approve(report=report, by=commissioner)
    with pytest.raises(DomainError, match="not published"):
        services.annual_report_publish(report=report, by=commissioner)


def test_a_failed_render_is_recorded_and_can_be_tried_again(commissioner, finished_year):
    with mock.patch("cycle.tasks.render_annual_report.delay_on_commit"):
        report = services.annual_report_request(start_year=2016, kind="annual", by=commissioner)
        with mock.patch.object(report_module, "render_report_pdf", side_effect=OSError("disk")):
            assert services.annual_report_render(report_id=report.pk) is False
        report.refresh_from_db()
        assert report.status == ReportStatus.FAILED
        assert "disk" in report.render_error
        report = services.annual_report_request(start_year=2016, kind="annual", by=commissioner)
    assert report.status == ReportStatus.PENDING


def test_the_ratings_chart_gives_each_label_a_row_of_its_own():
    data = sample_report_data(kpi_count=60)
    chart = data.rating_chart
    rows = sorted(bar.label_y for bar in chart.bars)
    assert len(rows) == len({bar.label for bar in chart.bars}) >= 4
    # Labels 11 points high, each on its own line, right-aligned before the bars.
    assert all(b - a >= 14 for a, b in zip(rows, rows[1:], strict=False))
    assert all(bar.label_x <= bar.x for bar in chart.bars)
    svg = report_module.render_to_string("cycle/report/chart.html", {"chart": chart})
    for bar in chart.bars:
        assert f">{bar.label}</text>" in svg and f">{bar.value_text}</text>" in svg


def test_a_trend_chart_has_axes_and_each_months_target_and_floor():
    kpi = sample_report_data(kpi_count=1).kpis[0]
    chart = kpi.chart
    svg = report_module.render_to_string("cycle/report/chart.html", {"chart": chart})
    assert [a.text for a in chart.axis_labels][1:] == ["0", "April 2016"[:3] + " 2016", "Mar 2017"]
    assert all(bar.target_y is not None and bar.floor_y is not None for bar in chart.bars)
    # A mark a month across its bar: the targets in one dark path, the floors in one grey.
    targets = re.search(r'<path d="([^"]*)" fill="none" stroke="#0b0c0c"', svg).group(1)
    floors = re.search(r'<path d="([^"]*)" fill="none" stroke="#6f777b"', svg).group(1)
    for marks, height in ((targets, "target_y"), (floors, "floor_y")):
        strokes = re.findall(r"M([\d.]+) ([\d.]+)H([\d.]+)", marks)
        assert len(strokes) == len(chart.bars) == 12
        for (x, y, right), bar in zip(strokes, chart.bars, strict=True):
            assert float(x) == pytest.approx(bar.x, abs=0.05)
            assert float(right) == pytest.approx(bar.right, abs=0.05)
            assert float(y) == pytest.approx(getattr(bar, height), abs=0.05)
    # The sample's KPI is a summed count: a month's target is a twelfth of the year's.
    assert f"monthly target {int(kpi.monthly_targets[0]):,}" in chart.title
    assert kpi.monthly_targets[0] == (kpi.target / 12).quantize(1)
