"""The commissioning cycle: deadline rules, deadlines, reminders, feeds, annual reports.

Deadlines are generated from rules an administrator can change (see
`generator.py`). Each deadline is keyed by the obligation that meets it (the
keys of `lra_commissioning.obligations`), so meeting the obligation anywhere
meets the deadline and stops its reminders.
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from lra_commissioning.audit import HistoricalRecords
from lra_commissioning.deadlines import DeadlineKind
from lra_commissioning.models import FinancialYear, User
from lra_commissioning.roles import Role

# The kinds of deadline are named in the core (lra_commissioning.deadlines), where the
# apps below that add per-record deadlines can reach them without importing the cycle.

MONTHLY_KINDS = frozenset({DeadlineKind.KPI_RETURN, DeadlineKind.MANAGEMENT_REPORT})
PER_RECORD_KINDS = frozenset(
    {
        DeadlineKind.ACTION,
        DeadlineKind.CHANGE_REQUEST,
        DeadlineKind.BOARD_ACTION,
        DeadlineKind.BOARD_PAPERS,
        DeadlineKind.SLA_SUPPORT_AGREEMENT,
        DeadlineKind.SLA_RESULTS,
    }
)
RULE_KINDS = [k for k in DeadlineKind if k not in PER_RECORD_KINDS]
# Publication dates appear in the public calendar feed.
PUBLIC_KINDS = frozenset({DeadlineKind.SPECIFICATION_PUBLISH, DeadlineKind.ANNUAL_REPORT})


class DeadlineRule(models.Model):
    """How one kind of deadline is dated each financial year.

    Monthly kinds are due on the Nth working day after the month ends
    (`working_days`). The others fall on `day` `month` of the calendar year
    `start_year + year_offset`, where start_year names the financial year the
    obligation is for (the 2017/18 business plan: 31 March 2017, offset 0).
    `only_in_year` limits a one-off rule (the review of the approach) to one year.
    """

    kind = models.CharField(max_length=40, choices=DeadlineKind.choices, unique=True)
    responsible_role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    working_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    year_offset = models.SmallIntegerField(
        default=0, validators=[MinValueValidator(-1), MaxValueValidator(2)]
    )
    only_in_year = models.PositiveIntegerField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="rule_is_monthly_or_dated",
                condition=(
                    models.Q(working_days__isnull=False, month__isnull=True, day__isnull=True)
                    | models.Q(working_days__isnull=True, month__isnull=False, day__isnull=False)
                ),
            )
        ]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_monthly(self) -> bool:
        return self.kind in MONTHLY_KINDS

    def due_date(self, start_year: int) -> datetime.date:
        return datetime.date(start_year + self.year_offset, self.month, self.day)

    @property
    def describe(self) -> str:
        if self.is_monthly:
            return f"{self.working_days} working days after the month ends"
        when = datetime.date(2001, self.month, self.day).strftime("%-d %B")
        relative = {
            -1: "in the calendar year before the financial year starts",
            0: "in the calendar year the financial year starts",
            1: "in the calendar year after the financial year starts",
            2: "two calendar years after the financial year starts",
        }[self.year_offset]
        text = f"{when} {relative}"
        if self.only_in_year:
            text += f" (only for {self.only_in_year}/{(self.only_in_year + 1) % 100:02d})"
        return text


class Escalation(models.TextChoices):
    NONE = "", "No escalation"
    COMMISSIONERS = "commissioners", "Escalate to the commissioners"
    BOARD = "board", "Escalate to the board"


ESCALATION_LEVEL = {Escalation.NONE: 0, Escalation.COMMISSIONERS: 1, Escalation.BOARD: 2}


class ReminderOffset(models.Model):
    """When reminders go out: days relative to the due date (negative: before it)."""

    days = models.SmallIntegerField(
        unique=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    escalate_to = models.CharField(
        max_length=20, choices=Escalation.choices, default=Escalation.NONE, blank=True
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["days"]
        constraints = [
            models.CheckConstraint(
                name="escalate_only_when_overdue",
                condition=models.Q(escalate_to="") | models.Q(days__gt=0),
            )
        ]

    def __str__(self):
        return self.describe

    @property
    def describe(self) -> str:
        if self.days < 0:
            n = -self.days
            return f"{n} day{'s' if n != 1 else ''} before"
        if self.days == 0:
            return "On the day"
        return f"{self.days} day{'s' if self.days != 1 else ''} overdue"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(met_on__isnull=True, withdrawn=False)

    def for_person(self, user):
        """Deadlines this person is responsible for: named, or by a role they hold."""
        return self.filter(
            models.Q(responsible_person=user)
            | models.Q(responsible_person__isnull=True, responsible_role__in=list(user.roles))
        )


class Deadline(models.Model):
    """One dated obligation of the commissioning cycle."""

    key = models.CharField(
        max_length=100, unique=True, help_text="The obligation key that meets it."
    )
    kind = models.CharField(max_length=40, choices=DeadlineKind.choices)
    title = models.CharField(max_length=255)
    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, related_name="deadlines"
    )
    due_on = models.DateField()
    responsible_role = models.CharField(max_length=32, choices=Role.choices)
    responsible_person = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    met_on = models.DateField(null=True, blank=True)
    met_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Recorded met by hand (only an obligation with no record in the system):
    # who met it and why it is recorded here; the history keeps who recorded it.
    met_by_name = models.CharField("who met it", max_length=150, blank=True)
    met_reason = models.TextField("why it was recorded as met", blank=True)
    # 0 none, 1 escalated to the commissioners, 2 escalated to the board.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # A rule switched off withdraws its open deadlines: no reminders, not shown.
    withdrawn = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["met_on", "withdrawn", "due_on"])]
        constraints = [
            models.CheckConstraint(
                name="met_on_set_when_met_by_set",
                condition=models.Q(met_by__isnull=True) | models.Q(met_on__isnull=False),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_met(self) -> bool:
        return self.met_on is not None

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_met and not self.withdrawn and self.due_on < today

    def status(self, today: datetime.date) -> str:
        if self.withdrawn:
            return "Withdrawn"
        if self.is_met:
            return "Met late" if self.met_on > self.due_on else "Met"
        if self.due_on < today:
            return "Overdue"
        if self.due_on == today:
            return "Due today"
        return "Upcoming"

    @property
    def responsible_label(self) -> str:
        if self.responsible_person_id:
            return str(self.responsible_person)
        return Role(self.responsible_role).label + "s"

    @property
    def escalation_label(self) -> str:
        return {0: "", 1: "Escalated to the commissioners", 2: "Escalated to the board"}[
            self.escalation_level
        ]


class ReminderStatus(models.TextChoices):
    # Created by the sweep; a task will send it.
    PENDING = "pending", "Waiting to be sent"
    # The e-mail went out (and it is in the person's notifications).
    SENT = "sent", "Sent"
    # The obligation was met before it went out: never sent.
    CANCELLED = "cancelled", "Not sent: deadline met"


class Reminder(models.Model):
    """One reminder to one person about one deadline at one offset: at most once, ever."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.SmallIntegerField()
    is_escalation = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "recipient", "offset_days"],
                name="one_reminder_per_deadline_recipient_offset",
            ),
            models.CheckConstraint(
                name="sent_reminder_has_sent_at",
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["recipient", "status"])]

    def __str__(self):
        return f"{self.deadline} to {self.recipient} ({self.offset_days:+d})"

    @property
    def subject(self) -> str:
        """The e-mail's subject: one line, whatever the title holds.

        A line break reaching the Subject header would make Django refuse the
        message (BadHeaderError) and the reminder would never go out, so every
        run of whitespace in the title becomes one space.
        """
        due = self.deadline.due_on.strftime("%-d %B %Y")
        title = " ".join(self.deadline.title.split())
        if self.is_escalation:
            return f"Escalated: {title} was due {due}"
        if self.offset_days > 0:
            return f"Overdue: {title} was due {due}"
        if self.offset_days == 0:
            return f"Due today: {title}"
        return f"{title} due {due}"


