"""The service specification: what the council commissions against.

One Specification per financial year, with numbered versions (1.0, 1.1, 2.0).
A version's content is structured: sections, outcomes with their service
requirements, KPI definitions and the tolerances for managing by exception.
A version that has been signed off by the board is never edited: change makes
a new version (see `services.py`).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from lra_commissioning.audit import HistoricalRecords
from lra_commissioning.models import FinancialYear, User


class StrategicOutcome(models.Model):
    """One of the council's strategic outcomes, which service outcomes serve."""

    code = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.title


class Specification(models.Model):
    """The specification for one financial year."""

    financial_year = models.OneToOneField(
        FinancialYear, on_delete=models.PROTECT, related_name="specification"
    )
    title = models.CharField(
        max_length=255, default="Libraries, Registration and Archives service specification"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year__start_year"]

    def __str__(self):
        return f"{self.title} {self.financial_year.label}"


class VersionStatus(models.TextChoices):
    # Being written by a commissioner; the only state whose content may change.
    DRAFT = "draft", "Draft"
    # With the Strategic Board for sign-off; content frozen.
    WITH_BOARD = "with_board", "With the board"
    # Returned by the board with comments; the commissioner may edit it again.
    RETURNED = "returned", "Returned by the board"
    # Signed off by the board; waits for the head of service's agreement. Frozen for ever.
    SIGNED_OFF = "signed_off", "Signed off by the board"
    # Returned by the head of service with reasons (seed paper §6.2: the service
    # agrees after the board); the commissioner revises it and submits it to the board again.
    RETURNED_BY_SERVICE = "returned_by_service", "Returned by the service"
    # Agreed by the head of service; ready to publish.
    AGREED = "agreed", "Agreed by the service"
    # On the public site; in force from its start date until the next published version.
    PUBLISHED = "published", "Published"


FROZEN_STATUSES = frozenset(
    {
        VersionStatus.WITH_BOARD,
        VersionStatus.SIGNED_OFF,
        VersionStatus.AGREED,
        VersionStatus.PUBLISHED,
    }
)


class SpecificationVersion(models.Model):
    specification = models.ForeignKey(
        Specification, on_delete=models.PROTECT, related_name="versions"
    )
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    starts_on = models.DateField(help_text="The day this version comes into force.")
    summary = models.TextField(blank=True, help_text="What this version is for.")
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )

    # Tolerances agreed for managing by exception.
    performance_tolerance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="How far below target (as a percentage of the target) performance may "
        "stray before it is an exception, where a KPI sets no floor of its own.",
    )
    budget_tolerance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="How far a budget category may stray from its budget, as a percentage.",
    )
    budget_tolerance_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("25000.00"),
        validators=[MinValueValidator(0)],
        help_text="How far a budget category may stray, in pounds. A category is an "
        "exception when its variance is beyond both the percentage and this amount.",
    )

    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The board's decision.
    board_decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    board_decided_on = models.DateField(null=True, blank=True)
    board_minute_reference = models.CharField(max_length=100, blank=True)
    board_comments = models.TextField(blank=True)
    # The head of service's agreement.
    agreed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    # The head of service's return of a signed-off version, with reasons. Kept (the
    # history keeps each one) until the next return; shown while the version is revised.
    service_returned_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_returned_at = models.DateTimeField(null=True, blank=True)
    service_return_reasons = models.TextField(blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["specification__financial_year__start_year", "major", "minor"]
        constraints = [
            models.UniqueConstraint(
                fields=["specification", "major", "minor"], name="one_version_number_per_spec"
            ),
            # In force = the latest published version to have started, so two
            # published versions starting the same day would both claim that day.
            models.UniqueConstraint(
                fields=["starts_on"],
                condition=models.Q(status="published"),
                name="one_published_version_per_start_date",
            ),
        ]

    def __str__(self):
        return f"{self.specification.financial_year.label} version {self.number}"

    @property
    def number(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_frozen(self) -> bool:
        """Signed-off (or submitted) content never changes: change makes a new version."""
        return self.status in FROZEN_STATUSES

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def how_agreed(self) -> str:
        """How and by whom this version was agreed, in one sentence for its pages and PDF.

        A version made by a change (`applied_change`, from change management) was
        agreed as that change was: a minor variation by a commissioner for the council
        and the head of service for the service; a fundamental change by the board's
        decision and the head of service. Any other went round the annual cycle: the
        board signed it off and the head of service agreed it.
        """
        change = getattr(self, "applied_change", None)
        service = (
            f" for the service by {self.agreed_by} on {_day(self.agreed_at)}"
            if self.agreed_by_id and self.agreed_at
            else ""
        )
        board = (
            f"the Strategic Board on {self.board_decided_on:%-d %B %Y}"
            + (f" (minute {self.board_minute_reference})" if self.board_minute_reference else "")
            if self.board_decided_on
            else ""
        )
        if change is not None and not change.is_fundamental:
            council = (
                f" for the council by {change.council_agreed_by} on "
                f"{_day(change.council_agreed_at)}"
                if change.council_agreed_by_id and change.council_agreed_at
                else ""
            )
            agreed = " and".join(part for part in (council, service) if part)
            return (
                f"Made by minor variation {change.reference}, agreed{agreed}."
                if agreed
                else f"Made by minor variation {change.reference}."
            )
        if change is not None:
            first = f"Made by fundamental change {change.reference}"
            if board:
                first += f", approved by {board}"
            return f"{first} and agreed{service}." if service else f"{first}."
        if board and service:
            return f"Signed off by {board} and agreed{service}."
        if board:
            return f"Signed off by {board}."
        return f"Agreed{service}." if service else ""


def _day(moment) -> str:
    return f"{timezone.localdate(moment):%-d %B %Y}"


class SectionKind(models.TextChoices):
    INTRODUCTION = "introduction", "Introduction"
    OVERVIEW = "overview", "Overview of the service"
    OUTCOMES = "outcomes", "Outcomes"
    MINIMUM_REQUIREMENTS = "minimum_requirements", "Minimum service requirements"
    OPERATING_PRINCIPLES = "operating_principles", "Operating principles"


class Section(models.Model):
    version = models.ForeignKey(
        SpecificationVersion, on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(max_length=30, choices=SectionKind.choices)
    heading = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="one_section_per_kind")
        ]

    def __str__(self):
        return self.heading


class Outcome(models.Model):
    """An outcome the service must achieve, serving a council strategic outcome."""

    version = models.ForeignKey(
        SpecificationVersion, on_delete=models.CASCADE, related_name="outcomes"
    )
    strategic_outcome = models.ForeignKey(
        StrategicOutcome, on_delete=models.PROTECT, related_name="service_outcomes"
    )
    code = models.CharField(max_length=20, help_text="Stable across versions, e.g. O1.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="one_outcome_code_per_version")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class ServiceRequirement(models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="requirements")
    code = models.CharField(max_length=20, help_text="Stable across versions, e.g. O1.R2.")
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "code"], name="one_requirement_code_per_outcome"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.text[:60]}"


