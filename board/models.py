"""The Strategic Board's working life: members, meetings, agendas, decisions, actions.

The board (seed paper §3.5, §3.6: the Cabinet Member, Corporate Directors
including GET, and the head of service) meets; each meeting has an agenda
assembled from what waits for the board in the apps below (see `agenda.py`),
papers produced from those records, attendance, declarations of interest, a
decision per item recorded through the app that owns the record (with a
minute reference generated from the meeting), conditions that become actions
with an owner and a due date, and minutes approved at the next meeting.
"""

import datetime

from django.db import models
from django.db.models import Q

from lra_commissioning.audit import HistoricalRecords
from lra_commissioning.models import User

# Minute references: LRA-SB/<year>/<month>/<minute number>.
MINUTE_PREFIX = "LRA-SB"


class Position(models.TextChoices):
    CABINET_MEMBER = "cabinet_member", "Cabinet Member"
    ELECTED_MEMBER = "elected_member", "Elected member"
    CORPORATE_DIRECTOR = "corporate_director", "Corporate Director"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Membership(models.Model):
    """A person's seat on the board, in one position, from one date (to another)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="board_memberships")
    position = models.CharField(max_length=30, choices=Position.choices)
    title = models.CharField(
        max_length=150, blank=True, help_text="As the minutes name them, e.g. the portfolio."
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["position", "user__full_name", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="board_membership_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["user", "starts_on"], name="one_board_membership_per_start"
            ),
        ]

    def __str__(self):
        return f"{self.user}, {self.get_position_display()}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class BoardSettings(models.Model):
    """The administrator's settings for the board: one row (pk 1), defaults until saved."""

    papers_working_days = models.PositiveSmallIntegerField(
        default=5, help_text="Papers are due this many working days before the meeting."
    )
    # The quorum: at least this many members present in each position, and in all.
    quorum_cabinet_members = models.PositiveSmallIntegerField(default=1)
    quorum_elected_members = models.PositiveSmallIntegerField(default=0)
    quorum_corporate_directors = models.PositiveSmallIntegerField(default=1)
    quorum_heads_of_service = models.PositiveSmallIntegerField(default=0)
    quorum_total = models.PositiveSmallIntegerField(default=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "board settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="one_board_settings_row"),
            models.CheckConstraint(
                condition=Q(papers_working_days__gte=1, papers_working_days__lte=20),
                name="board_papers_days_1_to_20",
            ),
        ]

    def __str__(self):
        return "Board settings"

    @classmethod
    def current(cls) -> "BoardSettings":
        """The saved settings, or the defaults (unsaved: a read never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def quorum_by_position(self) -> dict[str, int]:
        return {
            Position.CABINET_MEMBER: self.quorum_cabinet_members,
            Position.ELECTED_MEMBER: self.quorum_elected_members,
            Position.CORPORATE_DIRECTOR: self.quorum_corporate_directors,
            Position.HEAD_OF_SERVICE: self.quorum_heads_of_service,
        }


class MeetingStatus(models.TextChoices):
    # Scheduled: the agenda is assembled and ordered, papers produced and
    # published; from the meeting day the board records attendance and decisions.
    SCHEDULED = "scheduled", "Scheduled"
    # Closed after the meeting: the minutes are drafted and may be edited.
    HELD = "held", "Held: minutes in draft"
    # The next meeting approved the minutes: frozen, public.
    MINUTES_APPROVED = "minutes_approved", "Held: minutes approved"
    # Cancelled before any decision; its items went back to wait for the board.
    CANCELLED = "cancelled", "Cancelled"


class PapersStatus(models.TextChoices):
    NONE = "none", "Not produced"
    # Queued for rendering by a Celery task.
    PENDING = "pending", "Being produced"
    FAILED = "failed", "Failed"
    READY = "ready", "Ready"


class Meeting(models.Model):
    reference = models.CharField(max_length=30, unique=True, help_text="e.g. LRA-SB/2026/07")
    date = models.DateField()
    starts_at = models.TimeField(default=datetime.time(10, 0))
    location = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    in_attendance = models.TextField(
        blank=True, help_text="Officers and others present who are not members."
    )
    cancelled_reason = models.TextField(blank=True)

    papers_status = models.CharField(
        max_length=10, choices=PapersStatus.choices, default=PapersStatus.NONE
    )
    papers_pdf = models.FileField(upload_to="board/papers/", blank=True)
    # The agenda the papers were produced from: a changed agenda needs new papers.
    papers_signature = models.CharField(max_length=64, blank=True)
    papers_error = models.TextField(blank=True)
    papers_requested_at = models.DateTimeField(null=True, blank=True)
    papers_generated_at = models.DateTimeField(null=True, blank=True)
    papers_published_at = models.DateTimeField(null=True, blank=True)
    papers_published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The members' e-mail about the published papers went out (the database is the outbox).
    papers_notice_sent_at = models.DateTimeField(null=True, blank=True)

    scheduled_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="minutes_approved_here",
        help_text="The meeting that approved these minutes.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(papers_published_at__isnull=True) | Q(papers_status="ready"),
                name="published_papers_are_ready",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancelled_reason=""),
                name="cancelled_meeting_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["held", "minutes_approved"]) | Q(closed_at__isnull=False),
                name="held_meeting_was_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status="minutes_approved") | Q(minutes_approved_at__isnull=False),
                name="approved_minutes_name_the_meeting",
            ),
        ]

    def __str__(self):
        return f"Strategic Board, {self.date:%-d %B %Y}"

    @property
    def title(self) -> str:
        return str(self)

    @property
    def is_held(self) -> bool:
        return self.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED)

    @property
    def papers_published(self) -> bool:
        return self.papers_published_at is not None


class ItemKind(models.TextChoices):
    """What an agenda item is about: the kinds of `agenda.SOURCES`, and hand-added business."""

    MINUTES = "minutes", "Minutes of the previous meeting"
    SPECIFICATION = "specification_version", "Specification to sign off"
    BUDGET = "budget_version", "Budget to agree"
    CHANGE = "change_request", "Fundamental change"
    IDEA = "service_idea", "Service idea"
    ESCALATION = "escalation", "Escalation"
    PERFORMANCE = "performance_quarter", "Performance exceptions"
    ANNUAL_REPORT = "annual_report", "Annual report"
    APPROACH_REVIEW = "approach_review", "Review of the commissioning approach"
    OTHER = "other", "Other business"


class ItemState(models.TextChoices):
    # On the agenda, waiting for the board's decision.
    OPEN = "open", "To be decided"
    # Decided at this meeting: the minute number and reference are set.
    DECIDED = "decided", "Decided"
    # The meeting closed without deciding it: it waits for the next agenda.
    NOT_TAKEN = "not_taken", "Not taken"


_DECIDED = Q(
    state="decided",
    minute_number__isnull=False,
    decided_by__isnull=False,
    decided_at__isnull=False,
) & ~Q(outcome="")
_NOT_DECIDED = ~Q(state="decided") & Q(
    minute_number__isnull=True, decided_by__isnull=True, decided_at__isnull=True, outcome=""
)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30, choices=ItemKind.choices)
    # The record the item is about ("change_request:4"); blank for other business.
    subject_key = models.CharField(max_length=60, blank=True)
    # The calendar obligation the decision meets or leads to ("specification:2027:sign_off").
    deadline_key = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=255)
    # Other business: what the board is asked, and the paper's text.
    what_is_asked = models.TextField(blank=True)
    paper_text = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True)
    is_confidential = models.BooleanField(default=False)
    confidential_reason = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=ItemState.choices, default=ItemState.OPEN)

    outcome = models.CharField(max_length=40, blank=True)
    outcome_label = models.CharField(max_length=80, blank=True)
    resolution = models.TextField(blank=True)
    minute_number = models.PositiveSmallIntegerField(null=True, blank=True)
    minute_reference = models.CharField(max_length=40, blank=True)
    minute_text = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    added_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            # A record waits on one agenda at a time: never twice, never on two meetings.
            models.UniqueConstraint(
                fields=["subject_key"],
                condition=Q(state="open") & ~Q(subject_key=""),
                name="one_open_agenda_item_per_record",
            ),
            models.UniqueConstraint(
                fields=["meeting", "minute_number"], name="one_minute_number_per_meeting"
            ),
            models.CheckConstraint(
                condition=_DECIDED | _NOT_DECIDED, name="agenda_decision_all_or_nothing"
            ),
            models.CheckConstraint(
                condition=Q(is_confidential=False) | ~Q(confidential_reason=""),
                name="confidential_item_states_why",
            ),
        ]

    def __str__(self):
        return f"Item {self.position}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state == ItemState.OPEN

    @property
    def is_decided(self) -> bool:
        return self.state == ItemState.DECIDED


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["membership__position", "membership__user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"], name="one_attendance_per_member"
            )
        ]

    def __str__(self):
        return f"{self.membership.user}: {self.get_status_display()}"


class Declaration(models.Model):
    """A member's declaration of interest in one item."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="declarations")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    interest = models.TextField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "membership"], name="one_declaration_per_member_and_item"
            )
        ]

    def __str__(self):
        return f"{self.membership.user}: {self.interest[:60]}"


class ActionStatus(models.TextChoices):
    # Waiting for its owner: a deadline in their calendar, with reminders.
    OPEN = "open", "Open"
    # Done: its deadline is met and its reminders stop.
    DONE = "done", "Done"


class BoardAction(models.Model):
    """A condition of a decision, or an action the board set: an owner and a due date."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="board_actions")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_note = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_on__isnull=False, done_by__isnull=False))
                | (Q(status="open") & Q(done_on__isnull=True, done_by__isnull=True)),
                name="board_action_done_all_or_nothing",
            )
        ]

    def __str__(self):
        return f"Board action {self.pk}: {self.description[:80]}"

    @property
    def obligation_key(self) -> str:
        return f"board_action:{self.pk}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today
