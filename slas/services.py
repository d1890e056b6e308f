"""Writes to support services and SLAs. Each takes the actor as `by=`.

Views check the role with `can()` before calling; each SLA service checks it
again first (`permissions.ensure_can`, refusing with `NotPermitted`; a support
lead only for their own support service's SLAs; `by=None` is the system), then
checks the record's state against the workflow table, locks the SLA for
decisions, and refuses bad input with a `DomainError` whose message is for the
user.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from lra_commissioning import dates
from lra_commissioning.audit import delete_with_history, save_with_history
from lra_commissioning.models import FinancialYear
from lra_commissioning.obligations import obligation_met
from lra_commissioning.permissions import NotPermitted, Perm, ensure_can
from lra_commissioning.roles import Role
from lra_commissioning.workflow import DomainError, Workflow, t

from . import notifications
from .models import (
    SLA,
    UNIT_RANGES,
    Clock,
    EscalationContact,
    LevelUnit,
    Raci,
    ReportingFrequency,
    Responsibility,
    ServiceLevel,
    ServiceLevelResult,
    SlaStatus,
    SupportService,
    format_value,
    level_periods,
    rate,
)
from .obligations import agreement_key, periods_reported, results_key

S = SlaStatus

# action -> (allowed source states, target state). The agreements keep the SLA
# proposed until the second side agrees; `sla_agree` then moves it to AGREED.
SLA_WORKFLOW = Workflow(
    "SLA",
    {
        "edit": t({S.DRAFTING}, S.DRAFTING, "edited"),
        "propose": t({S.DRAFTING}, S.PROPOSED, "proposed"),
        "return_to_drafting": t({S.PROPOSED}, S.DRAFTING, "returned to drafting"),
        "agree": t({S.PROPOSED}, S.PROPOSED, "agreed"),
        "bring_into_force": t({S.AGREED}, S.IN_FORCE, "put in force"),
        "start_review": t({S.IN_FORCE}, S.UNDER_REVIEW, "put under review"),
        "renew": t({S.UNDER_REVIEW}, S.RENEWED, "renewed"),
        "end": t({S.IN_FORCE, S.UNDER_REVIEW}, S.ENDED, "ended"),
        "start_next_year": t(
            {S.AGREED, S.IN_FORCE, S.UNDER_REVIEW}, S.DRAFTING, "copied to next year"
        ),
        # Not a transition: the states in which results may be reported.
        "report": t({S.IN_FORCE, S.UNDER_REVIEW, S.RENEWED, S.ENDED}, S.IN_FORCE, "reported on"),
    },
)

SERVICE_SIDE = "service"
SUPPORT_SIDE = "support"


def _today():
    return timezone.localdate()


def _lock(sla) -> SLA:
    """Lock the SLA row for a decision and return it fresh, with its support service."""
    locked = SLA.objects.select_for_update().get(pk=sla.pk)
    locked.support_service = SupportService.objects.prefetch_related("leads").get(
        pk=locked.support_service_id
    )
    locked.financial_year = FinancialYear.objects.get(pk=locked.financial_year_id)
    return locked


def _require_state(sla, action):
    return SLA_WORKFLOW.target(sla.status, action)


# Support services ------------------------------------------------------------


@transaction.atomic
def support_service_create_or_update(*, name, council_wide_description, leads, by):
    """Create a support service or update it by name. Safe to call twice.

    Every lead must hold the support service lead role.

    Not checked against a permission (yet): no page sets support services up
    and no permission says who may; the demo does it as the administrator, the
    funding tests as a commissioner. Which it needs is for permissions.py to say.
    """
    for lead in leads:
        if Role.SUPPORT_LEAD not in lead.roles:
            raise DomainError(f"{lead} does not hold the support service lead role.")
    service = SupportService.objects.filter(name=name).first() or SupportService(name=name)
    service.council_wide_description = council_wide_description
    save_with_history(service, by)
    service.leads.set(leads)
    return service


# The SLA's content -----------------------------------------------------------


def _check_dates(starts_on, review_on, start_year):
    if starts_on is None:
        raise DomainError("Enter the start date.")
    if review_on is None:
        raise DomainError("Enter the review date.")
    if not (
        dates.financial_year_start(start_year) <= starts_on <= dates.financial_year_end(start_year)
    ):
        raise DomainError(
            f"The start date must be in {dates.financial_year_label(start_year)}, between "
            f"1 April {start_year} and 31 March {start_year + 1}."
        )
    if review_on <= starts_on:
        raise DomainError("The review date must be after the start date.")


def _check_charge(annual_charge) -> Decimal:
    try:
        charge = Decimal(str(annual_charge))
    except (InvalidOperation, ValueError):
        raise DomainError("Enter the annual charge in pounds, like 12500.00.") from None
    if charge < 0:
        raise DomainError("The annual charge cannot be negative.")
    if charge != charge.quantize(Decimal("0.01")):
        raise DomainError("Enter the annual charge in pounds and pence, like 12500.00.")
    return charge


@transaction.atomic
def sla_create(
    *,
    support_service,
    start_year,
    by,
    scope=None,
    bespoke="",
    annual_charge=Decimal("0.00"),
    charge_basis="",
    starts_on=None,
    review_on=None,
) -> SLA:
    """Start drafting a support service's SLA for a year.

    The scope starts from the council-wide service description. Refused when
    the support service already has an SLA for that year (one per year).
    """
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        support_service,
        message="Only a service manager or the support service's own lead can start its SLA.",
    )
    year = FinancialYear.objects.filter(start_year=start_year).first()
    if year is None:
        raise DomainError(
            f"The financial year {dates.financial_year_label(start_year)} has not been set up. "
            "Ask an administrator to add it."
        )
    if SLA.objects.filter(support_service=support_service, financial_year=year).exists():
        raise DomainError(
            f"{support_service.name} already has an SLA for {year.label}: open it instead."
        )
    starts_on = starts_on or dates.financial_year_start(start_year)
    review_on = review_on or datetime.date(start_year + 1, 1, 1)
    _check_dates(starts_on, review_on, start_year)
    sla = SLA(
        support_service=support_service,
        financial_year=year,
        scope=support_service.council_wide_description if scope is None else scope,
        bespoke=bespoke,
        annual_charge=_check_charge(annual_charge),
        charge_basis=charge_basis,
        starts_on=starts_on,
        review_on=review_on,
    )
    try:
        with transaction.atomic():
            save_with_history(sla, by)
    except IntegrityError:
        # Two people starting the same SLA at once: the constraint keeps one.
        raise DomainError(
            f"{support_service.name} already has an SLA for {year.label}: open it instead."
        ) from None
    return sla


@transaction.atomic
def sla_update(*, sla, by, scope, bespoke, annual_charge, charge_basis, starts_on, review_on):
    """Change an SLA's content. Only while drafting."""
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message="Only a service manager or the support service's own lead can edit this SLA.",
    )
    sla = _lock(sla)
    _require_state(sla, "edit")
    _check_dates(starts_on, review_on, sla.financial_year.start_year)
    sla.scope = scope
    sla.bespoke = bespoke
    sla.annual_charge = _check_charge(annual_charge)
    sla.charge_basis = charge_basis
    sla.starts_on = starts_on
    sla.review_on = review_on
    return save_with_history(sla, by)


