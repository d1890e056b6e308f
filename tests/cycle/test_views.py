"""The calendar, feeds, rules and report pages as their users meet them."""

import datetime

import icalendar
import pytest
from django.urls import reverse

from cycle import services
from cycle.models import CalendarFeed, Deadline, DeadlineRule, ReminderOffset

from .factories import make_deadline


@pytest.fixture
def calendar_data(db):
    make_deadline(key="kpi_return:2016-06", due_on=datetime.date(2016, 7, 14))
    make_deadline(
        key="funding_confirmation:2017",
        kind="funding_confirmation",
        title="Funding confirmation for 2017/18",
        due_on=datetime.date(2016, 12, 31),
        responsible_role="commissioner",
    )
    make_deadline(
        key="specification:2017:publish",
        kind="specification_publish",
        title="Publication of the specification 2017/18",
        due_on=datetime.date(2017, 4, 1),
        responsible_role="commissioner",
    )


def test_a_service_manager_sees_only_their_own_deadlines(client, service_manager, calendar_data):
    client.force_login(service_manager)
    page = client.get(reverse("cycle:calendar")).content.decode()
    assert "June 2016 KPI return" in page
    assert "Funding confirmation" not in page
    assert "Overdue" in page


def test_a_commissioner_sees_every_deadline_or_only_their_own(client, commissioner, calendar_data):
    client.force_login(commissioner)
    everyone = client.get(reverse("cycle:calendar")).content.decode()
    assert "June 2016 KPI return" in everyone and "Funding confirmation" in everyone
    mine = client.get(reverse("cycle:calendar"), {"show": "mine"}).content.decode()
    assert "June 2016 KPI return" not in mine and "Funding confirmation" in mine


def test_the_calendar_costs_the_same_queries_however_many_deadlines(
    client, commissioner, django_assert_max_num_queries
):
    client.force_login(commissioner)
    for n in (2, 40):
        for i in range(n):
            make_deadline(
                key=f"k:{n}:{i}", due_on=datetime.date(2016, 7, 1) + datetime.timedelta(i)
            )
        with django_assert_max_num_queries(10):
            assert client.get(reverse("cycle:calendar")).status_code == 200


def test_a_deadline_not_yours_is_not_found(client, board_member, calendar_data):
    client.force_login(board_member)
    deadline = Deadline.objects.get(key="kpi_return:2016-06")
    assert client.get(reverse("cycle:deadline", args=[deadline.pk])).status_code == 404


def test_a_commissioner_records_a_deadline_met_outside_the_system(client, commissioner, db):
    # The review of the approach has no record in the system: it is recorded by hand.
    deadline = make_deadline(
        key="approach_review:2016",
        kind="approach_review",
        title="Review of the commissioning approach",
        due_on=datetime.date(2017, 4, 1),
        responsible_role="commissioner",
    )
    client.force_login(commissioner)
    url = reverse("cycle:deadline", args=[deadline.pk])
    why = {"who": "The Strategic Board", "reason": "Minute LRA-SB/2017/4"}
    response = client.post(url, {"met_on_0": "31", "met_on_1": "2", "met_on_2": "2017", **why})
    assert "Enter a real date it was met" in response.content.decode()
    response = client.post(url, {"met_on_0": "", "met_on_1": "", "met_on_2": "", **why})
    assert "Enter the date it was met" in response.content.decode()
    future = datetime.date.today() + datetime.timedelta(days=3)
    response = client.post(
        url, {"met_on_0": future.day, "met_on_1": future.month, "met_on_2": future.year, **why}
    )
    assert "must be today or in the past" in response.content.decode()
    response = client.post(url, {"met_on_0": "20", "met_on_1": "12", "met_on_2": "2016", **why})
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.met_on == datetime.date(2016, 12, 20)
    assert deadline.met_by == commissioner


def test_a_service_manager_cannot_record_a_deadline_met(client, service_manager, calendar_data):
    client.force_login(service_manager)
    deadline = Deadline.objects.get(key="kpi_return:2016-06")
    url = reverse("cycle:deadline", args=[deadline.pk])
    assert "Record it as met" not in client.get(url).content.decode()
    response = client.post(url, {"met_on_0": "1", "met_on_1": "7", "met_on_2": "2016"})
    assert response.status_code == 403
    assert Deadline.objects.get(pk=deadline.pk).met_on is None


# Calendar feeds ----------------------------------------------------------------------


def test_private_feed_parses_and_lists_own_deadlines_until_revoked(
    client, service_manager, calendar_data
):
    client.force_login(service_manager)
    client.post(reverse("cycle:feed"), {"action": "issue"})
    token = CalendarFeed.objects.get(user=service_manager).token
    client.logout()
    url = reverse("cycle:feed_private", args=[token])
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Due: June 2016 KPI return"]
    assert events[0].decoded("DTSTART") == datetime.date(2016, 7, 14)
    # A new address retires the old one; revoking retires every address.
    client.force_login(service_manager)
    client.post(reverse("cycle:feed"), {"action": "issue"})
    assert client.get(url).status_code == 404
    new_url = reverse("cycle:feed_private", args=[CalendarFeed.objects.get().token])
    client.post(reverse("cycle:feed"), {"action": "revoke"})
    client.logout()
    assert client.get(new_url).status_code == 404


