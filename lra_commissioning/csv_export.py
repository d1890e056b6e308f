"""CSV exports that are safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return) can be run as a
formula by Excel or LibreOffice ("CSV injection"). Such text cells get a
leading apostrophe, so they show as typed and never run. Numbers are written
as numbers.
"""

import csv
from decimal import Decimal

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """An attachment download of `rows` (iterables of cells), every cell made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return response
