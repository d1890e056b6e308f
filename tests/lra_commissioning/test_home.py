"""Home pages that prioritise: grouped by what to do, most urgent first, one line per
obligation, long lists collapsed with a count."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from cycle import services as cycle_services
from cycle.models import Deadline
from lra_commissioning.attention import SHOWN, AttentionItem, group_by_urgency
from lra_commissioning.models import FinancialYear
from specifications import services as spec_services
from tests.performance.factories import make_version, submitted_return
from tests.specifications.factories import published_version

D = datetime.date


def item(group, title, due=None, overdue=False, key=""):
    return AttentionItem(group, title, f"/{title}/", due=due, overdue=overdue, key=key)


def test_groups_come_most_urgent_first_and_items_overdue_first_then_by_date():
    groups = group_by_urgency(
        [
            item("Budgets to agree", "No date"),
            item("Returns to review", "May", due=D(2016, 6, 14)),
            item("Returns to review", "April", due=D(2016, 5, 13), overdue=True),
            item("SLAs to agree", "ICT", due=D(2016, 4, 1)),
            item("Deadlines to meet", "Plan", due=D(2016, 3, 31)),
        ]
    )
    assert [g.title for g in groups] == [
        "Returns to review",  # holds an overdue item
        "Deadlines to meet",
        "SLAs to agree",
        "Budgets to agree",  # nothing dated
    ]
    assert [i.title for i in groups[0].items] == ["April", "May"]
    assert groups[0].overdue_count == 1


def test_one_line_per_obligation_keeps_the_first_and_takes_a_missing_due_date():
    groups = group_by_urgency(
        [
            item("Returns and reports to review", "June 2016 KPI return", key="kpi_return:2016-06"),
            item(
                "Escalated deadlines to follow up",
                "June 2016 KPI return",
                due=D(2016, 7, 14),
                overdue=True,
                key="kpi_return:2016-06",
            ),
            item("Queried values to correct", "LIB01"),
            item("Queried values to correct", "REG01"),
        ]
    )
    lines = [(g.title, i.title) for g in groups for i in g.items]
    assert lines == [
        ("Returns and reports to review", "June 2016 KPI return"),
        ("Queried values to correct", "LIB01"),
        ("Queried values to correct", "REG01"),
    ]
    assert groups[0].items[0].due == D(2016, 7, 14) and groups[0].items[0].overdue


def test_a_long_group_shows_its_first_items_and_the_rest_behind_a_count():
    [group] = group_by_urgency(
        [item("Results due", f"Q{n}", due=D(2016, 7, n + 1)) for n in range(SHOWN + 3)]
    )
    assert [i.title for i in group.shown] == [f"Q{n}" for n in range(SHOWN)]
    assert len(group.more) == 3


@pytest.fixture
def june_world(service_manager, commissioner):
    make_version(2016)
    cycle_services.deadlines_generate(start_year=2016)


def _lines(page: str, title: str) -> int:
    return len(re.findall(rf">{re.escape(title)}</a>", page))


def test_the_managers_home_lists_the_months_return_once(june_world, service_manager, client):
    client.force_login(service_manager)
    with time_machine.travel(datetime.datetime(2016, 7, 5, 9), tick=False):
        page = client.get(reverse("home")).content.decode()
    assert _lines(page, "June 2016 KPI return") == 1
    assert _lines(page, "June 2016 management report") == 1


def test_a_submitted_and_escalated_return_is_one_line_on_the_commissioners_home(
    june_world, service_manager, commissioner, client
):
    submitted_return(D(2016, 6, 1), service_manager, submit_on=D(2016, 7, 20))
    # Escalated before it came in: the deadline and the review are the same obligation.
    Deadline.objects.filter(key="kpi_return:2016-06").update(
        met_on=None, met_by=None, escalation_level=1
    )
    client.force_login(commissioner)
    with time_machine.travel(datetime.datetime(2016, 7, 21, 9), tick=False):
        page = client.get(reverse("home")).content.decode()
    assert _lines(page, "June 2016 KPI return") == 1
    assert "Escalated to the commissioners" not in page


def test_home_links_every_item_to_its_record(june_world, service_manager, client):
    client.force_login(service_manager)
    with time_machine.travel(datetime.datetime(2016, 7, 5, 9), tick=False):
        page = client.get(reverse("home")).content.decode()
    assert "/calendar/deadlines/" not in page
    assert f'href="{reverse("performance:return", args=["2016-06"])}"' in page


def test_a_long_group_on_the_page_is_collapsed_with_a_count(service_manager, client):
    make_version(2016)
    for start_year in (2016, 2017):
        FinancialYear.objects.get_or_create(start_year=start_year)
    cycle_services.deadlines_generate(start_year=2016)
    client.force_login(service_manager)
    with time_machine.travel(datetime.datetime(2016, 12, 20, 9), tick=False):
        page = client.get(reverse("home")).content.decode()
    # Deadlines to meet: the returns and reports of July to November, overdue.
    assert "Deadlines to meet <span" in page
    assert re.search(r"Show \d+ more<span class=\"govuk-visually-hidden\"> in deadlines", page)


def test_next_years_specification_is_the_year_after_today_whatever_is_in_force(
    commissioner, board_member, head_of_service, client
):
    # The version in force was written for 2016/17; today is in 2026/27.
    published_version(commissioner, board_member, head_of_service)
    FinancialYear.objects.get_or_create(start_year=2027)
    today = D(2026, 11, 27)
    client.force_login(commissioner)
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9), tick=False):
        index = client.get(reverse("specifications:staff_index")).content.decode()
    assert "Start the 2027/28 specification" in index
    draft = spec_services.specification_start_next_year(today=today, by=commissioner)
    assert draft.specification.financial_year.start_year == 2027
    assert draft.starts_on == D(2027, 4, 1)


def _home_queries(client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    client.get(reverse("home"))  # sessions and the like settle first
    with (
        time_machine.travel(datetime.datetime(2017, 1, 20, 9), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


# The most each home page may cost: a fixed number, whatever the data (a query or
# two per kind of record linked, and there are a fixed number of kinds; the
# board's meetings and actions are kinds too).
HOME_QUERY_BUDGET = 42


def test_the_home_pages_cost_a_fixed_number_of_queries_however_many_deadlines(
    client, commissioner, service_manager, support_lead
):
    from cycle.models import Deadline
    from tests.slas.factories import sla_in, support_service

    make_version(2016)
    ict = support_service("ICT", leads=[support_lead])
    sla_in("in_force", service=ict, manager=service_manager, lead=support_lead, levels=2)
    cycle_services.deadlines_generate(start_year=2016)
    Deadline.objects.update(escalation_level=1)
    before = {u: _home_queries(client, u) for u in (commissioner, service_manager, support_lead)}
    for name in ("HR", "Finance", "Property"):
        service = support_service(name, leads=[support_lead])
        sla_in("in_force", service=service, manager=service_manager, lead=support_lead, levels=3)
    make_version(2017)
    for start_year in (2016, 2017):
        cycle_services.deadlines_generate(start_year=start_year)
    Deadline.objects.update(escalation_level=1)
    after = {u: _home_queries(client, u) for u in (commissioner, service_manager, support_lead)}
    for user in before:
        assert before[user] <= HOME_QUERY_BUDGET and after[user] <= HOME_QUERY_BUDGET
        # Only the kinds of record shown can change the count, never their number.
        assert abs(after[user] - before[user]) <= 2, user
