"""The annual report written by its owners and built from the year's records,
read back from the PDF with pdftotext as a reader would."""

import datetime
import re
import subprocess
from unittest import mock

import pytest

from cycle import services
from cycle.models import AnnualReport, ReportStatus
from funding.selectors import year_finance
from lra_commissioning.models import Notification
from lra_commissioning.numbers import format_money
from lra_commissioning.workflow import DomainError, TransitionNotAllowed

from .report_scenario import build_year

TODAY = datetime.date(2017, 4, 20)


@pytest.fixture
def year(commissioner, service_manager, head_of_service, board_member):
    return build_year(
        commissioner=commissioner, manager=service_manager, head=head_of_service, board=board_member
    )


def write_and_assess(report, *, manager, head, commissioner):
    services.annual_report_write_foreword(
        report=report, foreword="Our first months as a commissioned service.", by=head
    )
    for chapter in report.outcomes.all():
        services.report_outcome_write(
            chapter=chapter,
            narrative="Visits rose after the reading programme began.",
            highlights="Summer reading: 4,000 children\n- Ashford library opened",
            case_study="A reader who learnt English at the conversation club.",
            by=manager,
        )
    for action in report.action_returns.all():
        services.report_action_return_record(
            action=action, delivery="partly", comment="Opened in March, late.", by=manager
        )
    services.annual_report_submit(report=report, by=manager)
    report.refresh_from_db()
    for chapter in report.outcomes.all():
        services.report_outcome_assess(
            chapter=chapter, assessment="Strong growth in visits.", by=commissioner
        )
    return services.annual_report_assess(
        report=report, overall_assessment="A promising first half year.", by=commissioner
    )


def produce(report, commissioner):
    with mock.patch("cycle.tasks.render_annual_report.delay_on_commit"):
        services.annual_report_request(
            start_year=report.financial_year.start_year,
            kind=report.kind,
            by=commissioner,
            today=TODAY,
        )
    assert services.annual_report_render(report_id=report.pk) is True
    report.refresh_from_db()
    assert report.status == ReportStatus.GENERATED, report.render_error
    return report


def pdf_text(report) -> str:
    with report.pdf.open("rb") as f:
        body = f.read()
    out = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=body, capture_output=True, check=True
    )
    return out.stdout.decode()


def section(text: str, heading: str, next_heading: str) -> str:
    """The text between a section's heading and the next (after the contents page)."""
    start = text.index(heading, text.index("Summary", text.index("Contents") + 200))
    return text[start + len(heading) : text.index(next_heading, start + 1)]


@pytest.fixture
def written(year, commissioner, service_manager, head_of_service):
    report = services.annual_report_start(start_year=2016, by=commissioner, today=TODAY)
    return write_and_assess(
        report, manager=service_manager, head=head_of_service, commissioner=commissioner
    )


def test_the_pdf_has_every_section_filled_from_the_years_records(written, commissioner):
    report = produce(written, commissioner)
    text = pdf_text(report)
    flat = " ".join(text.split())
    assert "None" not in text and "To come" not in text
    # What the people who own it wrote.
    assert "Our first months as a commissioned service." in flat
    assert "Hana Head" in flat
    assert "Visits rose after the reading programme began." in flat
    assert "Summer reading: 4,000 children" in flat and "Ashford library opened" in flat
    assert "A reader who learnt English at the conversation club." in flat
    assert "Strong growth in visits." in flat and "A promising first half year." in flat
    # The business plan's report back.
    plan = " ".join(section(text, "Business plan delivery", "Changes made in the year").split())
    assert "Open the new library in Ashford" in plan
    assert "Partly delivered" in plan and "Opened in March, late." in plan
    # The change applied, with its reference, kind, date and effect.
    changes = " ".join(section(text, "Changes made in the year", "Action plans").split())
    assert re.search(r"CR-\d{4}", changes)
    assert "Minor variation" in changes and "1 Jan 2017" in changes
    assert "REG01's target rises from 90% to 95%." in changes
    # The action plan and how it closed; the escalation and the board's answer.
    plans = " ".join(section(text, "Action plans", "Escalations to the board").split())
    assert "REG01" in plans and "The board accepts the position" in plans
    escalations = " ".join(
        section(text, "Escalations to the board", "Support service agreements").split()
    )
    assert "Registration staffing risk" in escalations
    assert "Recruit two registrars on fixed terms." in escalations
    slas = " ".join(section(text, "Support service agreements", "Budget and unit costs").split())
    assert "ICT" in slas and "Not agreed" in slas

    # A cover, then the contents, then the summary on one page of its own.
    pages = [" ".join(page.split()) for page in text.split("\f")]
    assert "Libraries, Registration and Archives annual report 2016/17" in pages[0]
    assert "Part year" in pages[0]
    assert "Contents" in pages[1] and "Budget and unit costs" in pages[1]
    summary = pages[2]
    assert summary.startswith("Summary")
    assert "KPI ratings for 2016/17: the number of KPIs with each rating" in summary
    assert "A promising first half year." in summary
    # Headline figures with last year beside them ("—": no figures for 2015/16).
    assert "KPIs on target 1 of 2 —" in summary
    assert "Library visits 660 —" in summary
    assert "Foreword" in pages[3]


