"""Demo data for a first look: a realistic council from 2016/17.

`python manage.py load_demo` calls `load(ctx)` here, then each app's
`demo.load(ctx)` in the order of `APP_LOADERS`. Each loader is safe to run
twice: it looks for what it would create before creating it.
"""

import secrets
from dataclasses import dataclass, field

from django.db import transaction

from .models import FinancialYear, User
from .roles import Role
from .services import user_create_or_update

APP_LOADERS = [
    "specifications.demo",
    "performance.demo",
    "funding.demo",
    "changes.demo",
    "slas.demo",
    "lra_commissioning.cycle.demo",
]

FIRST_YEAR = 2016
LAST_YEAR = 2027

DEMO_PEOPLE = [
    # (e-mail, full name, job title, roles, head of service)
    (
        "commissioner@example.org",
        "Barbara Cooper",
        "Corporate Director, Growth, Environment and Transport",
        [Role.COMMISSIONER],
        False,
    ),
    (
        "manager@example.org",
        "Andrew Stephens",
        "Head of Service, Libraries, Registration and Archives",
        [Role.SERVICE_MANAGER],
        True,
    ),
    (
        "board@example.org",
        "Mike Hill",
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


@transaction.atomic
def load(password: str) -> DemoContext:
    ctx = DemoContext(password=password)
    for start_year in range(FIRST_YEAR, LAST_YEAR + 1):
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
