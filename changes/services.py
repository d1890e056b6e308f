"""Writes to change requests, board decisions and service ideas: the one write path.

Every function is keyword-only, takes the actor as `by=`, runs in one
transaction and records the actor in the history. Refusals raise
`DomainError` / `TransitionNotAllowed` with a message for the user, or
`ValidationError` with a message per field; nothing is half-saved.

Applying a change (`change_request_apply`) is all or nothing: it locks the
change, checks the version it was raised against is still in force, copies
that version to the next number, makes the edits through the specifications
services, publishes the new version with the approvals the change carries
and, for a change to the budget, proposes the budget change through funding.
Any refusal on the way rolls all of it back.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from lra_commissioning.audit import delete_with_history, save_with_history
from lra_commissioning.obligations import obligation_met
from lra_commissioning.permissions import Perm, can, ensure_can
from lra_commissioning.workflow import DomainError, TransitionNotAllowed, Workflow, t
from specifications import services as spec_services
from specifications.models import KPI, SectionKind, SpecificationVersion
from specifications.selectors import version_in_force

from . import notifications
from .models import (
    APPROVING_DECISIONS,
    IMPACT_FIELDS,
    BoardDecision,
    ChangeBudgetLine,
    ChangeItem,
    ChangeRequest,
    Decision,
    IdeaDecision,
    IdeaStatus,
    ItemKind,
    Kind,
    ServiceIdea,
    Status,
    classify,
)

S = Status

# What each state allows. Who may act is permissions.py; which kind of change
# an action suits is checked in the service (e.g. only minor variations are agreed).
CHANGE_WORKFLOW = Workflow(
    "change request",
    {
        "edit": t({S.DRAFT}, S.DRAFT, "changed"),
        "raise_to_fundamental": t(
            {S.DRAFT, S.AWAITING_AGREEMENT}, None, "raised to a fundamental change"
        ),
        "submit": t({S.DRAFT}, None, "submitted"),
        "agree": t({S.AWAITING_AGREEMENT}, S.AWAITING_AGREEMENT, "agreed"),
        # A fundamental change the board approved is agreed for the service (the head
        # of service) before it is applied: the change process is agreed by both sides.
        "agree_for_service": t({S.APPROVED}, S.APPROVED, "agreed for the service"),
        "decide": t({S.WITH_BOARD}, None, "decided by the board"),
        "apply": t({S.AGREED, S.APPROVED}, S.APPLIED, "applied"),
        "withdraw": t({S.DRAFT, S.AWAITING_AGREEMENT, S.AGREED}, S.WITHDRAWN, "withdrawn"),
    },
)

DECISION_STATUS = {
    Decision.APPROVED: S.APPROVED,
    Decision.APPROVED_WITH_CONDITIONS: S.APPROVED,
    Decision.DEFERRED: S.DEFERRED,
    Decision.REJECTED: S.REJECTED,
}

IDEA_WORKFLOW = Workflow(
    "service idea",
    {"decide": t({IdeaStatus.PROPOSED}, None, "decided by the board")},
)

IDEA_STATUS = {
    IdeaDecision.ADOPTED: IdeaStatus.ADOPTED,
    IdeaDecision.DEFERRED: IdeaStatus.DEFERRED,
    IdeaDecision.DECLINED: IdeaStatus.DECLINED,
}


class AlreadyDecided(DomainError):
    """The board's decision on this item has already been recorded."""


def _locked(change) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update().get(pk=change.pk)


