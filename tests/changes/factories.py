"""Change requests built through the services, as people would build them."""

import datetime
from decimal import Decimal

from changes import services
from tests.specifications.factories import published_version

D = Decimal
EFFECTIVE = datetime.date(2016, 7, 1)


def in_force(commissioner, board_member, head_of_service, kpis=1):
    """A 2016/17 version 1.0, published and in force."""
    return published_version(commissioner, board_member, head_of_service, kpis=kpis)


def raise_change(by, *, fundamental=False, impacts=True, item=True, **kw):
    fields = {
        "title": "Lower K000",
        "description": "Lower the K000 target.",
        "reason": "Demand fell.",
        "effective_on": EFFECTIVE,
        "alters_objectives": False,
        "contravenes_policy": False,
        "affects_budget": fundamental,
    }
    if impacts:
        fields.update(
            impact_financial="None.",
            impact_service_users="Few.",
            impact_equalities="None.",
            impact_legal="None.",
            impact_staffing="None.",
        )
    fields.update(kw)
    change = services.change_request_raise(by=by, **fields)
    if item:
        services.change_item_save(
            change=change, kind="kpi", key="K000", annual_target=D("950"), floor=D("850"), by=by
        )
    return change


def decide(change, board_member, decision="approved", **kw):
    fields = {
        "decision": decision,
        "decided_on": datetime.date(2016, 6, 1) if False else None,
        "minute_reference": "SB/7",
        "conditions": "Review in six months." if decision == "approved_with_conditions" else "",
    }
    from django.utils import timezone

    fields["decided_on"] = timezone.localdate()
    fields.update(kw)
    return services.change_request_decide(change=change, by=board_member, **fields)