class ServiceArea(models.TextChoices):
    LIBRARIES = "libraries", "Libraries"
    REGISTRATION = "registration", "Registration"
    ARCHIVES = "archives", "Archives"
    WHOLE_SERVICE = "whole_service", "Whole service"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage"
    DAYS = "days", "Days"
    POUNDS = "pounds", "Pounds"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum of the periods"
    AVERAGE = "average", "Average of the periods"
    LATEST = "latest", "Latest value"


class KPI(models.Model):
    """A key performance indicator as the specification defines it.

    `code` is stable across versions: it is how returns, comparators and the
    "what changed" comparison recognise the same KPI in two versions.
    """

    version = models.ForeignKey(SpecificationVersion, on_delete=models.CASCADE, related_name="kpis")
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis"
    )
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=255)
    service_area = models.CharField(max_length=20, choices=ServiceArea.choices)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    higher_is_better = models.BooleanField(default=True)
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    annual_aggregation = models.CharField(
        max_length=20, choices=Aggregation.choices, default=Aggregation.SUM
    )
    # Rated KPIs have a target and a floor. Activity KPIs (births registered, say)
    # have no target: they may have an expected range and are shown in or out of it.
    is_activity = models.BooleanField(
        default=False, help_text="An activity measure: reported, not rated against a target."
    )
    annual_target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    floor = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The worst value still within tolerance (amber). Beyond it is red.",
    )
    expected_low = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    expected_high = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # Optional: twelve monthly targets (April first) for cumulative counts, as strings
    # of decimals; when empty the annual target is spread evenly.
    monthly_profile = models.JSONField(default=list, blank=True)
    definition = models.TextField(blank=True)
    guidance = models.TextField(blank=True)
    data_source = models.CharField(max_length=255, blank=True)
    owner = models.CharField(max_length=150, blank=True, help_text="Who in the service owns it.")
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="one_kpi_code_per_version")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