def _date(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


# Raising and editing -----------------------------------------------------------


def _validate_effective_on(version: SpecificationVersion, effective_on):
    """The change takes effect within the year of the version and after it started."""
    year = version.specification.financial_year
    if effective_on is None:
        raise ValidationError({"effective_on": "Enter the date the change takes effect"})
    if not year.contains(effective_on):
        raise ValidationError(
            {
                "effective_on": f"The change must take effect within {year.label}, the year of "
                f"the specification it changes: between {_date(year.start_date)} and "
                f"{_date(year.end_date)}"
            }
        )
    if effective_on <= version.starts_on:
        raise ValidationError(
            {
                "effective_on": f"The change must take effect after {_date(version.starts_on)}, "
                f"when version {version.number} came into force"
            }
        )


@transaction.atomic
def change_request_raise(
    *,
    title: str,
    description: str,
    reason: str,
    effective_on: datetime.date,
    alters_objectives: bool,
    contravenes_policy: bool,
    affects_budget: bool,
    by,
    version: SpecificationVersion | None = None,
    idea: ServiceIdea | None = None,
    at=None,
    **impacts,
) -> ChangeRequest:
    """Raise a change against the version in force (a draft, classified by the three
    questions). Not safe to call twice: each call raises a new change."""
    ensure_can(
        by,
        Perm.CHANGE_RAISE,
        message="Only a commissioner or a service manager can raise a change.",
    )
    unknown = set(impacts) - {name for name, _ in IMPACT_FIELDS}
    if unknown:
        raise TypeError(f"Unknown change fields: {sorted(unknown)}")
    now = at or timezone.now()
    if version is None:
        version = version_in_force(on=timezone.localdate(now))
        if version is None:
            raise DomainError("No specification is in force, so there is nothing to change.")
    errors = {}
    for name, value, message in (
        ("title", title, "Enter a short title for the change"),
        ("description", description, "Enter what should change"),
        ("reason", reason, "Enter why the change is needed"),
    ):
        if not (value or "").strip():
            errors[name] = message
    try:
        _validate_effective_on(version, effective_on)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if idea is not None:
        idea = ServiceIdea.objects.get(pk=idea.pk)
    if idea is not None and idea.status != IdeaStatus.ADOPTED:
        raise DomainError("Only an idea the board has adopted can become a change request.")
    change = ChangeRequest(
        version=version,
        title=title.strip(),
        description=description.strip(),
        reason=reason.strip(),
        effective_on=effective_on,
        alters_objectives=alters_objectives,
        contravenes_policy=contravenes_policy,
        affects_budget=affects_budget,
        kind=classify(
            alters_objectives=alters_objectives,
            contravenes_policy=contravenes_policy,
            affects_budget=affects_budget,
        ),
        raised_by=by,
        raised_at=now,
        idea=idea,
        **{k: (v or "").strip() for k, v in impacts.items()},
    )
    return save_with_history(change, by)


CHANGE_EDITABLE_FIELDS = {
    "title",
    "description",
    "reason",
    "effective_on",
    *(name for name, _ in IMPACT_FIELDS),
}


@transaction.atomic
def change_request_update(*, change: ChangeRequest, by, **fields) -> ChangeRequest:
    """Change a draft's words, effective date or impact assessment.

    The classification is not edited here: it can only go up (see
    `change_request_raise_to_fundamental`).
    """
    ensure_can(
        by, Perm.CHANGE_RAISE, message="Only a commissioner or a service manager can edit a change."
    )
    unknown = set(fields) - CHANGE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Unknown change fields: {sorted(unknown)}")
    change = _locked(change)
    CHANGE_WORKFLOW.target(change.status, "edit")
    for name, value in fields.items():
        setattr(change, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    for name, message in (
        ("title", "Enter a short title for the change"),
        ("description", "Enter what should change"),
        ("reason", "Enter why the change is needed"),
    ):
        if not getattr(change, name):
            errors[name] = message
    try:
        _validate_effective_on(change.version, change.effective_on)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return save_with_history(change, by)


def _parse_decimal(value, message_field, label):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace("\u00a3", "").strip())
    except InvalidOperation:
        raise ValidationError(
            {message_field: f"Enter the {label} as a number, like 95 or 12500"}
        ) from None
    if not number.is_finite():
        raise ValidationError({message_field: f"Enter the {label} as a number, like 95 or 12500"})
    return number


@transaction.atomic
def change_item_save(
    *, change: ChangeRequest, kind: str, by, key: str = "", **values
) -> ChangeItem:
    """Add (or replace) one edit of a draft change, checked against the version it changes.

    Safe to call twice: the same thing changed twice keeps the latest values.
    """
    ensure_can(
        by, Perm.CHANGE_RAISE, message="Only a commissioner or a service manager can edit a change."
    )
    change = _locked(change)
    CHANGE_WORKFLOW.target(change.status, "edit")
    version = change.version
    kind = ItemKind(kind)
    item = ChangeItem.objects.filter(change=change, kind=kind, key=key or "").first() or ChangeItem(
        change=change, kind=kind, key=key or ""
    )
    if kind == ItemKind.KPI:
        kpi = KPI.objects.filter(version=version, code=key).first()
        if kpi is None:
            raise ValidationError({"key": "Choose a KPI of the specification in force"})
        if kpi.is_activity:
            raise ValidationError(
                {"key": f"{kpi.code} is an activity measure: it has no target to change"}
            )
        target = _parse_decimal(values.get("annual_target"), "annual_target", "annual target")
        floor = _parse_decimal(values.get("floor"), "floor", "floor")
        fields = {name: getattr(kpi, name) for name in spec_services.KPI_FIELDS}
        fields.update(annual_target=target, floor=floor)
        errors = {
            k: v
            for k, v in spec_services.kpi_errors(fields).items()
            if k in ("annual_target", "floor")
        }
        if errors:
            raise ValidationError(errors)
        item.annual_target, item.floor = target, floor
    elif kind == ItemKind.SECTION:
        if key not in SectionKind.values:
            raise ValidationError({"key": "Choose the section to change"})
        text = (values.get("text") or "").strip()
        if not text:
            raise ValidationError({"text": "Enter the new text of the section"})
        item.text = text
    elif kind == ItemKind.REQUIREMENT:
        key = (key or "").strip()
        if not key:
            raise ValidationError({"key": "Enter the requirement code, like O1.R3"})
        item.key = key
        text = (values.get("text") or "").strip()
        exists = version.outcomes.filter(requirements__code=key).exists()
        outcome_code = (values.get("outcome_code") or "").strip()
        if not exists:
            if not text:
                raise ValidationError(
                    {"key": f"There is no requirement {key} to remove: check the code"}
                )
            if not version.outcomes.filter(code=outcome_code).exists():
                raise ValidationError(
                    {"outcome_code": "Choose the outcome the new requirement belongs to"}
                )
        item.text, item.outcome_code = text, outcome_code
    else:
        item.key = ""
        for name, label in (
            ("performance_tolerance_percent", "performance tolerance"),
            ("budget_tolerance_percent", "budget tolerance percentage"),
        ):
            value = _parse_decimal(values.get(name), name, label)
            if value is None or value < 0 or value > 100:
                raise ValidationError({name: f"Enter the {label} as a percentage from 0 to 100"})
            setattr(item, name, value)
        amount = _parse_decimal(
            values.get("budget_tolerance_amount"), "budget_tolerance_amount", "amount"
        )
        if amount is None or amount < 0:
            raise ValidationError(
                {"budget_tolerance_amount": "Enter the budget tolerance in pounds, 0 or more"}
            )
        item.budget_tolerance_amount = amount
    return save_with_history(item, by)


@transaction.atomic
def change_item_delete(*, item: ChangeItem, by) -> None:
    ensure_can(
        by, Perm.CHANGE_RAISE, message="Only a commissioner or a service manager can edit a change."
    )
    change = _locked(item.change)
    CHANGE_WORKFLOW.target(change.status, "edit")
    delete_with_history(item, by)


@transaction.atomic
def change_budget_line_save(
    *, change: ChangeRequest, start_year: int, line_key: str, amount, by
) -> ChangeBudgetLine:
    """A new amount for one line of the agreed budget. Safe to call twice."""
    from funding import budget as calc

    ensure_can(
        by, Perm.CHANGE_RAISE, message="Only a commissioner or a service manager can edit a change."
    )
    change = _locked(change)
    CHANGE_WORKFLOW.target(change.status, "edit")
    try:
        calc.parse_line_key(line_key)
    except ValueError:
        raise ValidationError({"line_key": "Choose the budget line to change"}) from None
    value = _parse_decimal(amount, "amount", "new amount")
    if value is None:
        raise ValidationError({"amount": "Enter the new amount in pounds"})
    if value < 0 and not line_key.startswith("other"):
        raise ValidationError({"amount": "The new amount cannot be negative"})
    line = ChangeBudgetLine.objects.filter(
        change=change, start_year=start_year, line_key=line_key
    ).first() or ChangeBudgetLine(change=change, start_year=start_year, line_key=line_key)
    line.amount = value
    return save_with_history(line, by)


@transaction.atomic
def change_budget_line_delete(*, line: ChangeBudgetLine, by) -> None:
    ensure_can(
        by, Perm.CHANGE_RAISE, message="Only a commissioner or a service manager can edit a change."
    )
    change = _locked(line.change)
    CHANGE_WORKFLOW.target(change.status, "edit")
    delete_with_history(line, by)


# The workflow -------------------------------------------------------------------


@transaction.atomic
def change_request_raise_to_fundamental(*, change: ChangeRequest, reason: str, by) -> ChangeRequest:
    """Either side may raise a minor variation to a fundamental change, with a reason.

    Nothing lowers a fundamental change. Agreements given to the minor
    variation lapse: the board decides now. Back to draft, so the impact
    assessment can be completed before it goes to the board.
    """
    ensure_can(
        by,
        Perm.CHANGE_RAISE,
        message=(
            "Only a commissioner or a service manager can raise a change to a fundamental change."
        ),
    )
    change = _locked(change)
    CHANGE_WORKFLOW.target(change.status, "raise_to_fundamental")
    if change.is_fundamental:
        raise DomainError("This is already a fundamental change.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why this needs the board's decision"})
    change.kind = Kind.FUNDAMENTAL
    change.raised_to_fundamental_reason = reason.strip()
    change.status = S.DRAFT
    change.council_agreed_by = change.council_agreed_at = None
    change.service_agreed_by = change.service_agreed_at = None
    return save_with_history(change, by)


