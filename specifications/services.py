"""Writes to specifications, comments and business plans: the one write path.

Every function is keyword-only, takes the actor as `by=`, runs in one
transaction and records the actor in the history. Content edits refuse a
version that is not a draft (or returned by the board): a signed-off version
is never edited, change makes a new version (`version_copy`).

Refusals raise `DomainError` / `TransitionNotAllowed` (a message for the user)
or Django's `ValidationError` with a message per field, so that a form can show
each message beside its field. Nothing is half-saved: each call is atomic.
"""

import datetime
import hashlib
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from lra_commissioning import dates
from lra_commissioning.audit import delete_with_history, save_with_history
from lra_commissioning.cache import cache_outage
from lra_commissioning.models import FinancialYear
from lra_commissioning.obligations import obligation_met
from lra_commissioning.permissions import Perm, ensure_can
from lra_commissioning.workflow import DomainError, TransitionNotAllowed, Workflow, t

from . import notifications
from .models import (
    COMMENT_MAX_LENGTH,
    KPI,
    BusinessPlan,
    BusinessPlanAction,
    BusinessPlanSection,
    BusinessPlanStatus,
    CommentStatus,
    Outcome,
    PublicComment,
    Section,
    ServiceRequirement,
    Specification,
    SpecificationVersion,
    Unit,
    VersionStatus,
)

log = logging.getLogger(__name__)

V = VersionStatus

# The life of a version. Content may change only in DRAFT and the two returned states.
VERSION_WORKFLOW = Workflow(
    "specification version",
    {
        "submit": t(
            {V.DRAFT, V.RETURNED, V.RETURNED_BY_SERVICE}, V.WITH_BOARD, "submitted to the board"
        ),
        "sign_off": t({V.WITH_BOARD}, V.SIGNED_OFF, "signed off"),
        "return": t({V.WITH_BOARD}, V.RETURNED, "returned by the board"),
        "agree": t({V.SIGNED_OFF}, V.AGREED, "agreed by the head of service"),
        "return_by_service": t(
            {V.SIGNED_OFF}, V.RETURNED_BY_SERVICE, "returned by the head of service"
        ),
        "publish": t({V.AGREED}, V.PUBLISHED, "published"),
    },
)

EDITABLE_STATUSES = frozenset({V.DRAFT, V.RETURNED, V.RETURNED_BY_SERVICE})

P = BusinessPlanStatus

BUSINESS_PLAN_WORKFLOW = Workflow(
    "business plan",
    {
        "edit": t({P.DRAFT, P.RETURNED}, None, "changed"),
        "submit": t({P.DRAFT, P.RETURNED}, P.SUBMITTED, "submitted"),
        "accept": t({P.SUBMITTED}, P.ACCEPTED, "accepted"),
        "return": t({P.SUBMITTED}, P.RETURNED, "returned"),
    },
)

CS = CommentStatus

COMMENT_WORKFLOW = Workflow(
    "comment",
    {
        "publish": t({CS.PENDING, CS.REJECTED}, CS.PUBLISHED, "published"),
        "reject": t({CS.PENDING, CS.PUBLISHED}, CS.REJECTED, "rejected"),
        "respond": t({CS.PUBLISHED}, CS.PUBLISHED, "answered"),
    },
)


def _locked_version(version) -> SpecificationVersion:
    return SpecificationVersion.objects.select_for_update().get(pk=version.pk)


def _require_editable(version):
    """Refuse any content change to a version that is not a draft.

    Locks the version row, so an edit and a submission cannot cross: the edit
    either lands before the version freezes or is refused.
    """
    status = (
        SpecificationVersion.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=version.pk)
    )
    if status not in EDITABLE_STATUSES:
        label = VersionStatus(status).label.lower()
        raise TransitionNotAllowed(
            f"This version is {label}, so its content cannot be changed. "
            "Start a new version to change it."
        )


def _ensure_drafter(by, version, system: bool, message: str) -> None:
    """The check of the content edits change management also makes.

    A commissioner drafts (`specification.draft`). When both sides agree a minor
    variation, change management applies it at once for whoever agreed last
    (perhaps the head of service, who does not draft): the agreement is the
    permission, so it passes `_system=True` and the edit is still recorded as
    theirs. Views never pass it.
    """
    if not system:
        ensure_can(by, Perm.SPECIFICATION_DRAFT, version, message=message)


# Validation: pure functions, one message per field -----------------------------


def _decimal(value):
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return "invalid"


