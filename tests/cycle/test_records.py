"""Deadlines follow their records: generated after the work is done they are met on the
record's day, the sweep never reminds about work already done (even when the deadline
row is stale), and only an obligation with no record in the system is met by hand."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from cycle import services
from cycle.models import Deadline, Reminder, ReminderStatus
from lra_commissioning import obligations
from lra_commissioning.workflow import DomainError
from performance import periods
from performance.models import MonthlyReturn, ReturnStatus
from tests.performance.factories import make_version, submitted_return

from .factories import make_deadline

JUNE = datetime.date(2016, 6, 1)
JULY = datetime.date(2016, 7, 1)


@pytest.fixture
def version(db):
    return make_version()


def _stale(key):
    """The deadline row as it would be had the listener never heard of the record."""
    Deadline.objects.filter(key=key).update(met_on=None, met_by=None)


def test_deadlines_generated_after_the_returns_were_submitted_are_met_on_the_submission_day(
    version, service_manager
):
    june_due, july_due = periods.due_date(JUNE), periods.due_date(JULY)
    submitted_return(JUNE, service_manager, submit_on=june_due)  # on the day it is due
    submitted_return(JULY, service_manager, submit_on=july_due + datetime.timedelta(days=3))
    assert not Deadline.objects.exists()

    result = services.deadlines_generate(start_year=2016)

    june = Deadline.objects.get(key="kpi_return:2016-06")
    july = Deadline.objects.get(key="kpi_return:2016-07")
    august = Deadline.objects.get(key="kpi_return:2016-08")
    today = datetime.date(2016, 12, 1)
    assert (june.met_on, june.met_by, june.status(today)) == (june_due, service_manager, "Met")
    assert (july.met_on, july.status(today)) == (july_due + datetime.timedelta(days=3), "Met late")
    assert august.met_on is None and august.status(today) == "Overdue"
    assert result["met"] == 2
    # Generating again changes nothing.
    assert services.deadlines_generate(start_year=2016)["met"] == 0


def test_an_open_deadline_is_met_when_the_year_is_generated_again(version, service_manager):
    services.deadlines_generate(start_year=2016)
    due = periods.due_date(JUNE)
    submitted_return(JUNE, service_manager, submit_on=due - datetime.timedelta(days=2))
    _stale("kpi_return:2016-06")

    assert services.deadlines_generate(start_year=2016)["met"] == 1
    deadline = Deadline.objects.get(key="kpi_return:2016-06")
    assert deadline.met_on == due - datetime.timedelta(days=2)
    assert deadline.history.first().history_change_reason == "Met: its record says so"


def test_a_sweep_after_submission_sends_nothing_for_it_even_if_the_row_was_stale(
    version, service_manager, commissioner, board_member, quiet_tasks
):
    services.deadlines_generate(start_year=2016)
    due = periods.due_date(JUNE)
    submitted_return(JUNE, service_manager, submit_on=due + datetime.timedelta(days=1))
    _stale("kpi_return:2016-06")

    # A week overdue: the day of the escalation to the board, were it still open.
    ids = services.reminders_sweep(today=due + datetime.timedelta(days=7))
    for reminder_id in ids:
        services.reminder_send(reminder_id=reminder_id)

    deadline = Deadline.objects.get(key="kpi_return:2016-06")
    assert not Reminder.objects.filter(deadline=deadline).exists()
    assert not [m for m in mail.outbox if "June 2016 KPI return" in m.subject]
    assert deadline.met_on == due + datetime.timedelta(days=1)
    assert deadline.status(due + datetime.timedelta(days=7)) == "Met late"
    assert deadline.escalation_level == 0
    # The July return, not submitted, is still reminded about on its own days.
    july_ids = services.reminders_sweep(today=periods.due_date(JULY))
    assert {Reminder.objects.get(pk=i).deadline.key for i in july_ids} == {
        "kpi_return:2016-07",
        "management_report:2016-07",
    }


def test_a_reminder_queued_before_the_submission_is_not_sent_after_it(
    version, service_manager, quiet_tasks, monkeypatch
):
    services.deadlines_generate(start_year=2016)
    due = periods.due_date(JUNE)
    ids = services.reminders_sweep(today=due - datetime.timedelta(days=1))
    (reminder,) = Reminder.objects.filter(pk__in=ids, deadline__key="kpi_return:2016-06")
    # Submitted without the calendar hearing of it: the deadline row and reminder are stale.
    monkeypatch.setattr(obligations, "_listeners", [])
    submitted_return(JUNE, service_manager, submit_on=due - datetime.timedelta(days=1))
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.PENDING

    assert services.reminder_send(reminder_id=reminder.pk) is False
    assert not [m for m in mail.outbox if "June 2016 KPI return" in m.subject]
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.CANCELLED
    assert Deadline.objects.get(key="kpi_return:2016-06").met_on == due - datetime.timedelta(days=1)


def test_the_sweep_costs_the_same_queries_however_many_stale_deadlines(
    service_manager, commissioner, board_member, django_assert_max_num_queries, quiet_tasks
):
    today = datetime.date(2017, 4, 20)

    def sweep_with(n):
        Deadline.objects.all().delete()
        MonthlyReturn.objects.all().delete()
        for i in range(n):
            month = datetime.date(2010 + i // 12, i % 12 + 1, 1)
            submitted = i % 2 == 0  # half met by their records, half open
            MonthlyReturn.objects.create(
                month=month,
                due_on=today,
                status=ReturnStatus.SUBMITTED if submitted else ReturnStatus.DRAFT,
                submitted_at=timezone_at(today) if submitted else None,
                submitted_by=service_manager if submitted else None,
            )
            make_deadline(
                key=f"kpi_return:{month:%Y-%m}",
                due_on=today + datetime.timedelta(days=i % 20 - 10),
            )
        # The sweep's eleven (history kept for escalations), the returns' one, and six to
        # meet the stale deadlines at once.
        with django_assert_max_num_queries(18):
            services.reminders_sweep(today=today)
        assert Deadline.objects.filter(met_on__isnull=False).count() == (n + 1) // 2

    sweep_with(3)
    sweep_with(60)


def timezone_at(day):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


# Met by hand: only with no record in the system ---------------------------------------


def test_a_kpi_return_cannot_be_marked_met_by_hand(client, commissioner, db):
    deadline = make_deadline(key="kpi_return:2016-06")
    with pytest.raises(DomainError, match="met by its record"):
        services.deadline_mark_met(
            deadline=deadline,
            on=datetime.date(2016, 7, 1),
            who="The service",
            reason="They said so",
            by=commissioner,
        )
    client.force_login(commissioner)
    url = reverse("cycle:deadline", args=[deadline.pk])
    page = client.get(url).content.decode()
    assert "Record it as met" not in page
    assert "met when its work is done in this system" in page
    response = client.post(
        url,
        {"met_on_0": "1", "met_on_1": "7", "met_on_2": "2016", "who": "x", "reason": "y"},
        follow=True,
    )
    assert "cannot be recorded met by hand" in response.content.decode()
    assert Deadline.objects.get(pk=deadline.pk).met_on is None


def test_an_obligation_with_no_record_is_marked_met_with_who_and_why_kept_in_history(
    client, commissioner, db
):
    deadline = make_deadline(
        key="approach_review:2016",
        kind="approach_review",
        title="Review of the commissioning approach",
        due_on=datetime.date(2017, 4, 1),
        responsible_role="commissioner",
    )
    assert not obligations.has_resolver(deadline.key)
    client.force_login(commissioner)
    url = reverse("cycle:deadline", args=[deadline.pk])
    assert "Record it as met" in client.get(url).content.decode()

    page = client.post(
        url, {"met_on_0": "20", "met_on_1": "3", "met_on_2": "2017", "who": "", "reason": ""}
    ).content.decode()
    assert "Enter who met it" in page and "Enter why you are recording it as met" in page
    assert Deadline.objects.get(pk=deadline.pk).met_on is None

    response = client.post(
        url,
        {
            "met_on_0": "20",
            "met_on_1": "3",
            "met_on_2": "2017",
            "who": "The Strategic Board",
            "reason": "Agreed at the March meeting, minute LRA-SB/2017/4",
        },
    )
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.met_on == datetime.date(2017, 3, 20)
    assert deadline.met_by == commissioner
    assert deadline.met_by_name == "The Strategic Board"
    history = deadline.history.first()
    assert history.history_user == commissioner
    assert history.met_reason == "Agreed at the March meeting, minute LRA-SB/2017/4"
    page = client.get(url).content.decode()
    assert "History of changes" in page
    assert "minute LRA-SB/2017/4" in page
    assert "Record it as met" not in page


# The calendar reads the deadlines, in a fixed number of queries ------------------------


def test_the_calendar_costs_the_same_queries_with_met_and_open_deadlines_of_every_kind(
    client, commissioner, service_manager, django_assert_max_num_queries
):
    client.force_login(commissioner)
    kinds = ["kpi_return", "management_report", "business_plan", "action", "board_action"]
    for n in (3, 45):
        Deadline.objects.all().delete()
        for i in range(n):
            kind = kinds[i % len(kinds)]
            make_deadline(
                key=f"{kind}:{3000 + i}",
                kind=kind,
                due_on=datetime.date(2016, 7, 1) + datetime.timedelta(i),
                met_on=datetime.date(2016, 7, 1) if i % 3 == 0 else None,
                met_by=service_manager if i % 3 == 0 else None,
            )
        with django_assert_max_num_queries(12):
            assert client.get(reverse("cycle:calendar")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(reverse("cycle:calendar"), {"show": "mine"}).status_code == 200


# Every kind of record -------------------------------------------------------------------


def test_a_year_generated_after_its_specification_plan_funding_and_sla_were_done_is_met(
    commissioner, board_member, head_of_service, service_manager, support_lead
):
    from django.utils import timezone

    from specifications import services as spec
    from tests.funding.factories import confirmed
    from tests.slas.factories import sla_in, support_service
    from tests.specifications.factories import published_version

    version = published_version(commissioner, board_member, head_of_service)
    plan = spec.business_plan_start(
        financial_year=version.specification.financial_year, by=service_manager
    )
    for section in plan.sections.all():
        spec.business_plan_section_update(section=section, approach="We will.", by=service_manager)
    spec.business_plan_submit(plan=plan, by=service_manager)
    spec.business_plan_accept(plan=plan, by=commissioner)
    confirmed(commissioner, board_member)  # 2016/17's funding, confirmed 14 December 2015
    ict = support_service("ICT", leads=[support_lead])
    sla_in("agreed", service=ict, manager=service_manager, lead=support_lead)
    Deadline.objects.all().delete()  # as if the calendar had never been generated

    services.deadlines_generate(start_year=2016)

    met = dict(Deadline.objects.values_list("key", "met_on"))
    version.refresh_from_db()
    plan.refresh_from_db()
    assert met["specification:2016:draft"] == timezone.localdate(version.submitted_at)
    assert met["specification:2016:sign_off"] == datetime.date(2016, 1, 20)
    assert met["specification:2016:publish"] == timezone.localdate(version.published_at)
    assert met["business_plan:2016"] == timezone.localdate(plan.reviewed_at)
    assert met["funding_confirmation:2016"] == datetime.date(2015, 12, 14)
    assert met[f"sla:{ict.pk}:2016"] == datetime.date(2016, 3, 1)
    # Not done: still open.
    assert met["annual_report:2016"] is None and met["kpi_return:2016-06"] is None
    # None of them is shown as overdue.
    done = ("specification:", "business_plan:", "funding_confirmation:", "sla:")
    statuses = {
        d.status(timezone.localdate()) for d in Deadline.objects.all() if d.key.startswith(done)
    }
    assert statuses <= {"Met", "Met late"}


def test_the_records_answer_for_change_requests_and_actions_in_one_call(
    commissioner, board_member, head_of_service, service_manager
):
    from django.utils import timezone

    from changes import services as changes
    from performance import services as performance
    from tests.changes.factories import decide, in_force, raise_change

    in_force(commissioner, board_member, head_of_service)
    decided, waiting = (raise_change(commissioner, fundamental=True) for _ in range(2))
    for change in (decided, waiting):
        changes.change_request_submit(change=change, by=commissioner)
    decide(decided, board_member, "approved")  # decided today
    plan = performance.action_plan_open(
        kpi_code="K000", month=JUNE, trigger="Red", summary="Fix it", by=service_manager
    )
    done, open_ = (
        performance.action_add(
            plan=plan,
            description=text,
            owner="Ann",
            due_on=datetime.date(2016, 9, 1),
            by=service_manager,
        )
        for text in ("Done", "Not yet")
    )
    performance.action_update_status(
        action=done, status="done", by=service_manager, today=datetime.date(2016, 8, 30)
    )

    keys = [
        f"change_request:{decided.pk}",
        f"change_request:{waiting.pk}",
        f"action:{done.pk}",
        f"action:{open_.pk}",
        "action:not-a-number",
        "approach_review:2016",
    ]
    assert obligations.records_met(keys) == {
        f"change_request:{decided.pk}": obligations.Met(timezone.localdate(), board_member.pk),
        f"action:{done.pk}": obligations.Met(datetime.date(2016, 8, 30)),
    }