@transaction.atomic
def change_request_submit(*, change: ChangeRequest, by, at=None) -> ChangeRequest:
    """A minor variation goes for agreement; a fundamental change goes to the board
    (only with its impact assessment complete)."""
    ensure_can(
        by,
        Perm.CHANGE_RAISE,
        message="Only a commissioner or a service manager can submit a change.",
    )
    change = _locked(change)
    CHANGE_WORKFLOW.target(change.status, "submit")
    if not change.items.exists() and not change.budget_lines.exists():
        raise DomainError(
            "Say what changes in the specification or the budget before submitting the change."
        )
    _validate_effective_on(change.version, change.effective_on)
    if change.is_fundamental:
        missing = change.missing_impacts
        if missing:
            raise DomainError(
                "Complete the impact assessment before submitting to the board: "
                + ", ".join(m.lower() for m in missing)
                + (" is" if len(missing) == 1 else " are")
                + " empty."
            )
        change.status = S.WITH_BOARD
    else:
        if change.budget_lines.exists():
            raise DomainError(
                "A change to the budget is a fundamental change: raise it to a fundamental "
                "change for the board."
            )
        change.status = S.AWAITING_AGREEMENT
    change.submitted_at = at or timezone.now()
    save_with_history(change, by)
    notifications.change_submitted(change, by=by)
    return change


