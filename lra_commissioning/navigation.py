"""The service navigation: each role sees what it may use.

An entry appears when the person holds its permission (or, with no
permission, for everyone) and its page exists.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .permissions import can


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None = None  # None: public, shown to everyone
    staff_only: bool = False


STAFF_NAVIGATION = [
    NavEntry("Home", "home", "staff.home"),
    NavEntry("Specification", "specifications:staff_index", "specification_version.view"),
    NavEntry("Performance", "performance:dashboard", "performance.view"),
    NavEntry("Budget", "funding:index", "budget.view"),
    NavEntry("Changes", "changes:index", "change.view"),
    NavEntry("Board", "changes:board", "board.view_agenda"),
    NavEntry("SLAs", "slas:index", "sla.view"),
    NavEntry("Calendar", "cycle:calendar", "calendar.view_own"),
    NavEntry("Administration", "administration:people", "users.manage"),
]

PUBLIC_NAVIGATION = [
    NavEntry("Home", "public_home"),
    NavEntry("Specification", "specifications:public_current"),
    NavEntry("Annual reports", "cycle:public_annual_reports"),
    NavEntry("Open data", "performance:open_data"),
]


def _resolve(entries, request):
    items = []
    path = request.path
    for entry in entries:
        if entry.permission and not can(request.user, entry.permission):
            continue
        try:
            href = reverse(entry.url_name)
        except NoReverseMatch:
            continue  # the app that owns this page has not built it yet
        current = path == href or (href not in ("/", "/home/") and path.startswith(href))
        items.append({"text": entry.label, "href": href, "current": current})
    return items


def navigation_for(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.roles:
        return _resolve(STAFF_NAVIGATION, request)
    return _resolve(PUBLIC_NAVIGATION, request)
