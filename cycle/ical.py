"""Calendar feeds (iCalendar) of deadlines: a person's own, and public publication dates."""

import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from icalendar import Calendar, Event

from lra_commissioning.links import absolute_url

# Where the public reads what a publication date is about.
PUBLIC_PAGES = {
    "specification_publish": "specifications:public_current",
    "annual_report": "cycle:public_annual_reports",
}


def _public_url(deadline) -> str | None:
    try:
        return absolute_url(reverse(PUBLIC_PAGES[deadline.kind]))
    except (KeyError, NoReverseMatch):
        return None


def deadlines_calendar(deadlines, *, name: str, public: bool = False) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.COUNCIL_NAME}//{settings.SERVICE_NAME}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    stamp = timezone.now()
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "lra.example.org"
    # A person's feed names each deadline's record page (`record_url`, from
    # selectors.feed_deadlines_for); the public feed the public page.
    for d in deadlines:
        event = Event()
        event.add("uid", f"deadline-{d.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", d.title if public else f"Due: {d.title}")
        # All-day events: a date, not a time, so clock changes never move them.
        event.add("dtstart", d.due_on)
        event.add("dtend", d.due_on + datetime.timedelta(days=1))
        # The record's page for the feed's owner (see selectors.feed_deadlines_for).
        url = _public_url(d) if public else absolute_url(d.record_url)
        if url:
            event.add("url", url)
        if not public:
            state = f"Met on {d.met_on:%-d %B %Y}" if d.is_met else "Open"
            event.add("description", f"{d.get_kind_display()}. {state}. {url}")
            event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