class CalendarFeed(models.Model):
    """A person's private calendar address; revoking it deletes the row."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["token"])

    # The token is the address: whoever has it reads the person's deadlines. The
    # data export leaves it out, and an import gives each feed a new one.
    export_secret_fields = ("token",)

    def __str__(self):
        return f"Calendar feed of {self.user}"


class ReportKind(models.TextChoices):
    ANNUAL = "annual", "Annual report"
    CABINET = "cabinet", "Annual performance report to the cabinet committee"


class ReportStatus(models.TextChoices):
    # The service writes its parts: foreword, outcome narratives, business plan report back.
    DRAFTING = "drafting", "Being written by the service"
    # With the commissioner, who adds an assessment per outcome and overall.
    WITH_COMMISSIONER = "with_commissioner", "With the commissioner for assessment"
    # Queued for rendering by a Celery task.
    PENDING = "pending", "Being produced"
    # Rendering failed; the commissioner may try again.
    FAILED = "failed", "Failed"
    # Rendered; waits for a commissioner's review and approval.
    GENERATED = "generated", "Ready for review"
    # Approved by a commissioner. The cabinet report's last state.
    APPROVED = "approved", "Approved"
    # On the public site. Frozen for ever.
    PUBLISHED = "published", "Published"


class AnnualReport(models.Model):
    """The annual report (public) or the cabinet committee report for a finished year."""

    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, related_name="annual_reports"
    )
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    pdf = models.FileField(upload_to="annual-reports/", blank=True)
    # What the report said, kept with it: the HTML summary shows the same figures.
    summary = models.JSONField(default=dict, blank=True)
    render_error = models.TextField(blank=True)
    # The service's foreword (by the head of service) and the commissioner's overall view.
    foreword = models.TextField(blank=True)
    foreword_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overall_assessment = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(blank=True)
    # The cabinet committee report: where and when it was considered, and what it resolved.
    committee = models.CharField(max_length=200, blank=True)
    committee_meeting_on = models.DateField(null=True, blank=True)
    recommendation = models.TextField(blank=True)
    resolution = models.TextField(blank=True)
    resolution_recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The report's content as rendered (the same HTML the PDF was made from), so the
    # public page shows exactly what the PDF says, frozen with it.
    body_html = models.TextField(blank=True)
    render_seconds = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year__start_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "kind"], name="one_report_per_year_and_kind"
            ),
            models.CheckConstraint(
                name="only_the_annual_report_is_published",
                condition=~models.Q(status="published") | models.Q(kind="annual"),
            ),
            models.CheckConstraint(
                name="approval_all_or_nothing",
                condition=models.Q(approved_by__isnull=True, approved_at__isnull=True)
                | models.Q(approved_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.financial_year.label}"

    @property
    def title(self) -> str:
        return str(self)

    @property
    def is_written_by_the_service(self) -> bool:
        return self.kind == ReportKind.ANNUAL

    @property
    def resolution_recorded(self) -> bool:
        return bool(self.resolution and self.committee_meeting_on)


class ReportOutcome(models.Model):
    """One outcome's chapter of an annual report: the service's account, the
    commissioner's assessment."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="outcomes")
    outcome_code = models.CharField(max_length=20)
    outcome_title = models.CharField(max_length=255)
    order = models.PositiveIntegerField(default=0)
    narrative = models.TextField(blank=True)
    highlights = models.TextField(blank=True, help_text="One highlight a line.")
    case_study = models.TextField(blank=True)
    assessment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "outcome_code"], name="one_report_chapter_per_outcome"
            )
        ]

    def __str__(self):
        return f"{self.outcome_code} {self.outcome_title}"

    @property
    def highlight_list(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.highlights.splitlines() if line.strip()]

    @property
    def is_written(self) -> bool:
        return bool(self.narrative.strip())


