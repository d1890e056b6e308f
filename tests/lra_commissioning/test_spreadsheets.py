"""Uploaded tables: read in bounded time and memory, with nothing silently dropped."""

import io
import os
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lra_commissioning import spreadsheets
from lra_commissioning.spreadsheets import MAX_COLUMNS, MAX_ROWS, read_table, xlsx_bytes

COLUMNS = ["kpi_code", "period", "value"]


def upload(name, data):
    return SimpleUploadedFile(name, data)


def with_sheet_xml(workbook: bytes, sheet_xml: bytes) -> bytes:
    """The workbook with its first sheet's XML replaced (as a hand-edited file would be)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            zf.writestr(info.filename, data)
    return out.getvalue()


def sheet(rows_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    ).encode()


def inline_row(number, values):
    cells = "".join(
        f'<c r="{_column(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def _column(index):
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def test_a_workbook_made_from_the_template_is_read():
    data = xlsx_bytes(COLUMNS, [["LIB01", "2024-04", 1234.5], ["LIB02", "2024-04", 7]])
    rows = read_table(upload("returns.xlsx", data), required_columns=COLUMNS)
    assert [r.cells for r in rows] == [
        {"kpi_code": "LIB01", "period": "2024-04", "value": "1234.5"},
        {"kpi_code": "LIB02", "period": "2024-04", "value": "7"},
    ]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize(("count", "accepted"), [(MAX_ROWS, True), (MAX_ROWS + 1, False)])
def test_the_row_limit_counts_rows_with_data(kind, count, accepted):
    values = [[f"K{n}", "2024-04", n] for n in range(count)]
    # Blank rows on the way count for nothing and hide nothing.
    values[10:10] = [["", "", ""]] * 300
    if kind == "xlsx":
        data = xlsx_bytes(COLUMNS, values)
    else:
        data = "\n".join(",".join(map(str, r)) for r in [COLUMNS, *values]).encode()
    if accepted:
        rows = read_table(upload(f"returns.{kind}", data), required_columns=COLUMNS)
        assert len(rows) == count
        assert rows[-1].cells["kpi_code"] == f"K{count - 1}"
    else:
        with pytest.raises(ValidationError, match=f"more than {MAX_ROWS} rows"):
            read_table(upload(f"returns.{kind}", data), required_columns=COLUMNS)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_data_beyond_the_last_column_is_refused_not_dropped(kind):
    wide = COLUMNS + [f"extra{i}" for i in range(MAX_COLUMNS)]
    values = [["LIB01", "2024-04", 1] + ["x"] * MAX_COLUMNS]
    if kind == "xlsx":
        data = xlsx_bytes(wide, values)
    else:
        data = "\n".join(",".join(map(str, r)) for r in [wide, *values]).encode()
    with pytest.raises(ValidationError, match=f"more than {MAX_COLUMNS} columns"):
        read_table(upload(f"returns.{kind}", data), required_columns=COLUMNS)


def test_a_huge_workbook_is_refused_from_its_directory_in_bounded_time_and_memory(
    monkeypatch,
):
    # Like the tester's file: megabytes of zip holding tens of megabytes of XML.
    noise = os.urandom(30_000 * 125).hex()
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{noise[r * 250 : r * 250 + 250]}'
        f"{'x' * 750}</t></is></c></row>"
        for r in range(1, 30_000)
    )
    data = with_sheet_xml(xlsx_bytes(COLUMNS, []), sheet(rows))
    assert len(data) < 10 * 1024 * 1024 and len(rows) > 25 * 1024 * 1024

    def never(*args, **kwargs):
        raise AssertionError("openpyxl was asked to read it")

    monkeypatch.setattr(spreadsheets, "load_workbook", never)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValidationError, match="far more than a table"):
            read_table(upload("returns.xlsx", data), required_columns=COLUMNS)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 2
    assert peak < 3 * len(data)


def test_a_full_table_is_read_in_bounded_time():
    values = [[f"K{n}", "2024-04", n, "A commentary of some length " * 4] for n in range(MAX_ROWS)]
    data = xlsx_bytes([*COLUMNS, "commentary"], values)
    started = time.perf_counter()
    rows = read_table(upload("returns.xlsx", data), required_columns=COLUMNS)
    assert len(rows) == MAX_ROWS
    assert time.perf_counter() - started < 10


def test_a_row_numbered_far_down_the_sheet_is_read_quickly():
    data = with_sheet_xml(
        xlsx_bytes(COLUMNS, []),
        sheet(inline_row(1, COLUMNS) + inline_row(1_000_000, ["LIB01", "2024-04", "5"])),
    )
    started = time.perf_counter()
    rows = read_table(upload("returns.xlsx", data), required_columns=COLUMNS)
    assert [r.cells["kpi_code"] for r in rows] == ["LIB01"]
    assert time.perf_counter() - started < 5


def test_a_row_beyond_excels_last_row_is_refused():
    data = with_sheet_xml(
        xlsx_bytes(COLUMNS, []),
        sheet(inline_row(1, COLUMNS) + inline_row(1_048_577, ["LIB01", "2024-04", "5"])),
    )
    with pytest.raises(ValidationError, match="could not be read"):
        read_table(upload("returns.xlsx", data), required_columns=COLUMNS)


def test_a_csv_cell_far_too_long_is_refused_with_a_message():
    data = ("kpi_code,period,value\nLIB01,2024-04," + "9" * 200_000 + "\n").encode()
    with pytest.raises(ValidationError, match="far too long"):
        read_table(upload("returns.csv", data), required_columns=COLUMNS)