def _clean_raci(letters) -> str:
    letters = "".join(letters or "").upper()
    bad = set(letters) - set(Raci.values)
    if bad:
        raise DomainError("Choose responsible, accountable, consulted or informed.")
    return "".join(letter for letter in "RACI" if letter in letters)


@transaction.atomic
def responsibility_add(
    *, sla, by, activity, service_raci, support_raci, service_who="", support_who=""
) -> Responsibility:
    """Add an activity to the roles and responsibilities table. Only while drafting.

    Exactly one side is accountable, and at least one side is responsible.
    """
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message="Only a service manager or the support service's own lead can edit this SLA.",
    )
    sla = _lock(sla)
    _require_state(sla, "edit")
    activity = (activity or "").strip()
    if not activity:
        raise DomainError("Enter the activity.")
    service_raci, support_raci = _clean_raci(service_raci), _clean_raci(support_raci)
    accountable = ("A" in service_raci) + ("A" in support_raci)
    if accountable != 1:
        raise DomainError("Make exactly one side accountable for the activity.")
    if "R" not in service_raci + support_raci:
        raise DomainError("Make at least one side responsible for the activity.")
    row = Responsibility(
        sla=sla,
        activity=activity,
        service_raci=service_raci,
        support_raci=support_raci,
        service_who=service_who,
        support_who=support_who,
        order=sla.responsibilities.count() + 1,
    )
    return save_with_history(row, by)


