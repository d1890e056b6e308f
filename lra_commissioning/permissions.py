"""Which role may do what, in plain words: the one place that says so.

Every staff view asks `can(user, "permission.name", obj)` on the server before
it shows or changes anything; templates get booleans from the view. A
permission names the roles that hold it and, where the answer depends on the
record (the support service's own lead, the head of service), a rule about the
record. Workflow state ("is this version still a draft?") is not a permission:
the services refuse a transition that the state does not allow.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .roles import Role

C = Role.COMMISSIONER
SM = Role.SERVICE_MANAGER
B = Role.BOARD_MEMBER
SL = Role.SUPPORT_LEAD
A = Role.ADMINISTRATOR
STAFF = frozenset(Role)


def is_head_of_service(user, obj=None) -> bool:
    return user.is_head_of_service and Role.SERVICE_MANAGER in user.roles


def leads_the_support_service(user, obj) -> bool:
    """Support leads act only on their own support service's records.

    The record (a SupportService, or anything with a `support_service`) answers
    through its `is_led_by(user)` method. Without a record, holding the role is
    enough (for example to open the list of one's own SLAs).
    """
    if obj is None:
        return True
    target = getattr(obj, "support_service", obj)
    return target.is_led_by(user)


@dataclass(frozen=True)
class Permission:
    description: str
    roles: frozenset
    # For some roles the record decides: role -> rule(user, obj) -> bool.
    rules: dict[Role, Callable] | None = None


def _p(description, roles, rules=None):
    return Permission(description, frozenset(roles), rules)


PERMISSIONS: dict[str, Permission] = {
    # Shared -----------------------------------------------------------------
    "staff.home": _p("Open the signed-in home page and see what needs attention.", STAFF),
    "records.view_history": _p(
        "See the history of changes to a record they may see.", {C, SM, B, A}
    ),
    "users.manage": _p("Manage users, their roles and financial years.", {A}),
    "reference_data.manage": _p(
        "Manage reference data: financial years, deadline rules, reminder offsets, "
        "the return deadline, comparator imports.",
        {A},
    ),
    # Specifications ---------------------------------------------------------
    "specification.view_unpublished": _p(
        "See specification versions that are not yet published (drafts, versions with the board).",
        {C, SM, B},
    ),
    "specification.draft": _p(
        "Draft a specification version, edit a draft, start next year's specification.",
        {C},
    ),
    "specification.submit_to_board": _p("Submit a draft specification to the board.", {C}),
    "specification.sign_off": _p(
        "Record the board's sign-off of a specification, or return it with comments.", {B}
    ),
    "specification.agree": _p(
        "Agree a signed-off specification for the service (head of service only).",
        {SM},
        {SM: is_head_of_service},
    ),
    "specification.publish": _p("Publish an agreed specification on the public site.", {C}),
    "comment.moderate": _p(
        "Publish or reject public comments, publish a response, export comments.", {C}
    ),
    "business_plan.view": _p("Read the service's business plans.", {C, SM, B}),
    "business_plan.write": _p("Draft, submit and resubmit the business plan.", {SM}),
    "business_plan.review": _p(
        "Accept the business plan or return it with comments per section.", {C}
    ),
    # Performance ------------------------------------------------------------
    "performance.view": _p(
        "See KPI returns, the exception dashboard, KPI pages and management reports.",
        {C, SM, B},
    ),
    "kpi_return.enter": _p(
        "Enter, upload, submit and correct the monthly KPI returns; revise an accepted "
        "value with a reason.",
        {SM},
    ),
    "kpi_return.review": _p("Accept or query submitted KPI values.", {C}),
    "management_report.write": _p("Write and submit the monthly management report.", {SM}),
    "management_report.review": _p("Review a management report with comments.", {C}),
    "action_plan.write": _p("Write an improvement action plan and update its actions.", {SM}),
    "action_plan.close": _p(
        "Close an action plan when the KPI has recovered or the board accepts the position.",
        {C, B},
    ),
    "escalation.raise": _p("Escalate a significant risk to the Strategic Board.", {SM}),
    "escalation.respond": _p("Record the board's response to an escalation.", {B}),
    "comparators.import": _p("Import comparator authorities' values.", {A}),
    # Funding ----------------------------------------------------------------
    "budget.view": _p("See the five-year budget, monitoring and the full cost.", {C, SM, B}),
    "budget.draft": _p(
        "Draft a version of the five-year budget and propose it to the board; confirm "
        "the agreed funding to the service.",
        {C},
    ),
    "budget.agree": _p("Record the board's agreement of a budget, or return it.", {B}),
    "budget_notice.acknowledge": _p(
        "Acknowledge a budget confirmation or budget change notice (head of service only).",
        {SM},
        {SM: is_head_of_service},
    ),
    "budget.monitor": _p(
        "Enter or upload monthly actuals and forecasts, explain exceptions.", {SM}
    ),
    # Changes ----------------------------------------------------------------
    "change.view": _p("See change requests, decisions and service ideas.", {C, SM, B}),
    "change.raise": _p(
        "Raise a change request, complete its impact assessment, raise a minor "
        "variation to a fundamental change, submit it to the board.",
        {C, SM},
    ),
    "change.agree_for_council": _p("Agree a minor variation for the council.", {C}),
    "change.agree_for_service": _p(
        "Agree a minor variation for the service (head of service only).",
        {SM},
        {SM: is_head_of_service},
    ),
    "change.decide": _p("Record the board's decision on a fundamental change.", {B}),
    "change.apply": _p(
        "Apply an agreed change as a new specification version; publish a decision notice.",
        {C},
    ),
    "idea.propose": _p("Propose a new service or idea to the board.", {SM}),
    "idea.decide": _p("Record the board's view of a new service idea.", {B}),
    "board.view_agenda": _p("See everything awaiting the Strategic Board.", {B, C}),
    # SLAs -------------------------------------------------------------------
    "sla.view": _p(
        "See support-service SLAs and their performance (support leads: their own).",
        {C, SM, B, SL},
        {SL: leads_the_support_service},
    ),
    "sla.draft": _p(
        "Draft or edit an SLA, propose it, start next year's SLA, review, renew or end it "
        "(support leads: their own service's).",
        {SM, SL},
        {SL: leads_the_support_service},
    ),
    "sla.agree_for_service": _p("Agree an SLA on the service's side.", {SM}),
    "sla.agree_for_support_service": _p(
        "Agree an SLA on the support service's side (its own lead only).",
        {SL},
        {SL: leads_the_support_service},
    ),
    "sla.report_performance": _p(
        "Report results against the service levels, with commentary on breaches.",
        {SL},
        {SL: leads_the_support_service},
    ),
    # The commissioning cycle ------------------------------------------------
    "calendar.view_own": _p("See one's own deadlines and notifications.", STAFF),
    "calendar.view_all": _p("See every deadline in the commissioning calendar.", {C, A}),
    "annual_report.view": _p("See annual reports before they are published.", {C, SM, B}),
    "deadline.mark_met": _p(
        "Record that a deadline's obligation was met outside the system (for example "
        "the review of the commissioning approach).",
        {C},
    ),
    "annual_report.produce": _p(
        "Generate, approve and publish the annual report and the cabinet committee report.",
        {C},
    ),
}


def can(user, permission: str, obj=None) -> bool:
    """May this user do this (to this record)? The one answer, asked by every view."""
    try:
        perm = PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"Unknown permission {permission!r}: add it to PERMISSIONS") from None
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    for role in perm.roles & user.roles:
        rule = (perm.rules or {}).get(role)
        if rule is None or rule(user, obj):
            return True
    return False


def roles_with(permission: str) -> frozenset:
    return PERMISSIONS[permission].roles
