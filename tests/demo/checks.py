"""What must hold of the demo story on whatever day it is loaded (shared by the tests)."""

import datetime

from django.apps import apps
from django.db import models, transaction

from lra_commissioning import dates

PASSWORD = "demo-password-for-tests"


def load_once(django_db_blocker, *, now=None):
    """Load the story in a transaction rolled back after the module (a generator)."""
    from lra_commissioning import demo, notifications

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with notifications.recorded_quietly():
                ctx, told = demo.load(PASSWORD, now=now)
            assert told
            yield ctx
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


def _spec_version(start_year):
    from specifications.models import SpecificationVersion

    return (
        SpecificationVersion.objects.filter(
            specification__financial_year__start_year=start_year, minor=0
        )
        .order_by("major")
        .first()
    )


def record_meets(deadline) -> bool | None:
    """Whether the record behind a deadline meets it (None: no record rule to check)."""
    from cycle.models import AnnualReport
    from funding.models import BudgetNotice
    from performance.models import Action, ManagementReport, MonthlyReturn
    from slas.models import SLA
    from specifications.models import BusinessPlan

    kind, _, rest = deadline.key.partition(":")
    if kind == "kpi_return":
        month = datetime.date.fromisoformat(rest + "-01")
        return MonthlyReturn.objects.filter(month=month, submitted_at__isnull=False).exists()
    if kind == "management_report":
        month = datetime.date.fromisoformat(rest + "-01")
        return ManagementReport.objects.filter(month=month, submitted_at__isnull=False).exists()
    if kind == "specification":
        year, step = rest.split(":")
        version = _spec_version(int(year))
        if version is None:
            return False
        return {
            "draft": version.status != "draft",
            "sign_off": version.board_decided_on is not None,
            "publish": version.published_at is not None,
        }[step]
    if kind == "business_plan":
        return (
            BusinessPlan.objects.filter(financial_year__start_year=int(rest))
            .exclude(status="draft")
            .exists()
        )
    if kind == "funding_confirmation":
        return BudgetNotice.objects.filter(
            version__start_year=int(rest), version__kind="annual"
        ).exists()
    if kind == "sla":
        service, year = rest.split(":")
        return SLA.objects.filter(
            support_service_id=int(service),
            financial_year__start_year=int(year),
            agreed_on__isnull=False,
        ).exists()
    if kind == "annual_report":
        return AnnualReport.objects.filter(
            financial_year__start_year=int(rest), kind="annual", published_at__isnull=False
        ).exists()
    if kind == "cabinet_report":
        return AnnualReport.objects.filter(
            financial_year__start_year=int(rest), kind="cabinet", approved_at__isnull=False
        ).exists()
    if kind == "action":
        return Action.objects.filter(pk=int(rest), status="done").exists()
    return None


def deadline_disagreements(today) -> list[str]:
    """Every deadline whose state does not agree with its record."""
    from cycle.models import Deadline

    wrong = []
    for d in Deadline.objects.filter(withdrawn=False).order_by("due_on"):
        if d.met_on is not None and d.met_on > today:
            wrong.append(f"{d.key} met in the future ({d.met_on})")
        meets = record_meets(d)
        if meets is None:
            continue
        if d.is_met and not meets:
            wrong.append(f"{d.key} is met but its record does not meet it")
        if meets and not d.is_met:
            wrong.append(f"{d.key} is not met but its record meets it")
    return wrong


def overdue_on_home_pages() -> dict[str, tuple[int, int]]:
    """(items, overdue) on each demo sign-in's home page."""
    from lra_commissioning import attention
    from lra_commissioning.demo import DEMO_PEOPLE
    from lra_commissioning.models import User

    found = {}
    for email, *_rest in DEMO_PEOPLE:
        groups = attention.items_for(User.objects.get(email=email))
        found[email] = (
            sum(len(g.items) for g in groups),
            sum(g.overdue_count for g in groups),
        )
    return found


BAD_TEXT = ("None", "<script", "=HYPERLINK", "javascript:", "{{", "{%")


