"""Change management: change requests, board decisions and new service ideas.

A change request is raised against the specification version in force. Three
questions classify it (seed paper §3.6): a "yes" to any makes it a
fundamental change, which needs the Strategic Board; three "no"s make it a
minor variation, agreed by a commissioner and the head of service. When it is
applied it produces the next version of the specification (see services.py).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from lra_commissioning.audit import HistoricalRecords
from lra_commissioning.models import User
from specifications.models import SpecificationVersion

MONEY = {"max_digits": 14, "decimal_places": 2}


class Kind(models.TextChoices):
    MINOR = "minor", "Minor variation"
    FUNDAMENTAL = "fundamental", "Fundamental change"


def classify(*, alters_objectives: bool, contravenes_policy: bool, affects_budget: bool) -> str:
    """Any "yes" makes a fundamental change; three "no"s make a minor variation."""
    if alters_objectives or contravenes_policy or affects_budget:
        return Kind.FUNDAMENTAL
    return Kind.MINOR


class Status(models.TextChoices):
    # Being written by the person who raised it; its changes may be edited.
    DRAFT = "draft", "Draft"
    # Minor variation: waiting for the commissioner's and the head of service's agreement.
    AWAITING_AGREEMENT = "awaiting_agreement", "Awaiting agreement"
    # Minor variation agreed by both sides but not yet applied (applying was refused).
    AGREED = "agreed", "Agreed by both sides"
    # Fundamental change: with the Strategic Board for a decision; frozen.
    WITH_BOARD = "with_board", "With the board"
    # The board approved it (perhaps with conditions); waiting to be applied.
    APPROVED = "approved", "Approved by the board"
    # The board deferred it: closed; raise it again when the board asks for it.
    DEFERRED = "deferred", "Deferred by the board"
    # The board rejected it: closed for ever.
    REJECTED = "rejected", "Rejected by the board"
    # Applied: a new specification version carries it. Closed for ever.
    APPLIED = "applied", "Applied"
    # Withdrawn by the people who raised it before a decision. Closed.
    WITHDRAWN = "withdrawn", "Withdrawn"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    DEFERRED = "deferred", "Deferred"
    REJECTED = "rejected", "Rejected"


APPROVING_DECISIONS = frozenset({Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS})

IMPACT_FIELDS = [
    ("impact_financial", "Financial impact"),
    ("impact_service_users", "Impact on service users"),
    ("impact_equalities", "Equalities impact"),
    ("impact_legal", "Legal impact"),
    ("impact_staffing", "Staffing impact"),
]

# All set or all null: a decision is never half-recorded.
_DECIDED = Q(decision__isnull=False, decided_by__isnull=False, decided_at__isnull=False)
_UNDECIDED = Q(decision__isnull=True, decided_by__isnull=True, decided_at__isnull=True)


class ChangeRequest(models.Model):
    version = models.ForeignKey(
        SpecificationVersion,
        on_delete=models.PROTECT,
        related_name="change_requests",
        help_text="The version in force when the change was raised.",
    )
    title = models.CharField(max_length=255)
    description = models.TextField(help_text="What should change.")
    reason = models.TextField(help_text="Why.")
    effective_on = models.DateField(help_text="The day the change should take effect.")
    alters_objectives = models.BooleanField()
    contravenes_policy = models.BooleanField()
    affects_budget = models.BooleanField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    raised_to_fundamental_reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    impact_financial = models.TextField(blank=True)
    impact_service_users = models.TextField(blank=True)
    impact_equalities = models.TextField(blank=True)
    impact_legal = models.TextField(blank=True)
    impact_staffing = models.TextField(blank=True)

    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    council_agreed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    council_agreed_at = models.DateTimeField(null=True, blank=True)
    service_agreed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_agreed_at = models.DateTimeField(null=True, blank=True)

    # The board's decision (fundamental changes). Never edited once recorded.
    decision = models.CharField(max_length=30, choices=Decision.choices, null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    applied_version = models.OneToOneField(
        SpecificationVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applied_change",
    )
    applied_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    budget_version = models.ForeignKey(
        "funding.BudgetVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The budget change this change created.",
    )
    idea = models.ForeignKey(
        "ServiceIdea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_requests",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_DECIDED | _UNDECIDED, name="change_decision_all_or_nothing"
            ),
            # The two sides of a minor variation are two different people.
            models.CheckConstraint(
                condition=Q(council_agreed_by__isnull=True)
                | Q(service_agreed_by__isnull=True)
                | ~Q(council_agreed_by=models.F("service_agreed_by")),
                name="change_two_sides_are_two_people",
            ),
            models.CheckConstraint(
                condition=~Q(status="applied")
                | Q(applied_version__isnull=False, applied_at__isnull=False),
                name="applied_change_has_version",
            ),
            models.CheckConstraint(
                condition=Q(kind="fundamental") | Q(decision__isnull=True),
                name="only_fundamental_changes_are_decided",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"CR-{self.pk:04d}" if self.pk else "CR-new"

    @property
    def is_fundamental(self) -> bool:
        return self.kind == Kind.FUNDAMENTAL

    @property
    def missing_impacts(self) -> list[str]:
        return [label for name, label in IMPACT_FIELDS if not getattr(self, name).strip()]

    @property
    def impacts(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in IMPACT_FIELDS]


class ItemKind(models.TextChoices):
    KPI = "kpi", "KPI target and floor"
    SECTION = "section", "Section text"
    REQUIREMENT = "requirement", "Service requirement"
    TOLERANCES = "tolerances", "Tolerances"


class ChangeItem(models.Model):
    """One concrete edit the change makes to the specification.

    kpi: `key` is the KPI code; new annual target and floor.
    section: `key` is the section kind; new text.
    requirement: `key` is the requirement code; new text (blank removes it;
      a code not in the version adds it to the outcome `outcome_code`).
    tolerances: the three tolerance figures.
    """

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    key = models.CharField(max_length=30, blank=True)
    outcome_code = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    annual_target = models.DecimalField(**MONEY, null=True, blank=True)
    floor = models.DecimalField(**MONEY, null=True, blank=True)
    performance_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    budget_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    budget_tolerance_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "kind", "key"], name="one_change_item_per_thing"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}".strip()

    def describe(self) -> str:
        if self.kind == ItemKind.KPI:
            floor = f", floor {self.floor.normalize():f}" if self.floor is not None else ""
            return f"KPI {self.key}: annual target {self.annual_target.normalize():f}{floor}"
        if self.kind == ItemKind.SECTION:
            return f"Section \u201c{self.get_section_label()}\u201d: new text"
        if self.kind == ItemKind.REQUIREMENT:
            if not self.text:
                return f"Requirement {self.key}: removed"
            return f"Requirement {self.key}: \u201c{self.text}\u201d"
        return (
            f"Tolerances: performance {self.performance_tolerance_percent}%, budget "
            f"{self.budget_tolerance_percent}% or \u00a3{self.budget_tolerance_amount:,}"
        )

    def get_section_label(self) -> str:
        from specifications.models import SectionKind

        return dict(SectionKind.choices).get(self.key, self.key)


class ChangeBudgetLine(models.Model):
    """A new amount for one budget line, for a change that affects the budget."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="budget_lines")
    start_year = models.PositiveIntegerField()
    line_key = models.CharField(max_length=60)
    amount = models.DecimalField(**MONEY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year", "line_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "start_year", "line_key"], name="one_budget_line_per_change"
            )
        ]

    def __str__(self):
        return f"{self.start_year} {self.line_key}: {self.amount}"


