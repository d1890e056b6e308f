"""Money and percentages as a council finance paper writes them (the site's one
money format, lra_commissioning.numbers: no pence on sums of £1,000 or more)."""

from decimal import Decimal

from django import template

from lra_commissioning import numbers

register = template.Library()


@register.filter
def pounds(value):
    """£1,234,567 (£950.50 below £1,000); negatives with a minus sign; blank for None."""
    return numbers.format_money(value)


@register.filter
def signed_pounds(value):
    """+£1,234 / −£950.50 for a variance."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == 0:
        return "£0"
    return f"{'+' if value > 0 else '−'}{numbers.format_money(abs(value))}"


@register.filter
def pct(value):
    """+2.5% / −2.5%; 'n/a' for None (a zero budget has no percentage)."""
    if value is None:
        return "n/a"
    value = Decimal(value)
    if value == 0:
        return "0.0%"
    return f"{'+' if value > 0 else '−'}{abs(value):.1f}%"


@register.filter
def fy(start_year):
    from lra_commissioning.dates import financial_year_label

    return financial_year_label(int(start_year))
