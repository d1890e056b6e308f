"""The change pages: server-side checks, refusals shown on the page, fixed query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from changes import services
from changes.models import ChangeRequest, Status
from lra_commissioning.roles import Role
from tests.factories import make_user

from .factories import decide, in_force, raise_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(commissioner, board_member, head_of_service):
    return in_force(commissioner, board_member, head_of_service)


def test_raise_form_classifies_and_shows_specific_errors(client, version, service_manager):
    client.force_login(service_manager)
    response = client.post(
        reverse("changes:new"),
        {"title": "", "effective_on_0": "1", "effective_on_1": "1", "effective_on_2": "2030"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a short title for the change" in body
    assert "Select yes or no: does it affect the agreed budget?" in body
    response = client.post(
        reverse("changes:new"),
        {
            "title": "Shorter hours",
            "description": "Close at 5pm.",
            "reason": "Savings.",
            "effective_on_0": "1",
            "effective_on_1": "1",
            "effective_on_2": "2030",
            "alters_objectives": "no",
            "contravenes_policy": "no",
            "affects_budget": "yes",
        },
    )
    assert response.status_code == 400
    assert "within 2016/17" in response.content.decode()
    assert not ChangeRequest.objects.exists()
    response = client.post(
        reverse("changes:new"),
        {
            "title": "Shorter hours",
            "description": "Close at 5pm.",
            "reason": "Savings.",
            "effective_on_0": "1",
            "effective_on_1": "9",
            "effective_on_2": "2016",
            "alters_objectives": "no",
            "contravenes_policy": "no",
            "affects_budget": "yes",
        },
    )
    change = ChangeRequest.objects.get()
    assert response.url == reverse("changes:detail", args=[change.pk])
    assert change.kind == "fundamental"


def test_submitting_with_an_empty_impact_assessment_shows_the_reason(client, version, commissioner):
    change = raise_change(commissioner, fundamental=True, impacts=False)
    client.force_login(commissioner)
    response = client.post(reverse("changes:act", args=[change.pk, "submit"]), follow=True)
    assert "Complete the impact assessment" in response.content.decode()
    change.refresh_from_db()
    assert change.status == Status.DRAFT


def test_second_board_member_is_told_it_was_already_decided(
    client, version, commissioner, board_member
):
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    decide(change, board_member, "approved")
    other = make_user(Role.BOARD_MEMBER)
    client.force_login(other)
    response = client.post(
        reverse("changes:decide", args=[change.pk]),
        {
            "decision": "rejected",
            "decided_on": timezone.localdate().strftime("%d/%m/%Y"),
            "minute_reference": "SB/9",
        },
        follow=True,
    )
    assert "already recorded" in response.content.decode()
    change.refresh_from_db()
    assert change.decision == "approved"


def test_only_a_board_member_may_open_the_decision_form(
    client, version, commissioner, service_manager
):
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    for user in (commissioner, service_manager):
        client.force_login(user)
        assert client.get(reverse("changes:decide", args=[change.pk])).status_code == 403


def test_detail_offers_each_side_only_its_own_button(
    client, version, commissioner, head_of_service, service_manager
):
    change = raise_change(service_manager)
    services.change_request_submit(change=change, by=service_manager)
    url = reverse("changes:detail", args=[change.pk])
    client.force_login(commissioner)
    body = client.get(url).content.decode()
    assert "Agree for the council" in body and "Agree for the service" not in body
    client.force_login(head_of_service)
    body = client.get(url).content.decode()
    assert "Agree for the service" in body and "Agree for the council" not in body
    client.force_login(service_manager)
    body = client.get(url).content.decode()
    assert "Agree for the" not in body


def _many_changes(n, commissioner, board_member):
    for i in range(n):
        change = raise_change(commissioner, fundamental=True, title=f"Change {i}")
        services.change_request_submit(change=change, by=commissioner)
        services.idea_propose(
            title=f"Idea {i}",
            description="d",
            benefits="b",
            costs="c",
            risks="r",
            by=make_user(Role.SERVICE_MANAGER),
        )
        if i % 2:
            decide(change, board_member, "rejected")


@pytest.mark.parametrize("url_name", ["changes:index", "changes:ideas"])
def test_list_pages_cost_a_fixed_number_of_queries(
    url_name, client, version, commissioner, board_member, django_assert_max_num_queries
):
    client.force_login(commissioner)
    _many_changes(2, commissioner, board_member)
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _many_changes(8, commissioner, board_member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_public_version_page_shows_the_change_log_and_the_notice(
    client, version, commissioner, board_member, head_of_service, django_assert_max_num_queries
):
    change = raise_change(commissioner, fundamental=True, title="Reduce archive hours")
    services.change_request_submit(change=change, by=commissioner)
    decide(change, board_member, "approved")
    services.change_request_agree(change=change, side="service", by=head_of_service)
    change = services.change_request_apply(change=change, by=commissioner)
    services.decision_notice_publish(decision=change.board_decision, by=commissioner)
    v = change.applied_version
    url = reverse("specifications:public_version", args=[2016, v.major, v.minor])
    with django_assert_max_num_queries(20):
        body = client.get(url).content.decode()
    assert "Change log" in body
    assert f"{change.reference} Reduce archive hours" in body
    assert "KPI K000: annual target 950, floor 850" in body
    notice = client.get(reverse("changes:notice", args=[change.board_decision.pk]))
    assert notice.status_code == 200
    assert "Reduce archive hours" in notice.content.decode()


def test_an_unpublished_decision_has_no_public_notice(client, version, commissioner, board_member):
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    change = decide(change, board_member, "approved")
    assert client.get(reverse("changes:notice", args=[change.board_decision.pk])).status_code == 404


def test_attention_lists_each_side_its_minor_variations(
    version, commissioner, head_of_service, service_manager, board_member
):
    from changes.attention import items_for

    change = raise_change(service_manager)
    services.change_request_submit(change=change, by=service_manager)
    assert [i.status for i in items_for(commissioner)] == ["For the council"]
    assert [i.status for i in items_for(head_of_service)] == ["For the service"]
    assert items_for(service_manager) == []
    services.change_request_agree(change=change, side="service", by=head_of_service)
    assert items_for(head_of_service) == []
    fundamental = raise_change(
        commissioner, fundamental=True, effective_on=datetime.date(2016, 9, 1)
    )
    services.change_request_submit(change=fundamental, by=commissioner)
    assert [i.group for i in items_for(board_member)] == ["Fundamental changes awaiting a decision"]


# How each version says it was agreed ---------------------------------------------------


def _public_page(client, v):
    url = reverse("specifications:public_version", args=[2016, v.major, v.minor])
    return client.get(url).content.decode()


def test_a_minor_variation_version_says_how_and_by_whom_it_was_agreed(
    client, version, commissioner, head_of_service, service_manager
):
    change = raise_change(service_manager)
    services.change_request_submit(change=change, by=service_manager)
    services.change_request_agree(change=change, side="service", by=head_of_service)
    change = services.change_request_agree(change=change, side="council", by=commissioner)
    day = f"{timezone.localdate():%-d %B %Y}"
    body = _public_page(client, change.applied_version)
    assert (
        f"Made by minor variation {change.reference}, agreed for the council by "
        f"{commissioner} on {day} and for the service by {head_of_service} on {day}."
    ) in body
    assert "(minute )" not in body and "Signed off by the Strategic Board" not in body
    current = client.get(reverse("specifications:public_current")).content.decode()
    assert f"Made by minor variation {change.reference}" in current
    assert "(minute )" not in current


def test_a_fundamental_change_version_names_the_board_and_who_agreed_for_the_service(
    client, version, commissioner, board_member, head_of_service
):
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    decide(change, board_member, "approved")
    services.change_request_agree(change=change, side="service", by=head_of_service)
    change = services.change_request_apply(change=change, by=commissioner)
    day = f"{timezone.localdate():%-d %B %Y}"
    body = _public_page(client, change.applied_version)
    assert (
        f"Made by fundamental change {change.reference}, approved by the Strategic Board on "
        f"{day} (minute SB/7) and agreed for the service by {head_of_service} on {day}."
    ) in body
    assert f"agreed for the service by {commissioner}" not in body


def test_a_version_of_the_annual_cycle_names_the_board_and_the_head_of_service(
    client, version, head_of_service
):
    body = _public_page(client, version)
    assert (
        "Signed off by the Strategic Board on 20 January 2016 (minute SB/1) and agreed for the "
        f"service by {head_of_service} on"
    ) in body


def test_the_head_of_service_is_asked_to_agree_an_approved_fundamental_change(
    client, version, commissioner, board_member, head_of_service
):
    from changes.attention import items_for

    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    decide(change, board_member, "approved")
    assert [i.group for i in items_for(head_of_service)] == [
        "Fundamental changes to agree for the service"
    ]
    assert items_for(commissioner) == []  # nothing to apply until the service agrees
    client.force_login(commissioner)
    page = client.get(reverse("changes:detail", args=[change.pk])).content.decode()
    assert "Apply as a new version" not in page
    client.force_login(head_of_service)
    response = client.post(reverse("changes:act", args=[change.pk, "agree_service"]))
    assert response.status_code == 302
    assert items_for(head_of_service) == []
    assert [i.group for i in items_for(commissioner)] == ["Changes to apply"]
    client.force_login(commissioner)
    page = client.get(reverse("changes:detail", args=[change.pk])).content.decode()
    assert "Apply as a new version" in page and f"By {head_of_service} on" in page
