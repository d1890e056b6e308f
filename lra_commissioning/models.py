"""Records every app shares: people and their roles, financial years."""

import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from . import dates
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

    objects = UserManager()

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

    @cached_property
    def roles(self) -> frozenset:
        """The roles this person holds (one query, cached on the instance)."""
        if not self.is_active or self.pk is None:
            return frozenset()
        return frozenset(Role(r) for r in self.role_grants.values_list("role", flat=True))

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

    scope = models.CharField(max_length=200, unique=True)  # "<user id or anon>:<key>"
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.scope
