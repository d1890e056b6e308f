"""What this app asks of a signed-in person: see lra_commissioning.attention.

Support leads: their SLA to agree, service-level results due, breaches needing
commentary (and repeated breaches needing an improvement action). Service
managers: SLAs to agree for the service. A fixed number of queries.
"""

from django.urls import reverse

from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import can
from lra_commissioning.roles import Role

from .models import SlaStatus
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
        if sla.status == SlaStatus.PROPOSED:
            if (
                not sla.support_agreed_by_id
                and sla.service_agreed_by_id != user.pk
                and can(user, "sla.agree_for_support_service", sla)
            ) or (
                not sla.service_agreed_by_id
                and sla.support_agreed_by_id != user.pk
                and can(user, "sla.agree_for_service", sla)
            ):
                items.append(
                    AttentionItem(
                        TO_AGREE,
                        str(sla),
                        url,
                        due=sla.agreement_deadline,
                        status="Proposed",
                        overdue=on > sla.agreement_deadline,
                    )
                )
            continue
        if not can(user, "sla.report_performance", sla):
            continue
        for perf in level_performance(sla, with_charts=False):
            for period in perf.periods:
                result = period.result
                if result is None and period.end < on:
                    items.append(
                        AttentionItem(
                            RESULTS_DUE,
                            f"{sla.support_service.name}: {perf.level.measure}, {period.label}",
                            reverse("slas:result_add", args=[sla.pk, perf.level.pk])
                            + f"?period={period.start.isoformat()}",
                            due=period.due_on,
                            status="Overdue" if on > period.due_on else "Due",
                            overdue=on > period.due_on,
                        )
                    )
                elif result is not None and (
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
