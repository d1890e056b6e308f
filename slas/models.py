"""Support services and their service level agreements with the LRA service."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from lra_commissioning import dates
from lra_commissioning.audit import HistoricalRecords
from lra_commissioning.models import FinancialYear, User

from . import business_time


class SupportService(models.Model):
    """A council support service (ICT, HR, ...) that the LRA service relies on."""

    name = models.CharField(max_length=100, unique=True)
    council_wide_description = models.TextField(
        blank=True, help_text="The council-wide service description each SLA starts from."
    )
    leads = models.ManyToManyField(User, blank=True, related_name="led_support_services")

    history = HistoricalRecords(m2m_fields=[leads])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def is_led_by(self, user) -> bool:
        # Uses the prefetch cache when the caller prefetched `leads`.
        return any(lead.pk == user.pk for lead in self.leads.all())


class SlaStatus(models.TextChoices):
    # Being written by either side; the only state whose content may change.
    DRAFTING = "drafting", "Drafting"
    # Put to both parties; content frozen; each side may agree (or it goes back to drafting).
    PROPOSED = "proposed", "Proposed"
    # Agreed by a service manager and by the support service's lead; waits for its start.
    AGREED = "agreed", "Agreed"
    # Running: the support service reports against its service levels.
    IN_FORCE = "in_force", "In force"
    # Being reviewed for the year ahead; reporting continues.
    UNDER_REVIEW = "under_review", "Under review"
    # Reviewed and carried into next year's SLA. Final.
    RENEWED = "renewed", "Renewed"
    # Reviewed and not carried on. Final.
    ENDED = "ended", "Ended"


AGREED_STATUSES = frozenset(
    {
        SlaStatus.AGREED,
        SlaStatus.IN_FORCE,
        SlaStatus.UNDER_REVIEW,
        SlaStatus.RENEWED,
        SlaStatus.ENDED,
    }
)
# States in which the support service reports results.
REPORTING_STATUSES = frozenset(
    {SlaStatus.IN_FORCE, SlaStatus.UNDER_REVIEW, SlaStatus.RENEWED, SlaStatus.ENDED}
)


class SLA(models.Model):
    """The agreement between the LRA service and one support service for one year."""

    support_service = models.ForeignKey(
        SupportService, on_delete=models.PROTECT, related_name="slas"
    )
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="slas")
    status = models.CharField(max_length=20, choices=SlaStatus.choices, default=SlaStatus.DRAFTING)
    scope = models.TextField(
        "scope", blank=True, help_text="What the support service provides to the service."
    )
    bespoke = models.TextField(
        "what is bespoke to the service",
        blank=True,
        help_text="How this SLA differs from the council-wide service description.",
    )
    annual_charge = models.DecimalField(
        "annual charge or recharge",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    charge_basis = models.CharField("how the charge is worked out", max_length=255, blank=True)
    starts_on = models.DateField("start date")
    review_on = models.DateField("review date")
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )

    proposed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_on = models.DateField(null=True, blank=True)
    service_agreed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_agreed_on = models.DateField("agreed for the service on", null=True, blank=True)
    support_agreed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    support_agreed_on = models.DateField("agreed for the support service on", null=True, blank=True)
    agreed_on = models.DateField(
        "agreed on", null=True, blank=True, help_text="The day the second party agreed."
    )
    returned_comment = models.TextField("why it went back to drafting", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year__start_year", "support_service__name"]
        verbose_name = "SLA"
        verbose_name_plural = "SLAs"
        constraints = [
            models.UniqueConstraint(
                fields=["support_service", "financial_year"],
                name="one_sla_per_support_service_and_year",
            ),
            models.CheckConstraint(
                condition=models.Q(review_on__gt=models.F("starts_on")),
                name="sla_review_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_charge__gte=0), name="sla_charge_not_negative"
            ),
            # One person cannot agree both sides.
            models.CheckConstraint(
                condition=models.Q(service_agreed_by__isnull=True)
                | models.Q(support_agreed_by__isnull=True)
                | ~models.Q(service_agreed_by=models.F("support_agreed_by")),
                name="sla_two_different_people_agree",
            ),
            # An agreed SLA carries both agreements and its agreement date.
            models.CheckConstraint(
                condition=models.Q(status__in=["drafting", "proposed"], agreed_on__isnull=True)
                | (
                    ~models.Q(status__in=["drafting", "proposed"])
                    & models.Q(
                        agreed_on__isnull=False,
                        service_agreed_on__isnull=False,
                        support_agreed_on__isnull=False,
                    )
                ),
                name="sla_agreed_has_both_agreements",
            ),
        ]

    def __str__(self):
        return f"{self.support_service.name} SLA {self.financial_year.label}"

    @property
    def start_year(self) -> int:
        return self.financial_year.start_year

    @property
    def agreement_deadline(self) -> datetime.date:
        return agreement_deadline(self.financial_year.start_year)

    @property
    def ends_on(self) -> datetime.date:
        return dates.financial_year_end(self.financial_year.start_year)

    @property
    def is_agreed(self) -> bool:
        return self.status in AGREED_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status == SlaStatus.DRAFTING


def agreement_deadline(start_year: int) -> datetime.date:
    """Every SLA for a year is due to be agreed by 1 April, the year's first day."""
    return dates.financial_year_start(start_year)