def kpi_errors(fields: dict) -> dict[str, str]:
    """What is wrong with a KPI definition, by field (empty when it is sound)."""
    errors = {}
    unit = fields.get("unit")
    higher = fields.get("higher_is_better", True)
    activity = fields.get("is_activity", False)
    values = {
        name: _decimal(fields.get(name))
        for name in ("annual_target", "floor", "expected_low", "expected_high")
    }
    labels = {
        "annual_target": "annual target",
        "floor": "floor",
        "expected_low": "lowest expected value",
        "expected_high": "highest expected value",
    }
    for name, value in values.items():
        if value == "invalid":
            errors[name] = f"Enter the {labels[name]} as a number, like 95 or 12500"
        elif value is not None and value < 0:
            errors[name] = f"The {labels[name]} cannot be negative"
        elif value is not None and unit == Unit.PERCENTAGE and value > 100:
            errors[name] = f"The {labels[name]} is a percentage, so it cannot be more than 100"
    if errors:
        return errors
    target, floor = values["annual_target"], values["floor"]
    if activity:
        if target is not None:
            errors["annual_target"] = "An activity measure has no target: leave it blank"
        if floor is not None:
            errors["floor"] = "An activity measure has no floor: leave it blank"
        low, high = values["expected_low"], values["expected_high"]
        if low is not None and high is not None and low > high:
            errors["expected_high"] = (
                "The highest expected value must be at least the lowest expected value"
            )
    else:
        if target is None:
            errors["annual_target"] = "Enter the annual target"
        elif floor is not None:
            if higher and floor > target:
                errors["floor"] = (
                    "Higher is better for this KPI, so the floor must be at or below the target"
                )
            elif not higher and floor < target:
                errors["floor"] = (
                    "Lower is better for this KPI, so the floor must be at or above the target"
                )
    profile = fields.get("monthly_profile") or []
    if profile:
        parsed = [_decimal(v) for v in profile]
        if len(parsed) != 12 or any(v is None or v == "invalid" for v in parsed):
            errors["monthly_profile"] = (
                "Enter twelve monthly figures, April first, separated by commas"
            )
        elif any(v < 0 for v in parsed):
            errors["monthly_profile"] = "Monthly figures cannot be negative"
        elif (
            fields.get("annual_aggregation") == "sum"
            and target is not None
            and sum(parsed) != target
        ):
            errors["monthly_profile"] = (
                f"The monthly figures add up to {sum(parsed)}, "
                f"but they must add up to the annual target of {target}"
            )
    last, nxt = fields.get("last_reviewed_on"), fields.get("next_review_on")
    if last and nxt and nxt <= last:
        errors["next_review_on"] = "The next review must be after the last review"
    return errors


KPI_FIELDS = {
    "code",
    "title",
    "outcome",
    "service_area",
    "unit",
    "higher_is_better",
    "frequency",
    "annual_aggregation",
    "is_activity",
    "annual_target",
    "floor",
    "expected_low",
    "expected_high",
    "monthly_profile",
    "definition",
    "guidance",
    "data_source",
    "owner",
    "last_reviewed_on",
    "next_review_on",
    "order",
}


