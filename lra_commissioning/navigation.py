"""The service navigation: each role sees what it may use.

An entry appears when the person holds its permission (or, with no
permission, for everyone) and its page exists.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .permissions import Perm, can


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None = None  # None: public, shown to everyone
    staff_only: bool = False


STAFF_NAVIGATION = [
    NavEntry("Home", "home", Perm.STAFF_HOME),
    NavEntry("Specification", "specifications:staff_index", Perm.SPECIFICATION_VERSION_VIEW),
    NavEntry("Performance", "performance:dashboard", Perm.PERFORMANCE_VIEW),
    NavEntry("Budget", "funding:index", Perm.BUDGET_VIEW),
    NavEntry("Changes", "changes:index", Perm.CHANGE_VIEW),
    NavEntry("Board", "board:index", Perm.BOARD_VIEW_AGENDA),
    NavEntry("SLAs", "slas:index", Perm.SLA_VIEW),
    NavEntry("Calendar", "cycle:calendar", Perm.CALENDAR_VIEW_OWN),
    NavEntry("Administration", "administration:people", Perm.USERS_MANAGE),
]

PUBLIC_NAVIGATION = [
    NavEntry("Home", "public_home"),
    NavEntry("Specification", "specifications:public_current"),
    NavEntry("Annual reports", "cycle:public_annual_reports"),
    NavEntry("Open data", "performance:open_data"),
    NavEntry("Board meetings", "board:meetings"),
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
