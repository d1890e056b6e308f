"""Money and percentages as a council finance paper writes them."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pounds(value):
    """£1,234,567.00; negatives with a minus sign; blank for None."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    text = f"£{abs(value):,.2f}"
    return f"−{text}" if value < 0 else text


@register.filter
def signed_pounds(value):
    """+£1,234.00 / −£1,234.00 for a variance."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == 0:
        return "£0.00"
    return f"{'+' if value > 0 else '−'}£{abs(value):,.2f}"


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