def _delete_child(obj, sla, by):
    sla = _lock(sla)
    _require_state(sla, "edit")
    delete_with_history(obj, by)


@transaction.atomic
def responsibility_delete(*, responsibility, by):
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        responsibility.sla,
        message="Only a service manager or the support service's own lead can edit this SLA.",
    )
    _delete_child(responsibility, responsibility.sla, by)


def _check_target(unit, target, label="target") -> Decimal:
    try:
        value = Decimal(str(target))
    except (InvalidOperation, ValueError):
        raise DomainError(f"Enter the {label} as a number.") from None
    if not value.is_finite():
        raise DomainError(f"Enter the {label} as a number.")
    low, high = UNIT_RANGES[LevelUnit(unit)]
    unit_label = LevelUnit(unit).label.lower()
    if value < low or (high is not None and value > high):
        if high is None:
            raise DomainError(f"A {label} in {unit_label} must be {low} or more.")
        raise DomainError(
            f"A {label} in {unit_label} must be between {format_value(low, unit)} "
            f"and {format_value(high, unit)}."
        )
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(f"Enter the {label} to no more than two decimal places.")
    return value


@transaction.atomic
def service_level_save(
    *,
    sla,
    by,
    measure,
    unit,
    target,
    higher_is_better,
    how_measured="",
    frequency=ReportingFrequency.QUARTERLY,
    time_limit_hours=None,
    clock=Clock.WORKING_HOURS,
    service_level=None,
) -> ServiceLevel:
    """Add a service level, or change one (`service_level=`). Only while drafting.

    The target must lie in its unit's range (a percentage 0 to 100, ...). A time
    limit (hours, on working hours or calendar hours) is for a percentage only.
    """
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message="Only a service manager or the support service's own lead can edit this SLA.",
    )
    sla = _lock(sla)
    _require_state(sla, "edit")
    measure = (measure or "").strip()
    if not measure:
        raise DomainError("Enter what is measured.")
    if unit not in LevelUnit.values:
        raise DomainError("Choose the unit of the measure.")
    if frequency not in ReportingFrequency.values:
        raise DomainError("Choose how often results are reported.")
    level = service_level or ServiceLevel(sla=sla, order=sla.service_levels.count() + 1)
    if level.sla_id != sla.pk:
        raise DomainError("That service level belongs to another SLA.")
    level.measure = measure
    level.unit = unit
    level.target = _check_target(unit, target)
    level.higher_is_better = bool(higher_is_better)
    level.how_measured = how_measured
    level.frequency = frequency
    if clock not in Clock.values:
        raise DomainError("Choose how the time limit is counted.")
    if time_limit_hours is not None and unit != LevelUnit.PERCENTAGE:
        raise DomainError("A time limit is for a percentage of cases: choose Percentage.")
    if time_limit_hours is not None and not (
        Decimal("0") < Decimal(str(time_limit_hours)) <= Decimal("2000")
    ):
        raise DomainError("A time limit must be more than 0 and at most 2000 hours.")
    level.time_limit_hours = time_limit_hours
    level.clock = clock
    return save_with_history(level, by)


@transaction.atomic
def service_level_delete(*, service_level, by):
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        service_level.sla,
        message="Only a service manager or the support service's own lead can edit this SLA.",
    )
    _delete_child(service_level, service_level.sla, by)


@transaction.atomic
def escalation_contact_add(
    *, sla, by, side, level, name, job_title="", email="", phone=""
) -> EscalationContact:
    """Add an escalation contact for one side. Only while drafting."""
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message="Only a service manager or the support service's own lead can edit this SLA.",
    )
    sla = _lock(sla)
    _require_state(sla, "edit")
    if side not in EscalationContact.Side.values:
        raise DomainError("Choose which side the contact is on.")
    if not (name or "").strip():
        raise DomainError("Enter the contact's name.")
    if not isinstance(level, int) or not 1 <= level <= 5:
        raise DomainError("The escalation level must be a whole number from 1 to 5.")
    contact = EscalationContact(
        sla=sla,
        side=side,
        level=level,
        name=name.strip(),
        job_title=job_title,
        email=email,
        phone=phone,
    )
    return save_with_history(contact, by)


