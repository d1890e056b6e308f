"""Per-record deadlines for the commissioning calendar: action-plan actions.

Registered with `lra_commissioning.deadlines` (see apps.py). Each open
action of an open plan that falls due in the year is a deadline for the
service managers, met when the action is marked done (`action:<id>`, see
`services.action_update_status`). An action whose plan closes leaves the
calendar at the next generation (its deadline is withdrawn).
"""

from lra_commissioning import dates
from lra_commissioning.deadlines import DeadlineKind, PlannedDeadline
from lra_commissioning.roles import Role

from .models import Action, ActionStatus, PlanStatus


def action_deadlines(start_year: int) -> list[PlannedDeadline]:
    first = dates.financial_year_start(start_year)
    last = dates.financial_year_end(start_year)
    actions = (
        Action.objects.filter(plan__status=PlanStatus.OPEN, due_on__range=(first, last))
        .exclude(status=ActionStatus.DONE)
        .select_related("plan")
    )
    return [
        PlannedDeadline(
            key=f"action:{action.pk}",
            kind=DeadlineKind.ACTION,
            title=f"{action.plan.kpi_code} action: {action.description[:120]}",
            due_on=action.due_on,
            responsible_role=Role.SERVICE_MANAGER,
        )
        for action in actions
    ]