def _apply_kpi(kpi, fields):
    unknown = set(fields) - KPI_FIELDS
    if unknown:
        raise TypeError(f"Unknown KPI fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(kpi, name, value)
    current = {name: getattr(kpi, name) for name in KPI_FIELDS}
    errors = kpi_errors(current)
    if not (kpi.code or "").strip():
        errors["code"] = "Enter the KPI code, like LIB01"
    if not (kpi.title or "").strip():
        errors["title"] = "Enter the KPI title"
    if kpi.outcome_id and kpi.outcome.version_id != kpi.version_id:
        errors["outcome"] = "Choose an outcome of this version"
    if (
        kpi.code
        and KPI.objects.filter(version_id=kpi.version_id, code=kpi.code).exclude(pk=kpi.pk).exists()
    ):
        errors["code"] = f"This version already has a KPI with the code {kpi.code}"
    if errors:
        raise ValidationError(errors)
    kpi.monthly_profile = [str(_decimal(v)) for v in (kpi.monthly_profile or [])]
    for name in ("annual_target", "floor", "expected_low", "expected_high"):
        setattr(kpi, name, _decimal(getattr(kpi, name)))


def validate_starts_on(specification, starts_on: datetime.date):
    year = specification.financial_year
    if not year.contains(starts_on):
        raise ValidationError(
            {
                "starts_on": f"The start date must be within {year.label}, between "
                f"{year.start_date:%-d %B %Y} and {year.end_date:%-d %B %Y}"
            }
        )


def _validate_tolerances(version):
    errors = {}
    for name in ("performance_tolerance_percent", "budget_tolerance_percent"):
        value = getattr(version, name)
        if value is None or value < 0 or value > 100:
            errors[name] = "Enter a percentage between 0 and 100"
    if version.budget_tolerance_amount is None or version.budget_tolerance_amount < 0:
        errors["budget_tolerance_amount"] = "Enter an amount in pounds of 0 or more"
    if errors:
        raise ValidationError(errors)


# Versions -----------------------------------------------------------------------


def _next_major() -> int:
    last = SpecificationVersion.objects.order_by("-major").values_list("major", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def strategic_outcome_save(*, code: str, title: str, description: str = "", by):
    """Create or update one of the council's strategic outcomes (safe to call twice)."""
    from .models import StrategicOutcome

    ensure_can(
        by,
        Perm.SPECIFICATION_DRAFT,
        message="Only a commissioner can change the council's strategic outcomes.",
    )
    outcome = StrategicOutcome.objects.filter(code=code).first() or StrategicOutcome(code=code)
    if outcome.pk and outcome.title == title and outcome.description == description:
        return outcome
    outcome.title = title
    outcome.description = description
    return save_with_history(outcome, by)


@transaction.atomic
def version_create(
    *, financial_year: FinancialYear, starts_on: datetime.date, summary: str = "", by
) -> SpecificationVersion:
    """An empty draft, with the five sections, for a year's specification."""
    ensure_can(
        by, Perm.SPECIFICATION_DRAFT, message="Only a commissioner can draft a specification."
    )
    spec, _ = Specification.objects.get_or_create(financial_year=financial_year)
    validate_starts_on(spec, starts_on)
    version = SpecificationVersion(
        specification=spec,
        major=_next_major(),
        minor=0,
        starts_on=starts_on,
        summary=summary,
        created_by=by,
    )
    save_with_history(version, by)
    from .models import SectionKind

    for order, (kind, label) in enumerate(SectionKind.choices):
        save_with_history(Section(version=version, kind=kind, heading=label, order=order), by)
    return version


@transaction.atomic
def version_copy(
    *,
    source: SpecificationVersion,
    specification: Specification,
    major: int,
    minor: int,
    starts_on: datetime.date,
    by,
    _system: bool = False,
) -> SpecificationVersion:
    """A new draft with all of `source`'s content: sections, outcomes with their
    requirements, KPIs (linked to the copied outcomes) and tolerances.

    Used by "start next year's specification" and by change management for
    minor versions (2.1). Refuses a start date outside the specification's year
    and a version number that already exists. Not safe to call twice (the
    second call is refused by the number). `_system`: change management applying
    a change both sides agreed (the agreement is the permission; see `_ensure_drafter`).
    """
    _ensure_drafter(by, None, _system, "Only a commissioner can start a new version.")
    validate_starts_on(specification, starts_on)
    if SpecificationVersion.objects.filter(
        specification=specification, major=major, minor=minor
    ).exists():
        raise DomainError(
            f"The {specification.financial_year.label} specification already has a "
            f"version {major}.{minor}."
        )
    version = SpecificationVersion(
        specification=specification,
        major=major,
        minor=minor,
        starts_on=starts_on,
        summary=source.summary,
        based_on=source,
        performance_tolerance_percent=source.performance_tolerance_percent,
        budget_tolerance_percent=source.budget_tolerance_percent,
        budget_tolerance_amount=source.budget_tolerance_amount,
        created_by=by,
    )
    save_with_history(version, by)
    for section in source.sections.all():
        save_with_history(
            Section(
                version=version,
                kind=section.kind,
                heading=section.heading,
                body=section.body,
                order=section.order,
            ),
            by,
        )
    outcome_map = {}
    for outcome in source.outcomes.prefetch_related("requirements"):
        copy = save_with_history(
            Outcome(
                version=version,
                strategic_outcome_id=outcome.strategic_outcome_id,
                code=outcome.code,
                title=outcome.title,
                description=outcome.description,
                order=outcome.order,
            ),
            by,
        )
        outcome_map[outcome.pk] = copy
        for requirement in outcome.requirements.all():
            save_with_history(
                ServiceRequirement(
                    outcome=copy,
                    code=requirement.code,
                    text=requirement.text,
                    order=requirement.order,
                ),
                by,
            )
    for kpi in source.kpis.all():
        fields = {name: getattr(kpi, name) for name in KPI_FIELDS if name != "outcome"}
        save_with_history(
            KPI(version=version, outcome=outcome_map.get(kpi.outcome_id), **fields),
            by,
        )
    return version


def next_specification_year(today: datetime.date) -> int:
    """The financial year "next year's specification" is for: the one after today's."""
    return dates.financial_year_of(today) + 1


@transaction.atomic
def specification_start_next_year(*, today: datetime.date, by) -> SpecificationVersion:
    """Copy the version in force into a draft for the next financial year: the year
    after the one `today` falls in, whatever year the version in force was written for.

    The draft starts on 1 April of that year, numbered one major version up.
    Refused when the next year has already been started.
    """
    from .selectors import version_in_force

    ensure_can(
        by,
        Perm.SPECIFICATION_DRAFT,
        message="Only a commissioner can start next year's specification.",
    )
    current = version_in_force(on=today)
    if current is None:
        raise DomainError("No version is in force, so there is nothing to start from.")
    next_year = next_specification_year(today)
    year = FinancialYear.objects.filter(start_year=next_year).first()
    if year is None:
        raise DomainError(
            f"The financial year {dates.financial_year_label(next_year)} has not been set up. "
            "Ask an administrator to add it."
        )
    spec, _ = Specification.objects.get_or_create(financial_year=year)
    if spec.versions.exists():
        raise DomainError(
            f"The {year.label} specification has already been started. Open it from the list."
        )
    version = version_copy(
        source=current,
        specification=spec,
        major=_next_major(),
        minor=0,
        starts_on=year.start_date,
        by=by,
    )
    # "What this version is for" belongs to the year it was written for.
    version.summary = ""
    return save_with_history(version, by)


@transaction.atomic
def version_update(
    *, version: SpecificationVersion, by, _system: bool = False, **fields
) -> SpecificationVersion:
    """Change a draft's summary, start date or tolerances."""
    _ensure_drafter(by, version, _system, "Only a commissioner can edit a specification.")
    allowed = {
        "summary",
        "starts_on",
        "performance_tolerance_percent",
        "budget_tolerance_percent",
        "budget_tolerance_amount",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown version fields: {sorted(unknown)}")
    version = _locked_version(version)
    _require_editable(version)
    for name, value in fields.items():
        setattr(version, name, value)
    validate_starts_on(version.specification, version.starts_on)
    _validate_tolerances(version)
    return save_with_history(version, by)


@transaction.atomic
def version_submit(*, version: SpecificationVersion, by, at=None) -> SpecificationVersion:
    """Send a draft (or a returned version) to the Strategic Board. Content freezes.

    `at` records when it happened, for decisions taken on paper before (demo data).
    """
    ensure_can(
        by,
        Perm.SPECIFICATION_SUBMIT_TO_BOARD,
        version,
        message="Only a commissioner can submit a specification to the board.",
    )
    version = _locked_version(version)
    version.status = VERSION_WORKFLOW.target(version.status, "submit")
    if not version.kpis.exists():
        raise DomainError("Add at least one KPI before submitting the specification.")
    if not version.outcomes.exists():
        raise DomainError("Add at least one outcome before submitting the specification.")
    validate_starts_on(version.specification, version.starts_on)
    version.submitted_at = at or timezone.now()
    save_with_history(version, by)
    obligation_met(f"specification:{version.specification.financial_year.start_year}:draft", by=by)
    notifications.version_submitted(version, by=by)
    return version


@transaction.atomic
def version_sign_off(
    *,
    version: SpecificationVersion,
    decided_on: datetime.date,
    minute_reference: str,
    comments: str = "",
    by,
) -> SpecificationVersion:
    """Record the board's sign-off, with the date of the decision and the minute."""
    ensure_can(
        by,
        Perm.SPECIFICATION_SIGN_OFF,
        version,
        message="Only a board member can record the board's sign-off.",
    )
    version = _locked_version(version)
    version.status = VERSION_WORKFLOW.target(version.status, "sign_off")
    errors = {}
    if not (minute_reference or "").strip():
        errors["minute_reference"] = "Enter the board minute reference, like LRA-SB/2016/8"
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the board's decision"
    elif decided_on > timezone.localdate():
        errors["decided_on"] = "The date of the board's decision must be today or in the past"
    if errors:
        raise ValidationError(errors)
    version.board_decided_by = by
    version.board_decided_on = decided_on
    version.board_minute_reference = minute_reference.strip()
    version.board_comments = comments
    save_with_history(version, by)
    obligation_met(
        f"specification:{version.specification.financial_year.start_year}:sign_off", by=by
    )
    notifications.version_signed_off(version, by=by)
    return version


@transaction.atomic
def version_return(
    *,
    version: SpecificationVersion,
    comments: str,
    decided_on: datetime.date,
    minute_reference: str = "",
    by,
) -> SpecificationVersion:
    """The board returns a version with comments; the commissioner may edit it again."""
    ensure_can(
        by,
        Perm.SPECIFICATION_SIGN_OFF,
        version,
        message="Only a board member can return a specification with the board's comments.",
    )
    version = _locked_version(version)
    version.status = VERSION_WORKFLOW.target(version.status, "return")
    errors = {}
    if not (comments or "").strip():
        errors["comments"] = "Enter the board's comments, so the commissioner knows what to change"
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the board's decision"
    elif decided_on > timezone.localdate():
        errors["decided_on"] = "The date of the board's decision must be today or in the past"
    if errors:
        raise ValidationError(errors)
    version.board_decided_by = by
    version.board_decided_on = decided_on
    version.board_minute_reference = (minute_reference or "").strip()
    version.board_comments = comments.strip()
    save_with_history(version, by)
    notifications.version_returned(version, by=by)
    return version


@transaction.atomic
def version_agree(*, version: SpecificationVersion, by, at=None) -> SpecificationVersion:
    """The head of service agrees the signed-off version for the service."""
    ensure_can(
        by,
        Perm.SPECIFICATION_AGREE,
        version,
        message="Only the head of service can agree the specification.",
    )
    version = _locked_version(version)
    version.status = VERSION_WORKFLOW.target(version.status, "agree")
    version.agreed_by = by
    version.agreed_at = at or timezone.now()
    save_with_history(version, by)
    notifications.version_agreed(version, by=by)
    return version


@transaction.atomic
def version_return_by_service(
    *, version: SpecificationVersion, reasons: str, by, at=None
) -> SpecificationVersion:
    """The head of service returns a signed-off version to the commissioner with reasons
    instead of agreeing it (seed paper §6.2). The commissioner revises it and submits it
    to the board again; the board's earlier sign-off no longer stands."""
    ensure_can(
        by,
        Perm.SPECIFICATION_RETURN_BY_SERVICE,
        version,
        message="Only the head of service can return the specification for the service.",
    )
    version = _locked_version(version)
    version.status = VERSION_WORKFLOW.target(version.status, "return_by_service")
    if not (reasons or "").strip():
        raise ValidationError(
            {"reasons": "Enter the service's reasons, so the commissioner knows what to change"}
        )
    version.service_returned_by = by
    version.service_returned_at = at or timezone.now()
    version.service_return_reasons = reasons.strip()
    save_with_history(version, by)
    notifications.version_returned_by_service(version, by=by)
    return version


@transaction.atomic
def version_publish(*, version: SpecificationVersion, by, at=None) -> SpecificationVersion:
    """Put an agreed version on the public site, in force from its start date.

    Refused when another published version starts the same day (the database
    refuses it too): on any day exactly one version is in force.
    """
    ensure_can(
        by,
        Perm.SPECIFICATION_PUBLISH,
        version,
        message="Only a commissioner can publish a specification.",
    )
    return _publish(version, by=by, at=at)


def _publish(version, *, by, at) -> SpecificationVersion:
    version = _locked_version(version)
    version.status = VERSION_WORKFLOW.target(version.status, "publish")
    clash = (
        SpecificationVersion.objects.filter(status=V.PUBLISHED, starts_on=version.starts_on)
        .exclude(pk=version.pk)
        .select_related("specification__financial_year")
        .first()
    )
    if clash is not None:
        raise DomainError(
            f"Version {clash.number} of {clash.specification.financial_year.label} is already "
            f"in force from {version.starts_on:%-d %B %Y}. Two versions cannot come into force "
            "on the same day: change the start date in a new version."
        )
    version.published_by = by
    version.published_at = at or timezone.now()
    try:
        with transaction.atomic():
            save_with_history(version, by)
    except IntegrityError as exc:
        raise DomainError(
            "Another version comes into force on the same day, so this one cannot be published."
        ) from exc
    obligation_met(
        f"specification:{version.specification.financial_year.start_year}:publish", by=by
    )
    from .tasks import render_version_pdf

    render_version_pdf.delay_on_commit(version.pk)
    return version


@transaction.atomic
def version_publish_from_change(
    *,
    version: SpecificationVersion,
    agreed_by,
    agreed_at,
    board_decided_by=None,
    board_decided_on: datetime.date | None = None,
    board_minute_reference: str = "",
    board_comments: str = "",
    by,
    at=None,
    _system: bool = False,
) -> SpecificationVersion:
    """Publish a draft that change management made from the version in force.

    The change already carries its approvals (a minor variation: the
    commissioner and the head of service; a fundamental change: the board's
    decision too), so the version does not go round the annual cycle again:
    it records those approvals and is published through `version_publish`
    (which refuses a second version starting the same day). Only a draft copied
    from another version (`based_on`) may be published this way. Not safe to
    call twice (the second call finds the version published and is refused).
    The person applying the change holds `change.apply` (a commissioner);
    `_system` is change management applying a change both sides agreed at once.
    """
    if not _system:
        ensure_can(
            by,
            Perm.CHANGE_APPLY,
            version,
            message="Only a commissioner can publish a version made by a change.",
        )
    version = _locked_version(version)
    if version.status != V.DRAFT or version.based_on_id is None:
        raise TransitionNotAllowed(
            "Only a new draft made from the version in force can be published from a change."
        )
    if agreed_by is None or agreed_at is None:
        raise DomainError("A change is published only once the head of service has agreed it.")
    if not version.kpis.exists() or not version.outcomes.exists():
        raise DomainError("A specification version needs at least one outcome and one KPI.")
    validate_starts_on(version.specification, version.starts_on)
    version.submitted_at = at or timezone.now()
    version.board_decided_by = board_decided_by
    version.board_decided_on = board_decided_on
    version.board_minute_reference = board_minute_reference
    version.board_comments = board_comments
    version.agreed_by = agreed_by
    version.agreed_at = agreed_at
    version.status = V.AGREED
    save_with_history(version, by)
    return _publish(version, by=by, at=at)


# Content of a draft ----------------------------------------------------------------


@transaction.atomic
def section_update(
    *, section: Section, by, heading: str, body: str, _system: bool = False
) -> Section:
    _ensure_drafter(by, section.version, _system, "Only a commissioner can edit a specification.")
    _require_editable(section.version)
    section = Section.objects.select_for_update().get(pk=section.pk)
    if not (heading or "").strip():
        raise ValidationError({"heading": "Enter the section heading"})
    section.heading = heading.strip()
    section.body = body
    return save_with_history(section, by)


def _outcome_errors(outcome):
    errors = {}
    if not (outcome.code or "").strip():
        errors["code"] = "Enter the outcome code, like O1"
    elif (
        Outcome.objects.filter(version_id=outcome.version_id, code=outcome.code)
        .exclude(pk=outcome.pk)
        .exists()
    ):
        errors["code"] = f"This version already has an outcome with the code {outcome.code}"
    if not (outcome.title or "").strip():
        errors["title"] = "Enter the outcome"
    if outcome.strategic_outcome_id is None:
        errors["strategic_outcome"] = "Choose the council strategic outcome it serves"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def outcome_create(
    *, version, by, code, title, strategic_outcome, description="", order=None
) -> Outcome:
    ensure_can(
        by,
        Perm.SPECIFICATION_DRAFT,
        version,
        message="Only a commissioner can edit a specification.",
    )
    _require_editable(version)
    if order is None:
        order = version.outcomes.count()
    outcome = Outcome(
        version=version,
        code=(code or "").strip(),
        title=(title or "").strip(),
        strategic_outcome=strategic_outcome,
        description=description,
        order=order,
    )
    _outcome_errors(outcome)
    return save_with_history(outcome, by)


@transaction.atomic
def outcome_update(*, outcome: Outcome, by, **fields) -> Outcome:
    ensure_can(
        by,
        Perm.SPECIFICATION_DRAFT,
        outcome.version,
        message="Only a commissioner can edit a specification.",
    )
    _require_editable(outcome.version)
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    for name, value in fields.items():
        if name not in {"code", "title", "strategic_outcome", "description", "order"}:
            raise TypeError(f"Unknown outcome field {name}")
        setattr(outcome, name, value.strip() if isinstance(value, str) else value)
    _outcome_errors(outcome)
    return save_with_history(outcome, by)


@transaction.atomic
def outcome_delete(*, outcome: Outcome, by) -> None:
    ensure_can(
        by,
        Perm.SPECIFICATION_DRAFT,
        outcome.version,
        message="Only a commissioner can edit a specification.",
    )
    _require_editable(outcome.version)
    for requirement in outcome.requirements.all():
        delete_with_history(requirement, by)
    delete_with_history(outcome, by)


def _requirement_errors(requirement):
    errors = {}
    if not (requirement.code or "").strip():
        errors["code"] = "Enter the requirement code, like O1.R1"
    elif (
        ServiceRequirement.objects.filter(
            outcome__version_id=requirement.outcome.version_id, code=requirement.code
        )
        .exclude(pk=requirement.pk)
        .exists()
    ):
        errors["code"] = f"This version already has a requirement with the code {requirement.code}"
    if not (requirement.text or "").strip():
        errors["text"] = "Enter the requirement"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def requirement_create(
    *, outcome: Outcome, by, code, text, order=None, _system: bool = False
) -> ServiceRequirement:
    _ensure_drafter(by, outcome.version, _system, "Only a commissioner can edit a specification.")
    _require_editable(outcome.version)
    if order is None:
        order = outcome.requirements.count()
    requirement = ServiceRequirement(
        outcome=outcome, code=(code or "").strip(), text=(text or "").strip(), order=order
    )
    _requirement_errors(requirement)
    return save_with_history(requirement, by)


@transaction.atomic
def requirement_update(
    *, requirement: ServiceRequirement, by, _system: bool = False, **fields
) -> ServiceRequirement:
    _ensure_drafter(
        by,
        requirement.outcome.version,
        _system,
        "Only a commissioner can edit a specification.",
    )
    _require_editable(requirement.outcome.version)
    requirement = ServiceRequirement.objects.select_for_update().get(pk=requirement.pk)
    version_id = requirement.outcome.version_id
    for name, value in fields.items():
        if name not in {"code", "text", "order", "outcome"}:
            raise TypeError(f"Unknown requirement field {name}")
        setattr(requirement, name, value.strip() if isinstance(value, str) else value)
    if requirement.outcome.version_id != version_id:
        raise ValidationError({"outcome": "Choose an outcome of this version"})
    _requirement_errors(requirement)
    return save_with_history(requirement, by)


@transaction.atomic
def requirement_delete(*, requirement: ServiceRequirement, by, _system: bool = False) -> None:
    _ensure_drafter(
        by,
        requirement.outcome.version,
        _system,
        "Only a commissioner can edit a specification.",
    )
    _require_editable(requirement.outcome.version)
    delete_with_history(requirement, by)


@transaction.atomic
def kpi_create(*, version: SpecificationVersion, by, **fields) -> KPI:
    """Add a KPI definition to a draft; every rule of `kpi_errors` applies."""
    ensure_can(
        by,
        Perm.SPECIFICATION_DRAFT,
        version,
        message="Only a commissioner can edit a specification.",
    )
    _require_editable(version)
    fields.setdefault("order", version.kpis.count())
    kpi = KPI(version=version)
    _apply_kpi(kpi, fields)
    return save_with_history(kpi, by)


@transaction.atomic
def kpi_update(*, kpi: KPI, by, _system: bool = False, **fields) -> KPI:
    """Change a KPI definition of a draft; refused on a frozen version."""
    _ensure_drafter(by, kpi.version, _system, "Only a commissioner can edit a specification.")
    _require_editable(kpi.version)
    kpi = KPI.objects.select_for_update().get(pk=kpi.pk)
    _apply_kpi(kpi, fields)
    return save_with_history(kpi, by)


@transaction.atomic
def kpi_delete(*, kpi: KPI, by) -> None:
    ensure_can(
        by,
        Perm.SPECIFICATION_DRAFT,
        kpi.version,
        message="Only a commissioner can edit a specification.",
    )
    _require_editable(kpi.version)
    delete_with_history(kpi, by)


# Public comments --------------------------------------------------------------------


class RateLimited(DomainError):
    """Too many comments from one address: try again later."""


def _address_key(address: str) -> str:
    # A one-way fingerprint: the address itself is never stored.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"specifications:comment-rate:{digest}"


def comment_rate_limit_count(*, address: str) -> None:
    """Count this comment against its sender's hourly limit; refuse it when over.

    One atomic Redis INCR per comment: however many arrive at once from one
    address, exactly COMMENT_RATE_LIMIT_PER_HOUR of them are taken in an hour
    (the hour starts with the first, made by `cache.add`, which never resets a
    running count). `address` is the client's address (lra_commissioning.proxies
    .client_address), never the proxy's. While the cache is down the limit is
    not applied: comments wait for moderation anyway, and refusing every comment
    for an outage would be worse.
    """
    key = _address_key(address)
    try:
        cache.add(key, 0, timeout=60 * 60)
        try:
            count = cache.incr(key)
        except ValueError:  # the hour ended between add and incr: a new hour starts
            cache.add(key, 0, timeout=60 * 60)
            count = cache.incr(key)
    except (RedisError, OSError) as exc:
        cache_outage.down(exc)  # logged once per outage, not once per comment
        return
    if count > settings.COMMENT_RATE_LIMIT_PER_HOUR:
        raise RateLimited(
            "You have sent several comments in the last hour. Wait an hour, then try again."
        )


@transaction.atomic
def comment_submit(
    *,
    version: SpecificationVersion,
    body: str,
    address: str,
    section: Section | None = None,
    name: str = "",
    email: str = "",
    received_at=None,
) -> PublicComment:
    """A comment from the public, held for moderation.

    Only the version in force takes comments. Counts against the sender's
    hourly limit (kept in the cache for an hour, by a fingerprint of the address).
    """
    from .selectors import version_in_force

    received_at = received_at or timezone.now()
    current = version_in_force(on=timezone.localdate(received_at))
    if current is None or current.pk != version.pk:
        raise DomainError("Comments are taken only on the specification in force.")
    if section is not None and section.version_id != version.pk:
        raise ValidationError({"section": "Choose a section of this specification"})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Enter your comment"})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Your comment must be {COMMENT_MAX_LENGTH:,} characters or fewer"}
        )
    comment_rate_limit_count(address=address)
    comment = PublicComment(
        version=version,
        section=section,
        body=body,
        name=(name or "").strip()[:150],
        email=(email or "").strip(),
        received_at=received_at,
    )
    return save_with_history(comment, None)


def _locked_comment(comment) -> PublicComment:
    return PublicComment.objects.select_for_update().get(pk=comment.pk)


@transaction.atomic
def comment_publish(*, comment: PublicComment, by) -> PublicComment:
    ensure_can(by, Perm.COMMENT_MODERATE, message="Only a commissioner can publish a comment.")
    comment = _locked_comment(comment)
    comment.status = COMMENT_WORKFLOW.target(comment.status, "publish")
    comment.moderated_by = by
    comment.moderated_at = timezone.now()
    return save_with_history(comment, by)


@transaction.atomic
def comment_reject(*, comment: PublicComment, by) -> PublicComment:
    ensure_can(by, Perm.COMMENT_MODERATE, message="Only a commissioner can reject a comment.")
    comment = _locked_comment(comment)
    comment.status = COMMENT_WORKFLOW.target(comment.status, "reject")
    comment.moderated_by = by
    comment.moderated_at = timezone.now()
    return save_with_history(comment, by)


@transaction.atomic
def comment_respond(*, comment: PublicComment, response: str, by) -> PublicComment:
    """Publish the council's response to a published comment (replaces an earlier one)."""
    ensure_can(by, Perm.COMMENT_MODERATE, message="Only a commissioner can respond to a comment.")
    comment = _locked_comment(comment)
    COMMENT_WORKFLOW.target(comment.status, "respond")
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": "Enter the response"})
    if len(response) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"response": f"The response must be {COMMENT_MAX_LENGTH:,} characters or fewer"}
        )
    comment.response = response
    comment.responded_by = by
    comment.responded_at = timezone.now()
    return save_with_history(comment, by)


