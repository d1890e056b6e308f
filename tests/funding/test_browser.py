"""In the browser: a commissioner drafts a change, a board member agrees it, the
head of service acknowledges the notice. Every page passes axe."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from funding import services
from funding.models import BudgetNotice, VersionStatus

from .factories import agreed, support_services
from .test_monitoring import lines


@pytest.mark.browser
def test_change_drafted_agreed_and_acknowledged(
    transactional_db,
    page_for,
    assert_accessible,
    commissioner,
    board_member,
    head_of_service,
    service_manager,
    live_server,
):
    support_services(commissioner)
    v1 = agreed(commissioner, board_member)
    services.monitoring_month_save(
        month=datetime.date(2016, 4, 1),
        lines=lines(staffing_forecast=Decimal("1300000")),
        by=service_manager,
    )

    # The commissioner drafts a change within the year.
    page = page_for(commissioner)
    page.goto("/budget/")
    assert_accessible(page)
    page.get_by_role("link", name="Start a new version").click()
    assert_accessible(page)
    page.get_by_label("Change within the year").check()
    page.get_by_label("Reason").fill("Archive search-room hours reduced from October")
    page.get_by_role("button", name="Start the draft").click()
    assert_accessible(page)
    page.get_by_label("Staffing in 2017/18").fill("12.345")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert "no more than 2 decimal places" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Staffing in 2017/18").fill("940000")
    page.get_by_role("button", name="Save the draft").click()
    assert_accessible(page)
    page.get_by_role("button", name="Propose to the Strategic Board").click()
    assert "With the board" in page.content()

    # A board member records the board's agreement.
    board = page_for(board_member)
    board.goto("/budget/versions/2/")
    board.get_by_role("link", name="Record the board's decision").click()
    assert_accessible(board)
    board.get_by_label("Agreed").check()
    board.get_by_label("Day").fill("14")
    board.get_by_label("Month").fill("9")
    board.get_by_label("Year").fill("2016")
    board.get_by_label("Minute reference").fill("LRA-SB/2016/11")
    board.get_by_role("button", name="Record the decision").click()
    assert "Agreed by the board" in board.content()
    assert_accessible(board)

    # The commissioner sends the change notice (signing in again: each sign-in
    # through the shared test client ends the one before).
    page = page_for(commissioner)
    page.goto("/budget/versions/2/")
    page.get_by_role("button", name="Send the change notice to the head of service").click()
    assert "Confirmed to the service" in page.content()

    # The head of service reads and acknowledges it.
    hos = page_for(head_of_service)
    hos.goto("/home/")
    hos.get_by_role("link", name="Budget change notice: budget version 2").click()
    assert_accessible(hos)
    text = hos.locator("main").inner_text()
    assert "Archive search-room hours reduced from October" in text
    # Money as a council paper writes it: no pence on sums of £1,000 or more.
    assert "£1,000,000" in text and "£940,000" in text and "−£60,000" in text
    assert "£1,000,000.00" not in text
    hos.get_by_role("button", name="Acknowledge this notice").click()
    assert "You have acknowledged the notice" in hos.content()
    notice = BudgetNotice.objects.get(version__number=2)
    assert notice.acknowledged_by == head_of_service
    assert notice.version.status == VersionStatus.ACKNOWLEDGED
    assert v1.lines.get(start_year=2017, category="staffing").amount == Decimal("1000000")

    # The other budget pages pass axe too.
    for url in [
        "/budget/monitoring/",
        "/budget/monitoring/2016/4/",
        "/budget/full-cost/",
        "/budget/versions/2/",
    ]:
        hos.goto(url)
        assert_accessible(hos)
    sm = page_for(head_of_service)
    for url in [
        "/budget/monitoring/2016/4/enter/",
        "/budget/monitoring/2016/4/upload/",
        "/budget/monitoring/2016/4/explain/staffing/",
    ]:
        sm.goto(url)
        assert_accessible(sm)


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 390, 1280])
def test_monitoring_pages_never_widen_the_page(
    transactional_db, page_for, commissioner, board_member, service_manager, width
):
    support_services(commissioner)
    agreed(commissioner, board_member)
    services.monitoring_month_save(
        month=datetime.date(2016, 4, 1),
        lines=lines(staffing_forecast=Decimal("1300000")),
        by=service_manager,
    )
    page = page_for(commissioner)
    page.set_viewport_size({"width": width, "height": 900})
    for url in ("/budget/monitoring/?year=2016", "/budget/monitoring/2016/4/"):
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} at {width} px overflows the page by {overflow} px"
