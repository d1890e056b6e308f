"""Which role may do what, in plain words: the one place that says so.

Every staff view asks `can(user, "permission.name", obj)` on the server before
it shows or changes anything; templates get booleans from the view. A
permission names the roles that hold it and, where the answer depends on the
record (the support service's own lead, the head of service), a rule about the
record. Workflow state ("may this version still be submitted?") is not a
permission: the services refuse a transition that the state does not allow.

Services check too, in one way: every service that acts for a person (`by`)
starts with `ensure_can(by, Perm.X, obj)`, so a rule holds whoever calls it (a
view, a task, the demo, the shell). `by=None` is the system itself (beat, the
nightly calendar, a data migration) and is not checked; a person is.

Who may *see* a record that belongs to someone or is not yet published is a
permission with a `RecordRule` per role (`"kpi_return.view"`: commissioners see
a return once it is submitted). A `RecordRule` answers for one record, which
views ask through `access.require_visible` (404: existence is not revealed),
and as a queryset filter, which selectors apply through `visible_q`, so that a
list shows exactly the records whose pages open.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from .roles import Role
from .workflow import DomainError

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


# Board meetings: members read the papers once they are published to them.
PAPERS_PUBLISHED = RecordRule(
    "once published to the board",
    lambda user, obj: obj.papers_published_at is not None,
    lambda user, path: Q(**{f"{path}papers_published_at__isnull": False}),
)


def _is_board_member(user) -> bool:
    # The head of service sits on the board without the board member role;
    # membership (with its dates) is the board app's record, read through a
    # reverse relation so the core names no model above it.
    from django.utils import timezone

    today = timezone.localdate()
    return (
        user.board_memberships.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exists()
    )


PAPERS_PUBLISHED_TO_A_MEMBER = RecordRule(
    "once published, if they sit on the board",
    lambda user, obj: obj.papers_published_at is not None and _is_board_member(user),
    lambda user, path: (
        Q(**{f"{path}papers_published_at__isnull": False})
        if _is_board_member(user)
        else Q(pk__in=[])
    ),
)

# A board action belongs to its owner.
OWNS_THE_ACTION = RecordRule(
    "the actions they own",
    lambda user, obj: obj.owner_id == user.pk,
    lambda user, path: Q(**{f"{path}owner": user}),
)


@dataclass(frozen=True)
class Permission:
    description: str
    roles: frozenset
    # For some roles the record decides: role -> rule(user, obj) -> bool.
    rules: dict[Role, Callable] | None = None


def _p(description, roles, rules=None):
    return Permission(description, frozenset(roles), rules)


class Perm(StrEnum):
    """Every permission's name, one member each, described in PERMISSIONS below.

    Name a permission as `Perm.KPI_RETURN_REVIEW` (a misspelt member fails at
    import and in the linter) or as its string "kpi_return.review" (a misspelt
    string fails when first asked: `can`, `require`, `visible_q` and
    `people_who_can` refuse a name that is not here, `permission_required` as
    the view is defined; tests/lra_commissioning/test_permission_names.py finds
    every name written in the code). Add a permission here and in PERMISSIONS,
    in your app's section, with a plain-English description.
    """

    # Shared
    STAFF_HOME = "staff.home"
    RECORDS_VIEW_HISTORY = "records.view_history"
    USERS_MANAGE = "users.manage"
    REFERENCE_DATA_MANAGE = "reference_data.manage"
    # Specifications
    SPECIFICATION_VERSION_VIEW = "specification_version.view"
    SPECIFICATION_DRAFT = "specification.draft"
    SPECIFICATION_SUBMIT_TO_BOARD = "specification.submit_to_board"
    SPECIFICATION_SIGN_OFF = "specification.sign_off"
    SPECIFICATION_AGREE = "specification.agree"
    SPECIFICATION_RETURN_BY_SERVICE = "specification.return_by_service"
    SPECIFICATION_PUBLISH = "specification.publish"
    COMMENT_MODERATE = "comment.moderate"
    BUSINESS_PLAN_VIEW = "business_plan.view"
    BUSINESS_PLAN_WRITE = "business_plan.write"
    BUSINESS_PLAN_REVIEW = "business_plan.review"
    # Performance
    PERFORMANCE_VIEW = "performance.view"
    KPI_RETURN_VIEW = "kpi_return.view"
    KPI_RETURN_ENTER = "kpi_return.enter"
    KPI_RETURN_REVIEW = "kpi_return.review"
    MANAGEMENT_REPORT_VIEW = "management_report.view"
    MANAGEMENT_REPORT_WRITE = "management_report.write"
    MANAGEMENT_REPORT_REVIEW = "management_report.review"
    ACTION_PLAN_WRITE = "action_plan.write"
    ACTION_PLAN_CLOSE = "action_plan.close"
    ESCALATION_RAISE = "escalation.raise"
    ESCALATION_RESPOND = "escalation.respond"
    COMPARATORS_IMPORT = "comparators.import"
    # Funding
    BUDGET_VIEW = "budget.view"
    BUDGET_VERSION_VIEW = "budget_version.view"
    BUDGET_DRAFT = "budget.draft"
    BUDGET_AGREE = "budget.agree"
    BUDGET_NOTICE_ACKNOWLEDGE = "budget_notice.acknowledge"
    BUDGET_MONITOR = "budget.monitor"
    # Changes
    CHANGE_VIEW = "change.view"
    CHANGE_REQUEST_VIEW = "change_request.view"
    CHANGE_RAISE = "change.raise"
    CHANGE_AGREE_FOR_COUNCIL = "change.agree_for_council"
    CHANGE_AGREE_FOR_SERVICE = "change.agree_for_service"
    CHANGE_DECIDE = "change.decide"
    CHANGE_APPLY = "change.apply"
    IDEA_PROPOSE = "idea.propose"
    IDEA_DECIDE = "idea.decide"
    # SLAs
    SLA_VIEW = "sla.view"
    SLA_DRAFT = "sla.draft"
    SLA_AGREE_FOR_SERVICE = "sla.agree_for_service"
    SLA_AGREE_FOR_SUPPORT_SERVICE = "sla.agree_for_support_service"
    SLA_REPORT_PERFORMANCE = "sla.report_performance"
    # The Strategic Board's meetings (board)
    BOARD_VIEW_AGENDA = "board.view_agenda"
    BOARD_MEETING_SCHEDULE = "board_meeting.schedule"
    BOARD_PAPERS_VIEW = "board_papers.view"
    BOARD_MEETING_RECORD = "board_meeting.record"
    BOARD_MINUTES_EDIT = "board_minutes.edit"
    BOARD_ACTION_VIEW = "board_action.view"
    BOARD_ACTION_COMPLETE = "board_action.complete"
    BOARD_MANAGE = "board.manage"
    # The commissioning cycle
    CALENDAR_VIEW_OWN = "calendar.view_own"
    CALENDAR_VIEW_ALL = "calendar.view_all"
    ANNUAL_REPORT_VIEW = "annual_report.view"
    DEADLINE_MARK_MET = "deadline.mark_met"
    ANNUAL_REPORT_PRODUCE = "annual_report.produce"
    ANNUAL_REPORT_WRITE = "annual_report.write"
    ANNUAL_REPORT_ASSESS = "annual_report.assess"
    CABINET_REPORT_RECORD = "cabinet_report.record"
    APPROACH_REVIEW_VIEW = "approach_review.view"
    APPROACH_REVIEW_MANAGE = "approach_review.manage"
    APPROACH_REVIEW_CONTRIBUTE = "approach_review.contribute"


PERMISSIONS: dict[Perm, Permission] = {
    # Shared -----------------------------------------------------------------
    Perm.STAFF_HOME: _p("Open the signed-in home page and see what needs attention.", STAFF),
    Perm.RECORDS_VIEW_HISTORY: _p(
        "See the history of changes to a record they may see.", {C, SM, B, A}
    ),
    Perm.USERS_MANAGE: _p("Manage users, their roles and financial years.", {A}),
    Perm.REFERENCE_DATA_MANAGE: _p(
        "Manage reference data: financial years, deadline rules, reminder offsets, "
        "the return deadline, comparator imports.",
        {A},
    ),
    # Specifications ---------------------------------------------------------
    Perm.SPECIFICATION_VERSION_VIEW: _p(
        "See a specification version on the staff pages: commissioners every version, "
        "service managers and board members once it is submitted to the board.",
        {C, SM, B},
        {SM: SPECIFICATION_PAST_DRAFTING, B: SPECIFICATION_PAST_DRAFTING},
    ),
    Perm.SPECIFICATION_DRAFT: _p(
        "Draft a specification version, edit a draft, start next year's specification.",
        {C},
    ),
    Perm.SPECIFICATION_SUBMIT_TO_BOARD: _p("Submit a draft specification to the board.", {C}),
    Perm.SPECIFICATION_SIGN_OFF: _p(
        "Record the board's sign-off of a specification, or return it with comments.", {B}
    ),
    Perm.SPECIFICATION_AGREE: _p(
        "Agree a signed-off specification for the service (head of service only).",
        {SM},
        {SM: is_head_of_service},
    ),
    Perm.SPECIFICATION_RETURN_BY_SERVICE: _p(
        "Return a signed-off specification to the commissioner with the service's reasons, "
        "instead of agreeing it (head of service only).",
        {SM},
        {SM: is_head_of_service},
    ),
    Perm.SPECIFICATION_PUBLISH: _p("Publish an agreed specification on the public site.", {C}),
    Perm.COMMENT_MODERATE: _p(
        "Publish or reject public comments, publish a response, export comments.", {C}
    ),
    Perm.BUSINESS_PLAN_VIEW: _p(
        "Read the service's business plans: service managers every plan, commissioners "
        "and board members once it is submitted.",
        {C, SM, B},
        {C: BUSINESS_PLAN_SUBMITTED, B: BUSINESS_PLAN_SUBMITTED},
    ),
    Perm.BUSINESS_PLAN_WRITE: _p("Draft, submit and resubmit the business plan.", {SM}),
    Perm.BUSINESS_PLAN_REVIEW: _p(
        "Accept the business plan or return it with comments per section.", {C}
    ),
    # Performance ------------------------------------------------------------
    Perm.PERFORMANCE_VIEW: _p(
        "See KPI returns, the exception dashboard, KPI pages and management reports.",
        {C, SM, B},
    ),
    Perm.KPI_RETURN_VIEW: _p(
        "Open a month's KPI return and its evidence: service managers every return, "
        "commissioners and board members once it is submitted.",
        {C, SM, B},
        {C: KPI_RETURN_SUBMITTED, B: KPI_RETURN_SUBMITTED},
    ),
    Perm.KPI_RETURN_ENTER: _p(
        "Enter, upload, submit and correct the monthly KPI returns; revise an accepted "
        "value with a reason.",
        {SM},
    ),
    Perm.KPI_RETURN_REVIEW: _p("Accept or query submitted KPI values.", {C}),
    Perm.MANAGEMENT_REPORT_VIEW: _p(
        "Open a management report and its attachments: service managers every report, "
        "commissioners and board members once it is submitted.",
        {C, SM, B},
        {C: MANAGEMENT_REPORT_SUBMITTED, B: MANAGEMENT_REPORT_SUBMITTED},
    ),
    Perm.MANAGEMENT_REPORT_WRITE: _p("Write and submit the monthly management report.", {SM}),
    Perm.MANAGEMENT_REPORT_REVIEW: _p("Review a management report with comments.", {C}),
    Perm.ACTION_PLAN_WRITE: _p("Write an improvement action plan and update its actions.", {SM}),
    Perm.ACTION_PLAN_CLOSE: _p(
        "Close an action plan when the KPI has recovered or the board accepts the position.",
        {C, B},
    ),
    Perm.ESCALATION_RAISE: _p("Escalate a significant risk to the Strategic Board.", {SM}),
    Perm.ESCALATION_RESPOND: _p("Record the board's response to an escalation.", {B}),
    Perm.COMPARATORS_IMPORT: _p("Import comparator authorities' values.", {A}),
    # Funding ----------------------------------------------------------------
    Perm.BUDGET_VIEW: _p("See the five-year budget, monitoring and the full cost.", {C, SM, B}),
    Perm.BUDGET_VERSION_VIEW: _p(
        "Open a budget version and its notice: commissioners every version, board members "
        "once it is proposed to them, service managers once it is confirmed to the service.",
        {C, SM, B},
        {B: BUDGET_WITH_THE_BOARD, SM: BUDGET_CONFIRMED},
    ),
    Perm.BUDGET_DRAFT: _p(
        "Draft a version of the five-year budget and propose it to the board; confirm "
        "the agreed funding to the service.",
        {C},
    ),
    Perm.BUDGET_AGREE: _p("Record the board's agreement of a budget, or return it.", {B}),
    Perm.BUDGET_NOTICE_ACKNOWLEDGE: _p(
        "Acknowledge a budget confirmation or budget change notice (head of service only).",
        {SM},
        {SM: is_head_of_service},
    ),
    Perm.BUDGET_MONITOR: _p(
        "Enter or upload monthly actuals and forecasts, explain exceptions.", {SM}
    ),
    # Changes ----------------------------------------------------------------
    Perm.CHANGE_VIEW: _p("See change requests, decisions and service ideas.", {C, SM, B}),
    Perm.CHANGE_REQUEST_VIEW: _p(
        "Open a change request: a draft only by the person who raised it, every other "
        "from its submission on.",
        {C, SM, B},
        {
            C: RAISED_BY_THEM_OR_SUBMITTED,
            SM: RAISED_BY_THEM_OR_SUBMITTED,
            B: RAISED_BY_THEM_OR_SUBMITTED,
        },
    ),
    Perm.CHANGE_RAISE: _p(
        "Raise a change request, complete its impact assessment, raise a minor "
        "variation to a fundamental change, submit it to the board.",
        {C, SM},
    ),
    Perm.CHANGE_AGREE_FOR_COUNCIL: _p("Agree a minor variation for the council.", {C}),
    Perm.CHANGE_AGREE_FOR_SERVICE: _p(
        "Agree a minor variation for the service (head of service only).",
        {SM},
        {SM: is_head_of_service},
    ),
    Perm.CHANGE_DECIDE: _p("Record the board's decision on a fundamental change.", {B}),
    Perm.CHANGE_APPLY: _p(
        "Apply an agreed change as a new specification version; publish a decision notice.",
        {C},
    ),
    Perm.IDEA_PROPOSE: _p("Propose a new service or idea to the board.", {SM}),
    Perm.IDEA_DECIDE: _p("Record the board's view of a new service idea.", {B}),
    # SLAs -------------------------------------------------------------------
    Perm.SLA_VIEW: _p(
        "See support-service SLAs and their performance (support leads: their own).",
        {C, SM, B, SL},
        {SL: leads_the_support_service},
    ),
    Perm.SLA_DRAFT: _p(
        "Draft or edit an SLA, propose it, start next year's SLA, review, renew or end it "
        "(support leads: their own service's).",
        {SM, SL},
        {SL: leads_the_support_service},
    ),
    Perm.SLA_AGREE_FOR_SERVICE: _p("Agree an SLA on the service's side.", {SM}),
    Perm.SLA_AGREE_FOR_SUPPORT_SERVICE: _p(
        "Agree an SLA on the support service's side (its own lead only).",
        {SL},
        {SL: leads_the_support_service},
    ),
    Perm.SLA_REPORT_PERFORMANCE: _p(
        "Report results against the service levels, with commentary on breaches.",
        {SL},
        {SL: leads_the_support_service},
    ),
    # The Strategic Board's meetings (board) ----------------------------------
    Perm.BOARD_VIEW_AGENDA: _p(
        "See everything awaiting the Strategic Board and the board's meetings as they are "
        "worked on: agendas, attendance, decisions, actions and draft minutes.",
        {B, C},
    ),
    Perm.BOARD_MEETING_SCHEDULE: _p(
        "Schedule, move or cancel a board meeting; assemble, order and add to its agenda, "
        "mark items confidential; produce and publish its papers.",
        {C},
    ),
    Perm.BOARD_PAPERS_VIEW: _p(
        "Read a meeting's papers: commissioners once produced, board members (and the "
        "board's other members, such as the head of service) once published to them.",
        {C, B, SM},
        {B: PAPERS_PUBLISHED, SM: PAPERS_PUBLISHED_TO_A_MEMBER},
    ),
    Perm.BOARD_MEETING_RECORD: _p(
        "At the meeting: record attendance and apologies, declarations of interest, the "
        "board's decision on each item and its conditions; close the meeting.",
        {B},
    ),
    Perm.BOARD_MINUTES_EDIT: _p(
        "Edit a meeting's draft minutes before the board approves them.", {C, B}
    ),
    Perm.BOARD_ACTION_VIEW: _p(
        "Open a board action: commissioners and board members every action, anyone else the "
        "actions they own.",
        STAFF,
        {SM: OWNS_THE_ACTION, SL: OWNS_THE_ACTION, A: OWNS_THE_ACTION},
    ),
    Perm.BOARD_ACTION_COMPLETE: _p(
        "Mark a board action done (its owner, a commissioner or a board member).",
        STAFF,
        {SM: OWNS_THE_ACTION, SL: OWNS_THE_ACTION, A: OWNS_THE_ACTION},
    ),
    Perm.BOARD_MANAGE: _p(
        "Manage the board's membership, its quorum rule and how many working days before "
        "a meeting its papers are due.",
        {A},
    ),
    # The commissioning cycle ------------------------------------------------
    Perm.CALENDAR_VIEW_OWN: _p("See one's own deadlines and notifications.", STAFF),
    Perm.CALENDAR_VIEW_ALL: _p("See every deadline in the commissioning calendar.", {C, A}),
    Perm.ANNUAL_REPORT_VIEW: _p("See annual reports before they are published.", {C, SM, B}),
    Perm.DEADLINE_MARK_MET: _p(
        "Record that a deadline's obligation was met outside the system (for example "
        "the review of the commissioning approach).",
        {C},
    ),
    Perm.ANNUAL_REPORT_PRODUCE: _p(
        "Generate, approve and publish the annual report and the cabinet committee report.",
        {C},
    ),
    Perm.ANNUAL_REPORT_WRITE: _p(
        "Write the service's parts of the annual report (the foreword, each outcome's "
        "narrative, highlights and case study, the report back on the business plan) and "
        "send it to the commissioner.",
        {SM},
    ),
    Perm.ANNUAL_REPORT_ASSESS: _p(
        "Add the commissioner's assessment of each outcome and overall to the annual "
        "report, or return it to the service.",
        {C},
    ),
    Perm.CABINET_REPORT_RECORD: _p(
        "Record the cabinet committee, its meeting date, the recommendation and the "
        "committee's resolution on the annual performance report.",
        {C},
    ),
    Perm.APPROACH_REVIEW_VIEW: _p(
        "Read the review of the commissioning approach before it is completed.", {C, SM, B}
    ),
    Perm.APPROACH_REVIEW_MANAGE: _p(
        "Write the review of the commissioning approach (scope, findings, recommendations) "
        "and record when the board and the committee considered it.",
        {C},
    ),
    Perm.APPROACH_REVIEW_CONTRIBUTE: _p(
        "Add the service's input to the review of the commissioning approach.", {SM}
    ),
}


if set(PERMISSIONS) != set(Perm):
    raise RuntimeError(f"Perm and PERMISSIONS disagree: {sorted(set(Perm) ^ set(PERMISSIONS))}")


class UnknownPermission(KeyError):
    """A name that is not a member of Perm (a typo, or a permission never added)."""


def permission_named(name: str) -> Permission:
    """The permission of this name; UnknownPermission for any other name."""
    try:
        return PERMISSIONS[Perm(name)]
    except ValueError:
        raise UnknownPermission(
            f"Unknown permission {name!r}: add it to Perm and PERMISSIONS"
        ) from None


def can(user, permission: str, obj=None) -> bool:
    """May this user do this (to this record)? The one answer, asked by every view."""
    perm = permission_named(permission)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    for role in perm.roles & user.roles:
        rule = (perm.rules or {}).get(role)
        if rule is None or rule(user, obj):
            return True
    return False


class NotPermitted(DomainError):
    """A service was asked to act for a person who may not (the message says why)."""


def ensure_can(by, permission: str, obj=None, *, message: str = "") -> None:
    """The services' permission check: NotPermitted unless `by` may do this (to `obj`).

    `by=None` is the system (beat, the nightly calendar) and passes."""
    if by is None or can(by, permission, obj):
        return
    raise NotPermitted(message or f"You cannot do this: {permission_named(permission).description}")


def visible_q(user, permission: str, *, path: str = "") -> Q:
    """The records this user may see under this permission, as a queryset filter.

    The same answer as `can(user, permission, record)` for each record, so a
    list shows exactly the records whose pages open. `path` leads from the
    queried model to the record the rule is about, ending in "__"
    ("monthly_return__" to filter a return's values). Every rule of the
    permission must be a `RecordRule`.
    """
    perm = permission_named(permission)
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
    return permission_named(permission).roles