def test_the_budget_keeps_spending_income_and_net_apart_and_matches_its_lines(
    written, commissioner
):
    report = produce(written, commissioner)
    flat = " ".join(pdf_text(report).split())
    finance = year_finance(start_year=2016)
    spending = sum(line.budget for line in finance.lines if not line.is_income)
    income = sum(line.budget for line in finance.lines if line.is_income)
    spent = sum(line.outturn for line in finance.lines if not line.is_income)
    received = sum(line.outturn for line in finance.lines if line.is_income)
    assert received > 0 and income > 0
    assert (
        f"Gross spending {format_money(spent)} against a budget of {format_money(spending)}" in flat
    )
    assert f"income {format_money(received)} against {format_money(income)}" in flat
    assert (
        f"net cost {format_money(spent - received)} against a net budget of "
        f"{format_money(spending - income)}" in flat
    )
    # Never income added to spending (the old headline).
    assert format_money(spending + income) not in flat
    # Unit cost: the cost of the six months with visits over those months' visits.
    six_months_net = 6 * (80000 + 10000 - 4000 - 15000)
    assert f"{format_money(six_months_net)} 660 £645.45" in flat
    assert "same 6 months (October 2016 to March 2017)" in flat


def test_a_part_year_says_so_and_each_month_is_rated_against_the_version_in_force(
    written, commissioner
):
    report = produce(written, commissioner)
    text = pdf_text(report)
    flat = " ".join(text.split())
    assert "Part year: the specification was in force for 6 months of 2016/17" in flat
    assert "October 2016 to March 2017" in flat
    # LIB01: 6 x 110 = 660 against six months' share of the 1,200 target (600), not 1,200.
    lib01 = re.search(r"LIB01 Library visits.*?(?=REG01 Deaths)", flat).group(0)
    assert "600 660 On target (part year: 6 months)" in lib01
    # REG01: 92% against 95% in force from January (90% before): within tolerance.
    reg01 = flat[flat.index("REG01 Deaths registered within 5 days") :][:400]
    assert "95% 92% Within tolerance (part year: 6 months) 3 of 6" in reg01
    assert "90% from October 2016 (version 1.0); 95% from January 2017 (version 1.1)" in flat
    # Numbers with separators, a dash for no value (no previous year here).
    assert "—" in flat


def test_the_public_page_shows_the_same_content_as_the_pdf(written, commissioner, client):
    report = produce(written, commissioner)
    services.annual_report_approve(report=report, by=commissioner)
    services.annual_report_publish(report=report, by=commissioner)
    page = client.get("/annual-reports/2016/").content.decode()
    for words in (
        "Our first months as a commissioned service.",
        "Strong growth in visits.",
        "Registration staffing risk",
        "Part year: the specification was in force for 6 months",
        "Open the new library in Ashford",
        "Net cost (spending less income)",
    ):
        assert words in page
    assert "None" not in page and "To come" not in page


