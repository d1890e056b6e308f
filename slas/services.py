"""Writes to support services and SLAs. Each takes the actor as `by=`."""

from django.db import transaction

from lra_commissioning.roles import Role
from lra_commissioning.workflow import DomainError

from .models import SupportService


@transaction.atomic
def support_service_create_or_update(*, name, council_wide_description, leads, by):
    """Create a support service or update it by name. Safe to call twice.

    Every lead must hold the support service lead role.
    """
    for lead in leads:
        if Role.SUPPORT_LEAD not in lead.roles:
            raise DomainError(f"{lead} does not hold the support service lead role.")
    service = SupportService.objects.filter(name=name).first() or SupportService(name=name)
    service.council_wide_description = council_wide_description
    service._history_user = by
    service.save()
    service.leads.set(leads)
    return service
