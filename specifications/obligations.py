"""When the records say each specification obligation was met (see
lra_commissioning.obligations). Registered in apps.py.

    specification:<start year>:draft     a version of the year's specification sent to
                                         the board (the earliest still on record)
    specification:<start year>:sign_off  a version signed off by the board (the
                                         board's decision date)
    specification:<start year>:publish   a version of the year published
    business_plan:<start year>           the year's business plan accepted

Each resolver takes many keys and costs one query.
"""

from django.utils import timezone

from lra_commissioning import obligations
from lra_commissioning.links import int_part, split_key

from .models import BusinessPlan, BusinessPlanStatus, SpecificationVersion, VersionStatus

SIGNED_OFF_STATUSES = {VersionStatus.SIGNED_OFF, VersionStatus.AGREED, VersionStatus.PUBLISHED}
STEPS = ("draft", "sign_off", "publish")


def _earliest(found: dict, key, met: obligations.Met) -> None:
    if key not in found or met.on < found[key].on:
        found[key] = met


def specifications_met(keys):
    wanted = {}
    for key in keys:
        year, parts = int_part(key, 0), split_key(key)
        if year is not None and len(parts) == 2 and parts[1] in STEPS:
            wanted[key] = (year, parts[1])
    if not wanted:
        return {}
    by_year: dict[tuple[int, str], obligations.Met] = {}
    for (
        year,
        status,
        submitted_at,
        decided_on,
        decided_by,
        published_at,
        published_by,
    ) in SpecificationVersion.objects.filter(
        specification__financial_year__start_year__in={y for y, _ in wanted.values()}
    ).values_list(
        "specification__financial_year__start_year",
        "status",
        "submitted_at",
        "board_decided_on",
        "board_decided_by_id",
        "published_at",
        "published_by_id",
    ):
        if submitted_at is not None:
            _earliest(by_year, (year, "draft"), obligations.Met(timezone.localdate(submitted_at)))
        if status in SIGNED_OFF_STATUSES and decided_on is not None:
            _earliest(by_year, (year, "sign_off"), obligations.Met(decided_on, decided_by))
        if status == VersionStatus.PUBLISHED and published_at is not None:
            _earliest(
                by_year,
                (year, "publish"),
                obligations.Met(timezone.localdate(published_at), published_by),
            )
    return {key: by_year[pair] for key, pair in wanted.items() if pair in by_year}


def business_plans_met(keys):
    years = {key: int_part(key, 0) for key in keys}
    years = {key: year for key, year in years.items() if year is not None}
    if not years:
        return {}
    accepted = {
        year: obligations.Met(timezone.localdate(at), by_id)
        for year, at, by_id in BusinessPlan.objects.filter(
            financial_year__start_year__in=set(years.values()),
            status=BusinessPlanStatus.ACCEPTED,
            reviewed_at__isnull=False,
        ).values_list("financial_year__start_year", "reviewed_at", "reviewed_by_id")
    }
    return {key: accepted[year] for key, year in years.items() if year in accepted}


def register():
    obligations.register_resolver("specification", specifications_met)
    obligations.register_resolver("business_plan", business_plans_met)
