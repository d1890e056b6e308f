"""Checking an uploaded month of actuals before the preview (nothing is saved here)."""

from dataclasses import dataclass
from decimal import Decimal

from . import budget as calc
from .models import Category

COLUMNS = ["category", "actual", "forecast"]


@dataclass(frozen=True)
class PreviewRow:
    category: str
    label: str
    actual: Decimal
    forecast: Decimal


def _category_for(text: str):
    wanted = text.strip().lower()
    for category in Category:
        if wanted in (category.value, category.label.lower()):
            return category
    return None


def check_rows(rows) -> tuple[list[PreviewRow], list[str]]:
    """(preview rows in display order, error messages naming the row). Clean only
    when there are no errors and every category appears exactly once."""
    errors = []
    found = {}
    for row in rows:
        raw = row.cells.get("category", "")
        category = _category_for(raw)
        if category is None:
            errors.append(
                f"Row {row.number}: “{raw}” is not a budget category. Use the category "
                "names in the template"
            )
            continue
        if category in found:
            errors.append(f"Row {row.number}: {category.label} appears more than once")
            continue
        try:
            actual = calc.parse_amount(
                row.cells.get("actual"), label=f"Row {row.number}: the actual", category=category
            )
            forecast = calc.parse_amount(
                row.cells.get("forecast"),
                label=f"Row {row.number}: the forecast",
                category=category,
            )
        except ValueError as exc:
            errors.append(str(exc))
            continue
        found[category] = PreviewRow(category.value, category.label, actual, forecast)
    missing = [Category(c).label for c in calc.CATEGORY_ORDER if c not in found]
    if missing and not errors:
        errors.append("The file has no row for " + ", ".join(missing))
    preview = [found[c] for c in calc.CATEGORY_ORDER if c in found]
    return preview, errors
