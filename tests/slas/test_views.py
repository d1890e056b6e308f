"""SLA pages: who may do what (every action x role), bad input on forms, fixed query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from lra_commissioning.roles import Role
from slas import attention, selectors, services
from slas.models import SLA, SlaStatus
from tests.factories import make_user

from .factories import other_lead, sla_in, support_service

S = SlaStatus


@pytest.fixture
def people(commissioner, service_manager, board_member, support_lead, administrator):
    return {
        "commissioner": commissioner,
        "service_manager": service_manager,
        "board_member": board_member,
        "own_lead": support_lead,
        "other_lead": other_lead(),
        "administrator": administrator,
    }


@pytest.fixture
def ict(support_lead):
    return support_service("ICT", leads=[support_lead])


# action: (state it starts in, who may do it, the state after)
ACTION_RULES = {
    "propose": (S.DRAFTING, {"service_manager", "own_lead"}, S.PROPOSED),
    "agree_for_service": (S.PROPOSED, {"service_manager"}, S.PROPOSED),
    "agree_for_support_service": (S.PROPOSED, {"own_lead"}, S.PROPOSED),
    "bring_into_force": (S.AGREED, {"service_manager", "own_lead"}, S.IN_FORCE),
    "start_review": (S.IN_FORCE, {"service_manager", "own_lead"}, S.UNDER_REVIEW),
    "renew": (S.UNDER_REVIEW, {"service_manager", "own_lead"}, S.RENEWED),
    "end": (S.UNDER_REVIEW, {"service_manager", "own_lead"}, S.ENDED),
    "start_next_year": (S.IN_FORCE, {"service_manager", "own_lead"}, S.IN_FORCE),
}
WHO = ["commissioner", "service_manager", "board_member", "own_lead", "other_lead", "administrator"]


@pytest.mark.parametrize("action", sorted(ACTION_RULES))
@pytest.mark.parametrize("who", WHO)
def test_each_action_is_open_only_to_its_roles(action, who, people, ict, client):
    start, allowed, after = ACTION_RULES[action]
    sla = sla_in(start, service=ict, manager=people["service_manager"], lead=people["own_lead"])
    client.force_login(people[who])
    response = client.post(reverse("slas:act", args=[sla.pk, action]))
    sla.refresh_from_db()
    if who in allowed:
        assert response.status_code == 302
        assert sla.status == after
        if action == "start_next_year":
            assert SLA.objects.filter(based_on=sla).exists()
        if action.startswith("agree"):
            side = "service_agreed_by" if action == "agree_for_service" else "support_agreed_by"
            assert getattr(sla, side) == people[who]
    else:
        expected = 404 if who == "other_lead" else 403
        assert response.status_code == expected
        assert sla.status == start


@pytest.mark.parametrize("who", WHO)
def test_detail_page_shows_each_role_only_what_it_may_see(who, people, ict, client):
    sla = sla_in(
        S.PROPOSED, service=ict, manager=people["service_manager"], lead=people["own_lead"]
    )
    client.force_login(people[who])
    response = client.get(reverse("slas:detail", args=[sla.pk]))
    expected = {"other_lead": 404, "administrator": 403}.get(who, 200)
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert ("Agree the SLA for the LRA service" in page) == (who == "service_manager")
        assert ("Agree the SLA for the support service" in page) == (who == "own_lead")
        assert ("History of changes" in page) == (who != "own_lead")


def test_a_wrong_state_action_shows_why_and_changes_nothing(people, ict, client):
    sla = sla_in(
        S.DRAFTING, service=ict, manager=people["service_manager"], lead=people["own_lead"]
    )
    client.force_login(people["service_manager"])
    response = client.post(reverse("slas:act", args=[sla.pk, "end"]), follow=True)
    assert "This SLA is drafting, so it cannot be ended." in response.content.decode()
    sla.refresh_from_db()
    assert sla.status == S.DRAFTING


def test_an_unknown_action_is_not_found(people, ict, client):
    sla = sla_in(
        S.DRAFTING, service=ict, manager=people["service_manager"], lead=people["own_lead"]
    )
    client.force_login(people["service_manager"])
    assert client.post(reverse("slas:act", args=[sla.pk, "delete"])).status_code == 404


def test_someone_who_agreed_one_side_is_not_offered_the_other(ict, support_lead, client):
    both = make_user(Role.SERVICE_MANAGER, Role.SUPPORT_LEAD, email="both@example.org")
    ict.leads.add(both)
    sla = sla_in(S.PROPOSED, service=ict, manager=both, lead=support_lead)
    services.sla_agree(sla=sla, side=services.SERVICE_SIDE, by=both)
    client.force_login(both)
    page = client.get(reverse("slas:detail", args=[sla.pk])).content.decode()
    assert "Agree the SLA for the support service" not in page
    response = client.post(
        reverse("slas:act", args=[sla.pk, "agree_for_support_service"]), follow=True
    )
    assert "another lead of the support service must agree it" in response.content.decode()


# Bad input on the forms ------------------------------------------------------


def test_target_outside_range_is_shown_on_the_target_field(people, ict, client):
    sla = sla_in(
        S.DRAFTING, service=ict, manager=people["service_manager"], lead=people["own_lead"]
    )
    client.force_login(people["own_lead"])
    response = client.post(
        reverse("slas:level_add", args=[sla.pk]),
        {
            "measure": "Calls answered",
            "unit": "percentage",
            "target": "120",
            "higher_is_better": "yes",
            "frequency": "quarterly",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "There is a problem" in page
        and "A target in percentage must be between 0% and 100%." in page
    )
    assert sla.service_levels.count() == 1


def test_form_messages_are_specific(people, ict, client):
    sla = sla_in(
        S.DRAFTING, service=ict, manager=people["service_manager"], lead=people["own_lead"]
    )
    client.force_login(people["own_lead"])
    page = client.post(
        reverse("slas:level_add", args=[sla.pk]), {"target": "lots"}
    ).content.decode()
    for message in ("Enter what is measured", "Choose the unit", "Enter the target as a number"):
        assert message in page


def test_review_before_start_is_shown_on_the_review_date(people, ict, client):
    sla = sla_in(
        S.DRAFTING, service=ict, manager=people["service_manager"], lead=people["own_lead"]
    )
    client.force_login(people["service_manager"])
    data = {
        "scope": "ICT",
        "annual_charge": "100.00",
        "starts_on_0": "1",
        "starts_on_1": "6",
        "starts_on_2": "2016",
        "review_on_0": "1",
        "review_on_1": "5",
        "review_on_2": "2016",
    }
    page = client.post(reverse("slas:edit", args=[sla.pk]), data).content.decode()
    assert "The review date must be after the start date." in page
    data.update({"review_on_0": "31", "review_on_1": "2"})
    page = client.post(reverse("slas:edit", args=[sla.pk]), data).content.decode()
    assert "The review date must be a real date" in page
    sla.refresh_from_db()
    assert sla.scope != "ICT"


def test_a_second_sla_for_the_same_year_is_refused_on_the_form(people, ict, client):
    sla_in(S.DRAFTING, service=ict, manager=people["service_manager"], lead=people["own_lead"])
    client.force_login(people["service_manager"])
    page = client.post(
        reverse("slas:create"), {"support_service": ict.pk, "start_year": 2016}
    ).content.decode()
    assert "ICT already has an SLA for 2016/17: open it instead." in page


def test_support_lead_cannot_start_another_services_sla(people, ict, client):
    hr = support_service("HR")
    client.force_login(people["own_lead"])
    response = client.post(reverse("slas:create"), {"support_service": hr.pk, "start_year": 2016})
    assert response.status_code == 200
    assert "Choose the support service" in response.content.decode()
    assert not SLA.objects.exists()


def test_editing_a_proposed_sla_is_refused(people, ict, client):
    sla = sla_in(
        S.PROPOSED, service=ict, manager=people["service_manager"], lead=people["own_lead"]
    )
    client.force_login(people["service_manager"])
    response = client.get(reverse("slas:edit", args=[sla.pk]), follow=True)
    assert "its content cannot change" in response.content.decode()


def test_reporting_a_breach_asks_for_commentary(people, ict, client):
    sla = sla_in(
        S.IN_FORCE, service=ict, manager=people["service_manager"], lead=people["own_lead"]
    )
    level = sla.service_levels.get()
    client.force_login(people["own_lead"])
    response = client.post(
        reverse("slas:result_add", args=[sla.pk, level.pk]), {"period": "2016-04-01", "value": "90"}
    )
    result = level.results.get()
    assert response.url == reverse("slas:result_edit", args=[sla.pk, result.pk])
    assert result.rating == "breached"
    page = client.post(
        reverse("slas:result_add", args=[sla.pk, level.pk]), {"period": "2015-04-01", "value": "90"}
    ).content.decode()
    assert "Choose a reporting period within the SLA" in page


def test_a_lead_reports_a_result_from_the_cases_counted_in_working_hours(people, ict, client):
    sla = sla_in(
        S.IN_FORCE,
        service=ict,
        manager=people["service_manager"],
        lead=people["own_lead"],
        time_limit_hours=Decimal("4"),
    )
    level = sla.service_levels.get()
    client.force_login(people["own_lead"])
    url = reverse("slas:result_add", args=[sla.pk, level.pk])
    form = client.get(url).content.decode()
    assert "at least 95% of cases within 4 working hours" in form
    assert "Or list the cases" in form
    bad = client.post(url, {"period": "2016-04-01", "cases": "3/6/2016 16:00"}).content.decode()
    assert "Line 1: enter when the case was opened and when it was dealt with" in bad
    # 2.5 working hours over a weekend, 3 over the Spring bank holiday, then 6.
    cases = "\n".join(
        [
            "3/6/2016 16:00, 6/6/2016 10:30",
            "27/5/2016 16:00, 31/5/2016 11:00",
            "1/6/2016 09:00, 1/6/2016 15:00",
        ]
    )
    response = client.post(url, {"period": "2016-04-01", "cases": cases})
    result = level.results.get()
    assert response.url == reverse("slas:result_edit", args=[sla.pk, result.pk])
    assert result.value == Decimal("66.7") and result.rating == "breached"
    page = client.get(reverse("slas:performance", args=[sla.pk])).content.decode()
    assert "Target: at least 95% of cases within 4 working hours" in page
    assert ">66.70</td>" in page


def test_a_result_without_a_value_or_cases_names_both(people, ict, client):
    sla = sla_in(
        S.IN_FORCE,
        service=ict,
        manager=people["service_manager"],
        lead=people["own_lead"],
        time_limit_hours=Decimal("4"),
    )
    client.force_login(people["own_lead"])
    url = reverse("slas:result_add", args=[sla.pk, sla.service_levels.get().pk])
    page = client.post(url, {"period": "2016-04-01"}).content.decode()
    assert "Enter the result, or list the cases" in page


# Reads: fixed query counts ---------------------------------------------------


def _many_slas(count, manager, lead):
    for n in range(count):
        service = support_service(f"Service {n}", leads=[lead])
        sla = sla_in(S.IN_FORCE, service=service, manager=manager, lead=lead, levels=2)
        for level in sla.service_levels.all():
            services.result_report(
                service_level=level,
                period_start=datetime.date(2016, 4, 1),
                value=Decimal("90"),
                by=lead,
                on=datetime.date(2016, 7, 20),
            )


@pytest.mark.parametrize("count", [1, 6])
def test_index_overview_and_attention_cost_a_fixed_number_of_queries(
    count, people, client, django_assert_max_num_queries
):
    _many_slas(count, people["service_manager"], people["own_lead"])
    client.force_login(people["own_lead"])
    # (11 with the session's question whether a write waits for its move.)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("slas:index") + "?year=2016").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("slas:overview") + "?year=2016").status_code == 200
    with django_assert_max_num_queries(10):
        items = attention.items_for(people["own_lead"])
    assert sum(1 for i in items if i.group == attention.BREACHES) == 2 * count


def test_detail_and_performance_cost_a_fixed_number_of_queries(
    people, ict, client, django_assert_max_num_queries
):
    sla = sla_in(
        S.IN_FORCE,
        service=ict,
        manager=people["service_manager"],
        lead=people["own_lead"],
        levels=5,
    )
    for level in sla.service_levels.all():
        services.result_report(
            service_level=level,
            period_start=datetime.date(2016, 4, 1),
            value=96,
            by=people["own_lead"],
            on=datetime.date(2016, 8, 1),
        )
    client.force_login(people["service_manager"])
    with django_assert_max_num_queries(18):
        assert client.get(reverse("slas:detail", args=[sla.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        page = client.get(reverse("slas:performance", args=[sla.pk])).content.decode()
    assert page.count("<svg") == 5 and "Not reported" in page


# The index's deadline status, attention and the contracts ---------------------


def test_index_shows_agreed_late_and_missing(people, ict, client):
    sla_in(S.AGREED, service=ict, manager=people["service_manager"], lead=people["own_lead"])
    hr = support_service("HR", leads=[people["own_lead"]])
    late = sla_in(
        S.PROPOSED, service=hr, manager=people["service_manager"], lead=people["own_lead"]
    )
    services.sla_agree(
        sla=late, side=services.SUPPORT_SIDE, by=people["own_lead"], on=datetime.date(2016, 4, 2)
    )
    services.sla_agree(
        sla=late,
        side=services.SERVICE_SIDE,
        by=people["service_manager"],
        on=datetime.date(2016, 4, 5),
    )
    support_service("Property")
    client.force_login(people["commissioner"])
    page = client.get(reverse("slas:index") + "?year=2016").content.decode()
    assert "Agreed by the deadline: 1" in page and "Late: 1" in page and "Missing: 1" in page
    assert "Agreed late" in page


def test_support_lead_sees_only_their_services_on_the_index(people, ict, client):
    support_service("HR")
    client.force_login(people["own_lead"])
    rows = selectors.sla_index(user=people["own_lead"], start_year=2016)
    assert [r.support_service.name for r in rows] == ["ICT"]


def test_attention_lists_slas_to_agree_for_each_side(people, ict):
    sla_in(S.PROPOSED, service=ict, manager=people["service_manager"], lead=people["own_lead"])
    for who in ("service_manager", "own_lead"):
        items = attention.items_for(people[who])
        assert [i.group for i in items] == [attention.TO_AGREE]
    assert attention.items_for(people["other_lead"]) == []
    assert attention.items_for(people["commissioner"]) == []


def test_attention_lists_results_due_for_the_support_lead(people, ict):
    sla_in(S.IN_FORCE, service=ict, manager=people["service_manager"], lead=people["own_lead"])
    items = attention.items_for(people["own_lead"])
    assert [i.title for i in items if i.group == attention.RESULTS_DUE][0].endswith("Q1 2016/17")
    assert len([i for i in items if i.group == attention.RESULTS_DUE]) == 4


def test_contracts_give_charges_of_agreed_slas_and_a_line_per_service(people, ict):
    sla_in(S.IN_FORCE, service=ict, manager=people["service_manager"], lead=people["own_lead"])
    hr = support_service("HR")
    sla_in(S.DRAFTING, service=hr, manager=people["service_manager"], lead=people["own_lead"])
    support_service("Property")
    assert selectors.annual_charges(start_year=2016) == {ict.id: Decimal("1000.00")}
    lines = {line.support_service: line for line in selectors.sla_year_summary(start_year=2016)}
    assert lines["ICT"].status == "In force" and lines["ICT"].agreed_by_deadline
    assert lines["HR"].status == "Drafting" and not lines["HR"].agreed_by_deadline
    assert lines["Property"].status == "Missing"
