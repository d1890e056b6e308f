"""The budget's arithmetic, done once: pure functions over Decimals.

Derived figures (gross expenditure, income, net, the income split, variance
and the tolerance rule) are computed here from stored amounts and never typed.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lra_commissioning import numbers

from .models import (
    CATEGORIES_ALLOWING_NEGATIVE,
    INCOME_CATEGORIES,
    Category,
    IncomeRule,
)

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
# Far beyond any council service's budget line: catches a slipped keyboard
# (an extra three zeros) before it reaches a board paper.
MAX_AMOUNT = Decimal("999999999.99")
RECHARGE_PREFIX = "corporate_recharge:"

# The order lines are shown in: expenditure, then income.
CATEGORY_ORDER = [
    Category.STAFFING,
    Category.PREMISES,
    Category.STOCK,
    Category.ICT,
    Category.CORPORATE_RECHARGE,
    Category.OTHER,
    Category.FEES,
    Category.BUILDING_INCOME,
    Category.GRANTS,
]


def money(value) -> Decimal:
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def line_key(category, support_service_id=None) -> str:
    """'staffing', or 'corporate_recharge:<support service id>' for a recharge line."""
    category = Category(category)
    if category == Category.CORPORATE_RECHARGE:
        if support_service_id is None:
            raise ValueError("A corporate recharge line names its support service.")
        return f"{RECHARGE_PREFIX}{support_service_id}"
    return category.value


def parse_line_key(key: str) -> tuple[Category, int | None]:
    """The inverse of `line_key`; ValueError for an unknown key."""
    if key.startswith(RECHARGE_PREFIX):
        return Category.CORPORATE_RECHARGE, int(key[len(RECHARGE_PREFIX) :])
    category = Category(key)
    if category == Category.CORPORATE_RECHARGE:
        raise ValueError("A corporate recharge line names its support service.")
    return category, None


def allows_negative(category) -> bool:
    return Category(category) in CATEGORIES_ALLOWING_NEGATIVE


def is_income(category) -> bool:
    return Category(category) in INCOME_CATEGORIES


def parse_amount(text, *, label: str, category=None, allow_blank=False) -> Decimal | None:
    """A typed amount as Decimal pounds, or ValueError with a GOV.UK message.

    Accepts "1234.5", "1,234.50", "£1,234.50"; refuses text, more than two
    decimal places, absurd magnitudes and negatives where the category does
    not allow them.
    """
    raw = str(text if text is not None else "").strip()
    if raw == "":
        if allow_blank:
            return None
        raise ValueError(f"Enter an amount for {label}")
    # The site's one number rule (lra_commissioning.numbers), in a finance paper's words.
    try:
        value = numbers.parse_decimal(raw, what=label, unit=numbers.MONEY, min_value=None)
    except numbers.NumberRefused as exc:
        if exc.code == "places":
            raise ValueError(
                f"{label} must be in pounds and pence, with no more than 2 decimal places"
            ) from None
        if exc.code == "too_large":
            raise ValueError(
                f"{label} must be less than £1 billion: check for extra zeros"
            ) from None
        raise ValueError(
            f"{label} must be an amount in pounds, like 1250000 or 1,250,000.00"
        ) from None
    if abs(value) > MAX_AMOUNT:
        raise ValueError(f"{label} must be less than £1 billion: check for extra zeros")
    if value < 0 and (category is None or not allows_negative(category)):
        raise ValueError(f"{label} cannot be negative")
    return money(value)


@dataclass(frozen=True)
class YearTotals:
    start_year: int
    gross_expenditure: Decimal
    corporate_recharges: Decimal
    income_total: Decimal  # all income, before the building-income split
    building_income: Decimal
    building_income_service: Decimal
    building_income_property: Decimal
    service_income: Decimal  # fees + grants + the service's share of building income
    net: Decimal  # gross expenditure - service income
    savings_required: Decimal


def income_split(building_income: Decimal, *, rule, percent: Decimal, threshold: Decimal):
    """(service share, Property share) of a year's building-related income.

    Percentage: the service gets `percent` of it, rounded to the penny half up;
    Property gets the rest, so the two always add up. Threshold: Property keeps
    everything up to the threshold, the service gets what is above it.
    """
    if rule == IncomeRule.PERCENTAGE:
        service = money(building_income * percent / Decimal(100))
    elif rule == IncomeRule.THRESHOLD:
        service = max(building_income - threshold, ZERO)
    else:
        raise ValueError(f"Unknown income rule {rule!r}")
    return money(service), money(building_income - service)


def year_totals(
    amounts: dict[str, Decimal], *, start_year: int, savings: Decimal, rule, percent, threshold
) -> YearTotals:
    """Derived totals for one year from its lines, keyed by line key."""
    gross = recharges = fees_grants = building = ZERO
    for key, amount in amounts.items():
        category, _ = parse_line_key(key)
        if category in INCOME_CATEGORIES:
            if category == Category.BUILDING_INCOME:
                building += amount
            else:
                fees_grants += amount
        else:
            gross += amount
            if category == Category.CORPORATE_RECHARGE:
                recharges += amount
    service_share, property_share = income_split(
        building, rule=rule, percent=percent, threshold=threshold
    )
    service_income = fees_grants + service_share
    return YearTotals(
        start_year=start_year,
        gross_expenditure=gross,
        corporate_recharges=recharges,
        income_total=fees_grants + building,
        building_income=building,
        building_income_service=service_share,
        building_income_property=property_share,
        service_income=service_income,
        net=gross - service_income,
        savings_required=savings,
    )


# Variance and tolerance --------------------------------------------------------


def variance_percent(variance: Decimal, budget: Decimal) -> Decimal | None:
    """Variance as a percentage of the budget, one decimal place; None for a zero budget."""
    if budget == 0:
        return None
    return (variance * Decimal(100) / abs(budget)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def is_outside_tolerance(
    *, variance: Decimal, budget: Decimal, tolerance_percent: Decimal, tolerance_amount: Decimal
) -> bool:
    """The specification's rule: an exception when the variance is beyond BOTH the
    percentage of the budget and the amount in pounds. Exactly at a limit is within.

    A zero budget has no percentage: any variance beyond the amount is an exception.
    """
    size = abs(variance)
    if size <= tolerance_amount:
        return False
    if budget == 0:
        return True
    return size * Decimal(100) > tolerance_percent * abs(budget)


def profiled_budget(annual: Decimal, months_elapsed: int) -> Decimal:
    """The year-to-date budget: the annual budget spread evenly over twelve months."""
    if months_elapsed >= 12:
        return annual
    return money(annual * months_elapsed / Decimal(12))
