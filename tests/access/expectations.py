"""Who may open each page: the expectation every URL pattern must have.

Each app lists its URL names in `tests/access/pages_<app>.py` as `PAGES`, a
dict of URL name -> `Page`. The matrix test walks every URL pattern of the
site and fails when one has no entry, then opens each page as each role and
as an anonymous visitor, on the demo data, and checks the status.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from lra_commissioning.roles import Role

ANONYMOUS = "anonymous"
EVERYONE = frozenset({ANONYMOUS, *Role})
STAFF = frozenset(Role)
C = Role.COMMISSIONER
SM = Role.SERVICE_MANAGER
B = Role.BOARD_MEMBER
SL = Role.SUPPORT_LEAD
A = Role.ADMINISTRATOR


@dataclass(frozen=True)
class Page:
    """How one URL answers a GET.

    allowed: who gets `ok`. Signed-in people not allowed get `denied` (403, or
    404 where existence must not be revealed); anonymous visitors not allowed
    are sent to sign in (302) unless `anonymous_status` says otherwise.
    kwargs: builds the URL arguments from the demo data (called inside the test).
    """

    allowed: frozenset
    kwargs: Callable[[], dict] | None = None
    ok: int = 200
    denied: int = 403
    anonymous_status: int = 302
    query: str = ""
    # Roles that get a status of their own (e.g. 404 for a support lead whose
    # service it is not). Applied after `allowed`.
    special: dict = field(default_factory=dict)
    # False for a download (PDF, iCalendar): the browser saves it, axe has no page to check.
    html: bool = True

    def expected_status(self, who) -> int:
        if who in self.special:
            return self.special[who]
        if who in self.allowed:
            return self.ok
        return self.anonymous_status if who == ANONYMOUS else self.denied


def public(**kw):
    return Page(allowed=EVERYONE, **kw)


def staff(*roles, **kw):
    return Page(allowed=frozenset(roles), **kw)


APPS = ["core", "specifications", "performance", "funding", "changes", "slas", "cycle", "board"]

DEMO_PERSON = {
    Role.COMMISSIONER: "commissioner@example.org",
    Role.SERVICE_MANAGER: "manager@example.org",
    Role.BOARD_MEMBER: "board@example.org",
    Role.SUPPORT_LEAD: "support@example.org",
    Role.ADMINISTRATOR: "admin@example.org",
}
WHO = [ANONYMOUS, *Role]


def all_pages() -> dict[str, Page]:
    from importlib import import_module

    pages = {}
    for app in APPS:
        pages.update(import_module(f"tests.access.pages_{app}").PAGES)
    return pages


def load_demo_world():
    """The demo council, through the same loaders as `manage.py load_demo` (once per
    test process: tests/demo_database.py)."""
    from lra_commissioning import demo, notifications

    with notifications.recorded_quietly():
        ctx, _told = demo.load("demo-password-for-tests")
    return ctx
