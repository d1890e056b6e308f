"""Each workflow transition tells exactly the people who now have to act, once, never
the actor, and the link it gives opens for each of them (lra_commissioning.notifications).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from changes import services as change_services
from funding import services as funding_services
from lra_commissioning.models import Notification, NotificationKind
from lra_commissioning.roles import Role
from performance import services as performance_services
from slas import services as sla_services
from specifications import services as spec_services
from specifications.models import VersionStatus
from tests.changes.factories import decide, raise_change
from tests.factories import make_user
from tests.funding.factories import draft, support_services
from tests.performance.factories import make_version, submitted_return
from tests.slas.factories import sla_in, support_service
from tests.specifications.factories import draft_version, published_version, take_to

JUNE = datetime.date(2016, 6, 1)


@pytest.fixture
def people(db):
    """Two of each role that acts, so "the people who must act" is more than one person."""
    return {
        "c": make_user(Role.COMMISSIONER, email="c@example.org", full_name="Carol Commissioner"),
        "c2": make_user(Role.COMMISSIONER, email="c2@example.org", full_name="Cath Commissioner"),
        "sm": make_user(Role.SERVICE_MANAGER, email="sm@example.org", full_name="Sam Manager"),
        "hos": make_user(
            Role.SERVICE_MANAGER, head_of_service=True, email="hos@example.org", full_name="Hana"
        ),
        "b": make_user(Role.BOARD_MEMBER, email="b@example.org", full_name="Bill Board"),
        "b2": make_user(Role.BOARD_MEMBER, email="b2@example.org", full_name="Bea Board"),
        "sl": make_user(Role.SUPPORT_LEAD, email="sl@example.org", full_name="Sue Support"),
        "ol": make_user(Role.SUPPORT_LEAD, email="ol@example.org", full_name="Olly Other"),
        "a": make_user(Role.ADMINISTRATOR, email="a@example.org", full_name="Ada Admin"),
    }


class Told:
    """The notifications a transition made: taken between `start()` and `new()`."""

    def __init__(self):
        self.mark = 0

    def start(self):
        last = Notification.objects.order_by("-id").first()
        self.mark = last.id if last else 0

    def new(self):
        return list(Notification.objects.filter(id__gt=self.mark).select_related("recipient"))


@pytest.fixture
def told(people):
    return Told()


def assert_told(told, client, people, expected, kind, actor):
    """Exactly `expected` (names in `people`) were told, once each, of one kind; never
    the actor; and each one's link opens for them."""
    rows = told.new()
    emails = sorted(n.recipient.email for n in rows)
    assert emails == sorted(people[k].email for k in expected), [n.title for n in rows]
    assert people[actor].email not in emails
    assert {n.kind for n in rows} == {kind}
    for n in rows:
        client.force_login(n.recipient)
        response = client.get(n.url)
        assert response.status_code == 200, (n.recipient, n.url, response.status_code)
    return rows


# Performance ----------------------------------------------------------------------------


@pytest.fixture
def version_2016(people):
    return make_version(2016)


def test_a_submitted_return_goes_to_the_commissioners(people, version_2016, told, client):
    told.start()
    submitted_return(JUNE, people["sm"])
    rows = assert_told(told, client, people, ["c", "c2"], NotificationKind.TO_REVIEW, "sm")
    assert rows[0].url == reverse("performance:review", args=["2016-06"])
    assert rows[0].title == "June 2016 KPI return submitted: review it"


def test_a_queried_value_goes_to_the_service_managers_with_a_link_to_the_value(
    people, version_2016, told, client
):
    ret = submitted_return(JUNE, people["sm"])
    values = {v.kpi_code: v for v in ret.values.all()}
    told.start()
    performance_services.monthly_return_review(
        monthly_return=ret,
        decisions={
            values["LIB01"].pk: ("query", "Visits look too low"),
            values["REG01"].pk: ("accept", ""),
            values["REG05"].pk: ("accept", ""),
        },
        by=people["c"],
    )
    rows = assert_told(told, client, people, ["sm", "hos"], NotificationKind.RETURNED, "c")
    assert rows[0].url == reverse("performance:return", args=["2016-06"]) + "#kpi-LIB01"
    assert "LIB01: Visits look too low" in rows[0].body


def test_a_review_that_queries_nothing_tells_nobody(people, version_2016, told):
    ret = submitted_return(JUNE, people["sm"])
    told.start()
    performance_services.monthly_return_review(
        monthly_return=ret,
        decisions={v.pk: ("accept", "") for v in ret.values.all()},
        by=people["c"],
    )
    assert told.new() == []


def test_a_corrected_return_goes_back_to_the_commissioners(people, version_2016, told, client):
    ret = submitted_return(JUNE, people["sm"])
    value = ret.values.get(kpi_code="LIB01")
    performance_services.monthly_return_review(
        monthly_return=ret,
        decisions={
            v.pk: ("query" if v.pk == value.pk else "accept", "Check it") for v in ret.values.all()
        },
        by=people["c"],
    )
    told.start()
    performance_services.monthly_return_resubmit(
        monthly_return=ret, reasons={value.pk: "Counter fixed"}, by=people["sm"]
    )
    rows = assert_told(told, client, people, ["c", "c2"], NotificationKind.TO_REVIEW, "sm")
    assert "corrected and resubmitted" in rows[0].title


