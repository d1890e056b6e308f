"""Where each specification obligation's work is, for the person asking (see
lra_commissioning.links). Registered in apps.py.
"""

from django.urls import reverse

from lra_commissioning import links
from lra_commissioning.permissions import Perm, can, visible_q

from .models import BusinessPlan, SpecificationVersion


def specification_links(user, keys):
    """specification:<start year>:<step>: the year's latest version this person may see,
    or the specifications page; nothing for those who never see versions."""
    if not can(user, Perm.SPECIFICATION_VERSION_VIEW):
        return {}
    years = {key: links.int_part(key, 0) for key in keys}
    latest = {}
    for pk, year in (
        SpecificationVersion.objects.filter(
            visible_q(user, Perm.SPECIFICATION_VERSION_VIEW),
            specification__financial_year__start_year__in={y for y in years.values() if y},
        )
        .order_by("major", "minor", "id")
        .values_list("pk", "specification__financial_year__start_year")
    ):
        latest[year] = pk
    index = reverse("specifications:staff_index")
    return {
        key: reverse("specifications:version_detail", args=[latest[year]])
        if year in latest
        else index
        for key, year in years.items()
    }


def business_plan_links(user, keys):
    """business_plan:<start year>: the plan (or the plans page, where it may be started)."""
    if not can(user, Perm.BUSINESS_PLAN_VIEW):
        return {}
    years = {key: links.int_part(key, 0) for key in keys}
    visible = set(
        BusinessPlan.objects.filter(
            visible_q(user, Perm.BUSINESS_PLAN_VIEW),
            financial_year__start_year__in={y for y in years.values() if y},
        ).values_list("financial_year__start_year", flat=True)
    )
    plans = reverse("specifications:plan_list")
    return {
        key: reverse("specifications:plan_detail", args=[year]) if year in visible else plans
        for key, year in years.items()
    }


def register():
    links.register("specification", specification_links)
    links.register("business_plan", business_plan_links)
