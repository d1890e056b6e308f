"""Writes to the five-year budget, its notices and monthly monitoring.

Every function is keyword-only, takes the actor as `by=`, runs in one
transaction, checks the actor's permission and the version's state (the
`BUDGET_WORKFLOW` table), and audits through simple-history.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lra_commissioning import dates
from lra_commissioning.audit import delete_with_history, save_with_history
from lra_commissioning.obligations import obligation_met
from lra_commissioning.permissions import Perm, ensure_can
from lra_commissioning.workflow import DomainError
from slas.models import SupportService

from . import budget as calc
from . import notifications
from .models import (
    AGREED_STATUSES,
    BUDGET_WORKFLOW,
    OPEN_STATUSES,
    YEARS_IN_A_BUDGET,
    BudgetLine,
    BudgetNotice,
    BudgetNoticeLine,
    BudgetVersion,
    BudgetYear,
    Category,
    ExceptionExplanation,
    FiveYearBudget,
    FundingConfirmation,
    IncomeRule,
    MonitoringLine,
    MonitoringMonth,
    VersionKind,
)

BUDGET_NAME = "Libraries, Registration and Archives"
STALE_DRAFT_MESSAGE = (
    "Someone else saved this draft since you opened it. Your changes have not been "
    "saved: they are shown below. Check the latest figures in another tab, then save again"
)


def the_budget() -> FiveYearBudget:
    budget, _ = FiveYearBudget.objects.get_or_create(name=BUDGET_NAME)
    return budget


def _support_service_ids():
    return list(SupportService.objects.order_by("name").values_list("id", flat=True))


def _all_keys(extra_support_ids=()) -> list[str]:
    ids = sorted(set(_support_service_ids()) | set(extra_support_ids))
    keys = []
    for category in calc.CATEGORY_ORDER:
        if category == Category.CORPORATE_RECHARGE:
            keys += [calc.line_key(category, sid) for sid in ids]
        else:
            keys.append(calc.line_key(category))
    return keys


def _lock(version) -> BudgetVersion:
    return BudgetVersion.objects.select_for_update().get(pk=version.pk)


def latest_agreed_version(budget=None) -> BudgetVersion | None:
    budget = budget or the_budget()
    return budget.versions.filter(status__in=AGREED_STATUSES).order_by("-number").first()


def _write_lines(version, amounts: dict[tuple[int, str], Decimal], by):
    """Make the version's lines exactly `amounts` ((year, line key) -> amount)."""
    existing = {(line.start_year, line.key): line for line in version.lines.all()}
    for (year, key), amount in amounts.items():
        category, support_id = calc.parse_line_key(key)
        line = existing.pop((year, key), None)
        if line is None:
            line = BudgetLine(
                version=version, start_year=year, category=category, support_service_id=support_id
            )
        elif line.amount == amount:
            continue
        line.amount = amount
        save_with_history(line, by)
    for line in existing.values():
        delete_with_history(line, by)


def _write_savings(version, savings: dict[int, Decimal], by):
    existing = {y.start_year: y for y in version.years_set.all()}
    for year, amount in savings.items():
        row = existing.pop(year, None) or BudgetYear(version=version, start_year=year)
        row.savings_required = amount
        save_with_history(row, by)
    for row in existing.values():
        delete_with_history(row, by)


def _check_years(version, years) -> None:
    years = sorted(set(years))
    expected = version.years
    if years != expected:
        raise DomainError(
            f"A budget covers five financial years in a row, "
            f"{dates.financial_year_label(expected[0])} to "
            f"{dates.financial_year_label(expected[-1])}: the figures given cover "
            + (", ".join(dates.financial_year_label(y) for y in years) or "no years")
        )


def _check_amounts(amounts, savings) -> None:
    for (year, key), amount in amounts.items():
        category, _ = calc.parse_line_key(key)
        label = f"{Category(category).label} in {dates.financial_year_label(year)}"
        calc.parse_amount(amount, label=label, category=category)
    for year, amount in savings.items():
        calc.parse_amount(amount, label=f"Savings required in {dates.financial_year_label(year)}")


def _check_income_rule(rule, percent, threshold):
    if rule not in IncomeRule.values:
        raise DomainError("Choose how building-related income is split with Property")
    if rule == IncomeRule.PERCENTAGE and not (0 <= percent <= 100):
        raise DomainError("The service's share of building income must be between 0 and 100%")
    if threshold < 0:
        raise DomainError("The income threshold cannot be negative")