SIDES = {
    "council": (Perm.CHANGE_AGREE_FOR_COUNCIL, "council_agreed_by", "council_agreed_at"),
    "service": (Perm.CHANGE_AGREE_FOR_SERVICE, "service_agreed_by", "service_agreed_at"),
}


@transaction.atomic
def change_request_agree(*, change: ChangeRequest, side: str, by, at=None) -> ChangeRequest:
    """One side's agreement to a minor variation: "council" (a commissioner) or
    "service" (the head of service). Two different people: one person holding
    both roles cannot agree both sides. When both have agreed the change is
    applied at once; if applying is refused (the version is no longer in
    force, say) the agreement stands and the change waits as agreed, with the
    reason, for the commissioner to apply or withdraw it.
    """
    permission, by_field, at_field = SIDES[side]
    label = "the council" if side == "council" else "the service"
    if not can(by, permission):
        raise DomainError(
            "Only a commissioner can agree for the council."
            if side == "council"
            else "Only the head of service can agree for the service."
        )
    change = _locked(change)
    if change.is_fundamental:
        return _agree_fundamental_for_service(change, side=side, by=by, at=at)
    CHANGE_WORKFLOW.target(change.status, "agree")
    if getattr(change, by_field + "_id") is not None:
        raise DomainError(f"This change has already been agreed for {label}.")
    other = "service_agreed_by_id" if side == "council" else "council_agreed_by_id"
    if getattr(change, other) == by.pk:
        raise DomainError(
            "You have agreed the other side of this change. A minor variation needs two "
            "different people: a commissioner and the head of service."
        )
    setattr(change, by_field, by)
    setattr(change, at_field, at or timezone.now())
    if change.council_agreed_by_id and change.service_agreed_by_id:
        change.status = S.AGREED
    save_with_history(change, by)
    if change.status == S.AGREED:
        try:
            with transaction.atomic():
                change = change_request_apply(change=change, by=by, at=at, _system=True)
        except (DomainError, ValidationError):
            change.refresh_from_db()
    return change


