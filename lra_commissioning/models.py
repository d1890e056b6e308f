"""Records every app shares: people and their roles, financial years."""

import contextlib
import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from . import dates
from .audit import HistoricalRecords
from .roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Users sign in with their e-mail address, so it must be set.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        user = self._create_user(email, password, **extra)
        UserRole.objects.get_or_create(user=user, role=Role.ADMINISTRATOR)
        return user

    def with_role(self, role):
        return self.filter(role_grants__role=role, is_active=True).distinct()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    is_head_of_service = models.BooleanField(
        default=False,
        help_text="The head of service agrees the specification, budget notices and "
        "minor variations for the service. Only a service manager can be head of service.",
    )
    is_active = models.BooleanField(default=True)
    # Django admin access only; the app's own pages use roles.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    # Never in the data export (lra_commissioning/data_export.py).
    export_secret_fields = ("password",)

    objects = UserManager()

    # The session authentication hash of a person read from the cache, which
    # keeps no password hash (lra_commissioning/auth.py).
    kept_session_auth_hash = None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def get_session_auth_hash(self):
        """Django's hash of the password that signs a session in; for a person read
        from the cache (password not loaded), the hash kept with them."""
        if self.kept_session_auth_hash is not None and "password" in self.get_deferred_fields():
            return self.kept_session_auth_hash
        return super().get_session_auth_hash()

    @cached_property
    def roles(self) -> frozenset:
        """The roles this person holds (one query, cached on the instance)."""
        if not self.is_active or self.pk is None:
            return frozenset()
        return frozenset(Role(r) for r in self.role_grants.values_list("role", flat=True))

    def forget_roles(self) -> None:
        """Read `roles` again on next use (after roles were granted or removed)."""
        with contextlib.suppress(AttributeError):  # not read yet
            del self.roles

    def has_role(self, role) -> bool:
        return role in self.roles

    @property
    def role_labels(self):
        return [Role(r).label for r in sorted(self.roles)]