class IdeaStatus(models.TextChoices):
    # With the board, waiting for its view.
    PROPOSED = "proposed", "With the board"
    # The board adopted it; it may become a change request.
    ADOPTED = "adopted", "Adopted"
    # The board deferred it.
    DEFERRED = "deferred", "Deferred"
    # The board declined it.
    DECLINED = "declined", "Declined"


class IdeaDecision(models.TextChoices):
    ADOPTED = "adopted", "Adopted"
    DEFERRED = "deferred", "Deferred"
    DECLINED = "declined", "Declined"


class ServiceIdea(models.Model):
    """A new service or idea the service puts to the board."""

    title = models.CharField(max_length=255)
    description = models.TextField()
    benefits = models.TextField()
    costs = models.TextField()
    risks = models.TextField()
    status = models.CharField(
        max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decision = models.CharField(max_length=20, choices=IdeaDecision.choices, null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_DECIDED | _UNDECIDED, name="idea_decision_all_or_nothing"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def reference(self) -> str:
        return f"SI-{self.pk:04d}"


class BoardDecision(models.Model):
    """The board's decision on one item: the register, and the public notice.

    One per change request or idea (unique), so a second decision cannot be
    written even if two board members get past the row lock's check at once.
    """

    change = models.OneToOneField(
        ChangeRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="board_decision",
    )
    idea = models.OneToOneField(
        ServiceIdea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="board_decision",
    )
    decision = models.CharField(max_length=30)
    decision_label = models.CharField(max_length=60)
    decided_on = models.DateField(help_text="The date of the board meeting.")
    minute_reference = models.CharField(max_length=100)
    conditions = models.TextField(blank=True)
    comments = models.TextField(blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(change__isnull=False, idea__isnull=True)
                | Q(change__isnull=True, idea__isnull=False),
                name="board_decision_on_one_item",
            ),
            models.CheckConstraint(
                condition=~Q(decision="approved_with_conditions") | ~Q(conditions=""),
                name="conditional_approval_states_conditions",
            ),
        ]

    def __str__(self):
        return f"Board decision {self.pk}: {self.decision_label}"

    @property
    def subject(self):
        return self.change if self.change_id else self.idea

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


ZERO = Decimal("0.00")