def test_feed_of_a_deactivated_person_is_not_found(client, service_manager):
    feed = services.calendar_feed_issue(user=service_manager, by=service_manager)
    service_manager.is_active = False
    service_manager.save()
    assert client.get(reverse("cycle:feed_private", args=[feed.token])).status_code == 404


def test_public_feed_lists_only_publication_dates(client, calendar_data):
    response = client.get(reverse("cycle:feed_public"))
    cal = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == [
        "Publication of the specification 2017/18"
    ]


# Rules and reminder offsets -------------------------------------------------------------


def test_administrator_changes_a_rule_and_open_deadlines_move(client, administrator, db):
    services.deadlines_generate(start_year=2026)
    client.force_login(administrator)
    rule = DeadlineRule.objects.get(kind="business_plan")
    url = reverse("cycle:rule_edit", args=[rule.pk])
    bad = client.post(
        url,
        {
            "day": "30",
            "month": "2",
            "year_offset": "0",
            "responsible_role": "service_manager",
            "is_active": "on",
        },
    )
    assert "Enter a real day and month" in bad.content.decode()
    bad = client.post(
        url, {"day": "", "month": "13", "year_offset": "0", "responsible_role": "service_manager"}
    )
    page = bad.content.decode()
    assert "Enter the day of the month" in page and "Enter a month from 1 to 12" in page
    ok = client.post(
        url,
        {
            "day": "15",
            "month": "3",
            "year_offset": "0",
            "responsible_role": "service_manager",
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    assert Deadline.objects.get(key="business_plan:2026").due_on == datetime.date(2026, 3, 15)


def test_switching_a_rule_off_withdraws_its_open_deadlines(administrator, db):
    services.deadlines_generate(start_year=2026)
    rule = DeadlineRule.objects.get(kind="approach_review")
    services.deadline_rule_update(
        rule=DeadlineRule.objects.get(kind="cabinet_report"),
        responsible_role="commissioner",
        is_active=False,
        month=9,
        day=30,
        year_offset=1,
        by=administrator,
        today=datetime.date(2026, 5, 1),
    )
    assert Deadline.objects.get(key="cabinet_report:2026").withdrawn
    assert rule.only_in_year == 2016
    assert not Deadline.objects.filter(kind="approach_review", financial_year__start_year=2026)


def test_administrator_adds_a_reminder_offset_with_checks(client, administrator, db):
    client.force_login(administrator)
    url = reverse("cycle:offset_add")
    page = client.post(
        url, {"days": "-3", "escalate_to": "board", "is_active": "on"}
    ).content.decode()
    assert "Only an overdue reminder (1 day or more) can escalate" in page
    page = client.post(url, {"days": "7", "escalate_to": "", "is_active": "on"}).content.decode()
    assert "There is already a reminder at that number of days" in page
    page = client.post(url, {"days": "soon"}).content.decode()
    assert "Enter a whole number of days from -90 to 90" in page
    assert client.post(url, {"days": "-3", "is_active": "on"}).status_code == 302
    assert ReminderOffset.objects.filter(days=-3, is_active=True).exists()


def test_generated_year_has_every_kind_of_deadline(db):
    from slas.services import support_service_create_or_update

    for name in ("ICT", "HR"):
        support_service_create_or_update(name=name, council_wide_description="", leads=[], by=None)
    result = services.deadlines_generate(start_year=2016)
    keys = set(Deadline.objects.values_list("key", flat=True))
    assert result["created"] == len(keys) == 12 * 2 + 8 + 2
    assert {
        "business_plan:2016",
        "specification:2016:publish",
        "funding_confirmation:2016",
        "annual_report:2016",
        "cabinet_report:2016",
        "approach_review:2016",
    } <= keys
    due = dict(Deadline.objects.values_list("key", "due_on"))
    # Tenth working day after 31 December 2016: 2 January is the bank holiday.
    assert due["kpi_return:2016-12"] == datetime.date(2017, 1, 16)
    assert due["approach_review:2016"] == datetime.date(2017, 4, 1)
    assert due["funding_confirmation:2016"] == datetime.date(2015, 12, 31)
    assert due["business_plan:2016"] == datetime.date(2016, 3, 31)
    assert services.deadlines_generate(start_year=2016) == {
        "created": 0,
        "updated": 0,
        "withdrawn": 0,
        "met": 0,
    }


# Reports --------------------------------------------------------------------------------


def test_board_member_sees_reports_but_cannot_produce_them(client, board_member, db):
    client.force_login(board_member)
    assert "Produce a report" not in client.get(reverse("cycle:reports")).content.decode()
    assert (
        client.post(reverse("cycle:reports"), {"start_year": "2016", "kind": "annual"}).status_code
        == 403
    )


def test_commissioner_asks_for_a_report_with_a_specific_error_when_empty(client, commissioner):
    from lra_commissioning.models import FinancialYear

    FinancialYear.objects.get_or_create(start_year=2016)
    client.force_login(commissioner)
    page = client.post(reverse("cycle:reports"), {}).content.decode()
    assert "Select the financial year the report is for" in page
    assert "Select which report to produce" in page


def test_public_annual_reports_page_lists_none_until_published(client, db):
    page = client.get(reverse("cycle:public_annual_reports")).content.decode()
    assert "No annual report has been published yet." in page
    assert client.get(reverse("cycle:public_annual_report", args=[2016])).status_code == 404
