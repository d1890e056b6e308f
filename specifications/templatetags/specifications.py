from decimal import Decimal

from django import template

register = template.Library()


def _number(value: Decimal) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,}"


@register.filter
def kpi_value(value, unit):
    """A target or floor as people read it: 95%, £3,200,000, 3 days, 5,300,000."""
    if value is None or value == "":
        return "None"
    text = _number(value)
    if unit == "percentage":
        return f"{text}%"
    if unit == "pounds":
        return f"£{text}"
    if unit == "days":
        return f"{text} day" if Decimal(value) == 1 else f"{text} days"
    return text


@register.filter
def diff_value(value, field_name):
    """A value in the 'what changed' table."""
    if value is None or value == "":
        return "None"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "None"
    return value