class UserRole(models.Model):
    """One role held by one person."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_user_and_role")
        ]
        ordering = ["user", "role"]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}"


class FinancialYearQuerySet(models.QuerySet):
    def containing(self, day: datetime.date):
        return self.filter(start_year=dates.financial_year_of(day))


class FinancialYear(models.Model):
    """A council financial year, 1 April to 31 March, named like 2016/17."""

    start_year = models.PositiveIntegerField(
        unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    # The council area's residents (the mid-year estimate): comparisons with other
    # authorities are made per 1,000 residents.
    resident_population = models.PositiveIntegerField("resident population", null=True, blank=True)

    history = HistoricalRecords()

    objects = FinancialYearQuerySet.as_manager()

    class Meta:
        ordering = ["start_year"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return dates.financial_year_label(self.start_year)

    @property
    def start_date(self) -> datetime.date:
        return dates.financial_year_start(self.start_year)

    @property
    def end_date(self) -> datetime.date:
        return dates.financial_year_end(self.start_year)

    def months(self):
        return dates.financial_year_months(self.start_year)

    def quarters(self):
        return dates.financial_year_quarters(self.start_year)

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


class IdempotencyKey(models.Model):
    """A POST that has been carried out, by its client-chosen key (see idempotency.py).

    Stored in the same transaction as the write it guards, so either both are
    saved or neither: a client that retries after a lost response gets the
    first response again instead of a second write.
    """

    # A record of requests already answered, like a session: not the service's
    # data, so not in the data export.
    exported = False

    scope = models.CharField(max_length=200, unique=True)  # "<user id or anon>:<key>"
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.scope


class InvitationQuerySet(models.QuerySet):
    def open(self, *, now=None):
        """Invitations whose link still works: not used, not replaced, not expired."""
        return self.filter(
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class Invitation(models.Model):
    """An e-mailed link with which a person sets their password and two-factor sign-in.

    Single use and expiring. The link's token is not stored: it is a keyed hash
    (SECRET_KEY) of the invitation, the person and their e-mail address, so the
    database (and the data export) holds nothing that opens an account, and a
    link sent to an address that has since changed stops working. A person has
    at most one invitation open: a new one withdraws the last. `created_by` is
    empty when the person asked for it themselves (the "forgotten password"
    page, for an account never set up).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Replaced by a newer invitation before it was used.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_invitation_per_person",
            )
        ]

    def __str__(self):
        return f"Invitation of {self.user} ({self.created_at:%Y-%m-%d})"

    def token(self) -> str:
        from django.utils.crypto import salted_hmac

        value = f"{self.pk}:{self.user_id}:{self.user.email}:{self.created_at.isoformat()}"
        return salted_hmac("lra_commissioning.Invitation", value, algorithm="sha256").hexdigest()[
            :40
        ]

    def check_token(self, token: str) -> bool:
        from django.utils.crypto import constant_time_compare

        return bool(token) and constant_time_compare(token, self.token())

    def is_open(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > now


class NotificationKind(models.TextChoices):
    """What a notification is about; each person may turn e-mail off per kind."""

    DEADLINE_REMINDER = "deadline_reminder", "Reminders of your deadlines"
    DEADLINE_ESCALATION = "deadline_escalation", "Overdue deadlines escalated to you"
    TO_REVIEW = "to_review", "Work sent to you to review"
    RETURNED = "returned", "Work queried or returned to you"
    TO_AGREE = "to_agree", "Things waiting for your agreement"
    TO_DECIDE = "to_decide", "Items sent to the board for a decision"
    DECIDED = "decided", "Decisions you now act on"
    RISK_ESCALATION = "risk_escalation", "Risks escalated to the board, and the board's answers"
    BUDGET_NOTICE = "budget_notice", "Budget notices to acknowledge"


class EmailStatus(models.TextChoices):
    # Queued: a task will send it (the row is the outbox).
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    # In-app only: the person turned e-mail off for this kind, has no address, or the
    # notification records history built after the fact (the demo).
    NOT_WANTED = "not_wanted", "Not sent by e-mail"


class Notification(models.Model):
    """One thing one person is told, in the app and (unless turned off) by e-mail.

    `event` names what happened (for example "kpi_return:2026-10:submitted:<time>"):
    a person is told about an event once, whoever calls twice (the unique
    constraint), and the e-mail is sent once under a row lock (see
    lra_commissioning.notifications).
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    event = models.CharField(max_length=200)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    # The page of the item, a path on this site ("/performance/returns/2026-10/").
    url = models.CharField(max_length=500)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"], name="one_notification_per_event_and_recipient"
            ),
            models.CheckConstraint(
                name="sent_notification_has_emailed_at",
                condition=~models.Q(email_status="sent") | models.Q(emailed_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_status", "created_at"]),
        ]

    def __str__(self):
        return f"{self.title} to {self.recipient}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class EmailOptOut(models.Model):
    """A person who does not want e-mails of one kind (in-app notifications stay)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_user_and_kind")
        ]

    def __str__(self):
        return f"{self.user}: no e-mail for {self.get_kind_display().lower()}"


class UnqueuedTask(models.Model):
    """Background work that could not be queued because the broker was unreachable.

    The database is the outbox: `lra_commissioning.celery` writes a row here
    when queueing fails, and the catch-up job (every minute) queues each row
    again once the broker answers, whatever its age, then deletes it. One row
    per task and arguments: asking twice during an outage queues it once.
    """

    task = models.CharField(max_length=200)
    arguments = models.TextField(default="[]")  # the task's positional arguments, as JSON
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "arguments"], name="one_unqueued_row_per_task")
        ]

    def __str__(self):
        return f"{self.task}{self.arguments}"


class PendingPageInvalidation(models.Model):
    """A write whose move of the page cache's generation did not reach the cache.

    While any row exists, kept pages are not served: the next request (or the
    catch-up job) moves the generation, then deletes the rows it saw. See
    `lra_commissioning/page_cache.py`.
    """

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"pending since {self.created_at:%Y-%m-%d %H:%M:%S}"


class DemoStory(models.Model):
    """Set by `load_demo`: this installation holds the demonstration story.

    Its presence puts the demonstration banner on every page and stops a
    second `load_demo` from telling the story again.
    """

    # A fact about the installation, not the service's data.
    exported = False

    loaded_at = models.DateTimeField()
    through_month = models.DateField(help_text="The last month the story reached.")

    def __str__(self):
        return f"Demonstration story to {self.through_month:%B %Y}"
