"""Reminders and escalation: each offset once, escalation to commissioners then the board,
nothing after the obligation is met, and the same days either side of the clock changes."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cycle import services, tasks
from cycle.models import Deadline, Reminder, ReminderOffset, ReminderStatus
from lra_commissioning import obligations

from .factories import make_deadline

LONDON = ZoneInfo("Europe/London")


def at_seven(day):
    return datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=LONDON)


@pytest.mark.parametrize(
    "due_on",
    [
        # 26 March 2017: clocks go forward at 01:00 (the day before and after are walked).
        datetime.date(2017, 3, 26),
        # 29 October 2017: clocks go back at 02:00.
        datetime.date(2017, 10, 29),
        # An ordinary day with no clock change nearby.
        datetime.date(2016, 7, 14),
    ],
)
def test_deadline_walks_through_every_reminder_and_escalation_on_the_right_days(
    due_on, service_manager, commissioner, board_member, quiet_tasks
):
    # The sweep runs at 07:00 London time each day; each reminder it queues is sent by the
    # task body, as a worker would.
    deadline = make_deadline(key="kpi_return:test", due_on=due_on)
    first, last = due_on - datetime.timedelta(days=20), due_on + datetime.timedelta(days=12)
    day = first
    sent_on = {}
    while day <= last:
        with time_machine.travel(at_seven(day), tick=False):
            ids = services.reminders_sweep(today=timezone.localdate())
            before = len(mail.outbox)
            for reminder_id in ids:
                tasks.send_reminder(reminder_id)
            for message in mail.outbox[before:]:
                sent_on.setdefault((day - due_on).days, []).append(message.to[0])
        day += datetime.timedelta(days=1)

    assert {offset: sorted(to) for offset, to in sent_on.items()} == {
        -14: ["sm@example.org"],
        -7: ["sm@example.org"],
        -1: ["sm@example.org"],
        0: ["sm@example.org"],
        1: ["c@example.org", "sm@example.org"],
        7: ["b@example.org", "sm@example.org"],
    }
    deadline.refresh_from_db()
    assert deadline.escalation_level == 2
    # Each escalation is in the deadline's history, with its reason.
    assert [
        (h.escalation_level, h.history_change_reason)
        for h in deadline.history.order_by("history_date")
        if h.history_change_reason
    ] == [(1, "Escalated by the reminders"), (2, "Escalated by the reminders")]
    escalations = Reminder.objects.filter(deadline=deadline, is_escalation=True)
    assert {(r.recipient.email, r.offset_days) for r in escalations} == {
        ("c@example.org", 1),
        ("b@example.org", 7),
    }


def test_localdate_at_seven_is_the_london_day_across_the_clock_changes():
    # 07:00 BST on 26 March 2017 is 06:00 UTC; 07:00 GMT on 29 October 2017 is 07:00 UTC.
    from django.utils import timezone

    for day in [
        datetime.date(2017, 3, 26),
        datetime.date(2017, 3, 27),
        datetime.date(2017, 10, 29),
    ]:
        with time_machine.travel(at_seven(day), tick=False):
            assert timezone.localdate() == day


def test_reminders_stop_once_the_obligation_is_met(service_manager, commissioner, quiet_tasks):
    deadline = make_deadline(key="kpi_return:2016-06", due_on=datetime.date(2016, 7, 14))
    ids = services.reminders_sweep(today=datetime.date(2016, 7, 7))  # 7 days before
    assert len(ids) == 1
    obligations.obligation_met(
        "kpi_return:2016-06", by=service_manager, on=datetime.date(2016, 7, 8)
    )
    # The queued send finds the deadline met and sends nothing.
    assert services.reminder_send(reminder_id=ids[0]) is False
    assert mail.outbox == []
    assert Reminder.objects.get(pk=ids[0]).status == ReminderStatus.CANCELLED
    # Later sweeps create nothing for it.
    for day in (datetime.date(2016, 7, 13), datetime.date(2016, 7, 15), datetime.date(2016, 7, 21)):
        assert services.reminders_sweep(today=day) == []
    deadline.refresh_from_db()
    assert deadline.met_on == datetime.date(2016, 7, 8)
    assert deadline.met_by == service_manager
    assert deadline.escalation_level == 0


def test_obligation_met_twice_keeps_the_first_date(service_manager):
    deadline = make_deadline()
    obligations.obligation_met(deadline.key, by=service_manager, on=datetime.date(2016, 7, 1))
    obligations.obligation_met(deadline.key, by=None, on=datetime.date(2016, 7, 9))
    deadline.refresh_from_db()
    assert (deadline.met_on, deadline.met_by) == (datetime.date(2016, 7, 1), service_manager)


def test_obligation_for_an_unknown_key_changes_nothing(service_manager):
    obligations.obligation_met("kpi_return:1999-01", by=service_manager)
    assert Deadline.objects.count() == 0


def test_sweeping_twice_in_a_day_creates_each_reminder_once(service_manager, quiet_tasks):
    make_deadline(due_on=datetime.date(2016, 7, 14))
    first = services.reminders_sweep(today=datetime.date(2016, 7, 14))
    second = services.reminders_sweep(today=datetime.date(2016, 7, 14))
    assert first == second
    assert Reminder.objects.count() == 1


def test_a_missed_sweep_catches_up_with_one_reminder_not_a_burst(service_manager, quiet_tasks):
    make_deadline(due_on=datetime.date(2016, 7, 14))
    # The sweep did not run for three weeks; the first run is on the due date.
    services.reminders_sweep(today=datetime.date(2016, 7, 14))
    assert list(Reminder.objects.values_list("offset_days", flat=True)) == [0]


def test_a_named_person_is_reminded_instead_of_everyone_with_the_role(
    service_manager, head_of_service, quiet_tasks
):
    make_deadline(due_on=datetime.date(2016, 7, 14), responsible_person=head_of_service)
    services.reminders_sweep(today=datetime.date(2016, 7, 14))
    assert [r.recipient for r in Reminder.objects.all()] == [head_of_service]


def test_switched_off_offsets_send_nothing(service_manager, quiet_tasks):
    ReminderOffset.objects.filter(days=-7).update(is_active=False)
    make_deadline(due_on=datetime.date(2016, 7, 14))
    # Seven days before: the latest active offset that has come is none (-14 was a week ago,
    # and has not been sent: the catch-up sends the latest applicable one only).
    ids = services.reminders_sweep(today=datetime.date(2016, 7, 7))
    assert [Reminder.objects.get(pk=i).offset_days for i in ids] == [-14]


def test_the_sweep_costs_the_same_queries_however_many_deadlines(
    service_manager, commissioner, board_member, django_assert_max_num_queries, quiet_tasks
):
    def sweep_with(n):
        Deadline.objects.all().delete()
        for i in range(n):
            make_deadline(
                key=f"k:{i}",
                due_on=datetime.date(2016, 7, 14) + datetime.timedelta(days=i % 20 - 10),
            )
        # 8, and 3 to escalate (read, update, history) whatever the number of deadlines.
        with django_assert_max_num_queries(11):
            services.reminders_sweep(today=datetime.date(2016, 7, 14))

    sweep_with(3)
    sweep_with(60)


def test_run_reminder_sweep_command_generates_the_year_and_sends_due_reminders(
    service_manager, django_capture_on_commit_callbacks
):
    today = datetime.date(2016, 7, 14)  # the June 2016 return is due (10th working day)
    with (
        time_machine.travel(at_seven(today), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("run_reminder_sweep", stdout=io.StringIO())
    assert Deadline.objects.filter(financial_year__start_year__in=(2016, 2017)).count() > 40
    assert sorted(m.subject for m in mail.outbox) == [
        "Due today: June 2016 KPI return",
        "Due today: June 2016 management report",
    ]


def test_reminder_email_says_what_is_due_and_where_to_see_it(service_manager, quiet_tasks):
    make_deadline(due_on=datetime.date(2016, 7, 14))
    (reminder_id,) = services.reminders_sweep(today=datetime.date(2016, 7, 7))
    assert services.reminder_send(reminder_id=reminder_id) is True
    assert services.reminder_send(reminder_id=reminder_id) is False
    (message,) = mail.outbox
    assert message.subject == "June 2016 KPI return due 14 July 2016"
    assert "Due: Thursday 14 July 2016" in message.body
    assert "/calendar/" in message.body