@transaction.atomic
def escalation_contact_delete(*, contact, by):
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        contact.sla,
        message="Only a service manager or the support service's own lead can edit this SLA.",
    )
    _delete_child(contact, contact.sla, by)


# Agreement -------------------------------------------------------------------


@transaction.atomic
def sla_propose(*, sla, by, on=None) -> SLA:
    """Put a drafted SLA to both parties. Proposing does not agree either side.

    Needs at least one service level and one row of responsibilities.
    """
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message="Only a service manager or the support service's own lead can propose this SLA.",
    )
    sla = _lock(sla)
    target = _require_state(sla, "propose")
    if not sla.service_levels.exists():
        raise DomainError("Add at least one service level before proposing the SLA.")
    if not sla.responsibilities.exists():
        raise DomainError(
            "Add at least one row of roles and responsibilities before proposing the SLA."
        )
    if not sla.scope.strip():
        raise DomainError("Describe the scope before proposing the SLA.")
    sla.status = target
    sla.proposed_by = by
    sla.proposed_on = on or _today()
    sla.returned_comment = ""
    save_with_history(sla, by)
    notifications.sla_proposed(sla, by=by)
    return sla


@transaction.atomic
def sla_return_to_drafting(*, sla, by, comment) -> SLA:
    """Send a proposed SLA back for changes; any agreement already given is withdrawn."""
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message=(
            "Only a service manager or the support service's own lead can "
            "return this SLA to drafting."
        ),
    )
    sla = _lock(sla)
    target = _require_state(sla, "return_to_drafting")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("Say what needs to change.")
    sla.status = target
    sla.returned_comment = comment
    sla.service_agreed_by = sla.support_agreed_by = None
    sla.service_agreed_on = sla.support_agreed_on = None
    return save_with_history(sla, by)


@transaction.atomic
def sla_agree(*, sla, side, by, on=None) -> SLA:
    """Agree a proposed SLA on one side: `service` (a service manager) or `support`
    (the support service's own lead). When both sides have agreed it is AGREED,
    and the year's SLA obligation is met. Refused when the same person would agree
    both sides, or the side has already agreed. Not safe to call twice: the second
    call is refused. An agreement is a person's: the system (`by=None`) is refused.
    """
    if side == SERVICE_SIDE:
        permission = Perm.SLA_AGREE_FOR_SERVICE
        message = "Only a service manager can agree an SLA for the service."
    elif side == SUPPORT_SIDE:
        permission = Perm.SLA_AGREE_FOR_SUPPORT_SERVICE
        message = (
            f"Only a lead of {sla.support_service.name} can agree this SLA for the support service."
        )
    else:
        raise DomainError("Choose which side you are agreeing for.")
    if by is None:
        raise NotPermitted(message)
    ensure_can(by, permission, sla, message=message)
    sla = _lock(sla)
    _require_state(sla, "agree")
    on = on or _today()
    if side == SERVICE_SIDE:
        if sla.service_agreed_by_id:
            raise DomainError("The service has already agreed this SLA.")
        if sla.support_agreed_by_id == by.pk:
            raise DomainError(
                "You agreed this SLA for the support service; a service manager other than "
                "you must agree it for the service."
            )
        sla.service_agreed_by, sla.service_agreed_on = by, on
    else:
        if sla.support_agreed_by_id:
            raise DomainError("The support service has already agreed this SLA.")
        if sla.service_agreed_by_id == by.pk:
            raise DomainError(
                "You agreed this SLA for the service; another lead of the support service "
                "must agree it for the support service."
            )
        sla.support_agreed_by, sla.support_agreed_on = by, on
        # Each lead's own deadline for the support service's side.
        for lead in sla.support_service.leads.all():
            obligation_met(
                agreement_key(sla.support_service_id, sla.financial_year.start_year, lead.pk),
                by=by,
                on=on,
            )
    if sla.service_agreed_by_id and sla.support_agreed_by_id:
        sla.status = SlaStatus.AGREED
        sla.agreed_on = on
        save_with_history(sla, by)
        obligation_met(
            f"sla:{sla.support_service_id}:{sla.financial_year.start_year}", by=by, on=on
        )
        return sla
    return save_with_history(sla, by)


