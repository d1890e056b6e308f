"""What the administrator's home page lists: the reference data they keep."""

from django.urls import reverse

from . import dates
from .attention import AttentionItem
from .models import FinancialYear, User
from .permissions import Perm, can
from .selectors import today


def items_for(user):
    if not can(user, Perm.USERS_MANAGE):
        return []
    items = []
    next_year = dates.financial_year_of(today()) + 1
    if not FinancialYear.objects.filter(start_year=next_year).exists():
        items.append(
            AttentionItem(
                group="Administration",
                title=f"Add the financial year {dates.financial_year_label(next_year)}",
                url=reverse("administration:financial_years"),
                status="Missing",
                overdue=True,
            )
        )
    without_role = User.objects.filter(is_active=True, role_grants__isnull=True).count()
    if without_role:
        items.append(
            AttentionItem(
                group="Administration",
                title=f"{without_role} open account(s) with no role",
                url=reverse("administration:people"),
                status="To review",
            )
        )
    items.append(
        AttentionItem(
            group="Administration",
            title="People and roles",
            url=reverse("administration:people"),
        )
    )
    return items
