"""The rolling five-year budget, its versions and notices, and monthly monitoring.

One FiveYearBudget (the service's rolling budget) has numbered versions. Each
version covers five financial years in a row from `start_year` and holds a line
per year and category (one corporate recharge line per support service), and
the savings the council requires in each year. Gross expenditure, income and
net are derived from the lines (see `funding.budget`), never stored.

A version that has reached the board is never edited: change makes a new
version (`services.budget_version_start` or `services.budget_change_propose`).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from lra_commissioning.audit import HistoricalRecords
from lra_commissioning.models import User
from lra_commissioning.workflow import Workflow, t

MONEY = {"max_digits": 14, "decimal_places": 2}
YEARS_IN_A_BUDGET = 5


class Category(models.TextChoices):
    # Expenditure
    STAFFING = "staffing", "Staffing"
    PREMISES = "premises", "Premises"
    STOCK = "stock", "Stock and materials"
    ICT = "ict", "ICT and systems"
    CORPORATE_RECHARGE = "corporate_recharge", "Corporate recharges"
    OTHER = "other", "Other running costs"
    # Income (entered as positive amounts received)
    FEES = "fees", "Fees and charges"
    BUILDING_INCOME = "building_income", "Building-related income"
    GRANTS = "grants", "Grants and other income"


INCOME_CATEGORIES = frozenset({Category.FEES, Category.BUILDING_INCOME, Category.GRANTS})
EXPENDITURE_CATEGORIES = frozenset(set(Category) - INCOME_CATEGORIES)
# Other running costs carry one-off credits and accrual reversals, so they may be
# negative; every other category is a cost incurred or an income received.
CATEGORIES_ALLOWING_NEGATIVE = frozenset({Category.OTHER})


class VersionKind(models.TextChoices):
    ANNUAL = "annual", "Annual agreement (the next five years)"
    CHANGE = "change", "Change within the year"


class VersionStatus(models.TextChoices):
    # Being written by a commissioner; the only states whose lines may change.
    DRAFT = "draft", "Draft"
    RETURNED = "returned", "Returned by the board"
    # With the Strategic Board for agreement; frozen from here on.
    PROPOSED = "proposed", "With the board"
    # Agreed by the board; waits to be confirmed to the service.
    AGREED = "agreed", "Agreed by the board"
    # Confirmed to the service with a notice; waits for the head of service.
    CONFIRMED = "confirmed", "Confirmed to the service"
    # The head of service has acknowledged the notice.
    ACKNOWLEDGED = "acknowledged", "Acknowledged by the service"


EDITABLE_STATUSES = frozenset({VersionStatus.DRAFT, VersionStatus.RETURNED})
OPEN_STATUSES = frozenset({VersionStatus.DRAFT, VersionStatus.RETURNED, VersionStatus.PROPOSED})
AGREED_STATUSES = frozenset(
    {VersionStatus.AGREED, VersionStatus.CONFIRMED, VersionStatus.ACKNOWLEDGED}
)

S = VersionStatus
BUDGET_WORKFLOW = Workflow(
    "budget version",
    {
        "edit": t({S.DRAFT, S.RETURNED}, None, "edited"),
        "propose": t({S.DRAFT, S.RETURNED}, S.PROPOSED, "proposed to the board"),
        "agree": t({S.PROPOSED}, S.AGREED, "agreed"),
        "return": t({S.PROPOSED}, S.RETURNED, "returned"),
        "confirm": t({S.AGREED}, S.CONFIRMED, "confirmed to the service"),
        "acknowledge": t({S.CONFIRMED}, S.ACKNOWLEDGED, "acknowledged"),
    },
)


class IncomeRule(models.TextChoices):
    PERCENTAGE = "percentage", "A percentage goes to the service"
    THRESHOLD = "threshold", "Property keeps up to a threshold; above it goes to the service"


class FiveYearBudget(models.Model):
    """The service's rolling five-year budget (one per commissioned service)."""

    name = models.CharField(max_length=150, unique=True)

    history = HistoricalRecords()

    def __str__(self):
        return self.name


class BudgetVersion(models.Model):
    budget = models.ForeignKey(FiveYearBudget, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    start_year = models.PositiveIntegerField(help_text="The first of the five financial years.")
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )
    reason = models.TextField(help_text="Why this version: shown on the notice to the service.")
    # Bumped on every save of the draft, so two people editing at once cannot
    # overwrite each other: the form carries the revision it was opened at.
    revision = models.PositiveIntegerField(default=1)

    income_rule = models.CharField(
        max_length=20, choices=IncomeRule.choices, default=IncomeRule.PERCENTAGE
    )
    income_service_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        help_text="Percentage rule: the service's share of building-related income.",
    )
    income_threshold = models.DecimalField(
        **MONEY,
        default=Decimal("0.00"),
        help_text="Threshold rule: Property keeps building-related income up to this "
        "amount each year; the rest goes to the service.",
    )

    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    # The board's decision (agreement or return).
    board_decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    board_decided_on = models.DateField(null=True, blank=True)
    board_minute_reference = models.CharField(max_length=100, blank=True)
    board_comments = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "number"], name="one_budget_version_number"),
            # One version in the making at a time: two drafts would fork the budget.
            models.UniqueConstraint(
                fields=["budget"],
                condition=Q(status__in=["draft", "returned", "proposed"]),
                name="one_open_budget_version",
            ),
            models.CheckConstraint(
                condition=Q(income_service_percent__gte=0, income_service_percent__lte=100),
                name="budget_income_percent_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(income_threshold__gte=0), name="budget_income_threshold_not_negative"
            ),
            # An agreed version carries the board's date and minute reference.
            models.CheckConstraint(
                condition=~Q(status__in=["agreed", "confirmed", "acknowledged"])
                | (Q(board_decided_on__isnull=False) & ~Q(board_minute_reference="")),
                name="agreed_budget_has_board_date_and_minute",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["confirmed", "acknowledged"])
                | Q(confirmed_on__isnull=False),
                name="confirmed_budget_has_date",
            ),
        ]

    def __str__(self):
        return f"Budget version {self.number}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.start_year + YEARS_IN_A_BUDGET))

    @property
    def end_year(self) -> int:
        return self.start_year + YEARS_IN_A_BUDGET - 1

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_agreed(self) -> bool:
        return self.status in AGREED_STATUSES

    @property
    def years_label(self) -> str:
        from lra_commissioning.dates import financial_year_label

        return f"{financial_year_label(self.start_year)} to {financial_year_label(self.end_year)}"