@transaction.atomic
def sla_bring_into_force(*, sla, by, on=None) -> SLA:
    """An agreed SLA comes into force on or after its start date (the daily task puts
    it in force with `by=None`)."""
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message=(
            "Only a service manager or the support service's own lead can put this SLA in force."
        ),
    )
    sla = _lock(sla)
    target = _require_state(sla, "bring_into_force")
    on = on or _today()
    if on < sla.starts_on:
        raise DomainError(
            f"This SLA starts on {sla.starts_on:%-d %B %Y}; it cannot be in force before then."
        )
    sla.status = target
    return save_with_history(sla, by)


def slas_bring_due_into_force(*, on=None) -> int:
    """Daily: every agreed SLA whose start date has come is put in force.

    People can still put one in force by hand on or after its start date; this
    makes sure none is left waiting. Safe to run twice. Returns how many moved.
    """
    on = on or _today()
    moved = 0
    due = SLA.objects.filter(status=SlaStatus.AGREED, starts_on__lte=on).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        try:
            sla_bring_into_force(sla=SLA(pk=pk), by=None, on=on)
        except DomainError:
            continue  # moved on meanwhile by someone else
        moved += 1
    return moved


@transaction.atomic
def sla_start_review(*, sla, by) -> SLA:
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message=(
            "Only a service manager or the support service's own lead can start this SLA's review."
        ),
    )
    sla = _lock(sla)
    sla.status = _require_state(sla, "start_review")
    return save_with_history(sla, by)


@transaction.atomic
def sla_end(*, sla, by) -> SLA:
    """End the SLA: it is not carried into next year."""
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message="Only a service manager or the support service's own lead can end this SLA.",
    )
    sla = _lock(sla)
    sla.status = _require_state(sla, "end")
    return save_with_history(sla, by)


@transaction.atomic
def sla_renew(*, sla, by) -> SLA:
    """Carry a reviewed SLA into next year: next year's SLA is drafted as a copy if
    it does not exist yet."""
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message="Only a service manager or the support service's own lead can renew this SLA.",
    )
    sla = _lock(sla)
    sla.status = _require_state(sla, "renew")
    if not sla.successors.exists():
        _copy_to_next_year(sla, by)
    return save_with_history(sla, by)


@transaction.atomic
def sla_start_next_year(*, sla, by) -> SLA:
    """Draft next year's SLA as a copy of this one (content, responsibilities,
    service levels, contacts; dates moved on a year). Refused if it exists."""
    ensure_can(
        by,
        Perm.SLA_DRAFT,
        sla,
        message=(
            "Only a service manager or the support service's own lead can start next year's SLA."
        ),
    )
    sla = _lock(sla)
    _require_state(sla, "start_next_year")
    return _copy_to_next_year(sla, by)


