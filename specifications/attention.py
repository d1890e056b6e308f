"""What this app asks of a signed-in person: see lra_commissioning.attention.

Commissioners: comments awaiting moderation, business plans to review,
versions returned by the board, agreed versions to publish. Board members:
versions to sign off. The head of service: signed-off versions to agree.
Service managers: returned business-plan sections. A fixed number of queries.
"""

from django.urls import reverse

from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import can

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


def _version_item(group, version, status):
    return AttentionItem(
        group=group,
        title=f"{version.specification.financial_year.label} specification, version "
        f"{version.number}",
        url=reverse("specifications:version_detail", args=[version.pk]),
        due=version.starts_on,
        status=status,
    )


def items_for(user):
    items = []
    if can(user, "comment.moderate"):
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
    if can(user, "business_plan.review"):
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
                )
            )
    if can(user, "specification.draft"):
        for version in _versions(VersionStatus.RETURNED):
            items.append(_version_item("Specifications returned by the board", version, "Returned"))
    if can(user, "specification.publish"):
        for version in _versions(VersionStatus.AGREED):
            items.append(_version_item("Specifications to publish", version, "Agreed"))
    if can(user, "specification.sign_off"):
        for version in _versions(VersionStatus.WITH_BOARD):
            items.append(_version_item("Specifications to sign off", version, "With the board"))
    if can(user, "specification.agree"):
        for version in _versions(VersionStatus.SIGNED_OFF):
            items.append(_version_item("Specifications to agree", version, "Signed off"))
    if can(user, "business_plan.write"):
        for section in (
            BusinessPlanSection.objects.filter(plan__status=BusinessPlanStatus.RETURNED)
            .exclude(return_comment="")
            .select_related("plan__financial_year", "outcome")
        ):
            year = section.plan.financial_year
            items.append(
                AttentionItem(
                    group="Returned business plan sections",
                    title=f"{year.label} business plan: {section.outcome.code} "
                    f"{section.outcome.title}",
                    url=reverse("specifications:plan_section_edit", args=[section.pk]),
                    status="Returned",
                )
            )
    return items