class BudgetYear(models.Model):
    """One of a version's five years: the savings the council requires in it."""

    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="years_set")
    start_year = models.PositiveIntegerField()
    savings_required = models.DecimalField(**MONEY, default=Decimal("0.00"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.UniqueConstraint(fields=["version", "start_year"], name="one_budget_year"),
            models.CheckConstraint(
                condition=Q(savings_required__gte=0), name="savings_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.start_year}: savings {self.savings_required}"


class BudgetLine(models.Model):
    """The budget for one category (one support service's recharge) in one year."""

    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="lines")
    start_year = models.PositiveIntegerField()
    category = models.CharField(max_length=30, choices=Category.choices)
    support_service = models.ForeignKey(
        "slas.SupportService",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    amount = models.DecimalField(**MONEY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "start_year", "category", "support_service"],
                nulls_distinct=False,
                name="one_budget_line_per_year_category_service",
            ),
            # Recharge lines name their support service; no other line does.
            models.CheckConstraint(
                condition=(Q(category="corporate_recharge") & Q(support_service__isnull=False))
                | (~Q(category="corporate_recharge") & Q(support_service__isnull=True)),
                name="recharge_line_names_support_service",
            ),
            models.CheckConstraint(
                condition=Q(category="other") | Q(amount__gte=0),
                name="budget_line_negative_only_where_allowed",
            ),
        ]

    def __str__(self):
        return f"{self.start_year} {self.category}: {self.amount}"

    @property
    def key(self) -> str:
        from .budget import line_key

        return line_key(self.category, self.support_service_id)


class BudgetNotice(models.Model):
    """A notice to the head of service: funding confirmed, or the budget changed.

    Its lines are a snapshot taken when it is issued, so it reads the same for
    ever even if later versions follow.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Funding confirmation"
        CHANGE = "change", "Budget change notice"

    version = models.OneToOneField(BudgetVersion, on_delete=models.PROTECT, related_name="notice")
    previous_version = models.ForeignKey(
        BudgetVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField()
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_by__isnull=True, acknowledged_at__isnull=True)
                | Q(acknowledged_by__isnull=False, acknowledged_at__isnull=False),
                name="notice_acknowledgement_complete",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for version {self.version.number}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class BudgetNoticeLine(models.Model):
    notice = models.ForeignKey(BudgetNotice, on_delete=models.CASCADE, related_name="lines")
    start_year = models.PositiveIntegerField()
    label = models.CharField(max_length=150)
    order = models.PositiveIntegerField(default=0)
    old_amount = models.DecimalField(**MONEY, null=True, blank=True)
    new_amount = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["start_year", "order"]

    def __str__(self):
        return f"{self.start_year} {self.label}: {self.old_amount} to {self.new_amount}"

    @property
    def difference(self) -> Decimal:
        return (self.new_amount or Decimal(0)) - (self.old_amount or Decimal(0))


class FundingConfirmation(models.Model):
    """Next year's funding confirmed to the service (due by 31 December before it)."""

    start_year = models.PositiveIntegerField(unique=True)
    version = models.ForeignKey(BudgetVersion, on_delete=models.PROTECT, related_name="+")
    confirmed_on = models.DateField()
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_year"]

    def __str__(self):
        return f"Funding for {self.start_year} confirmed {self.confirmed_on}"


class MonitoringMonth(models.Model):
    """The service's monthly actuals and forecast outturn, one record per month."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    entered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="monitoring_month_is_first_day")
        ]

    def __str__(self):
        return f"Monitoring {self.month:%B %Y}"


class MonitoringLine(models.Model):
    monitoring = models.ForeignKey(MonitoringMonth, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=30, choices=Category.choices)
    actual = models.DecimalField(**MONEY, help_text="Spent (or received) in the month alone.")
    forecast_outturn = models.DecimalField(**MONEY, help_text="Forecast for the whole year.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring", "category"], name="one_monitoring_line_per_category"
            ),
            models.CheckConstraint(
                condition=Q(category="other") | Q(actual__gte=0, forecast_outturn__gte=0),
                name="monitoring_negative_only_where_allowed",
            ),
        ]

    def __str__(self):
        return f"{self.category}: {self.actual} / {self.forecast_outturn}"


class ExceptionExplanation(models.Model):
    """The service's explanation of a category outside tolerance in a month."""

    month = models.DateField()
    category = models.CharField(max_length=30, choices=Category.choices)
    text = models.TextField()
    explained_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    explained_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "category"], name="one_explanation_per_month_category"
            )
        ]

    def __str__(self):
        return f"Explanation {self.month:%Y-%m} {self.category}"
