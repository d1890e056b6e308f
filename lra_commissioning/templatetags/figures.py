"""Figures on pages and in PDFs, written as people read them (lra_commissioning.numbers).

    {% load figures %}
    {{ value|number }}        1,450 / 95.5 (never an exponent)
    {{ value|number:1 }}      1,450.0
    {{ amount|money }}        £17,670,000 / £950.50
    {{ amount|money:"pence" }}  £17,670,000.00
    {{ share|percent }}       95.5%
    {{ label|in_sentence }}   "Staffing" -> "staffing", "ICT and systems" unchanged
    {{ bar.x|coordinate }}    12.5 (a drawing's coordinate: one decimal place, no separators)

None gives an empty string: templates say what a missing figure means.
"""

from django import template

from lra_commissioning import numbers

register = template.Library()


@register.filter
def number(value, places=None):
    return numbers.format_number(value, None if places in (None, "") else int(places))


@register.filter
def money(value, arg=""):
    pence = {"pence": True, "pounds": False}.get(arg)
    return numbers.format_money(value, pence=pence)


@register.filter
def percent(value, places=None):
    return numbers.format_percent(value, None if places in (None, "") else int(places))


@register.filter
def in_sentence(text):
    """A label put inside a sentence: its first letter in lower case, unless the
    first word is an abbreviation or a name in capitals (ICT, KPI, LRA)."""
    text = str(text or "")
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.upper() == first and any(c.isalpha() for c in first):
        return text
    return text[:1].lower() + text[1:]


@register.filter
def coordinate(value):
    """A point of an SVG drawing to a tenth of a pixel. Charts write thousands of
    these; Django's floatformat (through Decimal) took 2 s of the demo's reports."""
    return "" if value is None else f"{float(value):.1f}"