def test_a_revised_value_goes_back_to_the_commissioners(people, version_2016, told, client):
    ret = submitted_return(JUNE, people["sm"])
    performance_services.monthly_return_review(
        monthly_return=ret,
        decisions={v.pk: ("accept", "") for v in ret.values.all()},
        by=people["c"],
    )
    told.start()
    performance_services.kpi_return_revise(
        kpi_return=ret.values.get(kpi_code="LIB01"),
        value="1300",
        commentary="",
        reason="Late counts",
        by=people["hos"],
    )
    assert_told(told, client, people, ["c", "c2"], NotificationKind.TO_REVIEW, "hos")


def test_a_submitted_management_report_goes_to_the_commissioners(
    people, version_2016, told, client
):
    report = performance_services.management_report_save(
        month=JUNE, highlights="Good", risks_and_issues="", finance_summary="", by=people["sm"]
    )
    told.start()
    performance_services.management_report_submit(report=report, by=people["sm"])
    assert_told(told, client, people, ["c", "c2"], NotificationKind.TO_REVIEW, "sm")


def test_an_escalation_goes_to_the_board_and_its_answer_to_who_raised_it(
    people, version_2016, told, client
):
    told.start()
    escalation = performance_services.escalation_raise(
        title="Budget pressure", kind="financial", description="Overspend", by=people["sm"]
    )
    assert_told(told, client, people, ["b", "b2"], NotificationKind.RISK_ESCALATION, "sm")
    told.start()
    performance_services.escalation_respond(
        escalation=escalation, response="Find savings", by=people["b"]
    )
    rows = assert_told(told, client, people, ["sm"], NotificationKind.RISK_ESCALATION, "b")
    assert rows[0].body == "Find savings"


# Specifications -------------------------------------------------------------------------


def test_a_version_sent_to_the_board_goes_to_the_board_members(people, told, client):
    version = draft_version(people["c"])
    told.start()
    spec_services.version_submit(version=version, by=people["c"])
    assert_told(told, client, people, ["b", "b2"], NotificationKind.TO_DECIDE, "c")


def test_the_boards_sign_off_goes_to_the_head_of_service(people, told, client):
    version = draft_version(people["c"])
    spec_services.version_submit(version=version, by=people["c"])
    told.start()
    spec_services.version_sign_off(
        version=version,
        decided_on=datetime.date(2016, 1, 20),
        minute_reference="SB/1",
        by=people["b"],
    )
    assert_told(told, client, people, ["hos"], NotificationKind.TO_AGREE, "b")


def test_a_version_returned_by_the_board_goes_to_the_commissioners(people, told, client):
    version = draft_version(people["c"])
    told.start()
    take_to(version, VersionStatus.RETURNED, people["c"], people["b"], people["hos"])
    rows = told.new()
    returned = [n for n in rows if n.kind == NotificationKind.RETURNED]
    assert sorted(n.recipient.email for n in returned) == ["c2@example.org", "c@example.org"]
    assert returned[0].body == "Raise LIB01."


def test_an_agreed_version_goes_to_the_commissioners_to_publish(people, told, client):
    version = draft_version(people["c"])
    take_to(version, VersionStatus.SIGNED_OFF, people["c"], people["b"], people["hos"])
    told.start()
    spec_services.version_agree(version=version, by=people["hos"])
    assert_told(told, client, people, ["c", "c2"], NotificationKind.DECIDED, "hos")


def test_a_version_returned_by_the_service_goes_to_the_commissioners(people, told, client):
    version = draft_version(people["c"])
    take_to(version, VersionStatus.SIGNED_OFF, people["c"], people["b"], people["hos"])
    told.start()
    spec_services.version_return_by_service(
        version=version, reasons="The Sunday target needs staff we do not have.", by=people["hos"]
    )
    [first, *_] = assert_told(told, client, people, ["c", "c2"], NotificationKind.RETURNED, "hos")
    assert first.body == "The Sunday target needs staff we do not have."
    assert "returned by the head of service" in first.title


@pytest.fixture
def plan(people):
    version = published_version(people["c"], people["b"], people["hos"])
    plan = spec_services.business_plan_start(
        financial_year=version.specification.financial_year, by=people["sm"]
    )
    for section in plan.sections.all():
        spec_services.business_plan_section_update(
            section=section, approach="We will.", by=people["sm"]
        )
    return plan


def test_a_business_plan_submitted_or_returned_goes_to_the_side_that_acts(
    people, plan, told, client
):
    told.start()
    spec_services.business_plan_submit(plan=plan, by=people["sm"])
    assert_told(told, client, people, ["c", "c2"], NotificationKind.TO_REVIEW, "sm")
    told.start()
    section = plan.sections.first()
    spec_services.business_plan_return(
        plan=plan, section_comments={section.pk: "Say more"}, by=people["c"]
    )
    rows = assert_told(told, client, people, ["sm", "hos"], NotificationKind.RETURNED, "c")
    assert "revise O1" in rows[0].title
    told.start()
    spec_services.business_plan_submit(plan=plan, by=people["hos"])
    rows = assert_told(told, client, people, ["c", "c2"], NotificationKind.TO_REVIEW, "hos")
    assert "resubmitted" in rows[0].title


