"""No role is shown a link it cannot open: sign in as each demo person and follow every
internal link reachable from their home page, two clicks deep, on the demo data.

Kept fast: at most `PER_PAGE_KIND` addresses of each kind of page (URL name) are
opened per person (a month's return, a KPI's page...), and downloads (PDF, CSV,
iCalendar, spreadsheets) are not fetched: the URL matrix checks who may have them.
"""

import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from lra_commissioning.models import User

from .expectations import DEMO_PERSON

DEPTH = 2
PER_PAGE_KIND = 3
HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')
NOT_PAGES = ("/static/", "/media/", "/admin/")
DOWNLOAD = re.compile(
    r"(\.(pdf|csv|ics|xlsx|docx|zip)$|/pdf/$|/attachments/|/evidence/|template\.)"
)


def _internal(href: str) -> str | None:
    href = unescape(href)
    url, _ = urldefrag(href)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(NOT_PAGES) or DOWNLOAD.search(parts.path):
        return None
    return url


def _kind(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return url  # a link to nowhere: opened, and fails as a 404


def crawl(client, start="/home/"):
    """{url: status} for every page reached, and where each bad one was linked from."""
    statuses, linked_from = {}, {}
    opened_per_kind: dict[str, int] = {}
    frontier = [start]
    for depth in range(DEPTH + 1):
        following = []
        for url in frontier:
            response = client.get(url)
            statuses[url] = response.status_code
            if depth == DEPTH or response.status_code != 200:
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            for href in HREF.findall(response.content.decode()):
                target = _internal(href)
                if target is None or target in statuses or target in linked_from:
                    continue
                kind = _kind(target)
                if opened_per_kind.get(kind, 0) >= PER_PAGE_KIND:
                    continue
                opened_per_kind[kind] = opened_per_kind.get(kind, 0) + 1
                linked_from[target] = url
                following.append(target)
        frontier = following
    return statuses, linked_from


@pytest.mark.parametrize("role", sorted(DEMO_PERSON))
def test_no_link_reachable_from_home_answers_403_or_404(role, demo_world, client, db):
    client.force_login(User.objects.get(email=DEMO_PERSON[role]))
    statuses, linked_from = crawl(client)
    assert len(statuses) > 10, "the crawl reached almost nothing"
    bad = {url: (status, linked_from.get(url)) for url, status in statuses.items() if status >= 400}
    assert not bad, f"{role}: links that do not open (status, linked from): {bad}"


@pytest.mark.parametrize("role", sorted(DEMO_PERSON))
def test_every_deadline_and_notification_link_opens_for_the_person_shown_it(
    role,
    demo_world,
    client,
    db,
):
    """Every deadline of the person's calendar (all of them for those who see all) and
    every notification of theirs leads to a page that opens for them."""
    import datetime

    from cycle import selectors
    from lra_commissioning.models import Notification

    person = User.objects.get(email=DEMO_PERSON[role])
    calendar = selectors.calendar_for(
        person, today=datetime.date.today(), show_all=True, start_year=None
    )
    deadlines = calendar["overdue"] + calendar["upcoming"] + calendar["met"]
    urls = {d.record_url for d in deadlines}
    urls |= set(Notification.objects.filter(recipient=person).values_list("url", flat=True))
    assert urls, f"{role} is shown no deadline at all"
    client.force_login(person)
    bad = {url: client.get(url).status_code for url in sorted(urls)}
    bad = {url: status for url, status in bad.items() if status != 200}
    assert not bad, f"{role}: deadline or notification links that do not open: {bad}"
