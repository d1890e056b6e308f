"""The public pages pass axe, and the annual journey works end to end in Chromium."""

import datetime

import pytest
from django.urls import reverse

from lra_commissioning.models import FinancialYear
from specifications import services
from specifications.models import VersionStatus

from .factories import draft_version, published_version, take_to

pytestmark = [pytest.mark.browser]


@pytest.fixture
def people(transactional_db, commissioner, board_member, head_of_service):
    return commissioner, board_member, head_of_service


def test_public_pages_and_the_comment_form_in_error_pass_axe(page_for, assert_accessible, people):
    c = people[0]
    first = published_version(*people, kpis=3)
    comment = services.comment_submit(version=first, body="Open longer", address="x")
    services.comment_publish(comment=comment, by=c)
    services.comment_respond(comment=comment, response="We will look at it.", by=c)
    page = page_for(None)
    for url in (
        reverse("specifications:public_current"),
        reverse("specifications:public_versions"),
        reverse(
            "specifications:public_version",
            kwargs={"start_year": 2016, "major": first.major, "minor": 0},
        ),
        reverse("specifications:public_compare"),
    ):
        page.goto(url)
        assert_accessible(page)
    # From the specification to the comment form, then the form in its error state.
    page.goto(reverse("specifications:public_current"))
    page.get_by_role("button", name="Comment on the specification").click()
    page.wait_for_selector("h1:has-text('Comment on the specification')")
    assert_accessible(page)
    page.fill("#id_body", "x" * 5001)
    page.get_by_role("button", name="Send your comment").click()
    page.wait_for_selector(".govuk-error-summary")
    assert "5,000 characters or fewer" in page.inner_text(".govuk-error-summary")
    assert page.title().startswith("Comment on the specification (error)")
    assert_accessible(page)
    # A valid comment, without a name.
    page.fill("#id_body", "Please keep the mobile library.")
    page.get_by_role("button", name="Send your comment").click()
    page.wait_for_selector("h1:has-text('Comment received')")
    assert_accessible(page)


def test_the_annual_journey_from_draft_to_public(page_for, assert_accessible, people):
    c, b, h = people
    FinancialYear.objects.get_or_create(start_year=2016)
    version = draft_version(c, kpis=2)
    detail = reverse("specifications:version_detail", args=[version.pk])

    commissioner = page_for(c)
    commissioner.goto(detail)
    assert_accessible(commissioner)
    commissioner.get_by_role("button", name="Submit to the board").click()
    commissioner.wait_for_selector("text=has been submitted to the board")

    board = page_for(b)
    board.goto(reverse("home"))
    board.get_by_role("link", name="2016/17 specification, version 1.0").click()
    board.get_by_role("link", name="Record the board's sign-off").click()
    board.fill("#id_minute_reference", "LRA-SB/2016/8")
    assert_accessible(board)
    board.get_by_role("button", name="Record the sign-off").click()
    board.wait_for_selector("text=has been recorded")

    head = page_for(h)
    head.goto(reverse("home"))
    head.get_by_role("link", name="2016/17 specification, version 1.0").click()
    head.get_by_role("button", name="Agree for the service").click()
    head.wait_for_selector("text=You have agreed version 1.0")

    # page_for signs each person in through one test client, which ends the
    # previous person's session: sign the commissioner in again.
    commissioner = page_for(c)
    commissioner.goto(detail)
    commissioner.get_by_role("button", name="Publish").click()
    commissioner.wait_for_selector("text=is published and in force")
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.board_minute_reference == "LRA-SB/2016/8"

    public = page_for(None)
    public.goto(reverse("specifications:public_current"))
    assert "2016/17, version 1.0" in public.inner_text("main")
    assert "LRA-SB/2016/8" in public.inner_text("main")


