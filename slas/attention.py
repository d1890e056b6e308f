"""What this app asks of a signed-in person: see lra_commissioning.attention.

Support leads: their SLA to agree, service-level results due, breaches needing
commentary (and repeated breaches needing an improvement action). Service
managers: SLAs to agree for the service. A fixed number of queries.
"""

from django.urls import reverse

from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import Perm, can
from lra_commissioning.roles import Role

from .models import SlaStatus
from .obligations import agreement_key, results_key
from .selectors import level_performance, slas_needing_attention, today

TO_AGREE = "SLAs to agree"
RESULTS_DUE = "Service-level results due"
BREACHES = "Breaches needing commentary"


def items_for(user):
    if not (user.roles & {Role.SUPPORT_LEAD, Role.SERVICE_MANAGER}):
        return []
    on = today()
    items = []
    for sla in slas_needing_attention(user=user):
        url = reverse("slas:detail", args=[sla.pk])
        year = sla.financial_year.start_year
        if sla.status == SlaStatus.PROPOSED:
            support_side = (
                not sla.support_agreed_by_id
                and sla.service_agreed_by_id != user.pk
                and can(user, Perm.SLA_AGREE_FOR_SUPPORT_SERVICE, sla)
            )
            service_side = (
                not sla.service_agreed_by_id
                and sla.support_agreed_by_id != user.pk
                and can(user, Perm.SLA_AGREE_FOR_SERVICE, sla)
            )
            if support_side or service_side:
                items.append(
                    AttentionItem(
                        TO_AGREE,
                        str(sla),
                        url,
                        due=sla.agreement_deadline,
                        status="Proposed",
                        overdue=on > sla.agreement_deadline,
                        # The calendar's deadline for this side: one line.
                        key=agreement_key(sla.support_service_id, year, user.pk)
                        if support_side
                        else f"sla:{sla.support_service_id}:{year}",
                    )
                )
            continue
        if not can(user, Perm.SLA_REPORT_PERFORMANCE, sla):
            continue
        # Results due: one line per reporting date (the calendar's deadline), naming
        # the level when only one is due then.
        due_by_end: dict = {}
        for perf in level_performance(sla, with_charts=False):
            for period in perf.periods:
                if period.result is None and period.end < on:
                    due_by_end.setdefault(period.end, []).append((perf.level, period))
        for end, levels in sorted(due_by_end.items()):
            level, period = levels[0]
            if len(levels) == 1:
                title = f"{sla.support_service.name}: {level.measure}, {period.label}"
                link = (
                    reverse("slas:result_add", args=[sla.pk, level.pk])
                    + f"?period={period.start.isoformat()}"
                )
            else:
                title = (
                    f"{sla.support_service.name}: {len(levels)} service levels for the "
                    f"period to {end:%-d %B %Y}"
                )
                link = reverse("slas:performance", args=[sla.pk])
            items.append(
                AttentionItem(
                    RESULTS_DUE,
                    title,
                    link,
                    due=period.due_on,
                    status="Overdue" if on > period.due_on else "Due",
                    overdue=on > period.due_on,
                    key=results_key(sla.pk, end, user.pk),
                )
            )
        for perf in level_performance(sla, with_charts=False):
            for period in perf.periods:
                result = period.result
                if result is not None and (
                    result.needs_commentary or period.needs_improvement_action
                ):
                    items.append(
                        AttentionItem(
                            BREACHES,
                            f"{sla.support_service.name}: {perf.level.measure}, {period.label}",
                            reverse("slas:result_edit", args=[sla.pk, result.pk]),
                            status="Repeated breach: improvement action needed"
                            if period.needs_improvement_action
                            else "Breached: commentary needed",
                            overdue=True,
                        )
                    )
    return items