@transaction.atomic
def comments_erase_expired_personal_data(*, now=None) -> int:
    """Erase the name and e-mail of comments received more than the retention
    period ago. Safe to run twice: an erased comment has nothing left to erase."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.COMMENT_RETENTION_DAYS)
    expired = PublicComment.objects.select_for_update().filter(
        received_at__lt=cutoff, personal_data_erased_at__isnull=True
    )
    count = 0
    for comment in expired:
        comment.name = ""
        comment.email = ""
        comment.personal_data_erased_at = now
        save_with_history(comment, None)
        count += 1
    return count


# The business plan ------------------------------------------------------------------


def _locked_plan(plan) -> BusinessPlan:
    return BusinessPlan.objects.select_for_update().get(pk=plan.pk)


@transaction.atomic
def business_plan_start(*, financial_year: FinancialYear, by) -> BusinessPlan:
    """A draft plan with a section per outcome of the year's published specification.

    Safe to call twice: returns the existing plan.
    """
    ensure_can(
        by,
        Perm.BUSINESS_PLAN_WRITE,
        message="Only a service manager can start the business plan.",
    )
    existing = BusinessPlan.objects.filter(financial_year=financial_year).first()
    if existing is not None:
        return existing
    version = (
        SpecificationVersion.objects.filter(
            specification__financial_year=financial_year, status=V.PUBLISHED
        )
        .order_by("-major", "-minor")
        .first()
    )
    if version is None:
        raise DomainError(
            f"The {financial_year.label} specification has not been published yet, so there "
            "is nothing for the business plan to answer."
        )
    plan = save_with_history(
        BusinessPlan(financial_year=financial_year, version=version, created_by=by), by
    )
    for order, outcome in enumerate(version.outcomes.all()):
        save_with_history(BusinessPlanSection(plan=plan, outcome=outcome, order=order), by)
    return plan


def _require_plan_editable(plan):
    status = BusinessPlan.objects.values_list("status", flat=True).get(pk=plan.pk)
    BUSINESS_PLAN_WORKFLOW.target(status, "edit")


@transaction.atomic
def business_plan_update(*, plan: BusinessPlan, summary: str, by) -> BusinessPlan:
    ensure_can(
        by,
        Perm.BUSINESS_PLAN_WRITE,
        plan,
        message="Only a service manager can write the business plan.",
    )
    plan = _locked_plan(plan)
    _require_plan_editable(plan)
    plan.summary = summary
    return save_with_history(plan, by)


@transaction.atomic
def business_plan_section_update(
    *, section: BusinessPlanSection, approach: str, by
) -> BusinessPlanSection:
    ensure_can(
        by,
        Perm.BUSINESS_PLAN_WRITE,
        section.plan,
        message="Only a service manager can write the business plan.",
    )
    _require_plan_editable(section.plan)
    section = BusinessPlanSection.objects.select_for_update().get(pk=section.pk)
    if not (approach or "").strip():
        raise ValidationError({"approach": "Enter how the service will meet this outcome"})
    section.approach = approach.strip()
    return save_with_history(section, by)


@transaction.atomic
def business_plan_action_create(
    *,
    section: BusinessPlanSection,
    description: str,
    milestone_on: datetime.date,
    owner: str = "",
    by,
) -> BusinessPlanAction:
    ensure_can(
        by,
        Perm.BUSINESS_PLAN_WRITE,
        section.plan,
        message="Only a service manager can write the business plan.",
    )
    _require_plan_editable(section.plan)
    errors = {}
    if not (description or "").strip():
        errors["description"] = "Enter the action"
    if milestone_on is None:
        errors["milestone_on"] = "Enter the milestone date"
    else:
        year = section.plan.financial_year
        if not (year.start_date - datetime.timedelta(days=366) <= milestone_on <= year.end_date):
            errors["milestone_on"] = (
                f"The milestone must fall by the end of {year.label} ({year.end_date:%-d %B %Y})"
            )
    if errors:
        raise ValidationError(errors)
    return save_with_history(
        BusinessPlanAction(
            section=section,
            description=description.strip(),
            milestone_on=milestone_on,
            owner=(owner or "").strip(),
        ),
        by,
    )


@transaction.atomic
def business_plan_action_delete(*, action: BusinessPlanAction, by) -> None:
    ensure_can(
        by,
        Perm.BUSINESS_PLAN_WRITE,
        action.section.plan,
        message="Only a service manager can write the business plan.",
    )
    _require_plan_editable(action.section.plan)
    delete_with_history(action, by)


@transaction.atomic
def business_plan_submit(*, plan: BusinessPlan, by) -> BusinessPlan:
    """Submit (or resubmit) the plan. Every section must say how the outcome is met.

    Resubmitting clears the commissioner's section comments (the history keeps them).
    """
    ensure_can(
        by,
        Perm.BUSINESS_PLAN_WRITE,
        plan,
        message="Only a service manager can submit the business plan.",
    )
    plan = _locked_plan(plan)
    plan.status = BUSINESS_PLAN_WORKFLOW.target(plan.status, "submit")
    sections = list(plan.sections.select_related("outcome").prefetch_related("actions"))
    missing = [s.outcome.code for s in sections if not s.approach.strip()]
    if missing:
        raise DomainError(
            "Say how the service will meet every outcome before submitting. Missing: "
            + ", ".join(missing)
            + "."
        )
    for section in sections:
        if section.return_comment:
            section.return_comment = ""
            save_with_history(section, by)
    plan.submitted_content = {
        "summary": plan.summary,
        "sections": [
            {
                "outcome": s.outcome_id,
                "approach": s.approach,
                "actions": [
                    {
                        "description": a.description,
                        "milestone_on": a.milestone_on.isoformat(),
                        "owner": a.owner,
                    }
                    for a in s.actions.all()
                ],
            }
            for s in sections
        ],
    }
    plan.submitted_by = by
    plan.submitted_at = timezone.now()
    plan.submission_count += 1
    save_with_history(plan, by)
    notifications.business_plan_submitted(plan, by=by)
    return plan


@transaction.atomic
def business_plan_accept(*, plan: BusinessPlan, by, comment: str = "") -> BusinessPlan:
    ensure_can(
        by,
        Perm.BUSINESS_PLAN_REVIEW,
        plan,
        message="Only a commissioner can accept the business plan.",
    )
    plan = _locked_plan(plan)
    plan.status = BUSINESS_PLAN_WORKFLOW.target(plan.status, "accept")
    plan.reviewed_by = by
    plan.reviewed_at = timezone.now()
    plan.review_comment = (comment or "").strip()
    save_with_history(plan, by)
    obligation_met(f"business_plan:{plan.financial_year.start_year}", by=by)
    return plan


@transaction.atomic
def business_plan_return(
    *, plan: BusinessPlan, section_comments: dict[int, str], by, comment: str = ""
) -> BusinessPlan:
    """Return the plan with a comment on at least one section (by section id)."""
    ensure_can(
        by,
        Perm.BUSINESS_PLAN_REVIEW,
        plan,
        message="Only a commissioner can return the business plan.",
    )
    plan = _locked_plan(plan)
    plan.status = BUSINESS_PLAN_WORKFLOW.target(plan.status, "return")
    sections = {s.pk: s for s in plan.sections.select_for_update()}
    comments = {pk: text.strip() for pk, text in section_comments.items() if text and text.strip()}
    unknown = set(comments) - set(sections)
    if unknown:
        raise DomainError("A comment was given on a section that is not in this plan.")
    if not comments:
        raise DomainError("Comment on at least one section to say what the service should change.")
    for pk, text in comments.items():
        sections[pk].return_comment = text
        save_with_history(sections[pk], by)
    plan.reviewed_by = by
    plan.reviewed_at = timezone.now()
    plan.review_comment = (comment or "").strip()
    save_with_history(plan, by)
    returned = sorted((sections[pk] for pk in comments), key=lambda s: s.outcome.code)
    notifications.business_plan_returned(plan, returned, by=by)
    return plan
