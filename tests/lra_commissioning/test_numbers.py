"""The one decimal field and the number formats: tables of what people type and read."""

import random
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template

from lra_commissioning import numbers
from lra_commissioning.forms import GovukDecimalField, GovukTextField

D = Decimal


@pytest.mark.parametrize(
    ("typed", "unit", "expected"),
    [
        ("1500", "", D("1500")),
        ("1,500", "", D("1500")),
        ("1500.0", "", D("1500")),
        ("1,234,567.89", "", D("1234567.89")),
        (" 1 500 ", "", D("1500")),
        ("1\u00a0500", "", D("1500")),
        ("0", "", D("0")),
        (".5", "", D("0.5")),
        ("1500.", "", D("1500")),
        ("95%", "percentage", D("95")),
        ("95.5 %", "percentage", D("95.5")),
        ("100", "percentage", D("100")),
        ("£1,500", "money", D("1500")),
        ("£1,500.50", "money", D("1500.50")),
        ("999999999999.99", "", D("999999999999.99")),
    ],
)
def test_the_decimal_field_accepts_numbers_as_people_write_them(typed, unit, expected):
    field = GovukDecimalField(what="the value", unit=unit)
    assert field.clean(typed) == expected


@pytest.mark.parametrize(
    ("typed", "unit", "message"),
    [
        ("", "", "Enter the value"),
        ("   ", "", "Enter the value"),
        ("lots", "", "Enter the value as a number, like 1,500 or 95.5"),
        ("1e30", "", "Enter the value as a number"),
        ("1E+3", "", "Enter the value as a number"),
        ("NaN", "", "Enter the value as a number"),
        ("Infinity", "", "Enter the value as a number"),
        ("1,5", "", "Enter the value as a number"),
        ("1,50,0", "", "Enter the value as a number"),
        ("12\x00", "", "Enter the value as a number"),
        ("١٢٣", "", "Enter the value as a number"),
        ("95%", "", "Enter the value as a number"),
        ("£1,500", "", "Enter the value as a number"),
        ("£95", "percentage", "Enter the value as a number, like 95.5"),
        ("123456789012345", "", "The value must be less than 1,000,000,000,000"),
        ("1000000000000", "", "The value must be less than 1,000,000,000,000"),
        ("1.005", "", "The value must have no more than 2 decimal places"),
        ("-1", "", "The value must be 0 or more"),
        ("−1", "", "The value must be 0 or more"),
        ("100.01", "percentage", "The value is a percentage, so it must be 100 or less"),
        ("101%", "percentage", "The value is a percentage, so it must be 100 or less"),
    ],
)
def test_the_decimal_field_refuses_with_a_message_that_names_the_field(typed, unit, message):
    field = GovukDecimalField(what="the value", unit=unit)
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)
    assert refused.value.messages[0].startswith(message)


def test_the_decimal_field_takes_negatives_only_when_allowed():
    assert GovukDecimalField(what="the variance", min_value=None).clean("-1,250") == D("-1250")
    with pytest.raises(forms.ValidationError):
        GovukDecimalField(what="the charge", max_value=D(10)).clean("11")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (D("1.45E+3"), "1450"),
        (D("1450.00"), "1450"),
        (D("95.50"), "95.5"),
        (D("0.05"), "0.05"),
        (D("1E+11"), "100000000000"),
        (None, ""),
    ],
)
def test_the_decimal_field_shows_a_value_without_an_exponent(stored, shown):
    class F(forms.Form):
        value = GovukDecimalField(what="the value", required=False)

    html = str(F(initial={"value": stored})["value"])
    assert f'value="{shown}"' in html or (shown == "" and "value=" not in html)
    assert 'inputmode="decimal"' in html


def test_what_the_field_shows_it_reads_back_the_same():
    """A seeded property test: any value the database holds survives a round trip
    through the input (shown, then typed back) and through the page format."""
    rng = random.Random(15)
    field = GovukDecimalField(what="the value", min_value=None)
    for _ in range(2000):
        digits = rng.randint(0, 12)
        whole = rng.randint(0, 10**digits - 1) if digits else 0
        value = (D(whole) + D(rng.randint(0, 99)) / 100) * rng.choice([1, -1])
        stored = value.quantize(D("0.01"))
        shown = field.prepare_value(stored.normalize())
        assert "E" not in shown
        assert field.clean(shown) == stored
        on_page = numbers.format_number(stored)
        assert field.clean(on_page.replace("−", "-")) == stored


@pytest.mark.parametrize(
    ("value", "number", "money", "money_pence"),
    [
        (D("17670000.00"), "17,670,000", "£17,670,000", "£17,670,000.00"),
        (D("1.45E+3"), "1,450", "£1,450", "£1,450.00"),
        (D("999.5"), "999.5", "£999.50", "£999.50"),
        (D("1000.49"), "1,000.49", "£1,000", "£1,000.49"),
        (D("-1234.5"), "−1,234.5", "−£1,235", "−£1,234.50"),
        (D("0"), "0", "£0.00", "£0.00"),
        (12, "12", "£12.00", "£12.00"),
        (None, "", "", ""),
    ],
)
def test_figures_are_written_with_separators_and_never_an_exponent(
    value, number, money, money_pence
):
    assert numbers.format_number(value) == number
    assert numbers.format_money(value) == money
    assert numbers.format_money(value, pence=True) == money_pence


def test_template_filters_write_the_same_figures():
    html = Template(
        "{% load figures %}{{ a|number }} {{ b|money }} {{ b|money:'pence' }} {{ c|percent }} "
        "{{ d|in_sentence }} {{ e|in_sentence }}"
    ).render(
        Context(
            {"a": D("1.45E+3"), "b": D("17670000"), "c": D("95.50"), "d": "Staffing", "e": "ICT"}
        )
    )
    assert html == "1,450 £17,670,000 £17,670,000.00 95.5% staffing ICT"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("fine\x00", "The commentary contains a character that cannot be stored"),
        ("bell\x07", "The commentary contains a character that cannot be stored"),
        ("x" * 4001, "The commentary must be 4,000 characters or fewer"),
    ],
)
def test_the_text_field_refuses_control_characters_and_overlong_text(typed, message):
    field = GovukTextField(what="the commentary", max_length=4000, required=False)
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)
    assert refused.value.messages[0].startswith(message)


def test_the_text_field_keeps_line_breaks_and_tabs():
    field = GovukTextField(what="the commentary", required=False)
    assert field.clean("line one\r\n\tline two") == "line one\r\n\tline two"


def test_the_public_annual_report_page_shows_pounds_with_separators(rf):
    """The published page shows the report's own body: money with separators, in pounds."""
    import re
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from cycle.report import render_report_body
    from demo_data.report import sample_report_data

    report = SimpleNamespace(
        financial_year=SimpleNamespace(label="2016/17", start_year=2016),
        published_at=None,
        body_html=render_report_body(sample_report_data(kpi_count=2)),
    )
    html = render_to_string(
        "cycle/public_report.html", {"report": report, "s": {"title": "Annual report"}}, rf.get("/")
    )
    assert "Gross spending £" in html
    assert re.search(r"£\d{1,3}(,\d{3})+", html)
    assert not re.search(r"£\d{4,}", html), "a sum of money without separators"
