"""A fundamental change end to end in Chromium, and axe on every change page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from changes.models import ChangeRequest, Status

from .factories import in_force

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db, commissioner, board_member, head_of_service, service_manager):
    version = in_force(commissioner, board_member, head_of_service)
    return version, commissioner, board_member, head_of_service, service_manager


def _submit(page, label):
    page.get_by_role("button", name=label).click()


def test_manager_raises_board_approves_and_the_public_sees_the_new_version(
    page_for, assert_accessible, world
):
    version, commissioner, board_member, head, manager = world
    page = page_for(manager)
    page.goto(reverse("changes:index"))
    assert_accessible(page)
    page.get_by_role("link", name="Raise a change").click()
    assert_accessible(page)
    # In error first: every message on the page, and the page still passes axe.
    _submit(page, "Raise the change")
    assert "Enter a short title for the change" in page.content()
    assert_accessible(page)
    page.fill("#id_title", "Reduce archive search-room hours")
    page.fill("#id_description", "Close the search room on Saturdays.")
    page.fill("#id_reason", "Savings.")
    page.fill("#id_effective_on_0", "1")
    page.fill("#id_effective_on_1", "10")
    page.fill("#id_effective_on_2", "2016")
    page.check("input[name=alters_objectives][value=no]")
    page.check("input[name=contravenes_policy][value=no]")
    page.check("input[name=affects_budget][value=yes]")
    _submit(page, "Raise the change")
    assert "raised as a fundamental change" in page.content()
    assert_accessible(page)
    change = ChangeRequest.objects.get()

    page.get_by_role("link", name="Add a change: KPI target and floor").click()
    assert_accessible(page)
    page.select_option("#id_key", "K000")
    page.fill("#id_annual_target", "800")
    page.fill("#id_floor", "700")
    _submit(page, "Add the KPI change")
    # Submitting without the impact assessment is refused with the reason.
    _submit(page, "Submit to the board")
    assert "Complete the impact assessment" in page.content()
    page.get_by_role("link", name="Complete the impact assessment").click()
    assert_accessible(page)
    for name in ("financial", "service_users", "equalities", "legal", "staffing"):
        page.fill(f"#id_impact_{name}", "Assessed.")
    _submit(page, "Save the impact assessment")
    _submit(page, "Submit to the board")
    assert "submitted to the board" in page.content()

    board = page_for(board_member)
    board.goto(reverse("board:index"))
    assert_accessible(board)
    board.get_by_role("link", name=f"{change.reference} Reduce archive search-room hours").click()
    board.get_by_role("link", name="Record the board's decision").click()
    assert_accessible(board)
    board.check("input[name=decision][value=approved_with_conditions]")
    today = timezone.localdate()
    for box, part in enumerate((today.day, today.month, today.year)):
        board.fill(f"#id_decided_on_{box}", str(part))
    board.fill("#id_minute_reference", "LRA-SB/2016/12")
    _submit(board, "Record the decision")
    assert "Enter the conditions the board set" in board.content()
    assert_accessible(board)
    board.fill("#id_conditions", "Review Saturday demand in six months.")
    _submit(board, "Record the decision")
    assert "has been recorded" in board.content()

    # The head of service agrees it for the service; only then may it be applied.
    service = page_for(head)
    service.goto(reverse("changes:detail", args=[change.pk]))
    assert "Not yet: the head of service agrees it before it is applied" in service.content()
    _submit(service, "Agree for the service")
    assert_accessible(service)

    staff = page_for(commissioner)
    staff.goto(reverse("changes:detail", args=[change.pk]))
    _submit(staff, "Apply as a new version")
    assert "Version 1.1 is published" in staff.content()
    _submit(staff, "Publish the decision notice")
    assert_accessible(staff)
    change.refresh_from_db()
    assert change.status == Status.APPLIED

    public = page_for(None)
    public.goto(reverse("specifications:public_versions"))
    public.get_by_role("link", name="2016/17 version 1.1", exact=True).click()
    content = public.content()
    assert "What changed" in content and "Change log" in content
    assert "Review Saturday demand in six months." in content
    assert_accessible(public)
    public.get_by_role("link", name=f"Decision notice for {change.reference}").click()
    assert "Approved with conditions" in public.content()
    assert_accessible(public)


def test_idea_pages_and_notices_pass_axe(page_for, assert_accessible, world):
    from changes import services

    version, commissioner, board_member, head, manager = world
    page = page_for(manager)
    page.goto(reverse("changes:idea_new"))
    _submit(page, "Propose to the board")
    assert "Describe the idea" in page.content()
    assert_accessible(page)
    page.fill("#id_title", "Library of things")
    for name in ("description", "benefits", "costs", "risks"):
        page.fill(f"#id_{name}", "Written.")
    _submit(page, "Propose to the board")
    assert_accessible(page)
    page.goto(reverse("changes:ideas"))
    assert_accessible(page)
    idea = services.ServiceIdea.objects.get()
    board = page_for(board_member)
    board.goto(reverse("changes:idea_decide", args=[idea.pk]))
    assert_accessible(board)
    anon = page_for(None)
    anon.goto(reverse("changes:notices"))
    assert_accessible(anon)
