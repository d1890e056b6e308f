"""The same story loaded on other days: it ends where that day is, and still holds."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from . import checks

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", params=[(2019, 4, 2), (2021, 1, 5)], ids=["2-4-2019", "5-1-2021"])
def day(request, django_db_setup, django_db_blocker):
    now = timezone.make_aware(datetime.datetime(*request.param, 11, 30))
    with time_machine.travel(now, tick=False):
        yield from checks.load_once(django_db_blocker, now=now)


def test_the_story_holds_on_that_day(day):
    today = timezone.localdate()
    assert checks.deadline_disagreements(today) == []
    assert checks.story_reaches(today) == []
    for email, (_items, overdue) in checks.overdue_on_home_pages().items():
        assert overdue <= 2, (email, overdue)
