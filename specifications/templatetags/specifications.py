from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from lra_commissioning import numbers
from specifications import diff
from specifications.diff import ADDED, REMOVED

register = template.Library()


def _number(value: Decimal) -> str:
    # The site's one number format: separators, never an exponent.
    return numbers.format_number(value)


@register.filter
def kpi_value(value, unit):
    """A target or floor as people read it: 95%, £3,200,000, 3 days, 5,300,000."""
    if value is None or value == "":
        return "Not set"
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
        return "Not set"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "Not set"
    return value


_MARK = {
    REMOVED: (
        '<del class="lra-diff__removed"><span class="govuk-visually-hidden">removed: </span>',
        "</del>",
    ),
    ADDED: (
        '<ins class="lra-diff__added"><span class="govuk-visually-hidden">added: </span>',
        "</ins>",
    ),
}


@register.filter
def word_diff(change, kind="changed"):
    """A field's change word by word: removed words in <del>, added in <ins>, each
    with its kind in words for screen readers. All text is escaped; nothing is cut."""

    def text(value):
        if value is None and kind != "changed":
            return ""
        return str(diff_value(value, change.name))

    parts = []
    for piece_kind, piece in diff.word_diff(text(change.old), text(change.new)):
        if piece_kind == diff.SAME:
            parts.append(escape(piece))
        else:
            start, end = _MARK[piece_kind]
            parts.append(f"{start}{escape(piece)}{end}")
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