def bad_text() -> list[str]:
    """Text fields of the story holding "None", markup or formula payloads."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.label.startswith(
            ("admin.", "sessions.", "contenttypes.", "auth.", "axes.", "otp_", "django_")
        ):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and f.name not in ("password", "token", "key", "scope")
        ]
        for row in model._default_manager.values("pk", *fields):
            for name in fields:
                value = row[name] or ""
                if any(bad in value for bad in BAD_TEXT):
                    found.append(f"{model._meta.label}.{name} #{row['pk']}: {value[:80]}")
    return found


def story_reaches(today) -> list[str]:
    """The current year's shape (issue 13 item 3), as far as the date makes it."""
    from funding.models import BudgetNotice, MonitoringMonth
    from performance.models import ActionPlan, Escalation, ManagementReport, MonthlyReturn
    from slas.models import SLA
    from specifications.models import PublicComment
    from specifications.selectors import version_in_force

    problems = []
    year = dates.financial_year_of(today)
    this_month = today.replace(day=1)
    last_month = dates.add_months(this_month, -1)
    before = dates.add_months(this_month, -2)

    def expect(condition, text):
        if not condition:
            problems.append(text)

    in_force = version_in_force(on=today)
    expect(
        in_force is not None and in_force.specification.financial_year.start_year == year,
        "this year's specification is in force",
    )
    last = MonthlyReturn.objects.filter(month=last_month).first()
    expect(last is not None and last.status == "submitted", "last month's return is submitted")
    if last is not None:
        statuses = sorted(set(last.values.values_list("status", flat=True)))
        expect(statuses == ["queried", "submitted"], f"one value queried, got {statuses}")
        expect(last.values.filter(status="queried").count() == 1, "exactly one value queried")
    expect(
        MonthlyReturn.objects.filter(month=before, status="accepted").exists(),
        "the return before last month is accepted",
    )
    expect(not MonthlyReturn.objects.filter(month=this_month).exists(), "no return this month")
    expect(
        not MonthlyReturn.objects.filter(submitted_at__isnull=True).exists(),
        "no return left in draft",
    )
    month = datetime.date(2016, 4, 1)
    while month < last_month:
        expect(
            ManagementReport.objects.filter(month=month, submitted_at__isnull=False).exists(),
            f"management report for {month:%B %Y}",
        )
        expect(
            MonitoringMonth.objects.filter(month=month).exists(),
            f"budget monitoring for {month:%B %Y}",
        )
        month = dates.add_months(month, 1)
    expect(MonitoringMonth.objects.filter(month=last_month).exists(), "monitoring last month")
    expect(
        not MonthlyReturn.objects.filter(month__gt=this_month).exists(), "no return in the future"
    )
    next_spec = _spec_version(year + 1)
    if today.month in (12, 1, 2, 3) or (today.month == 11 and today.day >= 12):
        expect(next_spec is not None, "next year's specification has been started")
    confirmed_next = BudgetNotice.objects.filter(
        version__start_year=year + 1, version__kind="annual"
    ).exists()
    if today.month in (4, 5, 6, 7, 8, 9, 10):
        expect(not confirmed_next, "next year's funding is still to be confirmed")
    slas = SLA.objects.filter(financial_year__start_year=year)
    expect(slas.count() == 8, "eight SLAs this year")
    expect(
        not slas.filter(agreed_on__isnull=True).exists() or today.month in (4, 5),
        "this year's SLAs are agreed",
    )
    expect(
        slas.filter(agreed_on__gt=datetime.date(year, 4, 1)).count() == 1 or today.month in (4, 5),
        "one SLA agreed late",
    )
    breaches = [
        r
        for s in slas.prefetch_related("service_levels__results")
        for level in s.service_levels.all()
        for r in level.results.all()
        if r.rating == "breached"
    ]
    if today >= datetime.date(year, 7, 15):
        expect(len(breaches) == 1, f"one breach this year, got {len(breaches)}")
    if today >= datetime.date(year, 8, 1):
        expect(
            ActionPlan.objects.filter(status="open").count() == 1,
            "one action plan open (amber)",
        )
    if year - 2 >= 2017 and today >= datetime.date(year, 4, 1):
        expect(
            ActionPlan.objects.filter(
                status="closed", closed_at__year__in=(year, year - 1)
            ).exists(),
            "a plan closed last year",
        )
    expect(Escalation.objects.filter(status="responded").exists(), "an escalation answered")
    expect(PublicComment.objects.filter(status="pending").count() == 1, "one comment waiting")
    expect(
        PublicComment.objects.filter(status="published").exclude(response="").exists(),
        "published comments with a response",
    )
    return problems
