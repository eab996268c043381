"""A table of figures written as CSV or as an XLSX workbook, the same values both ways (and as a page shows them).

Counts stay numbers, shares are fractions (0.875; a percentage format in XLSX), days ISO dates, times Vietnam's local
time; an empty cell is an unknown value.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from storage.days import VIETNAM

Kind = Literal["text", "count", "share", "day", "time"]
_XLSX_FORMATS = {"count": "#,##0", "share": "0.0%", "day": "dd/mm/yyyy", "time": "dd/mm/yyyy hh:mm"}
_TITLE_MAX = 31  # characters of an XLSX sheet's name


@dataclass(frozen=True)
class Column:
    label: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None  # the total line, when the table has one
    caption: str = ""  # what the figures cover (agencies, days)


def _local(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "time":
        return value.astimezone(VIETNAM).replace(tzinfo=None, second=0, microsecond=0)
    return value


def _lines(sheet: Sheet) -> list[list[Any]]:
    return sheet.rows + ([sheet.total] if sheet.total else [])


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte order mark (spreadsheet programs then read the Vietnamese right), a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in sheet.columns])
    for line in _lines(sheet):
        writer.writerow([_csv_cell(_local(v, c.kind), c.kind) for v, c in zip(line, sheet.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "time":
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_xlsx(sheet: Sheet) -> bytes:
    """One worksheet: the title and caption, the header in bold, the lines, the total in bold."""
    book = Workbook()
    page = _first_sheet(book)
    page.title = "".join(ch for ch in sheet.title if ch not in "[]:*?/\\")[:_TITLE_MAX]
    page.append([sheet.title])
    page["A1"].font = Font(bold=True, size=13)
    page.append([sheet.caption])
    page.append([c.label for c in sheet.columns])
    for cell in page[3]:
        cell.font = Font(bold=True)
    for line in _lines(sheet):
        page.append([_local(v, c.kind) for v, c in zip(line, sheet.columns, strict=True)])
        for cell, column in zip(page[page.max_row], sheet.columns, strict=True):
            cell.number_format = _XLSX_FORMATS.get(column.kind, "General")
    if sheet.total:
        for cell in page[page.max_row]:
            cell.font = Font(bold=True)
    for index, column in enumerate(sheet.columns, 1):
        page.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(column.label) + 4))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _first_sheet(book: Workbook) -> Worksheet:
    """The worksheet a new workbook opens on."""
    page = book.active
    if not isinstance(page, Worksheet):
        raise TypeError("a new workbook has no worksheet")
    return page
