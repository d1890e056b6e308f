"""Deadlines, reminders and feeds lead to the record itself, for each person they reach,
and that page opens for them (lra_commissioning.links, cycle/links.py)."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from cycle import links, services, tasks
from cycle.models import Deadline
from lra_commissioning.models import EmailOptOut, Notification, NotificationKind
from tests.performance.factories import make_version, submitted_return

from .factories import make_deadline

DUE = datetime.date(2016, 7, 14)


@pytest.fixture
def june(db):
    make_version(2016)
    return make_deadline(key="kpi_return:2016-06", due_on=DUE)


def _path(url, settings):
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/"), url
    return url[len(settings.SITE_URL.rstrip("/")) :]


def test_a_reminder_emails_link_opens_for_each_recipient(
    june, service_manager, commissioner, board_member, administrator, client, settings, quiet_tasks
):
    settings.SITE_URL = "https://lra.example.gov.uk"
    for days in (0, 1, 7):  # due today; escalated to the commissioners; to the board
        for reminder_id in services.reminders_sweep(today=DUE + datetime.timedelta(days=days)):
            tasks.send_reminder(reminder_id)
    opened = {}
    for message in mail.outbox:
        url = re.search(r"^Open it: (\S+)$", message.body, re.MULTILINE).group(1)
        who = {u.email: u for u in (service_manager, commissioner, board_member)}[message.to[0]]
        client.force_login(who)
        assert client.get(_path(url, settings)).status_code == 200, (who, url)
        opened.setdefault(who.email, set()).add(_path(url, settings))
    status_board = reverse("performance:status") + "?year=2016"
    assert opened == {
        # The service's own return, to enter; the others the year's "who owes what".
        "sm@example.org": {reverse("performance:return", args=["2016-06"])},
        "c@example.org": {status_board},
        "b@example.org": {status_board},
    }


def test_each_reminder_is_also_in_the_recipients_notifications_with_the_same_link(
    june, service_manager, board_member, quiet_tasks
):
    for days in (0, 7):
        for reminder_id in services.reminders_sweep(today=DUE + datetime.timedelta(days=days)):
            tasks.send_reminder(reminder_id)
    mine = Notification.objects.filter(recipient=service_manager).order_by("id")
    assert [n.title for n in mine] == [
        "Due today: June 2016 KPI return",
        "Overdue: June 2016 KPI return was due 14 July 2016",
    ]
    assert {n.kind for n in mine} == {NotificationKind.DEADLINE_REMINDER}
    board = Notification.objects.get(recipient=board_member)
    assert board.kind == NotificationKind.DEADLINE_ESCALATION
    assert board.url == reverse("performance:status") + "?year=2016"


def test_a_person_who_turned_reminder_emails_off_still_sees_them_in_the_app(
    june, service_manager, quiet_tasks
):
    EmailOptOut.objects.create(user=service_manager, kind=NotificationKind.DEADLINE_REMINDER)
    for reminder_id in services.reminders_sweep(today=DUE):
        assert tasks.send_reminder(reminder_id) is True
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=service_manager).count() == 1


def test_a_board_member_opens_the_deadline_escalated_to_them_but_no_other(
    june, service_manager, board_member, client, quiet_tasks
):
    other = make_deadline(key="kpi_return:2016-07", due_on=datetime.date(2016, 8, 12))
    for reminder_id in services.reminders_sweep(today=DUE + datetime.timedelta(days=7)):
        tasks.send_reminder(reminder_id)
    client.force_login(board_member)
    assert client.get(reverse("cycle:deadline", args=[june.pk])).status_code == 200
    assert client.get(reverse("cycle:deadline", args=[other.pk])).status_code == 404


def test_the_record_link_follows_the_returns_state_and_the_person(
    june, service_manager, commissioner, board_member, administrator
):
    def url(user):
        return links.record_url(user, Deadline.objects.get(pk=june.pk))

    status_board = reverse("performance:status") + "?year=2016"
    assert url(service_manager) == reverse("performance:return", args=["2016-06"])
    assert url(commissioner) == status_board  # a draft is still the service's
    # An administrator sees the calendar but not performance: the deadline's own page.
    assert url(administrator) == reverse("cycle:deadline", args=[june.pk])
    submitted_return(datetime.date(2016, 6, 1), service_manager)
    assert url(commissioner) == reverse("performance:review", args=["2016-06"])
    assert url(board_member) == reverse("performance:return", args=["2016-06"])


def test_the_calendar_and_the_deadline_page_link_to_the_record(june, service_manager, client):
    client.force_login(service_manager)
    record = reverse("performance:return", args=["2016-06"])
    calendar = client.get(reverse("cycle:calendar")).content.decode()
    assert f'href="{record}">June 2016 KPI return</a>' in calendar
    page = client.get(reverse("cycle:deadline", args=[june.pk])).content.decode()
    assert f'href="{record}">Open June 2016 KPI return</a>' in page


def test_the_private_feed_gives_each_deadline_its_record_address(
    june, service_manager, client, settings
):
    settings.SITE_URL = "https://lra.example.gov.uk"
    feed = services.calendar_feed_issue(user=service_manager, by=service_manager)
    body = client.get(reverse("cycle:feed_private", args=[feed.token])).content
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["url"]) == "https://lra.example.gov.uk/performance/returns/2016-06/"


def test_the_public_feed_links_the_public_pages(db, client, settings):
    settings.SITE_URL = "https://lra.example.gov.uk"
    services.deadlines_generate(start_year=2016)
    body = client.get(reverse("cycle:feed_public")).content
    urls = {str(e["url"]) for e in Calendar.from_ical(body).walk("VEVENT")}
    assert urls == {
        "https://lra.example.gov.uk/specification/",
        "https://lra.example.gov.uk/annual-reports/",
    }
