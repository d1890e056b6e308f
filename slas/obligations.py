"""The obligations of a support service's leads (their deadlines: see
slas.support_deadlines): their keys, and when the records say each was met.

    sla_support:<support service id>:<start year>:<lead id>
        the support service's side of the year's SLA agreed (by any of its leads)
    sla_results:<SLA id>:<period end YYYY-MM-DD>:<lead id>
        every service level's result for the period ending that day reported

And the service's side, in the service managers' calendar:

    sla:<support service id>:<start year>
        the year's SLA with that support service agreed by both sides

`support_agreements_met(keys)`, `results_met(keys)` and `agreements_met(keys)`
answer from the records, in a fixed number of queries however many keys, with
`Met(on, by_id)` values: the record resolvers of lra_commissioning.obligations,
registered by `register()` (apps.py). Imports nothing above the app.
"""

import datetime

from lra_commissioning import obligations
from lra_commissioning.obligations import Met

from .models import SLA, ServiceLevelResult, level_periods


def agreement_key(support_service_id: int, start_year: int, lead_id: int) -> str:
    return f"sla_support:{support_service_id}:{start_year}:{lead_id}"


def results_key(sla_id: int, period_end: datetime.date, lead_id: int) -> str:
    return f"sla_results:{sla_id}:{period_end:%Y-%m-%d}:{lead_id}"


def periods_reported(sla) -> dict[datetime.date, bool]:
    """Each period end of the SLA's service levels: are all its results reported?

    Uses the SLA's prefetched service levels and results.
    """
    ends: dict[datetime.date, bool] = {}
    for level in sla.service_levels.all():
        reported = {r.period_start for r in level.results.all()}
        for period in level_periods(level.frequency, sla.starts_on, sla.financial_year.start_year):
            ends[period.end] = ends.get(period.end, True) and period.start in reported
    return dict(sorted(ends.items()))


def _parts(keys, prefix: str) -> dict[str, list[str]]:
    return {k: k.split(":")[1:] for k in keys if k.startswith(prefix + ":")}


def support_agreements_met(keys) -> dict[str, Met]:
    """sla_support keys whose SLA the support service has agreed: met that day. One query."""
    wanted = {}
    for key, parts in _parts(keys, "sla_support").items():
        try:
            wanted[key] = (int(parts[0]), int(parts[1]))
        except (IndexError, ValueError):
            continue
    if not wanted:
        return {}
    agreed = {
        (service_id, year): Met(on, by_id)
        for service_id, year, on, by_id in SLA.objects.filter(
            support_service_id__in={s for s, _ in wanted.values()},
            financial_year__start_year__in={y for _, y in wanted.values()},
            support_agreed_on__isnull=False,
        ).values_list(
            "support_service_id",
            "financial_year__start_year",
            "support_agreed_on",
            "support_agreed_by_id",
        )
    }
    return {key: agreed[pair] for key, pair in wanted.items() if pair in agreed}


def results_met(keys) -> dict[str, Met]:
    """sla_results keys whose period is fully reported: met on the day of the last
    result. Two queries."""
    wanted = {}
    for key, parts in _parts(keys, "sla_results").items():
        try:
            wanted[key] = (int(parts[0]), datetime.date.fromisoformat(parts[1]))
        except (IndexError, ValueError):
            continue
    if not wanted:
        return {}
    slas = {
        sla.pk: sla
        for sla in SLA.objects.filter(pk__in={s for s, _ in wanted.values()})
        .select_related("financial_year")
        .prefetch_related("service_levels__results")
    }
    found = {}
    for key, (sla_id, end) in wanted.items():
        sla = slas.get(sla_id)
        if sla is None or not periods_reported(sla).get(end):
            continue
        last: ServiceLevelResult = max(
            (
                r
                for level in sla.service_levels.all()
                for r in level.results.all()
                if r.period_end == end
            ),
            key=lambda r: (r.reported_on, r.pk),
        )
        found[key] = Met(last.reported_on, last.reported_by_id)
    return found


def agreements_met(keys) -> dict[str, Met]:
    """sla keys whose SLA both sides have agreed: met the day the second side agreed,
    by that person. One query."""
    wanted = {}
    for key, parts in _parts(keys, "sla").items():
        try:
            wanted[key] = (int(parts[0]), int(parts[1]))
        except (IndexError, ValueError):
            continue
    if not wanted:
        return {}
    agreed = {}
    for service_id, year, on, service_on, service_by, support_on, support_by in SLA.objects.filter(
        support_service_id__in={s for s, _ in wanted.values()},
        financial_year__start_year__in={y for _, y in wanted.values()},
        agreed_on__isnull=False,
    ).values_list(
        "support_service_id",
        "financial_year__start_year",
        "agreed_on",
        "service_agreed_on",
        "service_agreed_by_id",
        "support_agreed_on",
        "support_agreed_by_id",
    ):
        second = support_by if (support_on or on) >= (service_on or on) else service_by
        agreed[(service_id, year)] = Met(on, second)
    return {key: agreed[pair] for key, pair in wanted.items() if pair in agreed}


def register():
    obligations.register_resolver("sla", agreements_met)
    obligations.register_resolver("sla_support", support_agreements_met)
    obligations.register_resolver("sla_results", results_met)
