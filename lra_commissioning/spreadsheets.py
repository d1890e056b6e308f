"""Reading uploaded CSV and XLSX tables, and writing XLSX templates.

Reading only turns a checked file into rows of text; each app validates the
rows against its own rules and shows a preview before anything is saved.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from .uploads import validate_upload

MAX_ROWS = 5000


@dataclass(frozen=True)
class Row:
    number: int  # the row number a person sees in their spreadsheet (header is 1)
    cells: dict[str, str]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel stores numbers as floats: go through repr to keep what was typed.
        value = Decimal(repr(value))
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_table(uploaded, *, required_columns: list[str]) -> list[Row]:
    """Rows of an uploaded CSV or XLSX file, keyed by lower-case column name.

    Raises ValidationError (one message) when the file is not a readable table
    or misses a required column.
    """
    kind = validate_upload(uploaded, allowed={"csv", "xlsx"})
    if kind == "csv":
        text = uploaded.read().decode("utf-8-sig")
        raw = list(csv.reader(io.StringIO(text)))
    else:
        try:
            workbook = load_workbook(uploaded, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
            raise ValidationError(
                "The Excel file could not be read. Save it again and retry"
            ) from None
        sheet = workbook.worksheets[0]
        raw = [
            [_cell_text(v) for v in row]
            for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)
        ]
        workbook.close()
    raw = [r for r in raw if any(str(c).strip() for c in r)] if raw else []
    if not raw:
        raise ValidationError("The file is empty. Use the template and add a row per value")
    header = [str(h).strip().lower() for h in raw[0]]
    missing = [c for c in required_columns if c not in header]
    if missing:
        raise ValidationError(
            "The file is missing the column(s) " + ", ".join(missing) + ". Use the template"
        )
    if len(raw) - 1 > MAX_ROWS:
        raise ValidationError(f"The file has more than {MAX_ROWS} rows. Split it and try again")
    rows = []
    for index, values in enumerate(raw[1:], start=2):
        cells = {
            col: (str(values[i]).strip() if i < len(values) else "") for i, col in enumerate(header)
        }
        rows.append(Row(number=index, cells=cells))
    return rows


def xlsx_bytes(header: list[str], rows: list[list], sheet_title: str = "Template") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
