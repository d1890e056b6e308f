"""What this app asks of a signed-in person: see lra_commissioning.attention.

Commissioners: comments awaiting moderation, business plans to review,
versions returned by the board or the head of service, agreed versions to publish. Board members:
versions to sign off. The head of service: signed-off versions to agree.
Service managers: returned business-plan sections. A fixed number of queries.
"""

from django.urls import reverse

from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import Perm, can

from .models import (
    BusinessPlan,
    BusinessPlanSection,
    BusinessPlanStatus,
    CommentStatus,
    PublicComment,
    SpecificationVersion,
    VersionStatus,
)


def _versions(status):
    return SpecificationVersion.objects.filter(status=status).select_related(
        "specification__financial_year"
    )


def _version_item(group, version, status, step=""):
    year = version.specification.financial_year.start_year
    return AttentionItem(
        group=group,
        title=f"{version.specification.financial_year.label} specification, version "
        f"{version.number}",
        url=reverse("specifications:version_detail", args=[version.pk]),
        due=version.starts_on,
        status=status,
        # The calendar's deadline for this step is the same obligation: one line.
        key=f"specification:{year}:{step}" if step else "",
    )


def items_for(user):
    items = []
    if can(user, Perm.COMMENT_MODERATE):
        pending = PublicComment.objects.filter(status=CommentStatus.PENDING).count()
        if pending:
            items.append(
                AttentionItem(
                    group="Comments awaiting moderation",
                    title=f"{pending} public comment{'s' if pending != 1 else ''} "
                    "on the specification",
                    url=reverse("specifications:comment_list") + "?status=pending",
                    status="Awaiting moderation",
                )
            )
    if can(user, Perm.BUSINESS_PLAN_REVIEW):
        for plan in BusinessPlan.objects.filter(status=BusinessPlanStatus.SUBMITTED).select_related(
            "financial_year"
        ):
            items.append(
                AttentionItem(
                    group="Business plans to review",
                    title=f"{plan.financial_year.label} business plan",
                    url=reverse(
                        "specifications:plan_detail", args=[plan.financial_year.start_year]
                    ),
                    status="Submitted",
                    key=f"business_plan:{plan.financial_year.start_year}",
                )
            )
    if can(user, Perm.SPECIFICATION_DRAFT):
        returned = SpecificationVersion.objects.filter(
            status__in=(VersionStatus.RETURNED, VersionStatus.RETURNED_BY_SERVICE)
        ).select_related("specification__financial_year")
        for version in returned:
            if version.status == VersionStatus.RETURNED:
                items.append(
                    _version_item("Specifications returned by the board", version, "Returned")
                )
            else:
                items.append(
                    _version_item(
                        "Specifications returned by the service", version, "Returned by the service"
                    )
                )
    if can(user, Perm.SPECIFICATION_PUBLISH):
        for version in _versions(VersionStatus.AGREED):
            items.append(_version_item("Specifications to publish", version, "Agreed", "publish"))
    if can(user, Perm.SPECIFICATION_SIGN_OFF):
        for version in _versions(VersionStatus.WITH_BOARD):
            items.append(
                _version_item("Specifications to sign off", version, "With the board", "sign_off")
            )
    if can(user, Perm.SPECIFICATION_AGREE):
        for version in _versions(VersionStatus.SIGNED_OFF):
            items.append(_version_item("Specifications to agree", version, "Signed off"))
    if can(user, Perm.BUSINESS_PLAN_WRITE):
        # One line per returned plan (the obligation), naming the sections to revise.
        returned: dict = {}
        for section in (
            BusinessPlanSection.objects.filter(plan__status=BusinessPlanStatus.RETURNED)
            .exclude(return_comment="")
            .select_related("plan__financial_year", "outcome")
            .order_by("outcome__code")
        ):
            returned.setdefault(section.plan, []).append(section)
        for plan, sections in returned.items():
            year = plan.financial_year
            items.append(
                AttentionItem(
                    group="Returned business plan sections",
                    title=f"{year.label} business plan: revise "
                    + ", ".join(f"{s.outcome.code} {s.outcome.title}" for s in sections),
                    url=reverse("specifications:plan_detail", args=[year.start_year]),
                    status="Returned",
                    key=f"business_plan:{year.start_year}",
                )
            )
    return items
