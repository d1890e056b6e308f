"""The annual report: a tagged PDF read back, its workflow, honest 'no data' sections."""

import datetime
import io
from unittest import mock

import pytest
from pypdf import PdfReader

from lra_commissioning.cycle import report as report_module
from lra_commissioning.cycle import services
from lra_commissioning.cycle.fake_data import sample_report_data
from lra_commissioning.cycle.models import AnnualReport, Deadline, ReportStatus
from lra_commissioning.models import FinancialYear
from lra_commissioning.workflow import DomainError, TransitionNotAllowed
from performance.selectors import KpiYearResult

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
    assert "No record of changes made in the year" in html
    assert "No record of improvement action plans" in html


def test_report_data_comes_from_the_contract_reads(db):
    result = KpiYearResult(
        code="L01",
        title="Library visits",
        outcome_code="O1",
        service_area="libraries",
        unit="count",
        higher_is_better=True,
        target=None,
        floor=None,
        value=None,
        rating="missing",
        previous_value=None,
        monthly_values=[(datetime.date(2016, 4, 1), None)],
    )
    with mock.patch("performance.selectors.kpi_year_results", return_value=[result]):
        data = report_module.build_report_data(start_year=2016, kind="cabinet")
    assert [k.code for k in data.kpis] == ["L01"]
    assert data.kpis_have_results
    assert "cabinet committee" in data.title


def test_fetcher_serves_our_static_files_and_refuses_everything_else():
    fetcher = report_module.StaticFilesOnlyFetcher()
    response = fetcher.fetch(report_module.REPORT_BASE_URL + "static/cycle/report.css")
    assert response.headers["Content-Type"] == "text/css"
    for url in [
        "file:///etc/passwd",
        "https://example.org/static/cycle/report.css",
        report_module.REPORT_BASE_URL + "media/secret.pdf",
        report_module.REPORT_BASE_URL + "static/../settings.py",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


# The workflow ------------------------------------------------------------------


@pytest.fixture
def finished_year(db):
    return FinancialYear.objects.get_or_create(start_year=2016)[0]


def test_a_report_cannot_be_produced_before_its_year_ends(commissioner, finished_year):
    with pytest.raises(DomainError, match="has not finished yet"):
        services.annual_report_request(
            start_year=2016, kind="annual", by=commissioner, today=datetime.date(2017, 3, 31)
        )
    assert not AnnualReport.objects.exists()


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
    with mock.patch("lra_commissioning.cycle.tasks.render_annual_report.delay_on_commit"):
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
    with mock.patch("lra_commissioning.cycle.tasks.render_annual_report.delay_on_commit"):
        report = services.annual_report_request(start_year=2016, kind="annual", by=commissioner)
        with mock.patch.object(report_module, "render_report_pdf", side_effect=OSError("disk")):
            assert services.annual_report_render(report_id=report.pk) is False
        report.refresh_from_db()
        assert report.status == ReportStatus.FAILED
        assert "disk" in report.render_error
        report = services.annual_report_request(start_year=2016, kind="annual", by=commissioner)
    assert report.status == ReportStatus.PENDING
