"""Monthly performance: KPI returns, reviews, reports, action plans, escalations.

A KPI value (`KpiReturn`) is keyed by the KPI's stable `code` and its period,
and linked to the KPI definition row in force for that period, so that history
spans specification versions. The values due in a month are grouped in that
month's `MonthlyReturn`, which the service submits and the commissioner
reviews value by value. RAG ratings are derived (performance.rag), never typed.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from lra_commissioning.audit import HistoricalRecords
from lra_commissioning.uploads import generated_upload_path
from lra_commissioning.workflow import Workflow, t
from specifications.models import KPI

User = settings.AUTH_USER_MODEL


class PerformanceSettings(models.Model):
    """Administrator-editable settings (one row): when returns fall due."""

    return_due_working_days = models.PositiveSmallIntegerField(
        default=settings.RETURN_DUE_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="A return is due on this working day after its period ends "
        "(weekends and bank holidays are skipped).",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "performance settings"
        verbose_name_plural = "performance settings"

    def __str__(self):
        return f"Returns due on working day {self.return_due_working_days} after the period"


class ReturnStatus(models.TextChoices):
    # Being entered by the service; values may be saved and changed.
    DRAFT = "draft", "Draft"
    # Submitted; the commissioner accepts or queries each value.
    SUBMITTED = "submitted", "Submitted"
    # At least one value was queried; the service corrects and resubmits.
    QUERIED = "queried", "Queried"
    # Every value accepted; a value changes only through a revision with a reason.
    ACCEPTED = "accepted", "Accepted"


RETURN_WORKFLOW = Workflow(
    "return",
    {
        "save": t({ReturnStatus.DRAFT, ReturnStatus.QUERIED}, None, "saved"),
        "submit": t({ReturnStatus.DRAFT}, ReturnStatus.SUBMITTED, "submitted"),
        "review": t({ReturnStatus.SUBMITTED}, None, "reviewed"),
        "resubmit": t({ReturnStatus.QUERIED}, ReturnStatus.SUBMITTED, "resubmitted"),
        "revise": t(
            {ReturnStatus.ACCEPTED, ReturnStatus.SUBMITTED, ReturnStatus.QUERIED},
            ReturnStatus.SUBMITTED,
            "revised",
        ),
    },
)


class ValueStatus(models.TextChoices):
    # Entered but not yet submitted: never rated, never shown to the commissioner.
    DRAFT = "draft", "Draft"
    # Submitted and waiting for the commissioner's decision.
    SUBMITTED = "submitted", "Submitted"
    # Queried with a comment: the service corrects it and resubmits.
    QUERIED = "queried", "Queried"
    # Accepted: changes only through a new revision with a reason.
    ACCEPTED = "accepted", "Accepted"


VALUE_WORKFLOW = Workflow(
    "value",
    {
        "edit": t({ValueStatus.DRAFT, ValueStatus.QUERIED}, None, "changed"),
        "accept": t({ValueStatus.SUBMITTED}, ValueStatus.ACCEPTED, "accepted"),
        "query": t({ValueStatus.SUBMITTED}, ValueStatus.QUERIED, "queried"),
        "revise": t({ValueStatus.ACCEPTED}, ValueStatus.SUBMITTED, "revised"),
    },
)


class MonthlyReturn(models.Model):
    """The service's KPI return for one month: every KPI whose period ends in it."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    due_on = models.DateField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_late = models.BooleanField(default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__day=1), name="monthly_return_month_is_first_day"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="monthly_return_submitted_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.month:%B %Y} KPI return"

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


class KpiReturn(models.Model):
    """One KPI's value for one period (month, quarter or year)."""

    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.PROTECT, related_name="values"
    )
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="returns")
    kpi_code = models.CharField(max_length=20, db_index=True)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    commentary = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True, max_length=500)
    evidence_file = models.FileField(upload_to=generated_upload_path, blank=True)
    evidence_name = models.CharField(max_length=150, blank=True)
    evidence_kind = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=ValueStatus.choices, default=ValueStatus.DRAFT)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi__order", "kpi_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi_code", "period_start", "period_end"],
                name="one_return_per_kpi_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="kpi_return_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(value__isnull=False),
                name="kpi_return_submitted_has_value",
            ),
            models.CheckConstraint(
                condition=~Q(status="queried") | ~Q(review_comment=""),
                name="kpi_return_query_has_comment",
            ),
        ]
        indexes = [models.Index(fields=["period_start", "kpi_code"])]

    def __str__(self):
        return f"{self.kpi_code} {self.period_start:%b %Y}"

    @property
    def is_rated(self) -> bool:
        return self.status != ValueStatus.DRAFT


class KpiCorrection(models.Model):
    """The service's correction of a queried value: its draft until resubmitted.

    Everyone else keeps seeing the submitted value and the commissioner's query;
    on resubmission the correction becomes the value (a new revision, with its
    reason) and this row goes (its history stays).
    """

    kpi_return = models.OneToOneField(
        KpiReturn, on_delete=models.CASCADE, related_name="correction"
    )
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    commentary = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True, max_length=500)
    evidence_file = models.FileField(upload_to=generated_upload_path, blank=True)
    evidence_name = models.CharField(max_length=150, blank=True)
    evidence_kind = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True, help_text="What the service changed and why.")
    saved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField()

    history = HistoricalRecords()

    def __str__(self):
        return f"Correction of {self.kpi_return}"


class KpiRevision(models.Model):
    """Every value the service has put forward for a KPI return, kept for ever."""

    kpi_return = models.ForeignKey(KpiReturn, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    commentary = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text="Why the value changed (after the first).")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["kpi_return", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi_return", "number"], name="one_revision_number_per_return"
            ),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(reason=""), name="later_revision_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.kpi_return} revision {self.number}"