def _agree_fundamental_for_service(change, *, side, by, at):
    """The head of service agrees for the service a fundamental change the board approved.
    The board decided it for the council, so there is no council side to agree."""
    if side != "service":
        raise TransitionNotAllowed(
            "This is a fundamental change: the board decides it, not the two sides."
        )
    if change.status != S.APPROVED:
        raise TransitionNotAllowed(
            "The head of service agrees a fundamental change for the service once the board "
            "has approved it."
        )
    CHANGE_WORKFLOW.target(change.status, "agree_for_service")
    if change.service_agreed_by_id is not None:
        raise DomainError("This change has already been agreed for the service.")
    change.service_agreed_by = by
    change.service_agreed_at = at or timezone.now()
    save_with_history(change, by)
    notifications.change_agreed_for_service(change, by=by)
    return change


@transaction.atomic
def change_request_decide(
    *,
    change: ChangeRequest,
    decision: str,
    decided_on: datetime.date,
    minute_reference: str,
    by,
    conditions: str = "",
    comments: str = "",
    at=None,
) -> ChangeRequest:
    """Record the board's decision on a fundamental change. Final: a second attempt
    (even at the same moment) is refused with `AlreadyDecided`."""
    ensure_can(
        by, Perm.CHANGE_DECIDE, message="Only a board member can record the board's decision."
    )
    change = _locked(change)
    if change.decision is not None:
        raise AlreadyDecided(
            f"The board's decision on {change.reference} was already recorded by "
            f"{change.decided_by} on {_date(timezone.localdate(change.decided_at))}: "
            f"{change.get_decision_display().lower()}. A recorded decision is never changed."
        )
    CHANGE_WORKFLOW.target(change.status, "decide")
    decision = _decision_fields(
        Decision, decision, decided_on, minute_reference, conditions, change.submitted_at
    )
    now = at or timezone.now()
    change.decision = decision
    change.decided_by = by
    change.decided_at = now
    change.status = DECISION_STATUS[decision]
    save_with_history(change, by)
    _record_decision(
        change=change,
        decision=decision,
        label=Decision(decision).label,
        decided_on=decided_on,
        minute_reference=minute_reference,
        conditions=conditions if decision == Decision.APPROVED_WITH_CONDITIONS else "",
        comments=comments,
        by=by,
        now=now,
    )
    obligation_met(f"change_request:{change.pk}", by=by, on=decided_on)
    notifications.change_decided(change, by=by)
    return change


def _decision_fields(choices, decision, decided_on, minute_reference, conditions, submitted_at):
    errors = {}
    if decision not in choices.values:
        errors["decision"] = "Choose the board's decision"
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the board's decision"
    elif decided_on > timezone.localdate():
        errors["decided_on"] = "The date of the board's decision must be today or in the past"
    elif submitted_at is not None and decided_on < timezone.localdate(submitted_at):
        errors["decided_on"] = (
            f"The board cannot have decided before it was asked, on "
            f"{_date(timezone.localdate(submitted_at))}"
        )
    if not (minute_reference or "").strip():
        errors["minute_reference"] = "Enter the board minute reference, like LRA-SB/2017/12"
    if decision == Decision.APPROVED_WITH_CONDITIONS and not (conditions or "").strip():
        errors["conditions"] = "Enter the conditions the board set"
    if errors:
        raise ValidationError(errors)
    return decision


def _record_decision(
    *,
    change=None,
    idea=None,
    decision,
    label,
    decided_on,
    minute_reference,
    conditions,
    comments,
    by,
    now,
):
    record = BoardDecision(
        change=change,
        idea=idea,
        decision=decision,
        decision_label=label,
        decided_on=decided_on,
        minute_reference=minute_reference.strip(),
        conditions=(conditions or "").strip(),
        comments=(comments or "").strip(),
        decided_by=by,
        recorded_at=now,
    )
    try:
        with transaction.atomic():
            save_with_history(record, by)
    except IntegrityError as exc:
        # Unreachable behind the row lock; the constraint is the last word.
        raise AlreadyDecided("The board's decision on this item was already recorded.") from exc
    return record


def _next_minor(version: SpecificationVersion) -> int:
    top = SpecificationVersion.objects.filter(
        specification_id=version.specification_id, major=version.major
    ).aggregate(top=Max("minor"))["top"]
    return (top or 0) + 1


