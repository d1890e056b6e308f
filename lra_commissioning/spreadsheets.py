"""Reading uploaded CSV and XLSX tables, and writing XLSX templates.

Reading only turns a checked file into rows of text; each app validates the
rows against its own rules and shows a preview before anything is saved.

Bounded in time and memory whatever the file claims: a table is at most
MAX_ROWS rows of MAX_COLUMNS columns. A workbook whose XML parts add up to more
than such a table could need (MAX_XLSX_XML_BYTES) is refused from the zip
directory, before anything is inflated; the rest is read in openpyxl's
streaming (read-only) mode, one row at a time, stopping at the first row over
the limit and ignoring columns past it (a file with data there is refused).
A CSV file is read the same way.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from .uploads import validate_upload

MAX_ROWS = 5000
MAX_COLUMNS = 50
EXCEL_MAX_ROWS = 1_048_576
# A full table of MAX_ROWS rows is about 2 MB of sheet XML; this leaves room for
# long commentary, styles and shared strings, and bounds openpyxl to a second or two.
MAX_XLSX_XML_BYTES = 12 * 1024 * 1024


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
    raw = _csv_rows(uploaded) if kind == "csv" else _xlsx_rows(uploaded)
    if any(len(r) > MAX_COLUMNS and any(str(c).strip() for c in r[MAX_COLUMNS:]) for r in raw):
        raise ValidationError(
            f"The file has more than {MAX_COLUMNS} columns. Use the template's columns only"
        )
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


def _is_blank(values) -> bool:
    return not any(v is not None and str(v).strip() for v in values)


def _csv_rows(uploaded) -> list[list[str]]:
    text = uploaded.read().decode("utf-8-sig")
    rows = []
    try:
        for row in csv.reader(io.StringIO(text)):
            if not _is_blank(row):
                rows.append(row[: MAX_COLUMNS + 1])
                if len(rows) > MAX_ROWS + 1:
                    break  # one too many: refused by the caller's count
    except csv.Error:  # a field over csv's limit (128 KB), or a NUL byte
        raise ValidationError(
            "A cell of the file is far too long, or the file is not a CSV file"
        ) from None
    return rows


def _xlsx_rows(uploaded) -> list[list[str]]:
    uploaded.seek(0)
    with zipfile.ZipFile(uploaded) as zf:
        xml_bytes = sum(i.file_size for i in zf.infolist() if i.filename.endswith(".xml"))
    if xml_bytes > MAX_XLSX_XML_BYTES:
        raise ValidationError(
            f"The Excel file holds far more than a table of {MAX_ROWS:,} rows. Copy only "
            "the table into a new workbook, save it and try again"
        )
    uploaded.seek(0)
    rows = []
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True, keep_links=False)
        try:
            sheet = workbook.worksheets[0]
            # Streaming: one row at a time. Rows missing from the file come back
            # empty, so a made-up row number is bounded by Excel's own last row.
            for number, row in enumerate(
                sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1
            ):
                if number > EXCEL_MAX_ROWS:
                    raise ValueError("a row beyond Excel's last row")
                if row.count(None) == len(row) or _is_blank(row):  # the first test is quick
                    continue
                values = [_cell_text(v) for v in row]
                while values and not values[-1]:
                    values.pop()
                rows.append(values)
                if len(rows) > MAX_ROWS + 1:
                    break  # one too many: refused by the caller's count
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
        raise ValidationError("The Excel file could not be read. Save it again and retry") from None
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
