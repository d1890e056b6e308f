"""Support services are a party: each lead has their own deadlines (agreeing their side of
the SLA, reporting results each period) in their calendar, feed, reminders and escalations."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from cycle import services as cycle_services
from cycle import tasks
from cycle.links import record_url
from cycle.models import Deadline, DeadlineKind, Reminder
from slas import services
from slas.models import SlaStatus

from .factories import other_lead, sla_in, support_service

AGREE = DeadlineKind.SLA_SUPPORT_AGREEMENT
RESULTS = DeadlineKind.SLA_RESULTS


@pytest.fixture
def ict(support_lead):
    return support_service("ICT", leads=[support_lead])


def _theirs(user, kind):
    return list(
        Deadline.objects.filter(kind=kind, withdrawn=False).for_person(user).order_by("due_on")
    )


def test_each_lead_has_a_deadline_to_agree_their_side_by_1_april(ict, support_lead, db):
    second = other_lead()
    ict.leads.add(second)
    support_service("HR")  # no lead: nobody's deadline
    cycle_services.deadlines_generate(start_year=2017)
    for lead in (support_lead, second):
        [deadline] = _theirs(lead, AGREE)
        assert deadline.title == "ICT SLA for 2017/18: agree it for ICT"
        assert deadline.due_on == datetime.date(2017, 4, 1)
        assert deadline.responsible_person == lead


def test_the_lead_sees_the_deadline_in_their_calendar_and_feed_with_a_link_that_opens(
    ict, support_lead, service_manager, client
):
    sla = sla_in(SlaStatus.PROPOSED, service=ict, manager=service_manager, lead=support_lead)
    cycle_services.deadlines_generate(start_year=2016)
    [deadline] = _theirs(support_lead, AGREE)
    client.force_login(support_lead)
    calendar = client.get(reverse("cycle:calendar")).content.decode()
    assert "ICT SLA for 2016/17: agree it for ICT" in calendar
    url = record_url(support_lead, deadline)
    assert url == reverse("slas:detail", args=[sla.pk])
    assert client.get(url).status_code == 200
    feed = cycle_services.calendar_feed_issue(user=support_lead, by=support_lead)
    body = client.get(reverse("cycle:feed_private", args=[feed.token])).content
    summaries = {str(e["summary"]) for e in Calendar.from_ical(body).walk("VEVENT")}
    assert "Due: ICT SLA for 2016/17: agree it for ICT" in summaries


def test_the_lead_is_reminded_and_the_overdue_deadline_escalated(
    ict, support_lead, commissioner, db
):
    cycle_services.deadlines_generate(start_year=2017)
    due = datetime.date(2017, 4, 1)
    for days in (-14, 1):
        for reminder_id in cycle_services.reminders_sweep(
            today=due + datetime.timedelta(days=days)
        ):
            tasks.send_reminder(reminder_id)
    lead = Reminder.objects.filter(recipient=support_lead, deadline__kind=AGREE)
    assert sorted(r.offset_days for r in lead) == [-14, 1]
    assert Reminder.objects.filter(
        recipient=commissioner, deadline__kind=AGREE, is_escalation=True
    ).exists()
    assert "sl@example.org" in {m.to[0] for m in mail.outbox}


def test_agreeing_the_support_side_meets_every_leads_deadline(ict, support_lead, service_manager):
    second = other_lead()
    ict.leads.add(second)
    sla = sla_in(SlaStatus.PROPOSED, service=ict, manager=service_manager, lead=support_lead)
    cycle_services.deadlines_generate(start_year=2016)
    services.sla_agree(sla=sla, side=services.SUPPORT_SIDE, by=second, on=datetime.date(2016, 3, 2))
    met = Deadline.objects.filter(kind=AGREE)
    assert met.count() == 2
    assert {d.met_on for d in met} == {datetime.date(2016, 3, 2)}


def test_results_are_due_each_period_and_met_when_reported(
    ict, support_lead, service_manager, client
):
    sla = sla_in(SlaStatus.IN_FORCE, service=ict, manager=service_manager, lead=support_lead)
    cycle_services.deadlines_generate(start_year=2016)
    deadlines = _theirs(support_lead, RESULTS)
    assert [d.title for d in deadlines] == [
        "ICT service-level results for the period to 30 June 2016",
        "ICT service-level results for the period to 30 September 2016",
        "ICT service-level results for the period to 31 December 2016",
        "ICT service-level results for the period to 31 March 2017",
    ]
    assert deadlines[0].due_on == datetime.date(2016, 7, 14)  # ten working days on
    url = record_url(support_lead, deadlines[0])
    assert url == reverse("slas:performance", args=[sla.pk])
    client.force_login(support_lead)
    assert client.get(url).status_code == 200
    services.result_report(
        service_level=sla.service_levels.get(),
        period_start=datetime.date(2016, 4, 1),
        value=Decimal("97"),
        by=support_lead,
        on=datetime.date(2016, 7, 10),
    )
    deadlines[0].refresh_from_db()
    assert deadlines[0].met_on == datetime.date(2016, 7, 10)
    assert not any(d.is_met for d in deadlines[1:])


def test_no_results_deadlines_before_the_sla_is_agreed_and_none_for_other_leads(
    ict, support_lead, service_manager
):
    sla_in(SlaStatus.DRAFTING, service=ict, manager=service_manager, lead=support_lead)
    outsider = other_lead()
    cycle_services.deadlines_generate(start_year=2016)
    assert _theirs(support_lead, RESULTS) == []
    assert _theirs(outsider, AGREE) == []


def test_a_lead_who_stops_leading_the_service_has_their_open_deadline_withdrawn(
    ict, support_lead, db
):
    cycle_services.deadlines_generate(start_year=2017)
    services.support_service_create_or_update(
        name="ICT", council_wide_description="", leads=[], by=None
    )
    cycle_services.deadlines_generate(start_year=2017)
    assert _theirs(support_lead, AGREE) == []
    assert Deadline.objects.get(kind=AGREE).withdrawn


def test_the_records_say_when_each_leads_obligation_was_met(ict, support_lead, service_manager):
    from slas.obligations import (
        agreement_key,
        results_key,
        results_met,
        support_agreements_met,
    )

    sla = sla_in(SlaStatus.IN_FORCE, service=ict, manager=service_manager, lead=support_lead)
    agreed = agreement_key(ict.pk, 2016, support_lead.pk)
    assert support_agreements_met([agreed, agreement_key(ict.pk, 2017, support_lead.pk)]) == {
        agreed: (datetime.date(2016, 3, 1), support_lead.pk)
    }
    q1 = results_key(sla.pk, datetime.date(2016, 6, 30), support_lead.pk)
    assert results_met([q1, "sla_results:nonsense"]) == {}
    services.result_report(
        service_level=sla.service_levels.get(),
        period_start=datetime.date(2016, 4, 1),
        value=Decimal("90"),
        by=support_lead,
        on=datetime.date(2016, 7, 12),
    )
    met = results_met([q1])
    assert met == {q1: (datetime.date(2016, 7, 12), support_lead.pk)}
    assert met[q1].on == datetime.date(2016, 7, 12) and met[q1].by_id == support_lead.pk