def _validated(amounts, savings):
    try:
        _check_amounts(amounts, savings)
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    return (
        {k: calc.money(v) for k, v in amounts.items()},
        {k: calc.money(v) for k, v in savings.items()},
    )


@transaction.atomic
def budget_version_start(
    *, kind: str, reason: str, by, start_year: int | None = None
) -> BudgetVersion:
    """Start a draft version from the latest agreed one (commissioner).

    Annual: the next five years (one year on from the agreed version; the new
    final year starts as a copy of the one before). Change: the same five years.
    The first version of all needs `start_year`. Refused while another version
    is in the making. Not safe to call twice (the second call is refused).
    """
    ensure_can(by, Perm.BUDGET_DRAFT, message="Only a commissioner can start a budget version.")
    budget = FiveYearBudget.objects.select_for_update().get(pk=the_budget().pk)
    if budget.versions.filter(status__in=OPEN_STATUSES).exists():
        raise DomainError(
            "Another version of the budget is already being drafted or is with the board. "
            "Finish that one first"
        )
    if not (reason or "").strip():
        raise DomainError("Enter the reason for this version")
    base = latest_agreed_version(budget)
    kind = VersionKind(kind)
    if base is None:
        if kind == VersionKind.CHANGE:
            raise DomainError("There is no agreed budget to change yet: start an annual budget")
        if start_year is None:
            raise DomainError("Enter the first financial year of the budget")
        first = start_year
    else:
        first = base.start_year + 1 if kind == VersionKind.ANNUAL else base.start_year
    number = (budget.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = BudgetVersion(
        budget=budget,
        number=number,
        kind=kind,
        start_year=first,
        based_on=base,
        reason=reason.strip(),
        created_by=by,
    )
    if base is not None:
        version.income_rule = base.income_rule
        version.income_service_percent = base.income_service_percent
        version.income_threshold = base.income_threshold
    save_with_history(version, by)

    base_amounts = {}
    base_savings = {}
    if base is not None:
        base_amounts = {(line.start_year, line.key): line.amount for line in base.lines.all()}
        base_savings = {y.start_year: y.savings_required for y in base.years_set.all()}
    support_ids = {sid for (_, key) in base_amounts if (sid := calc.parse_line_key(key)[1])}
    amounts = {}
    for year in version.years:
        source_year = year if base is None or year <= base.end_year else base.end_year
        for key in _all_keys(support_ids):
            amounts[(year, key)] = base_amounts.get((source_year, key), calc.ZERO)
    savings = {year: base_savings.get(year, calc.ZERO) for year in version.years}
    _write_lines(version, amounts, by)
    _write_savings(version, savings, by)
    return version


@transaction.atomic
def budget_version_save(
    *,
    version: BudgetVersion,
    expected_revision: int,
    amounts: dict[tuple[int, str], Decimal],
    savings: dict[int, Decimal],
    by,
    income_rule: str | None = None,
    income_service_percent: Decimal | None = None,
    income_threshold: Decimal | None = None,
    reason: str | None = None,
) -> BudgetVersion:
    """Save a draft's lines, savings and income rule in full (commissioner).

    `amounts` maps (start year, line key) to pounds for every line; `savings`
    maps each of the five years to the savings required. `expected_revision`
    is the revision the person opened: if someone saved since, nothing is saved
    and DomainError(STALE_DRAFT_MESSAGE) says so. Refused once the version has
    gone to the board. Safe to call twice with the same revision only once.
    """
    ensure_can(by, Perm.BUDGET_DRAFT, message="Only a commissioner can edit a budget version.")
    version = _lock(version)
    if not BUDGET_WORKFLOW.allowed(version.status, "edit"):
        raise DomainError(
            f"Version {version.number} is {version.get_status_display().lower()}, so it can "
            "no longer be changed. Start a new version to change the budget"
        )
    if version.revision != expected_revision:
        raise DomainError(STALE_DRAFT_MESSAGE)
    _check_years(version, {year for (year, _) in amounts} | set(savings))
    amounts, savings = _validated(amounts, savings)
    if income_rule is not None:
        percent = income_service_percent if income_service_percent is not None else Decimal(0)
        threshold = income_threshold if income_threshold is not None else Decimal(0)
        _check_income_rule(income_rule, percent, threshold)
        version.income_rule = income_rule
        version.income_service_percent = percent
        version.income_threshold = calc.money(threshold)
    if reason is not None:
        if not reason.strip():
            raise DomainError("Enter the reason for this version")
        version.reason = reason.strip()
    _write_lines(version, amounts, by)
    _write_savings(version, savings, by)
    version.revision += 1
    return save_with_history(version, by)


@transaction.atomic
def budget_version_propose(*, version: BudgetVersion, by, tell_board=True) -> BudgetVersion:
    """Propose a draft (or returned) version to the Strategic Board (commissioner).

    The board members are told, unless `tell_board` is False (a change the board
    has already agreed, recorded at once by `budget_change_propose`).
    """
    ensure_can(
        by, Perm.BUDGET_DRAFT, message="Only a commissioner can propose a budget to the board."
    )
    version = _lock(version)
    version.status = BUDGET_WORKFLOW.target(version.status, "propose")
    version.proposed_at = timezone.now()
    version.board_comments = ""
    save_with_history(version, by)
    if tell_board:
        notifications.version_proposed(version, by=by)
    return version


@transaction.atomic
def budget_version_decide(
    *,
    version: BudgetVersion,
    agree: bool,
    decided_on: datetime.date,
    by,
    minute_reference: str = "",
    comments: str = "",
    today: datetime.date | None = None,
) -> BudgetVersion:
    """Record the board's agreement (date and minute reference) or return it with
    comments (board member). A second decision on the same version is refused."""
    ensure_can(
        by, Perm.BUDGET_AGREE, message="Only a board member can record the board's decision."
    )
    version = _lock(version)
    version.status = BUDGET_WORKFLOW.target(version.status, "agree" if agree else "return")
    today = today or timezone.localdate()
    if decided_on is None:
        raise DomainError("Enter the date of the board's decision")
    if decided_on > today:
        raise DomainError("The date of the board's decision must be today or in the past")
    if agree and not minute_reference.strip():
        raise DomainError("Enter the minute reference of the board's agreement")
    if not agree and not comments.strip():
        raise DomainError("Enter the board's comments: say what must change")
    version.board_decided_by = by
    version.board_decided_on = decided_on
    version.board_minute_reference = minute_reference.strip()
    version.board_comments = comments.strip()
    save_with_history(version, by)
    notifications.version_decided(version, agreed=agree, by=by)
    return version


def notice_lines(*, old: BudgetVersion | None, new: BudgetVersion):
    """Per year and line, the old and new amounts where they differ (and savings).

    For a first budget (no old version) every line is new.
    """
    from .selectors import line_labels

    def index(v):
        if v is None:
            return {}, {}
        return (
            {(line.start_year, line.key): line.amount for line in v.lines.all()},
            {y.start_year: y.savings_required for y in v.years_set.all()},
        )

    old_amounts, old_savings = index(old)
    new_amounts, new_savings = index(new)
    labels = line_labels(keys={k for (_, k) in old_amounts} | {k for (_, k) in new_amounts})
    order = {key: i for i, key in enumerate(labels)}
    rows = []
    for year in sorted({y for (y, _) in old_amounts} | {y for (y, _) in new_amounts}):
        keys = {k for (y, k) in old_amounts if y == year} | {
            k for (y, k) in new_amounts if y == year
        }
        for key in sorted(keys, key=lambda k: order.get(k, 999)):
            before, after = old_amounts.get((year, key)), new_amounts.get((year, key))
            if before != after:
                rows.append((year, labels.get(key, key), order.get(key, 999), before, after))
        before, after = old_savings.get(year), new_savings.get(year)
        if before != after:
            rows.append((year, "Savings required", 1000, before, after))
    return rows


@transaction.atomic
def budget_version_confirm(
    *, version: BudgetVersion, by, on: datetime.date | None = None
) -> BudgetNotice:
    """Confirm an agreed version to the service (commissioner): the notice to the
    head of service, with old and new amounts per year and line and the reason.

    For an annual agreement this confirms the funding for its first year (due by
    31 December before it) and meets that obligation in the calendar.
    """
    ensure_can(
        by, Perm.BUDGET_DRAFT, message="Only a commissioner can confirm funding to the service."
    )
    version = _lock(version)
    version.status = BUDGET_WORKFLOW.target(version.status, "confirm")
    annual = version.kind == VersionKind.ANNUAL
    if annual and FundingConfirmation.objects.filter(start_year=version.start_year).exists():
        raise DomainError(
            f"Funding for {dates.financial_year_label(version.start_year)} has already "
            "been confirmed. Confirm a change to it as a change within the year"
        )
    on = on or timezone.localdate()
    version.confirmed_by = by
    version.confirmed_on = on
    save_with_history(version, by)
    notice = save_with_history(
        BudgetNotice(
            version=version,
            previous_version=version.based_on,
            kind=BudgetNotice.Kind.CONFIRMATION if annual else BudgetNotice.Kind.CHANGE,
            reason=version.reason,
            issued_by=by,
            issued_on=on,
        ),
        by,
    )
    BudgetNoticeLine.objects.bulk_create(
        BudgetNoticeLine(
            notice=notice, start_year=year, label=label, order=order, old_amount=old, new_amount=new
        )
        for year, label, order, old, new in notice_lines(old=version.based_on, new=version)
    )
    notifications.notice_issued(notice, by=by)
    if annual:
        save_with_history(
            FundingConfirmation(
                start_year=version.start_year, version=version, confirmed_on=on, confirmed_by=by
            ),
            by,
        )
        obligation_met(f"funding_confirmation:{version.start_year}", by=by, on=on)
    return notice


@transaction.atomic
def budget_notice_acknowledge(*, notice: BudgetNotice, by) -> BudgetNotice:
    """The head of service acknowledges a notice. A second acknowledgement is refused."""
    ensure_can(
        by,
        Perm.BUDGET_NOTICE_ACKNOWLEDGE,
        message="Only the head of service can acknowledge a budget notice.",
    )
    version = _lock(notice.version)
    notice = BudgetNotice.objects.select_for_update().get(pk=notice.pk)
    version.status = BUDGET_WORKFLOW.target(version.status, "acknowledge")
    save_with_history(version, by)
    notice.acknowledged_by = by
    notice.acknowledged_at = timezone.now()
    return save_with_history(notice, by)


@transaction.atomic
def budget_change_propose(
    *,
    budget_version: BudgetVersion,
    changes: dict[tuple[int, str], Decimal],
    reason: str,
    by,
    board_decided_on: datetime.date | None = None,
    board_minute_reference: str = "",
) -> BudgetVersion:
    """Change an agreed budget: a new version proposed to the board, and its notice.

    For other apps (change management). Arguments:
      budget_version: the agreed version being changed (normally the latest agreed).
      changes: {(start_year, line_key): new amount in pounds as Decimal}, where
        line_key is a `Category` value ("staffing", "fees", ...) or, for a
        corporate recharge, "corporate_recharge:<SupportService id>"
        (`funding.budget.line_key`). Lines not named keep their amounts.
      reason: shown to the board and on the notice to the head of service.
      by: a commissioner.
      board_decided_on, board_minute_reference: when the board has already
        agreed the change (e.g. with a fundamental change request), give both:
        the version is recorded as agreed and confirmed at once and the notice
        goes to the head of service. Without them the version waits for the
        board's agreement, then the commissioner's confirmation sends the notice.
    Returns the new version (its notice is `version.notice` once confirmed).
    Raises DomainError for an unagreed base, another version in the making,
    years outside the budget, or bad amounts; nothing is saved then.
    Not safe to call twice: the second call is refused while the first is open.
    """
    base = BudgetVersion.objects.get(pk=budget_version.pk)
    if not base.is_agreed:
        raise DomainError("Only an agreed budget can be changed")
    latest = latest_agreed_version(base.budget)
    if latest.pk != base.pk:
        raise DomainError(
            f"Version {base.number} has been superseded by version {latest.number}: "
            "change the latest agreed budget"
        )
    version = budget_version_start(kind=VersionKind.CHANGE, reason=reason, by=by)
    amounts = {(line.start_year, line.key): line.amount for line in version.lines.all()}
    for (year, key), amount in changes.items():
        try:
            calc.parse_line_key(key)
        except ValueError:
            raise DomainError(f"{key!r} is not a budget line") from None
        if year not in version.years:
            raise DomainError(
                f"{dates.financial_year_label(year)} is outside the budget's five years "
                f"({version.years_label})"
            )
        amounts[(year, key)] = amount
    savings = {y.start_year: y.savings_required for y in version.years_set.all()}
    version = budget_version_save(
        version=version, expected_revision=version.revision, amounts=amounts, savings=savings, by=by
    )
    version = budget_version_propose(version=version, by=by, tell_board=board_decided_on is None)
    if board_decided_on is not None:
        version.status = BUDGET_WORKFLOW.target(version.status, "agree")
        if not board_minute_reference.strip():
            raise DomainError("Enter the minute reference of the board's agreement")
        version.board_decided_on = board_decided_on
        version.board_minute_reference = board_minute_reference.strip()
        save_with_history(version, by)
        budget_version_confirm(version=version, by=by)
        version.refresh_from_db()
    return version


# Monitoring -------------------------------------------------------------------


def check_month_open_for_actuals(month: datetime.date, today: datetime.date) -> None:
    if dates.month_end(month) >= today:
        raise DomainError(
            f"{month:%B %Y} has not ended yet: enter its actuals from "
            f"{dates.month_end(month) + datetime.timedelta(days=1):%-d %B %Y}"
        )


@transaction.atomic
def monitoring_month_save(
    *,
    month: datetime.date,
    lines: dict[str, tuple[Decimal, Decimal]],
    by,
    today: datetime.date | None = None,
) -> MonitoringMonth:
    """Record a month's actual (the month alone) and forecast outturn per category
    (service manager), replacing what was there. Every category is needed (0 where
    nothing was spent); the month must have ended and have an agreed budget.
    Safe to call twice (the second call writes the same figures).
    """
    from .selectors import version_for_year

    ensure_can(by, Perm.BUDGET_MONITOR, message="Only a service manager can enter monthly actuals.")
    today = today or timezone.localdate()
    if month.day != 1:
        raise DomainError("Choose a month")
    check_month_open_for_actuals(month, today)
    if version_for_year(dates.financial_year_of(month)) is None:
        label = dates.financial_year_label(dates.financial_year_of(month))
        raise DomainError(f"There is no agreed budget for {label} to monitor against")
    missing = [Category(c).label for c in calc.CATEGORY_ORDER if c not in lines]
    if missing:
        raise DomainError("Enter figures for " + ", ".join(missing))
    unknown = set(lines) - set(Category.values)
    if unknown:
        raise DomainError("Unknown categories: " + ", ".join(sorted(unknown)))
    clean = {}
    try:
        for category, (actual, forecast) in lines.items():
            label = Category(category).label
            clean[category] = (
                calc.parse_amount(actual, label=f"{label} actual", category=category),
                calc.parse_amount(forecast, label=f"{label} forecast outturn", category=category),
            )
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    record = MonitoringMonth.objects.select_for_update().filter(month=month).first()
    if record is None:
        record = MonitoringMonth(month=month)
    record.entered_by = by
    record.entered_at = timezone.now()
    save_with_history(record, by)
    existing = {line.category: line for line in record.lines.all()}
    for category, (actual, forecast) in clean.items():
        line = existing.get(category) or MonitoringLine(monitoring=record, category=category)
        if line.pk and line.actual == actual and line.forecast_outturn == forecast:
            continue
        line.actual, line.forecast_outturn = actual, forecast
        save_with_history(line, by)
    return record


@transaction.atomic
def exception_explain(*, month: datetime.date, category: str, text: str, by):
    """The service's explanation of a category outside tolerance (service manager).

    Refused where the category is not an exception that month. Safe to call
    twice (the second call replaces the text).
    """
    from .selectors import monitoring_report

    ensure_can(by, Perm.BUDGET_MONITOR, message="Only a service manager can explain an exception.")
    if not (text or "").strip():
        raise DomainError("Enter the explanation: why the category is outside tolerance")
    report = monitoring_report(month=month)
    row = next((r for r in report.rows if r.category == category), None) if report else None
    if row is None or not row.is_exception:
        raise DomainError(
            "This category is within tolerance that month: there is nothing to explain"
        )
    explanation = (
        ExceptionExplanation.objects.select_for_update()
        .filter(month=month, category=category)
        .first()
    ) or ExceptionExplanation(month=month, category=category)
    explanation.text = text.strip()
    explanation.explained_by = by
    explanation.explained_at = timezone.now()
    return save_with_history(explanation, by)


__all__ = [
    "YEARS_IN_A_BUDGET",
    "budget_change_propose",
    "budget_notice_acknowledge",
    "budget_version_confirm",
    "budget_version_decide",
    "budget_version_propose",
    "budget_version_save",
    "budget_version_start",
    "exception_explain",
    "monitoring_month_save",
]