class PreviewedUpload(models.Model):
    """A parsed file waiting for confirmation: the preview lives here, not in a form.

    `rows` are what confirming would save, `errors` the problems by row
    ([{"row": n, "message": ...}]); nothing is saved until a clean preview is
    confirmed, once, by the person who uploaded it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=150)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_clean(self) -> bool:
        return not self.errors and bool(self.rows)


class ReturnUpload(PreviewedUpload):
    """A KPI return file: rows are {"row", "code", "period", "value", "commentary"}."""

    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.CASCADE, related_name="uploads"
    )

    class Meta(PreviewedUpload.Meta):
        pass

    def __str__(self):
        return f"Upload {self.file_name} for {self.monthly_return}"


class ReportStatus(models.TextChoices):
    # Being written by the service.
    DRAFT = "draft", "Draft"
    # Submitted; the commissioner reviews it with comments.
    SUBMITTED = "submitted", "Submitted"
    # Reviewed by the commissioner; frozen.
    REVIEWED = "reviewed", "Reviewed"


REPORT_WORKFLOW = Workflow(
    "management report",
    {
        "edit": t({ReportStatus.DRAFT}, ReportStatus.DRAFT, "changed"),
        "submit": t({ReportStatus.DRAFT}, ReportStatus.SUBMITTED, "submitted"),
        "review": t({ReportStatus.SUBMITTED}, ReportStatus.REVIEWED, "reviewed"),
    },
)


class ManagementReport(models.Model):
    month = models.DateField(unique=True)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    highlights = models.TextField(blank=True)
    risks_and_issues = models.TextField(blank=True)
    finance_summary = models.TextField(blank=True)
    due_on = models.DateField()
    is_late = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comments = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__day=1), name="management_report_month_is_first_day"
            ),
            models.CheckConstraint(
                condition=~Q(status="reviewed") | ~Q(review_comments=""),
                name="reviewed_report_has_comments",
            ),
        ]

    def __str__(self):
        return f"{self.month:%B %Y} management report"

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(
        ManagementReport, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=generated_upload_path)
    display_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.display_name


class PlanStatus(models.TextChoices):
    # Being worked: actions are added and updated by the service.
    OPEN = "open", "Open"
    # Closed because the KPI recovered or the board accepted the position.
    CLOSED = "closed", "Closed"


class CloseReason(models.TextChoices):
    RECOVERED = "recovered", "The KPI has recovered"
    BOARD_ACCEPTED = "board_accepted", "The board accepts the position"


class ActionPlan(models.Model):
    kpi_code = models.CharField(max_length=20, db_index=True)
    kpi_title = models.CharField(max_length=255)
    opened_for_month = models.DateField()
    trigger = models.CharField(max_length=255, help_text="Why a plan is needed.")
    summary = models.TextField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    closing_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi_code"],
                condition=Q(status="open"),
                name="one_open_action_plan_per_kpi",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(close_reason="") & Q(closed_at__isnull=True))
                | (Q(status="closed") & ~Q(close_reason="") & Q(closed_at__isnull=False)),
                name="closed_plan_has_reason_and_time",
            ),
        ]

    def __str__(self):
        return f"Action plan for {self.kpi_code} {self.kpi_title}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Action(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=150)
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    done_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_on__isnull=False))
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="done_action_has_date",
            )
        ]

    def __str__(self):
        return self.description[:60]


class EscalationKind(models.TextChoices):
    PERFORMANCE = "performance", "Performance risk"
    FINANCIAL = "financial", "Financial risk"


class EscalationStatus(models.TextChoices):
    # With the board, waiting for its response.
    OPEN = "open", "Open"
    # The board has recorded its response.
    RESPONDED = "responded", "Responded"


ESCALATION_WORKFLOW = Workflow(
    "escalation",
    {"respond": t({EscalationStatus.OPEN}, EscalationStatus.RESPONDED, "responded to")},
)


class Escalation(models.Model):
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=EscalationKind.choices)
    kpi_code = models.CharField(max_length=20, blank=True)
    description = models.TextField()
    status = models.CharField(
        max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    raised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField()
    board_response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(responded_at__isnull=True))
                | (Q(status="responded") & ~Q(board_response="") & Q(responded_at__isnull=False)),
                name="responded_escalation_has_response",
            )
        ]

    def __str__(self):
        return self.title


class ComparatorValue(models.Model):
    """Another authority's annual figure for a KPI (imported by an administrator)."""

    kpi_code = models.CharField(max_length=20)
    start_year = models.PositiveIntegerField()
    authority = models.CharField(max_length=150)
    # A count KPI's value is per 1,000 residents; a percentage or a number of days
    # is compared as it is (see performance.selectors.comparison).
    value = models.DecimalField(max_digits=14, decimal_places=2)
    # Where the figure comes from ("CIPFA Public Library Statistics 2016/17";
    # the demo's say "Illustrative").
    source = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi_code", "start_year", "authority"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi_code", "start_year", "authority"],
                name="one_comparator_value_per_authority_year",
            )
        ]

    def __str__(self):
        return f"{self.authority} {self.kpi_code} {self.start_year}"


class ComparatorUpload(PreviewedUpload):
    """A comparator file: rows are {"row", "code", "year", "authority", "value",
    "replaces"} (the value held now, or None)."""

    class Meta(PreviewedUpload.Meta):
        pass

    def __str__(self):
        return f"Comparator upload {self.file_name}"