# Who writes what, and who is told ----------------------------------------------------


def test_the_service_drafts_and_the_commissioner_is_told_when_it_is_sent(
    year, commissioner, service_manager, head_of_service
):
    report = services.annual_report_start(start_year=2016, by=commissioner, today=TODAY)
    assert report.status == ReportStatus.DRAFTING
    assert [c.outcome_code for c in report.outcomes.all()] == ["O1"]
    assert [a.description for a in report.action_returns.all()] == [
        "Open the new library in Ashford"
    ]
    assert Notification.objects.filter(recipient=service_manager).exists()
    with pytest.raises(DomainError, match="foreword; the narrative for O1; the delivery of 1"):
        services.annual_report_submit(report=report, by=service_manager)
    with pytest.raises(DomainError, match="head of service"):
        services.annual_report_write_foreword(report=report, foreword="x", by=service_manager)
    with pytest.raises(DomainError, match="Say what was not delivered"):
        services.report_action_return_record(
            action=report.action_returns.get(),
            delivery="not_delivered",
            comment="",
            by=service_manager,
        )
    # The commissioner cannot produce it while the service writes it.
    with pytest.raises(DomainError, match="still writing"):
        services.annual_report_request(start_year=2016, kind="annual", by=commissioner, today=TODAY)
    report = write_and_assess(
        report, manager=service_manager, head=head_of_service, commissioner=commissioner
    )
    told = Notification.objects.get(
        recipient=commissioner, title__startswith="Annual report 2016/17"
    )
    assert told.title == "Annual report 2016/17 sent by the service: add your assessment"
    assert told.url == f"/annual-reports/manage/{report.pk}/"
    # The service can no longer change what it sent.
    with pytest.raises(TransitionNotAllowed):
        services.report_outcome_write(
            chapter=report.outcomes.get(),
            narrative="x",
            highlights="",
            case_study="",
            by=service_manager,
        )


def test_returning_the_draft_tells_the_service_and_reopens_it(
    written, commissioner, service_manager
):
    services.annual_report_return(
        report=written, comment="Add the library figures.", by=commissioner
    )
    written.refresh_from_db()
    assert written.status == ReportStatus.DRAFTING
    note = Notification.objects.filter(recipient=service_manager, kind="returned").get()
    assert note.body == "Add the library figures."
    services.annual_report_submit(report=written, by=service_manager)


def test_the_commissioner_must_assess_every_outcome_before_producing(
    year, commissioner, service_manager, head_of_service
):
    report = services.annual_report_start(start_year=2016, by=commissioner, today=TODAY)
    services.annual_report_write_foreword(report=report, foreword="F", by=head_of_service)
    services.report_outcome_write(
        chapter=report.outcomes.get(),
        narrative="N",
        highlights="",
        case_study="",
        by=service_manager,
    )
    services.report_action_return_record(
        action=report.action_returns.get(), delivery="delivered", comment="", by=service_manager
    )
    services.annual_report_submit(report=report, by=service_manager)
    with pytest.raises(DomainError, match="the assessment of O1; the overall assessment"):
        services.annual_report_request(start_year=2016, kind="annual", by=commissioner, today=TODAY)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.WITH_COMMISSIONER


def test_forms_show_their_errors_beside_the_field(written, client, commissioner, service_manager):
    services.annual_report_return(report=written, comment="Again.", by=commissioner)
    client.force_login(service_manager)
    chapter = written.outcomes.get()
    response = client.post(
        f"/annual-reports/manage/{written.pk}/outcomes/{chapter.pk}/", {"narrative": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="narrative-error"' in page or "govuk-error-message" in page
    assert "Enter what the service did for this outcome" in page
    action = written.action_returns.get()
    page = client.post(
        f"/annual-reports/manage/{written.pk}/actions/{action.pk}/",
        {"delivery": "partly", "comment": ""},
    ).content.decode()
    assert "Say what was not delivered and why" in page
    # The commissioner's pages are not the service's.
    assert client.get(f"/annual-reports/manage/{written.pk}/assessment/").status_code == 403
