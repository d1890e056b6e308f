"""Which role may do what, in plain words: the one place that says so.

Every staff view asks `can(user, "permission.name", obj)` on the server before
it shows or changes anything; templates get booleans from the view. A
permission names the roles that hold it and, where the answer depends on the
record (the support service's own lead, the head of service), a rule about the
record. Workflow state ("may this version still be submitted?") is not a
permission: the services refuse a transition that the state does not allow.

Who may *see* a record that belongs to someone or is not yet published is a
permission with a `RecordRule` per role (`"kpi_return.view"`: commissioners see
a return once it is submitted). A `RecordRule` answers for one record, which
views ask through `access.require_visible` (404: existence is not revealed),
and as a queryset filter, which selectors apply through `visible_q`, so that a
list shows exactly the records whose pages open.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from .roles import Role

C = Role.COMMISSIONER
SM = Role.SERVICE_MANAGER
B = Role.BOARD_MEMBER
SL = Role.SUPPORT_LEAD
A = Role.ADMINISTRATOR
STAFF = frozenset(Role)


def is_head_of_service(user, obj=None) -> bool:
    return user.is_head_of_service and Role.SERVICE_MANAGER in user.roles


@dataclass(frozen=True)
class RecordRule:
    """A rule about the record, answered two ways that must agree.

    `test(user, obj)` answers for one record (a view's 404); `lookup(user, path)`
    gives the same answer as a `Q` over the records' table, where `path` is the
    way from the queried model to the record ("" for the record itself,
    "monthly_return__" from one of its values), so lists and dashboards show
    only what the user may open. Without a record (obj None) the role is enough,
    for example to open a list.
    """

    description: str
    test: Callable
    lookup: Callable
    # The status values the rule names (the tests check them against the model).
    states: frozenset = frozenset()

    def __call__(self, user, obj=None) -> bool:
        return obj is None or self.test(user, obj)


def in_states(*states: str, description: str) -> RecordRule:
    """The record's `status` is one of these (the model's status values)."""
    allowed = frozenset(states)
    return RecordRule(
        description,
        lambda user, obj: obj.status in allowed,
        lambda user, path: Q(**{f"{path}status__in": sorted(allowed)}),
        allowed,
    )


def _led_by(user, obj) -> bool:
    # The record (a SupportService, or anything with a `support_service`)
    # answers through `is_led_by`, which uses a prefetched `leads`.
    return getattr(obj, "support_service", obj).is_led_by(user)


# Support leads act only on their own support service's records (the path
# given to `visible_q` leads to the SupportService).
leads_the_support_service = RecordRule(
    "their own support service's",
    _led_by,
    lambda user, path: Q(**{f"{path}leads": user}),
)

# Specification versions: commissioners draft them; from submission to the
# board the service and the board see them too (the public once published).
SPECIFICATION_PAST_DRAFTING = in_states(
    "with_board",
    "signed_off",
    "agreed",
    "published",
    description="once submitted to the board",
)
# The service's business plan: its own until submitted to the commissioner.
BUSINESS_PLAN_SUBMITTED = in_states(
    "submitted", "returned", "accepted", description="once submitted"
)
# A month's KPI return (and its values' evidence): the service's until submitted.
KPI_RETURN_SUBMITTED = in_states("submitted", "queried", "accepted", description="once submitted")
# A management report (and its attachments): the service's until submitted.
MANAGEMENT_REPORT_SUBMITTED = in_states("submitted", "reviewed", description="once submitted")
# Budget versions: commissioners draft them; the board sees them from the
# proposal on; the service once the agreed budget is confirmed to it.
BUDGET_WITH_THE_BOARD = in_states(
    "proposed",
    "agreed",
    "confirmed",
    "acknowledged",
    description="once proposed to the board",
)
BUDGET_CONFIRMED = in_states(
    "confirmed", "acknowledged", description="once confirmed to the service"
)


def _raised_by_them_or_submitted(user, obj) -> bool:
    return obj.status != "draft" or obj.raised_by_id == user.pk


# A change request in draft belongs to the person who raised it.
RAISED_BY_THEM_OR_SUBMITTED = RecordRule(
    "a draft only by the person who raised it",
    _raised_by_them_or_submitted,
    lambda user, path: ~Q(**{f"{path}status": "draft"}) | Q(**{f"{path}raised_by": user}),
    frozenset({"draft"}),
)


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
    "specification_version.view": _p(
        "See a specification version on the staff pages: commissioners every version, "
        "service managers and board members once it is submitted to the board.",
        {C, SM, B},
        {SM: SPECIFICATION_PAST_DRAFTING, B: SPECIFICATION_PAST_DRAFTING},
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
    "business_plan.view": _p(
        "Read the service's business plans: service managers every plan, commissioners "
        "and board members once it is submitted.",
        {C, SM, B},
        {C: BUSINESS_PLAN_SUBMITTED, B: BUSINESS_PLAN_SUBMITTED},
    ),
    "business_plan.write": _p("Draft, submit and resubmit the business plan.", {SM}),
    "business_plan.review": _p(
        "Accept the business plan or return it with comments per section.", {C}
    ),
    # Performance ------------------------------------------------------------
    "performance.view": _p(
        "See KPI returns, the exception dashboard, KPI pages and management reports.",
        {C, SM, B},
    ),
    "kpi_return.view": _p(
        "Open a month's KPI return and its evidence: service managers every return, "
        "commissioners and board members once it is submitted.",
        {C, SM, B},
        {C: KPI_RETURN_SUBMITTED, B: KPI_RETURN_SUBMITTED},
    ),
    "kpi_return.enter": _p(
        "Enter, upload, submit and correct the monthly KPI returns; revise an accepted "
        "value with a reason.",
        {SM},
    ),
    "kpi_return.review": _p("Accept or query submitted KPI values.", {C}),
    "management_report.view": _p(
        "Open a management report and its attachments: service managers every report, "
        "commissioners and board members once it is submitted.",
        {C, SM, B},
        {C: MANAGEMENT_REPORT_SUBMITTED, B: MANAGEMENT_REPORT_SUBMITTED},
    ),
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
    "budget_version.view": _p(
        "Open a budget version and its notice: commissioners every version, board members "
        "once it is proposed to them, service managers once it is confirmed to the service.",
        {C, SM, B},
        {B: BUDGET_WITH_THE_BOARD, SM: BUDGET_CONFIRMED},
    ),
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
    "change_request.view": _p(
        "Open a change request: a draft only by the person who raised it, every other "
        "from its submission on.",
        {C, SM, B},
        {
            C: RAISED_BY_THEM_OR_SUBMITTED,
            SM: RAISED_BY_THEM_OR_SUBMITTED,
            B: RAISED_BY_THEM_OR_SUBMITTED,
        },
    ),
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


def visible_q(user, permission: str, *, path: str = "") -> Q:
    """The records this user may see under this permission, as a queryset filter.

    The same answer as `can(user, permission, record)` for each record, so a
    list shows exactly the records whose pages open. `path` leads from the
    queried model to the record the rule is about, ending in "__"
    ("monthly_return__" to filter a return's values). Every rule of the
    permission must be a `RecordRule`.
    """
    perm = PERMISSIONS[permission]
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated or not user.is_active:
        return nothing
    found = None
    for role in sorted(perm.roles & user.roles):
        rule = (perm.rules or {}).get(role)
        if rule is None:
            return Q()  # this role sees every record
        if not isinstance(rule, RecordRule):
            raise TypeError(f"{permission}: the rule for {role} has no queryset form")
        q = rule.lookup(user, path)
        found = q if found is None else found | q
    return nothing if found is None else found


def roles_with(permission: str) -> frozenset:
    return PERMISSIONS[permission].roles
