"""A support service's own deadlines, in its leads' calendars (registered in apps.py
with lra_commissioning.deadlines).

Each lead of a support service has, for each financial year:
- `sla_support:<support service id>:<start year>:<lead id>`: agree the support
  service's side of the year's SLA, due when the SLA agreement rule says
  (1 April by default); met when a lead agrees it (`services.sla_agree`);
- `sla_results:<SLA id>:<period end>:<lead id>`: report the results of every
  service level whose reporting period ends that day, due ten working days
  after (`results_due_on`); met when the last of them is reported
  (`services.result_report`).

A deadline per lead, named to that person (`responsible_person`), so that the
calendar, the private feed, reminders and escalations need nothing more. An
obligation already met when the year is generated is not planned (like a done
action); an open one whose lead stops leading the service is withdrawn.
"""

from lra_commissioning import dates
from lra_commissioning.deadlines import DeadlineKind, PlannedDeadline, rule_due_on
from lra_commissioning.roles import Role

from .models import AGREED_STATUSES, SLA, SupportService, results_due_on
from .obligations import agreement_key, periods_reported, results_key


def support_service_deadlines(start_year: int) -> list[PlannedDeadline]:
    """Four queries, whatever the number of services, SLAs and levels."""
    label = dates.financial_year_label(start_year)
    services = list(SupportService.objects.prefetch_related("leads"))
    slas = {
        sla.support_service_id: sla
        for sla in SLA.objects.filter(financial_year__start_year=start_year)
        .select_related("financial_year")
        .prefetch_related("service_levels__results")
    }
    agreement_due = rule_due_on(DeadlineKind.SLA_AGREEMENT, start_year)
    planned = []
    for service in services:
        leads = [u for u in service.leads.all() if u.is_active]
        sla = slas.get(service.pk)
        if agreement_due is not None and (sla is None or sla.support_agreed_on is None):
            planned.extend(
                PlannedDeadline(
                    key=agreement_key(service.pk, start_year, lead.pk),
                    kind=DeadlineKind.SLA_SUPPORT_AGREEMENT,
                    title=f"{service.name} SLA for {label}: agree it for {service.name}",
                    due_on=agreement_due,
                    responsible_role=Role.SUPPORT_LEAD,
                    responsible_person_id=lead.pk,
                )
                for lead in leads
            )
        if sla is None or sla.status not in AGREED_STATUSES:
            continue
        for end, complete in periods_reported(sla).items():
            if complete:
                continue
            planned.extend(
                PlannedDeadline(
                    key=results_key(sla.pk, end, lead.pk),
                    kind=DeadlineKind.SLA_RESULTS,
                    title=f"{service.name} service-level results for the period to {end:%-d %B %Y}",
                    due_on=results_due_on(end),
                    responsible_role=Role.SUPPORT_LEAD,
                    responsible_person_id=lead.pk,
                )
                for lead in leads
            )
    return planned