def test_staff_pages_pass_axe_including_the_kpi_form_in_error(
    page_for, assert_accessible, people, service_manager
):
    c = people[0]
    current = published_version(*people, kpis=2)
    comment = services.comment_submit(version=current, body="Hello", address="y", name="Ann")
    FinancialYear.objects.get_or_create(start_year=2017)
    draft = draft_version(c, start_year=2017, kpis=2)
    plan = services.business_plan_start(
        financial_year=current.specification.financial_year, by=service_manager
    )
    page = page_for(c)
    for url in (
        reverse("specifications:staff_index"),
        reverse("specifications:version_detail", args=[draft.pk]),
        reverse("specifications:staff_compare"),
        reverse("specifications:comment_list"),
        reverse("specifications:comment_detail", args=[comment.pk]),
        reverse("specifications:plan_detail", args=[2016]),
        reverse("specifications:version_edit", args=[draft.pk]),
    ):
        page.goto(url)
        assert_accessible(page)
    page.goto(reverse("specifications:kpi_create", args=[draft.pk]))
    page.fill("#id_code", "NEW1")
    page.fill("#id_title", "New KPI")
    page.check("input[name=service_area][value=libraries]")
    page.check("input[name=unit][value=percentage]")
    page.fill("#id_annual_target", "95")
    page.fill("#id_floor", "99")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".govuk-error-summary")
    assert "the floor must be at or below the target" in page.inner_text(".govuk-error-summary")
    assert_accessible(page)
    assert plan.pk


def test_the_head_of_service_returns_a_signed_off_version_and_it_goes_round_again(
    page_for, assert_accessible, people
):
    c, b, h = people
    version = take_to(draft_version(c, kpis=1), VersionStatus.SIGNED_OFF, c, b, h)
    detail = reverse("specifications:version_detail", args=[version.pk])

    head = page_for(h)
    head.goto(reverse("home"))
    head.get_by_role("link", name="2016/17 specification, version 1.0").click()
    head.get_by_role("link", name="Return to the commissioner").click()
    # Without reasons: the message beside the field, and the page still passes axe.
    head.get_by_role("button", name="Return to the commissioner").click()
    head.wait_for_selector(".govuk-error-summary")
    assert "Enter the service's reasons" in head.inner_text(".govuk-error-summary")
    assert_accessible(head)
    head.fill("#id_reasons", "The Sunday opening target needs staff we do not have.")
    head.get_by_role("button", name="Return to the commissioner").click()
    head.wait_for_selector("text=has been returned to the commissioner with your reasons")

    commissioner = page_for(c)
    commissioner.goto(reverse("home"))
    commissioner.get_by_role("link", name="2016/17 specification, version 1.0").click()
    main = commissioner.inner_text("main")
    assert "Returned by the service" in main
    assert "The Sunday opening target needs staff we do not have." in main
    assert_accessible(commissioner)
    commissioner.get_by_role("button", name="Submit to the board").click()
    commissioner.wait_for_selector("text=has been submitted to the board")

    board = page_for(b)
    board.goto(detail)
    board.get_by_role("link", name="Record the board's sign-off").click()
    board.fill("#id_minute_reference", "LRA-SB/2016/9")
    board.get_by_role("button", name="Record the sign-off").click()
    board.wait_for_selector("text=has been recorded")

    head = page_for(h)
    head.goto(detail)
    head.get_by_role("button", name="Agree for the service").click()
    head.wait_for_selector("text=You have agreed version 1.0")
    version.refresh_from_db()
    assert version.status == VersionStatus.AGREED
    assert version.board_minute_reference == "LRA-SB/2016/9"


def test_the_public_diff_marks_added_and_removed_words_and_passes_axe(
    page_for, assert_accessible, people
):
    c = people[0]
    first = draft_version(c)
    overview = first.sections.get(kind="overview")
    services.section_update(section=overview, heading="Overview", body="Open six days.", by=c)
    take_to(first, VersionStatus.PUBLISHED, *people)
    FinancialYear.objects.get_or_create(start_year=2017)
    draft = services.specification_start_next_year(today=datetime.date(2016, 10, 1), by=c)
    services.section_update(
        section=draft.sections.get(kind="overview"),
        heading="Overview",
        body="Open seven days.",
        by=c,
    )
    take_to(draft, VersionStatus.PUBLISHED, *people)
    page = page_for(None)
    page.goto(
        reverse(
            "specifications:public_version",
            kwargs={"start_year": 2017, "major": draft.major, "minor": 0},
        )
    )
    added = page.locator("ins.lra-diff__added", has_text="seven")
    removed = page.locator("del.lra-diff__removed", has_text="six")
    assert added.text_content().strip() == "added: seven"
    assert removed.text_content().strip() == "removed: six"
    # Colour and text decoration both mark the change (not colour alone).
    assert "underline" in added.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in removed.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert_accessible(page)