def _a_year_on(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _copy_to_next_year(sla, by) -> SLA:
    next_year = sla.financial_year.start_year + 1
    new = sla_create(
        support_service=sla.support_service,
        start_year=next_year,
        by=by,
        scope=sla.scope,
        bespoke=sla.bespoke,
        annual_charge=sla.annual_charge,
        charge_basis=sla.charge_basis,
        starts_on=_a_year_on(sla.starts_on),
        review_on=_a_year_on(sla.review_on),
    )
    new.based_on = sla
    save_with_history(new, by)
    for row in sla.responsibilities.all():
        save_with_history(
            Responsibility(
                sla=new,
                activity=row.activity,
                service_raci=row.service_raci,
                service_who=row.service_who,
                support_raci=row.support_raci,
                support_who=row.support_who,
                order=row.order,
            ),
            by,
        )
    for level in sla.service_levels.all():
        save_with_history(
            ServiceLevel(
                sla=new,
                measure=level.measure,
                unit=level.unit,
                target=level.target,
                higher_is_better=level.higher_is_better,
                how_measured=level.how_measured,
                frequency=level.frequency,
                time_limit_hours=level.time_limit_hours,
                clock=level.clock,
                order=level.order,
            ),
            by,
        )
    for contact in sla.escalation_contacts.all():
        save_with_history(
            EscalationContact(
                sla=new,
                side=contact.side,
                level=contact.level,
                name=contact.name,
                job_title=contact.job_title,
                email=contact.email,
                phone=contact.phone,
            ),
            by,
        )
    return new


# Performance -----------------------------------------------------------------


@transaction.atomic
def result_report(
    *, service_level, period_start, by, value=None, cases=None, commentary="", on=None
) -> ServiceLevelResult:
    """Report the result of a service level for one of its periods; it is rated
    against the target. Refused for a period outside the SLA, a period not yet
    over, or a period already reported (correct that result instead).

    For a level with a time limit the result may be given as its `cases`
    ((opened, responded or resolved) pairs): the result is then the percentage
    within the limit on the level's clock (working or calendar hours).
    """
    ensure_can(
        by,
        Perm.SLA_REPORT_PERFORMANCE,
        service_level.sla,
        message="Only the support service's own lead can report its results.",
    )
    sla = _lock(service_level.sla)
    _require_state(sla, "report")
    on = on or _today()
    periods = {
        p.start: p
        for p in level_periods(
            service_level.frequency, sla.starts_on, sla.financial_year.start_year
        )
    }
    period = periods.get(period_start)
    if period is None:
        raise DomainError(
            f"Choose a reporting period within the SLA ({sla.starts_on:%-d %B %Y} to "
            f"{sla.ends_on:%-d %B %Y})."
        )
    if on <= period.end:
        raise DomainError(
            f"{period.label} is not over yet: report it after {period.end:%-d %B %Y}."
        )
    if service_level.results.filter(period_start=period.start).exists():
        raise DomainError(
            f"The result for {period.label} has already been reported: correct it instead."
        )
    if cases:
        if not service_level.is_timed:
            raise DomainError(
                "This service level has no time limit: enter the result, not the cases."
            )
        value = service_level.within_limit_percent(cases)
    elif value is None:
        raise DomainError("Enter the result.")
    value = _check_target(service_level.unit, value, label="result")
    result = ServiceLevelResult(
        service_level=service_level,
        period_start=period.start,
        period_end=period.end,
        value=value,
        rating=rate(value, service_level.target, service_level.higher_is_better),
        commentary=(commentary or "").strip(),
        reported_by=by,
        reported_on=on,
    )
    try:
        with transaction.atomic():
            save_with_history(result, by)
    except IntegrityError:
        raise DomainError(
            f"The result for {period.label} has already been reported: correct it instead."
        ) from None
    _results_reported(sla, period.end, by=by, on=on)
    return result


def _results_reported(sla, period_end, *, by, on):
    """Every level with a period ending then has its result: each lead's deadline is met.

    `sla` is the locked SLA (`_lock`: its year, support service and leads read);
    its levels are read with their results for that period only.
    """
    prefetch_related_objects(
        [sla],
        Prefetch(
            "service_levels__results",
            queryset=ServiceLevelResult.objects.filter(period_end=period_end),
        ),
    )
    if periods_reported(sla).get(period_end):
        for lead in sla.support_service.leads.all():
            obligation_met(results_key(sla.pk, period_end, lead.pk), by=by, on=on)


@transaction.atomic
def result_update(
    *,
    result,
    by,
    value,
    commentary="",
    improvement_action="",
    improvement_owner="",
    improvement_due_on=None,
) -> ServiceLevelResult:
    """Correct a result, explain a breach, or record the improvement action.

    An improvement action needs an owner and a due date.
    """
    ensure_can(
        by,
        Perm.SLA_REPORT_PERFORMANCE,
        result.service_level.sla,
        message="Only the support service's own lead can change its results.",
    )
    sla = _lock(result.service_level.sla)
    _require_state(sla, "report")
    result = ServiceLevelResult.objects.select_for_update().get(pk=result.pk)
    level = result.service_level
    value = _check_target(level.unit, value, label="result")
    improvement_action = (improvement_action or "").strip()
    if improvement_action and (not improvement_owner.strip() or improvement_due_on is None):
        raise DomainError("Give the improvement action an owner and a due date.")
    result.value = value
    result.rating = rate(value, level.target, level.higher_is_better)
    result.commentary = (commentary or "").strip()
    result.improvement_action = improvement_action
    result.improvement_owner = improvement_owner.strip() if improvement_action else ""
    result.improvement_due_on = improvement_due_on if improvement_action else None
    return save_with_history(result, by)