# Funding --------------------------------------------------------------------------------


def test_a_budget_goes_to_the_board_and_its_decision_to_the_commissioners(people, told, client):
    support_services(people["c"])
    version = draft(people["c"])
    told.start()
    funding_services.budget_version_propose(version=version, by=people["c"])
    assert_told(told, client, people, ["b", "b2"], NotificationKind.TO_DECIDE, "c")
    told.start()
    funding_services.budget_version_decide(
        version=version,
        agree=False,
        decided_on=datetime.date(2015, 12, 9),
        comments="Less on staffing",
        by=people["b"],
    )
    assert_told(told, client, people, ["c", "c2"], NotificationKind.RETURNED, "b")
    funding_services.budget_version_propose(version=version, by=people["c"])
    told.start()
    funding_services.budget_version_decide(
        version=version,
        agree=True,
        decided_on=datetime.date(2015, 12, 9),
        minute_reference="SB/2",
        by=people["b2"],
    )
    assert_told(told, client, people, ["c", "c2"], NotificationKind.DECIDED, "b2")
    told.start()
    funding_services.budget_version_confirm(
        version=version, by=people["c2"], on=datetime.date(2015, 12, 14)
    )
    assert_told(told, client, people, ["hos"], NotificationKind.BUDGET_NOTICE, "c2")


# Changes --------------------------------------------------------------------------------


@pytest.fixture
def in_force(people):
    return published_version(people["c"], people["b"], people["hos"], kpis=1)


def test_a_fundamental_change_goes_to_the_board_and_its_approval_to_the_commissioners(
    people, in_force, told, client
):
    change = raise_change(people["c"], fundamental=True)
    told.start()
    change_services.change_request_submit(change=change, by=people["c"])
    assert_told(told, client, people, ["b", "b2"], NotificationKind.TO_DECIDE, "c")
    told.start()
    decide(change, people["b"], decision="approved")
    # The head of service agrees it for the service, then the commissioners apply it.
    assert_told(told, client, people, ["hos"], NotificationKind.TO_AGREE, "b")
    told.start()
    change_services.change_request_agree(change=change, side="service", by=people["hos"])
    assert_told(told, client, people, ["c", "c2"], NotificationKind.DECIDED, "hos")


def test_a_rejected_change_goes_back_to_who_raised_it(people, in_force, told, client):
    change = raise_change(people["sm"], fundamental=True)
    change_services.change_request_submit(change=change, by=people["sm"])
    told.start()
    decide(change, people["b"], decision="rejected")
    assert_told(told, client, people, ["sm"], NotificationKind.DECIDED, "b")


def test_a_minor_variation_goes_to_both_sides_that_agree_it(people, in_force, told, client):
    change = raise_change(people["sm"])
    told.start()
    change_services.change_request_submit(change=change, by=people["sm"])
    assert_told(told, client, people, ["c", "c2", "hos"], NotificationKind.TO_AGREE, "sm")


def test_an_idea_goes_to_the_board_and_its_view_to_who_proposed_it(people, told, client):
    told.start()
    idea = change_services.idea_propose(
        title="Pop-up library",
        description="A van",
        benefits="Reach",
        costs="£10k",
        risks="Weather",
        by=people["sm"],
    )
    assert_told(told, client, people, ["b", "b2"], NotificationKind.TO_DECIDE, "sm")
    told.start()
    change_services.idea_decide(
        idea=idea,
        decision="adopted",
        decided_on=datetime.date.today(),
        minute_reference="SB/9",
        by=people["b"],
    )
    assert_told(told, client, people, ["sm"], NotificationKind.DECIDED, "b")


# SLAs -----------------------------------------------------------------------------------


def test_a_proposed_sla_goes_to_both_sides_but_not_to_other_leads(people, told, client):
    ict = support_service("ICT", leads=[people["sl"]])
    support_service("HR", leads=[people["ol"]])
    sla = sla_in("drafting", service=ict, manager=people["sm"], lead=people["sl"])
    told.start()
    sla_services.sla_propose(sla=sla, by=people["sm"], on=datetime.date(2016, 2, 1))
    assert_told(told, client, people, ["hos", "sl"], NotificationKind.TO_AGREE, "sm")


def test_a_repeated_notification_for_the_same_event_tells_nobody_twice(people, version_2016):
    ret = submitted_return(JUNE, people["sm"])
    from performance import notifications

    notifications.return_submitted(ret, by=people["sm"])
    assert Notification.objects.filter(recipient=people["c"]).count() == 1


def test_inactive_people_are_not_told(people, version_2016):
    people["c2"].is_active = False
    people["c2"].save()
    submitted_return(JUNE, people["sm"], values={"LIB01": Decimal(1)})
    assert not Notification.objects.filter(recipient=people["c2"]).exists()
