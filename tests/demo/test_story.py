"""The demo story on today's date: the demo database every test process loads once
(tests/demo_database.py), as `load_demo` tells it."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from lra_commissioning import dates
from lra_commissioning.models import DemoStory, EmailStatus, Notification

from . import checks

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def story(demo_world):
    return demo_world


def test_the_story_reaches_this_month(story):
    today = timezone.localdate()
    told = DemoStory.objects.get()
    assert told.through_month == today.replace(day=1)
    from performance.models import MonthlyReturn

    last = dates.add_months(today.replace(day=1), -1)
    assert MonthlyReturn.objects.filter(month=last).exists()
    assert not MonthlyReturn.objects.filter(month__gt=last).exists()


def test_every_deadline_agrees_with_its_record(story):
    assert checks.deadline_disagreements(timezone.localdate()) == []


def test_the_current_year_looks_like_a_real_one(story):
    assert checks.story_reaches(timezone.localdate()) == []


def test_each_home_page_has_a_handful_of_items_and_at_most_two_overdue(story):
    for email, (items, overdue) in checks.overdue_on_home_pages().items():
        if email == "admin@example.org":
            continue
        assert 1 <= items <= 20, (email, items)
        assert overdue <= 2, (email, overdue)


def test_no_none_markup_or_formula_in_the_story(story):
    assert checks.bad_text() == []


def test_the_past_is_recorded_quietly(story):
    told = Notification.objects.all()
    assert told.exists()
    assert not told.filter(read_at__isnull=True).exists()
    assert not told.filter(email_status=EmailStatus.PENDING).exists()


def test_loading_it_again_changes_nothing_and_prints_the_sign_ins(story, settings, capsys):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = checks.PASSWORD
    before = checks.row_counts()
    call_command("load_demo")
    assert checks.row_counts() == before
    out = capsys.readouterr().out
    assert "already loaded" in out
    assert "commissioner@example.org" in out and checks.PASSWORD in out


def test_the_first_year_slas_one_late_and_breaches(story):
    from slas import selectors
    from slas.models import SLA, Rating

    year = SLA.objects.filter(financial_year__start_year=2016).order_by("agreed_on")
    assert year.count() == 8
    assert year.first().support_service.name == "Health & Safety"
    late = [s for s in selectors.sla_year_summary(start_year=2016) if not s.agreed_by_deadline]
    assert [s.support_service for s in late] == ["Digital Services"]
    assert SLA.objects.filter(service_levels__results__rating=Rating.BREACHED).exists()


def test_the_board_met_and_meets_again(story):
    from board.models import ItemState, Meeting, MeetingStatus

    today = timezone.localdate()
    held = list(Meeting.objects.filter(date__lt=today).order_by("date"))
    ahead = list(Meeting.objects.filter(date__gt=today).order_by("date"))
    assert len(held) >= 2 and len(ahead) == 2
    *_earlier, first, second = held
    assert first.status == MeetingStatus.MINUTES_APPROVED
    assert first.minutes_approved_at == second
    assert second.status == MeetingStatus.HELD  # its minutes go to the next meeting
    assert second.items.filter(is_confidential=True, state=ItemState.DECIDED).exists()
    assert all(m.status == MeetingStatus.SCHEDULED and m.items.exists() for m in ahead)


def test_every_finished_year_has_its_published_annual_report(story):
    from cycle.models import AnnualReport

    today = timezone.localdate()
    finished = dates.financial_year_of(today) - 1
    if today < dates.nth_working_day_after(datetime.date(today.year, 7, 7), 1):
        finished -= 1  # last year's is produced in July
    published = set(
        AnnualReport.objects.filter(kind="annual", published_at__isnull=False).values_list(
            "financial_year__start_year", flat=True
        )
    )
    assert published >= set(range(2016, finished + 1))


def test_the_demo_people_can_sign_in(story):
    from lra_commissioning.demo import DEMO_PEOPLE
    from lra_commissioning.models import User

    for email, *_rest in DEMO_PEOPLE:
        assert User.objects.get(email=email).check_password(checks.PASSWORD)