class Raci(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class Responsibility(models.Model):
    """One activity and who on each side is responsible, accountable, consulted, informed.

    Each side's part is a set of RACI letters ("RA", "C", ...). Exactly one side
    is accountable and at least one is responsible (checked in the service).
    """

    sla = models.ForeignKey(SLA, on_delete=models.CASCADE, related_name="responsibilities")
    activity = models.CharField(max_length=255)
    service_raci = models.CharField("the service's part", max_length=4, blank=True)
    service_who = models.CharField("who in the service", max_length=150, blank=True)
    support_raci = models.CharField("the support service's part", max_length=4, blank=True)
    support_who = models.CharField("who in the support service", max_length=150, blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "responsibilities"

    def __str__(self):
        return self.activity

    @staticmethod
    def labels(letters: str) -> list[str]:
        return [Raci(letter).label for letter in "RACI" if letter in letters]

    @property
    def service_labels(self):
        return self.labels(self.service_raci)

    @property
    def support_labels(self):
        return self.labels(self.support_raci)


class LevelUnit(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    WORKING_HOURS = "working_hours", "Working hours"
    WORKING_DAYS = "working_days", "Working days"
    COUNT = "count", "Count"
    SCORE = "score", "Satisfaction score (1 to 5)"


# The range a target or result may take in each unit: (lowest, highest or None).
UNIT_RANGES = {
    LevelUnit.PERCENTAGE: (Decimal("0"), Decimal("100")),
    LevelUnit.WORKING_HOURS: (Decimal("0"), Decimal("2000")),
    LevelUnit.WORKING_DAYS: (Decimal("0"), Decimal("260")),
    LevelUnit.COUNT: (Decimal("0"), None),
    LevelUnit.SCORE: (Decimal("1"), Decimal("5")),
}


class ReportingFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annually"


class Clock(models.TextChoices):
    """How the time a case took is counted against a service level's time limit."""

    # Office hours (09:00 to 17:00) on working days: weekends and bank holidays
    # do not count (slas/business_time.py).
    WORKING_HOURS = "working_hours", "Working hours (09:00 to 17:00 on working days)"
    # Every hour, day and night, weekends and bank holidays too.
    CALENDAR_HOURS = "calendar_hours", "Calendar hours (around the clock)"


class ServiceLevel(models.Model):
    """A measurable promise, e.g. "P1 ICT incidents resolved within 4 working hours": 95%.

    A percentage with a time limit ("resolved within 4 working hours", "responded
    to within 1 hour") can be reported from its cases: each case's time from
    opening to response or resolution is counted on the level's clock, and the
    result is the share of cases within the limit (`within_limit_percent`).
    """

    sla = models.ForeignKey(SLA, on_delete=models.CASCADE, related_name="service_levels")
    measure = models.CharField(max_length=255)
    unit = models.CharField(max_length=20, choices=LevelUnit.choices)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    higher_is_better = models.BooleanField(
        default=True, help_text="Met when the result is at or above the target."
    )
    how_measured = models.TextField("how it is measured", blank=True)
    frequency = models.CharField(
        "reporting frequency",
        max_length=20,
        choices=ReportingFrequency.choices,
        default=ReportingFrequency.QUARTERLY,
    )
    time_limit_hours = models.DecimalField(
        "time limit in hours",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="For a percentage of cases dealt with in time: the time each case is given.",
    )
    clock = models.CharField(max_length=20, choices=Clock.choices, default=Clock.WORKING_HOURS)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.measure

    @property
    def is_timed(self) -> bool:
        """Whether results can be worked out from cases (a percentage within a time limit)."""
        return self.unit == LevelUnit.PERCENTAGE and self.time_limit_hours is not None

    @property
    def time_limit_text(self) -> str:
        if not self.is_timed:
            return ""
        hours = f"{self.time_limit_hours.normalize():f}"
        kind = "working hours" if self.clock == Clock.WORKING_HOURS else "hours"
        return f"within {hours} {kind}"

    @property
    def target_text(self) -> str:
        comparison = "at least" if self.higher_is_better else "at most"
        text = f"{comparison} {format_value(self.target, self.unit)}"
        return f"{text} of cases {self.time_limit_text}" if self.is_timed else text

    def within_limit_percent(self, cases) -> Decimal | None:
        """The percentage of (opened, dealt with) cases within the time limit, counted on
        this level's clock; None when there are no cases."""
        return business_time.percent_within(
            cases,
            limit=self.time_limit_hours,
            calendar_hours=self.clock == Clock.CALENDAR_HOURS,
        )


def format_value(value, unit) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    suffix = {
        LevelUnit.PERCENTAGE: "%",
        LevelUnit.WORKING_HOURS: " working hours",
        LevelUnit.WORKING_DAYS: " working days",
        LevelUnit.SCORE: " out of 5",
    }.get(unit, "")
    return f"{text}{suffix}"


class EscalationContact(models.Model):
    """Who to go to when the SLA is not working, in order."""

    class Side(models.TextChoices):
        SERVICE = "service", "The service"
        SUPPORT = "support", "The support service"

    sla = models.ForeignKey(SLA, on_delete=models.CASCADE, related_name="escalation_contacts")
    side = models.CharField(max_length=10, choices=Side.choices)
    level = models.PositiveSmallIntegerField(
        "escalation level", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    email = models.EmailField("e-mail address", blank=True)
    phone = models.CharField("telephone", max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "side", "id"]

    def __str__(self):
        return f"{self.name} (level {self.level})"


class Rating(models.TextChoices):
    MET = "met", "Met"
    BREACHED = "breached", "Breached"


def rate(value: Decimal, target: Decimal, higher_is_better: bool) -> Rating:
    """Met at the target or better; breached otherwise. The one place results are rated."""
    if higher_is_better:
        return Rating.MET if value >= target else Rating.BREACHED
    return Rating.MET if value <= target else Rating.BREACHED


class ServiceLevelResult(models.Model):
    """The support service's result against one service level for one period."""

    service_level = models.ForeignKey(
        ServiceLevel, on_delete=models.CASCADE, related_name="results"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    # Stored with the result so that a later change of target does not re-rate history.
    rating = models.CharField(max_length=10, choices=Rating.choices)
    commentary = models.TextField(blank=True, help_text="Why a breach happened.")
    improvement_action = models.TextField(blank=True)
    improvement_owner = models.CharField(max_length=150, blank=True)
    improvement_due_on = models.DateField(null=True, blank=True)
    reported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "period_start"], name="one_result_per_level_and_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="result_period_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.service_level} {self.period_start:%B %Y}"

    @property
    def is_breach(self) -> bool:
        return self.rating == Rating.BREACHED

    @property
    def needs_commentary(self) -> bool:
        return self.is_breach and not self.commentary.strip()

    @property
    def due_on(self) -> datetime.date:
        return results_due_on(self.period_end)


# Results are due this many working days after their period ends.
RESULTS_DUE_WORKING_DAYS = 10


def results_due_on(period_end: datetime.date) -> datetime.date:
    return dates.nth_working_day_after(period_end, RESULTS_DUE_WORKING_DAYS)


def level_periods(frequency: str, sla_start: datetime.date, start_year: int) -> list[dates.Period]:
    """The reporting periods of a service level that overlap its SLA, in order."""
    if frequency == ReportingFrequency.MONTHLY:
        periods = [dates.month_period(m) for m in dates.financial_year_months(start_year)]
    elif frequency == ReportingFrequency.QUARTERLY:
        periods = dates.financial_year_quarters(start_year)
    else:
        periods = [dates.year_period(start_year)]
    return [p for p in periods if p.end >= sla_start]


@dataclass(frozen=True)
class AgreementStatus:
    """Where a support service stands against the 1 April agreement deadline."""

    key: str  # agreed | late | missing | due
    label: str
    tag: str  # GOV.UK tag colour modifier; the label always says it in words

    @property
    def is_exception(self) -> bool:
        return self.key in ("late", "missing")


def agreement_status(sla, start_year: int, today: datetime.date) -> AgreementStatus:
    """Agreed (by 1 April), late (agreed after it, or still not agreed after it),
    missing (no SLA once the deadline has passed) or due (before the deadline)."""
    deadline = agreement_deadline(start_year)
    if sla is None:
        if today > deadline:
            return AgreementStatus("missing", "Missing", "govuk-tag--red")
        return AgreementStatus("due", "Not started", "govuk-tag--grey")
    if sla.agreed_on is not None:
        if sla.agreed_on <= deadline:
            return AgreementStatus("agreed", "Agreed", "govuk-tag--green")
        return AgreementStatus("late", "Agreed late", "govuk-tag--orange")
    if today > deadline:
        return AgreementStatus("late", "Late: not agreed", "govuk-tag--red")
    return AgreementStatus("due", f"Due by {deadline:%-d %B %Y}", "govuk-tag--grey")