class Delivery(models.TextChoices):
    DELIVERED = "delivered", "Delivered"
    PARTLY = "partly", "Partly delivered"
    NOT_DELIVERED = "not_delivered", "Not delivered"


class ReportActionReturn(models.Model):
    """The service's year-end report back on one action of its business plan."""

    report = models.ForeignKey(
        AnnualReport, on_delete=models.CASCADE, related_name="action_returns"
    )
    outcome_code = models.CharField(max_length=20)
    description = models.CharField(max_length=500)
    milestone_on = models.DateField(null=True, blank=True)
    owner = models.CharField(max_length=150, blank=True)
    order = models.PositiveIntegerField(default=0)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, blank=True)
    comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.description[:60]


class ApproachReviewStatus(models.TextChoices):
    # Being written by the commissioner, with the service's input.
    DRAFT = "draft", "In progress"
    # Considered by the board and the committee: the review is done.
    COMPLETED = "completed", "Completed"


class ApproachReview(models.Model):
    """The review of the commissioning approach twelve months in (the paper, §3.9)."""

    financial_year = models.OneToOneField(
        FinancialYear, on_delete=models.PROTECT, related_name="approach_review"
    )
    status = models.CharField(
        max_length=20, choices=ApproachReviewStatus.choices, default=ApproachReviewStatus.DRAFT
    )
    scope = models.TextField()
    service_input = models.TextField(blank=True)
    findings = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    board_considered_on = models.DateField(null=True, blank=True)
    board_conclusion = models.TextField(blank=True)
    committee = models.CharField(max_length=200, blank=True)
    committee_considered_on = models.DateField(null=True, blank=True)
    committee_conclusion = models.TextField(blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year__start_year"]

    def __str__(self):
        return f"Review of the commissioning approach {self.financial_year.label}"
