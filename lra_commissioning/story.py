"""The demo's story driver: the service's history from 2016/17 to today, in date order.

Each app's `demo.chapter(story)` says what happened and when, by calling
`story.on(day, action, hour=...)`: an event is a date (at an office hour) and
a callable that calls the same service functions people use. The driver sorts
every event by date and runs each with the clock set to its moment
(`time_machine.travel(..., tick=False)`), so the services stamp records,
history and notifications with the story's dates. Events later than now have
not happened yet: they are dropped, so the same chapters describe any day the
demo is loaded on.

Nothing here fixes an end date: `Story(today=...)` is today unless a test asks
for another day.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from lra_commissioning import dates

FIRST_YEAR = 2016


@dataclass(order=True)
class Event:
    when: datetime.datetime
    seq: int
    label: str = field(compare=False)
    action: Callable[[], object] = field(compare=False, repr=False)


class Story:
    def __init__(self, ctx, now: datetime.datetime | None = None):
        self.ctx = ctx
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.current_year = dates.financial_year_of(self.today)
        self.this_month = self.today.replace(day=1)
        self.last_month = dates.add_months(self.this_month, -1)
        self.years = list(range(FIRST_YEAR, self.current_year + 1))
        self.events: list[Event] = []
        self.dropped = 0

    # Building -------------------------------------------------------------------

    def moment(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def working(self, day: datetime.date) -> datetime.date:
        """`day`, or the next working day when it is a weekend or a bank holiday."""
        return day if dates.is_working_day(day) else dates.nth_working_day_after(day, 1)

    def on(
        self,
        day: datetime.date | datetime.datetime,
        action: Callable[[], object],
        *,
        hour: int = 10,
        minute: int = 0,
        label: str = "",
    ) -> bool:
        """Add an event; one later than now is dropped (it has not happened yet)."""
        when = day if isinstance(day, datetime.datetime) else self.moment(day, hour, minute)
        if when > self.now:
            self.dropped += 1
            return False
        self.events.append(Event(when, len(self.events), label or action.__name__, action))
        return True

    def before_now(self, when: datetime.datetime, *, margin_minutes: int = 30) -> datetime.datetime:
        """`when`, or a little before now when `when` has not come yet (for what must
        have happened by today whatever day the demo is loaded on)."""
        return min(when, self.now - datetime.timedelta(minutes=margin_minutes))

    def happened(self, day: datetime.date) -> bool:
        return day <= self.today

    # Running --------------------------------------------------------------------

    def run(self) -> int:
        import time

        import time_machine

        self.timings: dict[str, float] = {}
        for event in sorted(self.events):
            with time_machine.travel(event.when, tick=False):
                started = time.perf_counter()
                try:
                    event.action()
                except Exception as exc:
                    exc.add_note(f"In the demo story: {event.label} at {event.when:%Y-%m-%d %H:%M}")
                    raise
                kind = event.action.__module__.split(".")[0] + "." + event.action.__name__
                self.timings[kind] = self.timings.get(kind, 0.0) + time.perf_counter() - started
        return len(self.events)
