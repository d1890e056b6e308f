"""Where each SLA obligation's work is, for the person asking (see
lra_commissioning.links). Registered in apps.py.

    sla:<support service id>:<start year>              the year's SLA (the service's side)
    sla_support:<support service id>:<start year>:<lead id>   the same SLA (its lead's side)
    sla_results:<SLA id>:<period end>:<lead id>        the SLA's performance page
"""

from django.urls import reverse

from lra_commissioning import links
from lra_commissioning.permissions import Perm, can

from .models import SLA


def _slas(**filters):
    return (
        SLA.objects.filter(**filters)
        .select_related("financial_year", "support_service")
        .prefetch_related("support_service__leads")
    )


def agreement_links(user, keys):
    """The year's SLA with the support service, or the SLA list where it is started."""
    if not can(user, Perm.SLA_VIEW):
        return {}
    wanted = {}
    for key in keys:
        service, year = links.int_part(key, 0), links.int_part(key, 1)
        if service is not None and year is not None:
            wanted[key] = (service, year)
    slas = {
        (s.support_service_id, s.financial_year.start_year): s
        for s in _slas(
            support_service_id__in={s for s, _ in wanted.values()},
            financial_year__start_year__in={y for _, y in wanted.values()},
        )
    }
    found = {}
    for key, (service, year) in wanted.items():
        sla = slas.get((service, year))
        if sla is not None and can(user, Perm.SLA_VIEW, sla):
            found[key] = reverse("slas:detail", args=[sla.pk])
        elif sla is None:
            found[key] = reverse("slas:index") + f"?year={year}"
    return found


def results_links(user, keys):
    if not can(user, Perm.SLA_VIEW):
        return {}
    ids = {key: links.int_part(key, 0) for key in keys}
    slas = {s.pk: s for s in _slas(pk__in=[i for i in ids.values() if i])}
    return {
        key: reverse("slas:performance", args=[i])
        for key, i in ids.items()
        if i in slas and can(user, Perm.SLA_VIEW, slas[i])
    }


def register():
    links.register("sla", agreement_links)
    links.register("sla_support", agreement_links)
    links.register("sla_results", results_links)
