"""The roles people hold in LRA Commissioning, in plain words.

A person may hold several roles (the head of service sits on the board). What
each role may do is in `lra_commissioning.permissions`.
"""

from django.db import models


class Role(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    SERVICE_MANAGER = "service_manager", "Service manager"
    BOARD_MEMBER = "board_member", "Board member"
    SUPPORT_LEAD = "support_lead", "Support service lead"
    ADMINISTRATOR = "administrator", "Administrator"


ROLE_DESCRIPTIONS = {
    Role.COMMISSIONER: (
        "The directorate management team that owns the service specification. "
        "Drafts and refreshes the specification, reviews the monthly KPI returns and "
        "management reports, reviews the business plan, proposes the five-year budget, "
        "agrees minor variations for the council and publishes the annual report."
    ),
    Role.SERVICE_MANAGER: (
        "The service's head of service and senior management team. Submits the monthly "
        "KPI returns and management reports, writes the business plan and action plans, "
        "escalates risks to the board and agrees SLAs with support services. The head of "
        "service (a service manager marked as such) also agrees the specification after "
        "the board's sign-off, acknowledges budget notices and agrees minor variations "
        "for the service."
    ),
    Role.BOARD_MEMBER: (
        "A member of the Strategic Board. Signs off the specification and substantive "
        "changes, agrees the rolling five-year budget, confirms funding changes, "
        "considers new service ideas and receives escalations."
    ),
    Role.SUPPORT_LEAD: (
        "The lead of a council support service (ICT, HR, Finance, Property, Contact "
        "Centre, Communications, Health & Safety, Digital Services). Agrees their "
        "service's SLA and reports against its service levels."
    ),
    Role.ADMINISTRATOR: (
        "The system's owner. Manages users and roles, financial years, deadline rules, "
        "reminder offsets and reference data such as comparator values."
    ),
}

STAFF_ROLES = frozenset(Role)