# Public comments ---------------------------------------------------------------

COMMENT_MAX_LENGTH = 5000


class CommentStatus(models.TextChoices):
    # Received from the public site; not shown to anyone but commissioners.
    PENDING = "pending", "Awaiting moderation"
    # Shown on the public site, without the commenter's name or e-mail.
    PUBLISHED = "published", "Published"
    # Not shown publicly (abusive, off-topic, personal); kept for the record.
    REJECTED = "rejected", "Rejected"


class PublicComment(models.Model):
    """A comment from the public on a published version, or on one of its sections.

    Name and e-mail are optional personal data, erased after
    settings.COMMENT_RETENTION_DAYS by `tasks.erase_expired_comment_personal_data`.
    They are excluded from the history table so erasing them erases them everywhere.
    """

    version = models.ForeignKey(
        SpecificationVersion, on_delete=models.PROTECT, related_name="comments"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField("e-mail address", blank=True)
    received_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    moderated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    responded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["name", "email"])

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="pending", moderated_by__isnull=True, moderated_at__isnull=True)
                    | (~models.Q(status="pending") & models.Q(moderated_at__isnull=False))
                ),
                name="comment_moderation_recorded_with_decision",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), COMMENT_MAX_LENGTH),
                name="comment_body_at_most_5000_characters",
            ),
        ]

    def __str__(self):
        return f"Comment {self.pk} on {self.version}"

    @property
    def has_personal_data(self) -> bool:
        return bool(self.name or self.email)


# The annual business plan -------------------------------------------------------


class BusinessPlanStatus(models.TextChoices):
    # Being written by the service; only now (and when returned) may it change.
    DRAFT = "draft", "Draft"
    # With the commissioner for review; frozen.
    SUBMITTED = "submitted", "Submitted"
    # Returned by the commissioner with comments on sections; the service revises it.
    RETURNED = "returned", "Returned with comments"
    # Accepted by the commissioner; final for the year.
    ACCEPTED = "accepted", "Accepted"


class BusinessPlan(models.Model):
    """The service's answer to a year's specification: how it will meet each outcome."""

    financial_year = models.OneToOneField(
        FinancialYear, on_delete=models.PROTECT, related_name="business_plan"
    )
    version = models.ForeignKey(
        SpecificationVersion,
        on_delete=models.PROTECT,
        related_name="business_plans",
        help_text="The specification version the plan answers.",
    )
    status = models.CharField(
        max_length=20, choices=BusinessPlanStatus.choices, default=BusinessPlanStatus.DRAFT
    )
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission_count = models.PositiveIntegerField(default=0)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    # The plan as last submitted (summary, and per outcome the approach and actions).
    # While a returned plan is being revised, its edits are the service's draft: the
    # commissioner and the board keep reading this until it is resubmitted.
    submitted_content = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year__start_year"]

    def __str__(self):
        return f"Business plan {self.financial_year.label}"

    @property
    def is_editable(self) -> bool:
        return self.status in (BusinessPlanStatus.DRAFT, BusinessPlanStatus.RETURNED)


class BusinessPlanSection(models.Model):
    """How the service will meet one outcome of the specification."""

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="sections")
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="+")
    approach = models.TextField(blank=True)
    # The commissioner's comment when returning the plan; cleared on resubmission
    # (the history keeps it).
    return_comment = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "outcome"], name="one_plan_section_per_outcome")
        ]

    def __str__(self):
        return f"{self.plan}: {self.outcome.code}"


class BusinessPlanAction(models.Model):
    section = models.ForeignKey(
        BusinessPlanSection, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(max_length=500)
    milestone_on = models.DateField()
    owner = models.CharField(max_length=150, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["milestone_on", "id"]

    def __str__(self):
        return self.description
