"""Demo data for a first look: a council's service from 2016/17 to today.

`python manage.py load_demo` calls `load(password)` here: the demo people,
then the story (`lra_commissioning.story`): each app's `demo.chapter(story)`
in the order of `APP_LOADERS` says what happened and when, and the story runs
every event in date order with the clock at its moment, through the services.
A second run finds the story told (`DemoStory`) and changes nothing.
"""

import secrets
from dataclasses import dataclass, field
from importlib import import_module

from django.db import transaction
from django.utils import timezone

from lra_commissioning import dates

from .models import DemoStory, FinancialYear, User
from .roles import Role
from .services import user_create_or_update
from .story import Story

APP_LOADERS = [
    "specifications.demo",
    "performance.demo",
    "funding.demo",
    "changes.demo",
    "slas.demo",
    "cycle.demo",
    "board.demo",
]

FIRST_YEAR = 2016

DEMO_PEOPLE = [
    # (e-mail, full name, job title, roles, head of service)
    (
        "commissioner@example.org",
        "Helen Marsh",
        "Corporate Director, Growth, Environment and Transport",
        [Role.COMMISSIONER],
        False,
    ),
    (
        "manager@example.org",
        "Daniel Okoro",
        "Head of Service, Libraries, Registration and Archives",
        [Role.SERVICE_MANAGER],
        True,
    ),
    (
        "board@example.org",
        "Cllr Margaret Ashdown",
        "Cabinet Member for Community Services",
        [Role.BOARD_MEMBER],
        False,
    ),
    ("support@example.org", "Priya Shah", "Health and Safety Manager", [Role.SUPPORT_LEAD], False),
    (
        "admin@example.org",
        "Sam Okafor",
        "LRA Commissioning system owner",
        [Role.ADMINISTRATOR],
        False,
    ),
]


@dataclass
class DemoContext:
    password: str
    users: dict[str, User] = field(default_factory=dict)
    years: dict[int, FinancialYear] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def commissioner(self):
        return self.users["commissioner@example.org"]

    @property
    def manager(self):
        return self.users["manager@example.org"]

    @property
    def board(self):
        return self.users["board@example.org"]

    @property
    def support(self):
        return self.users["support@example.org"]

    @property
    def admin(self):
        return self.users["admin@example.org"]


def generate_password() -> str:
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def story_told() -> DemoStory | None:
    return DemoStory.objects.first()


@transaction.atomic
def people(password: str, *, last_year: int) -> DemoContext:
    ctx = DemoContext(password=password)
    for start_year in range(FIRST_YEAR, last_year + 1):
        ctx.years[start_year], _ = FinancialYear.objects.get_or_create(start_year=start_year)
    for email, name, title, roles, hos in DEMO_PEOPLE:
        ctx.users[email] = user_create_or_update(
            email=email,
            full_name=name,
            job_title=title,
            roles=roles,
            is_head_of_service=hos,
            password=password,
            is_staff=Role.ADMINISTRATOR in roles,
            is_superuser=Role.ADMINISTRATOR in roles,
            by=None,
        )
    return ctx


@transaction.atomic
def load(password: str | None, *, now=None) -> tuple[DemoContext, bool]:
    """Tell the story up to `now` (today); (context, whether it was told this time).

    Told already, nothing changes; the demo people's password is set again only when
    `password` is given and differs (None keeps it).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    told = story_told()
    if told is not None:
        # Told already: nothing changes, unless the demo password was changed.
        ctx = DemoContext(password=password or "")
        for email, *_rest in DEMO_PEOPLE:
            user = User.objects.get(email=email)
            if password and not user.check_password(password):
                people(password, last_year=dates.financial_year_of(today) + 1)
                break
        ctx.notes.append(
            f"The demo story was already loaded on {timezone.localtime(told.loaded_at):%-d %B %Y} "
            f"(to {told.through_month:%B %Y}): nothing changed."
        )
        return ctx, False
    ctx = people(password, last_year=dates.financial_year_of(today) + 1)
    story = Story(ctx, now=now)
    for path in APP_LOADERS:
        import_module(path).chapter(story)
    count = story.run()
    ctx.timings = story.timings
    DemoStory.objects.create(loaded_at=now, through_month=story.this_month)
    ctx.notes.insert(
        0,
        f"The story: {count} events from 2016/17 to {story.today:%-d %B %Y}, "
        "each through the services on its own date.",
    )
    return ctx, True