def _edit_version(new: SpecificationVersion, change: ChangeRequest, by, system: bool):
    kpis = {k.code: k for k in new.kpis.all()}
    sections = {s.kind: s for s in new.sections.all()}
    outcomes = {o.code: o for o in new.outcomes.prefetch_related("requirements")}
    requirements = {r.code: r for o in outcomes.values() for r in o.requirements.all()}
    for item in change.items.all():
        if item.kind == ItemKind.KPI:
            kpi = kpis.get(item.key)
            if kpi is None:
                raise DomainError(f"KPI {item.key} is no longer in the specification.")
            spec_services.kpi_update(
                kpi=kpi,
                annual_target=item.annual_target,
                floor=item.floor,
                by=by,
                _system=system,
            )
        elif item.kind == ItemKind.SECTION:
            section = sections[item.key]
            spec_services.section_update(
                section=section, heading=section.heading, body=item.text, by=by, _system=system
            )
        elif item.kind == ItemKind.REQUIREMENT:
            existing = requirements.get(item.key)
            if existing is not None and not item.text:
                spec_services.requirement_delete(requirement=existing, by=by, _system=system)
            elif existing is not None:
                spec_services.requirement_update(
                    requirement=existing, text=item.text, by=by, _system=system
                )
            else:
                spec_services.requirement_create(
                    outcome=outcomes[item.outcome_code],
                    code=item.key,
                    text=item.text,
                    by=by,
                    _system=system,
                )
        else:
            spec_services.version_update(
                version=new,
                performance_tolerance_percent=item.performance_tolerance_percent,
                budget_tolerance_percent=item.budget_tolerance_percent,
                budget_tolerance_amount=item.budget_tolerance_amount,
                by=by,
                _system=system,
            )


def _budget_change(change: ChangeRequest, by):
    from funding import services as funding_services

    lines = {(line.start_year, line.line_key): line.amount for line in change.budget_lines.all()}
    if not lines:
        return None
    base = funding_services.latest_agreed_version()
    if base is None:
        raise DomainError("There is no agreed budget to change.")
    decision = change.board_decision
    return funding_services.budget_change_propose(
        budget_version=base,
        changes=lines,
        reason=f"{change.reference} {change.title}: {change.reason}",
        by=by,
        board_decided_on=decision.decided_on,
        board_minute_reference=decision.minute_reference,
    )


@transaction.atomic
def change_request_apply(*, change: ChangeRequest, by, at=None, _system=False) -> ChangeRequest:
    """Apply an agreed minor variation or an approved fundamental change.

    All or nothing: refused (and nothing kept) when the version it was raised
    against is no longer in force, the effective date falls outside that
    version's year, an edit no longer fits, or the budget cannot be changed.
    The new version is the next minor number of the year's specification
    (2.1 after 2.0): the major number names the year's specification, so a
    change within the year never takes the next year's number. Not safe to
    call twice: the second call finds the change applied and is refused.
    `_system`: applied at once when both sides have agreed, for whoever agreed
    last (perhaps the head of service); the agreement is the permission, here
    and in the specifications services that make the new version.
    """
    if not _system:
        ensure_can(by, Perm.CHANGE_APPLY, message="Only a commissioner can apply a change.")
    change = _locked(change)
    CHANGE_WORKFLOW.target(change.status, "apply")
    if change.is_fundamental and change.decision not in APPROVING_DECISIONS:
        raise DomainError("Only a change the board approved can be applied.")
    if change.service_agreed_by_id is None:
        raise DomainError(
            f"{change.reference} is not yet agreed for the service: the head of service "
            "agrees it before it is applied."
        )
    now = at or timezone.now()
    source = change.version
    in_force = version_in_force(on=timezone.localdate(now))
    if in_force is None or in_force.pk != source.pk:
        current = (
            f"version {in_force.number} of {in_force.specification.financial_year.label}"
            if in_force
            else "no version"
        )
        raise DomainError(
            f"{change.reference} was raised against version {source.number}, which is no longer "
            f"the version in force ({current} is). Withdraw it and raise it again against the "
            "version in force."
        )
    try:
        _validate_effective_on(source, change.effective_on)
        new = spec_services.version_copy(
            source=source,
            specification=source.specification,
            major=source.major,
            minor=_next_minor(source),
            starts_on=change.effective_on,
            by=by,
            _system=_system,
        )
        spec_services.version_update(
            version=new,
            summary=f"{change.reference} {change.title}. {change.description}",
            by=by,
            _system=_system,
        )
        _edit_version(new, change, by, _system)
    except ValidationError as exc:
        raise DomainError(
            f"{change.reference} cannot be applied: " + " ".join(exc.messages)
        ) from exc
    decision = getattr(change, "board_decision", None) if change.is_fundamental else None
    new = spec_services.version_publish_from_change(
        version=new,
        agreed_by=change.service_agreed_by,
        agreed_at=change.service_agreed_at or now,
        board_decided_by=change.decided_by if decision else None,
        board_decided_on=decision.decided_on if decision else None,
        board_minute_reference=decision.minute_reference if decision else "",
        board_comments=decision.conditions if decision else "",
        by=by,
        at=now,
        _system=_system,
    )
    if change.is_fundamental:
        change.budget_version = _budget_change(change, by)
    change.status = S.APPLIED
    change.applied_version = new
    change.applied_by = by
    change.applied_at = now
    return save_with_history(change, by)


