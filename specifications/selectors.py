"""Reads of specifications, for the people asking.

Pages call these so that each costs a fixed number of queries, however many
KPIs, requirements and comments there are.
"""

import datetime

from django.db.models import Count, Prefetch, Q

from lra_commissioning.permissions import can, visible_q

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
    if not can(user, "specification_version.view"):
        return SpecificationVersion.objects.none()
    return (
        SpecificationVersion.objects.filter(visible_q(user, "specification_version.view"))
        .select_related("specification__financial_year")
        .order_by("-specification__financial_year__start_year", "-major", "-minor")
    )


def versions_with_content_for_user(user) -> list[SpecificationVersion]:
    """The versions this person may compare, oldest first, with their content (5 queries)."""
    return list(
        SpecificationVersion.objects.filter(visible_q(user, "specification_version.view"))
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
        BusinessPlan.objects.filter(visible_q(user, "business_plan.view"))
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
