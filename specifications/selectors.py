"""Reads of specifications, for the people asking.

Pages call these so that each costs a fixed number of queries, however many
KPIs, requirements and comments there are.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Count, Prefetch, Q

from lra_commissioning.permissions import Perm, can, visible_q
from lra_commissioning.selectors import today

from .models import (
    KPI,
    BusinessPlan,
    BusinessPlanSection,
    BusinessPlanStatus,
    CommentStatus,
    Outcome,
    PublicComment,
    ServiceRequirement,
    SpecificationVersion,
    VersionStatus,
)


def public_home_facts() -> dict:
    """For the public home page (registered in apps.py): the version in force today."""
    return {"version_in_force": version_in_force(on=today())}


def version_in_force(*, on: datetime.date) -> SpecificationVersion | None:
    """The one published version in force on a day: the latest to have started.

    Publishing refuses a second version with the same start date (and the
    database does too), so on any day there is exactly one (once the first has
    started).
    """
    return (
        SpecificationVersion.objects.filter(status=VersionStatus.PUBLISHED, starts_on__lte=on)
        .select_related("specification__financial_year")
        .order_by("-starts_on", "-major", "-minor")
        .first()
    )


def content_prefetches(prefix: str = "") -> list:
    """Prefetch everything `versions_diff` and the version pages read (4 queries)."""
    return [
        Prefetch(f"{prefix}sections"),
        Prefetch(
            f"{prefix}outcomes",
            queryset=Outcome.objects.select_related("strategic_outcome").prefetch_related(
                Prefetch("requirements", queryset=ServiceRequirement.objects.order_by("order"))
            ),
        ),
        Prefetch(f"{prefix}kpis", queryset=KPI.objects.select_related("outcome")),
    ]


def version_with_content(pk) -> SpecificationVersion | None:
    return (
        SpecificationVersion.objects.select_related(
            "specification__financial_year",
            "board_decided_by",
            "agreed_by",
            "published_by",
            "based_on__specification__financial_year",
            # The change that made it (change management), for how it was agreed.
            "applied_change__council_agreed_by",
        )
        .prefetch_related(*content_prefetches())
        .filter(pk=pk)
        .first()
    )


def published_version(*, start_year: int, major: int, minor: int):
    version = (
        SpecificationVersion.objects.filter(
            status=VersionStatus.PUBLISHED,
            specification__financial_year__start_year=start_year,
            major=major,
            minor=minor,
        )
        .values_list("pk", flat=True)
        .first()
    )
    return version_with_content(version) if version else None


def published_versions_with_content() -> list[SpecificationVersion]:
    """Every published version, oldest first, with its content (5 queries)."""
    return list(
        SpecificationVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("specification__financial_year")
        .prefetch_related(*content_prefetches())
        .order_by("starts_on", "major", "minor")
    )


def versions_for_user(user):
    """Every version this person may open on the staff pages, newest first.

    Commissioners see every version; service managers and board members see a
    version once it is submitted to the board (`specification_version.view`).
    """
    if not can(user, Perm.SPECIFICATION_VERSION_VIEW):
        return SpecificationVersion.objects.none()
    return (
        SpecificationVersion.objects.filter(visible_q(user, Perm.SPECIFICATION_VERSION_VIEW))
        .select_related("specification__financial_year")
        .order_by("-specification__financial_year__start_year", "-major", "-minor")
    )


def versions_with_content_for_user(user) -> list[SpecificationVersion]:
    """The versions this person may compare, oldest first, with their content (5 queries)."""
    return list(
        SpecificationVersion.objects.filter(visible_q(user, Perm.SPECIFICATION_VERSION_VIEW))
        .select_related("specification__financial_year")
        .prefetch_related(*content_prefetches())
        .order_by("specification__financial_year__start_year", "major", "minor")
    )


def published_comments(version) -> list[PublicComment]:
    return list(
        PublicComment.objects.filter(version=version, status=CommentStatus.PUBLISHED)
        .select_related("section")
        .order_by("received_at", "id")
    )


def comments_for_moderation(*, status: str | None = None):
    qs = PublicComment.objects.select_related(
        "version__specification__financial_year", "section", "moderated_by", "responded_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-id")


def comment_counts() -> dict[str, int]:
    return PublicComment.objects.aggregate(
        pending=Count("id", filter=Q(status=CommentStatus.PENDING)),
        published=Count("id", filter=Q(status=CommentStatus.PUBLISHED)),
        rejected=Count("id", filter=Q(status=CommentStatus.REJECTED)),
        total=Count("id"),
    )


def business_plans_for_user(user) -> list[BusinessPlan]:
    """The business plans this person may open, newest year first (one query).

    Service managers see every plan; commissioners and board members once it
    is submitted (`business_plan.view`).
    """
    return list(
        BusinessPlan.objects.filter(visible_q(user, Perm.BUSINESS_PLAN_VIEW))
        .select_related("financial_year", "version")
        .order_by("-financial_year__start_year")
    )


def business_plan_with_content(*, start_year: int) -> BusinessPlan | None:
    return (
        BusinessPlan.objects.select_related(
            "financial_year",
            "version__specification__financial_year",
            "submitted_by",
            "reviewed_by",
        )
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=BusinessPlanSection.objects.select_related("outcome").prefetch_related(
                    "actions"
                ),
            )
        )
        .filter(financial_year__start_year=start_year)
        .first()
    )


@dataclass
class ShownPlanSection:
    pk: int
    outcome: object
    approach: str
    return_comment: str
    actions: list


def business_plan_as_seen_by(user, plan: BusinessPlan):
    """(summary, sections) of the plan as this person should read it.

    A returned plan's edits are the service's draft until it is resubmitted: the
    commissioner and the board keep reading the plan as submitted (with the
    commissioner's comments on it); the service reads its working copy.
    """
    live = [
        ShownPlanSection(s.pk, s.outcome, s.approach, s.return_comment, list(s.actions.all()))
        for s in plan.sections.all()
    ]
    snapshot = plan.submitted_content or {}
    if (
        plan.status != BusinessPlanStatus.RETURNED
        or can(user, Perm.BUSINESS_PLAN_WRITE)
        or not snapshot.get("sections")
    ):
        return plan.summary, live
    by_outcome = {s.outcome.pk: s for s in live}
    shown = []
    for item in snapshot["sections"]:
        section = by_outcome.get(item["outcome"])
        if section is None:
            continue
        actions = [
            SimpleNamespace(
                description=a["description"],
                milestone_on=datetime.date.fromisoformat(a["milestone_on"]),
                owner=a["owner"],
            )
            for a in item["actions"]
        ]
        shown.append(
            ShownPlanSection(
                section.pk, section.outcome, item["approach"], section.return_comment, actions
            )
        )
    return snapshot.get("summary", ""), shown


# Contracts other apps rely on (the annual report): keep the signature.


def business_plan_summary(*, start_year: int) -> list[tuple[str, str, str]]:
    """(outcome code, outcome title, how the plan says it will meet it) for a year.

    Only an accepted plan counts: a draft is not the service's answer yet.
    """
    plan = (
        BusinessPlan.objects.filter(
            financial_year__start_year=start_year, status=BusinessPlanStatus.ACCEPTED
        )
        .values_list("pk", flat=True)
        .first()
    )
    if plan is None:
        return []
    return [
        (s.outcome.code, s.outcome.title, s.approach)
        for s in BusinessPlanSection.objects.filter(plan_id=plan)
        .select_related("outcome")
        .order_by("order", "id")
    ]


@dataclass(frozen=True)
class PlanActionLine:
    outcome_code: str
    description: str
    milestone_on: datetime.date
    owner: str


def business_plan_actions(*, start_year: int) -> list[PlanActionLine]:
    """Every action of the year's accepted business plan, by outcome (one query)."""
    from .models import BusinessPlanAction

    return [
        PlanActionLine(a.section.outcome.code, a.description, a.milestone_on, a.owner)
        for a in BusinessPlanAction.objects.filter(
            section__plan__financial_year__start_year=start_year,
            section__plan__status=BusinessPlanStatus.ACCEPTED,
        )
        .select_related("section__outcome")
        .order_by("section__order", "section_id", "milestone_on", "id")
    ]


@dataclass(frozen=True)
class YearOutcome:
    code: str
    title: str
    description: str


def year_outcomes(*, start_year: int) -> list[YearOutcome]:
    """The outcomes of the specification in force at the end of a financial year
    (those of the year's first version if none had started by then)."""
    from lra_commissioning import dates

    version = version_in_force(on=dates.financial_year_end(start_year))
    if version is None:
        return []
    return [
        YearOutcome(o.code, o.title, o.description)
        for o in Outcome.objects.filter(version=version).order_by("order", "id")
    ]