@transaction.atomic
def change_request_withdraw(*, change: ChangeRequest, by) -> ChangeRequest:
    ensure_can(
        by,
        Perm.CHANGE_RAISE,
        message="Only a commissioner or a service manager can withdraw a change.",
    )
    change = _locked(change)
    change.status = CHANGE_WORKFLOW.target(change.status, "withdraw")
    return save_with_history(change, by)


# Decision notices -------------------------------------------------------------------


@transaction.atomic
def decision_notice_publish(*, decision: BoardDecision, by, at=None) -> BoardDecision:
    """Put an approving decision on the public site. Safe to call twice."""
    ensure_can(by, Perm.CHANGE_APPLY, message="Only a commissioner can publish a decision notice.")
    decision = BoardDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.decision not in (*APPROVING_DECISIONS, IdeaDecision.ADOPTED):
        raise DomainError("Only an approval is published as a decision notice.")
    if decision.published_at is not None:
        return decision
    decision.published_at = at or timezone.now()
    decision.published_by = by
    return save_with_history(decision, by)


# Service ideas ----------------------------------------------------------------------


@transaction.atomic
def idea_propose(
    *, title: str, description: str, benefits: str, costs: str, risks: str, by, at=None
) -> ServiceIdea:
    ensure_can(
        by, Perm.IDEA_PROPOSE, message="Only a service manager can propose an idea to the board."
    )
    errors = {}
    for name, value, message in (
        ("title", title, "Enter a short title for the idea"),
        ("description", description, "Describe the idea"),
        ("benefits", benefits, "Enter the benefits"),
        ("costs", costs, "Enter the costs, or say there are none"),
        ("risks", risks, "Enter the risks, or say there are none"),
    ):
        if not (value or "").strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    idea = ServiceIdea(
        title=title.strip(),
        description=description.strip(),
        benefits=benefits.strip(),
        costs=costs.strip(),
        risks=risks.strip(),
        proposed_by=by,
        proposed_at=at or timezone.now(),
    )
    save_with_history(idea, by)
    notifications.idea_proposed(idea, by=by)
    return idea


@transaction.atomic
def idea_decide(
    *,
    idea: ServiceIdea,
    decision: str,
    decided_on: datetime.date,
    minute_reference: str,
    comments: str = "",
    by,
    at=None,
) -> ServiceIdea:
    """Record the board's view of an idea. Final, like every board decision."""
    ensure_can(by, Perm.IDEA_DECIDE, message="Only a board member can record the board's view.")
    idea = ServiceIdea.objects.select_for_update().get(pk=idea.pk)
    if idea.decision is not None:
        raise AlreadyDecided(
            f"The board's view of {idea.reference} was already recorded by {idea.decided_by}: "
            f"{idea.get_decision_display().lower()}. A recorded decision is never changed."
        )
    IDEA_WORKFLOW.target(idea.status, "decide")
    _decision_fields(IdeaDecision, decision, decided_on, minute_reference, "", idea.proposed_at)
    now = at or timezone.now()
    idea.decision = decision
    idea.decided_by = by
    idea.decided_at = now
    idea.status = IDEA_STATUS[decision]
    save_with_history(idea, by)
    _record_decision(
        idea=idea,
        decision=decision,
        label=IdeaDecision(decision).label,
        decided_on=decided_on,
        minute_reference=minute_reference,
        conditions="",
        comments=comments,
        by=by,
        now=now,
    )
    notifications.idea_decided(idea, by=by)
    return idea
