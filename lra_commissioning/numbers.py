"""Numbers and money as people write and read them, done once for the whole site.

Pure functions: no database. `parse_decimal` reads what a person typed ("1,500",
"1500.0", "95%", "£1,250.50") into a Decimal or refuses it with a message
that names the thing; `format_number` and `format_money` write a Decimal the
way a council paper does (thousands separators, never an exponent, no pence
on sums of £1,000 or more unless asked). Forms, uploads, template filters and
PDFs all use these, so a figure reads the same everywhere. CSV exports keep
raw numbers.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PERCENTAGE = "percentage"
MONEY = "money"

# What the database holds: DecimalField(max_digits=14, decimal_places=2).
MAX_WHOLE_DIGITS = 12
LIMIT = Decimal(10) ** MAX_WHOLE_DIGITS

# Digits with optional comma grouping in threes, an optional decimal part.
_NUMBER = re.compile(r"^-?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-"})


class NumberRefused(ValueError):
    """What was typed is not an acceptable number. `code` says why ("required",
    "invalid", "too_large", "places", "min", "max") for a caller with words of its own."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _capitalised(what: str) -> str:
    return what[:1].upper() + what[1:]


def parse_decimal(
    text,
    *,
    what: str = "the number",
    unit: str = "",
    min_value: Decimal | None = Decimal(0),
    max_value: Decimal | None = None,
    decimal_places: int = 2,
) -> Decimal:
    """A typed number as a Decimal, or ValueError with the message to show.

    Accepts thousands separators ("1,500"), a trailing ".0", spaces, a "%"
    after a percentage and a "£" before money. Refuses exponents, NaN and
    infinity, more decimal places than are kept, numbers beyond what the
    database holds, and values outside [min_value, max_value].
    """
    what_cap = _capitalised(what)
    if unit == PERCENTAGE and max_value is None:
        max_value = Decimal(100)
    example = "like 95.5" if unit == PERCENTAGE else "like 1,500 or 95.5"
    if unit == MONEY:
        example = "like 1,500 or 1,500.50"
    raw = _SPACES.sub("", str(text if text is not None else "")).translate(_MINUSES)
    if raw == "":
        raise NumberRefused(f"Enter {what}", "required")
    if unit == PERCENTAGE and raw.endswith("%"):
        raw = raw[:-1]
    if unit == MONEY:
        raw = raw.replace("£", "", 1) if raw.lstrip("-").startswith("£") else raw
        if raw.startswith("-£"):
            raw = "-" + raw[2:]
    if not raw.isascii() or not _NUMBER.match(raw):
        raise NumberRefused(f"Enter {what} as a number, {example}", "invalid")
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise NumberRefused(f"Enter {what} as a number, {example}", "invalid") from None
    if abs(value) >= LIMIT:
        raise NumberRefused(f"{what_cap} must be less than {format_number(LIMIT)}", "too_large")
    if value != value.quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP):
        if decimal_places == 0:
            raise NumberRefused(f"{what_cap} must be a whole number", "places")
        raise NumberRefused(
            f"{what_cap} must have no more than {decimal_places} decimal places", "places"
        )
    if min_value is not None and value < min_value:
        if min_value == 0:
            raise NumberRefused(f"{what_cap} must be 0 or more", "min")
        raise NumberRefused(f"{what_cap} must be {format_number(min_value)} or more", "min")
    if max_value is not None and value > max_value:
        if unit == PERCENTAGE and max_value == 100:
            raise NumberRefused(f"{what_cap} is a percentage, so it must be 100 or less", "max")
        raise NumberRefused(f"{what_cap} must be {format_number(max_value)} or less", "max")
    # Normalise the exponent so that 1500 and 1500.0 are stored and shown alike.
    return value.quantize(Decimal(1).scaleb(-decimal_places)) if decimal_places else value


def _as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _grouped(value: Decimal, places: int) -> str:
    """Fixed-point with thousands separators and exactly `places` decimals."""
    quantised = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(quantised):,.{places}f}"
    return f"−{text}" if quantised < 0 else text


def format_number(value, places: int | None = None, *, grouping: bool = True) -> str:
    """1450 -> "1,450"; 95.50 -> "95.5"; 1.45E+3 -> "1,450"; None -> "".

    `places` fixes the number of decimals; otherwise as many as the value has
    (up to two), trailing zeros dropped. `grouping=False` leaves out the
    thousands separators (for a value put back into an input).
    """
    number = _as_decimal(value)
    if number is None or not number.is_finite():
        return ""
    if places is None:
        rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if rounded == rounded.to_integral_value():
            places = 0
        elif rounded * 10 == (rounded * 10).to_integral_value():
            places = 1
        else:
            places = 2
    text = _grouped(number, places)
    if not grouping:
        text = text.replace(",", "")
    return text


def format_money(value, *, pence: bool | None = None) -> str:
    """£1,234 for sums of £1,000 or more, £950.50 below; "−£1,234" when negative.

    pence=True always shows pence, pence=False never does.
    """
    number = _as_decimal(value)
    if number is None or not number.is_finite():
        return ""
    if pence is None:
        pence = abs(number) < 1000
    text = _grouped(number, 2 if pence else 0)
    if text.startswith("−"):
        return f"−£{text[1:]}"
    return f"£{text}"


def format_percent(value, places: int | None = None) -> str:
    text = format_number(value, places)
    return f"{text}%" if text else ""
