"""Tables written as XLSX (openpyxl) or CSV, the same way for every document.

A ``Table`` holds typed values: amounts in cents, quantities in thousandths,
weights in grams. XLSX cells are real numbers (euros with a euro format,
quantities and kilograms as plain numbers) so a volunteer can add them up;
CSV is what French Excel opens without a question: semicolons, decimal commas,
UTF-8 with a BOM. Texts that a spreadsheet would run as a formula stay texts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cabas.catalog.spreadsheets import FORMULA_START
from cabas.lib.money import format_amount
from cabas.lib.quantities import ONE, format_quantity

TICK_BOX = "☐"
TICKED = "☑"
MONEY_FORMAT = '#,##0.00 "€"'
# Quantities and weights stay "General": French Excel shows 2 and 1,5 (a "0.###" format shows "2,").
NUMBER_FORMATS = {"money": MONEY_FORMAT}
SHEET_TITLE_MAX = 31  # Excel's limit
# Characters Excel refuses in a sheet name.
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


class Kind(StrEnum):
    TEXT = "text"
    MONEY = "money"  # integer cents
    QUANTITY = "quantity"  # integer thousandths of the sale unit
    WEIGHT = "weight"  # integer grams, shown in kg
    COUNT = "count"  # a plain integer
    TICK = "tick"  # truthy: an empty box to tick by hand


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT
    width: int = 14


@dataclass
class Table:
    """One sheet: a caption (group, cycle, date) above a header row, rows, and a totals row."""

    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    totals: list[Any] | None = None
    caption: list[str] = field(default_factory=list)
    landscape: bool = False


# --- XLSX -------------------------------------------------------------------------------


def write_xlsx(tables: Iterable[Table]) -> bytes:
    """One sheet per table; printed on A4 fitted to the width, with page numbers in the footer."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        _write_sheet(workbook.create_sheet(_sheet_title(table.title)), table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    return title.translate(SHEET_TITLE_FORBIDDEN)[:SHEET_TITLE_MAX]


def _write_sheet(sheet: Worksheet, table: Table) -> None:
    for index, line in enumerate(table.caption):
        sheet.append([_text_cell(sheet, line)])
        sheet.cell(row=index + 1, column=1).font = Font(bold=index == 0, size=13 if index == 0 else 11)
    if table.caption:
        sheet.append([])
    header_row = sheet.max_row + 1 if table.caption else 1
    sheet.append([_text_cell(sheet, column.title) for column in table.columns])
    _style_header(sheet, table, header_row)
    for row in table.rows:
        sheet.append(_xlsx_row(sheet, table.columns, row))
    if table.totals is not None:
        sheet.append(_xlsx_row(sheet, table.columns, table.totals))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.border = Border(top=Side(style="medium"))
    _add_tick_lists(sheet, table, header_row)
    _print_setup(sheet, table, header_row)


def _style_header(sheet: Worksheet, table: Table, header_row: int) -> None:
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        cell.border = Border(bottom=Side(style="medium"))
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)


def _xlsx_row(sheet: Worksheet, columns: list[Column], values: list[Any]) -> list[Any]:
    return [_xlsx_cell(sheet, column.kind, value) for column, value in zip(columns, values, strict=True)]


def _xlsx_cell(sheet: Worksheet, kind: Kind, value: Any) -> Any:
    if kind == Kind.TICK:
        return TICK_BOX if value else None
    if value is None or value == "":
        # A blank cell keeps its format, so a weight typed in later reads as a number.
        return Cell(sheet, value=None) if kind in NUMBER_FORMATS else None
    if kind == Kind.TEXT:
        return _text_cell(sheet, str(value))
    cell = Cell(sheet, value=_number(kind, value))
    if kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _number(kind: Kind, value: int) -> Decimal | int:
    if kind == Kind.MONEY:
        return Decimal(value) / 100
    if kind in (Kind.QUANTITY, Kind.WEIGHT):
        return Decimal(value) / ONE
    return int(value)


def _text_cell(sheet: Worksheet, text: str) -> Cell:
    cell = Cell(sheet, value=text)
    cell.data_type = "s"  # a text starting with "=" stays a text, never a formula
    return cell


def _add_tick_lists(sheet: Worksheet, table: Table, header_row: int) -> None:
    """Tick-box columns offer ☐ / ☑ in a list, for a producer filling the sheet on a tablet."""
    last = header_row + len(table.rows)
    for index, column in enumerate(table.columns, start=1):
        if column.kind == Kind.TICK and table.rows:
            rule = DataValidation(type="list", formula1=f'"{TICK_BOX},{TICKED}"', errorStyle="warning")
            letter = get_column_letter(index)
            rule.add(f"{letter}{header_row + 1}:{letter}{last}")
            sheet.add_data_validation(rule)


def _print_setup(sheet: Worksheet, table: Table, header_row: int) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if table.landscape else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages as needed down
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddFooter.center.text = _("Page &P / &N")
    if table.caption:
        # "&" starts a code in Excel's page headers; they hold 255 characters at most.
        sheet.oddHeader.left.text = " · ".join(table.caption[:2])[:200].replace("&", "&&")


# --- CSV --------------------------------------------------------------------------------


def write_csv(table: Table) -> bytes:
    """Header row, rows, totals row; ``;`` separated, decimal commas, UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_text(column.title) for column in table.columns])
    for row in [*table.rows, *([table.totals] if table.totals is not None else [])]:
        writer.writerow(
            [_csv_cell(column.kind, value) for column, value in zip(table.columns, row, strict=True)]
        )
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(kind: Kind, value: Any) -> str:
    if value is None or value == "" or kind == Kind.TICK:
        return ""
    if kind == Kind.MONEY:
        return format_amount(value, "fr")
    if kind in (Kind.QUANTITY, Kind.WEIGHT):
        return format_quantity(value, "fr")
    if kind == Kind.COUNT:
        return str(value)
    return _csv_text(str(value))


def _csv_text(text: str) -> str:
    # A text that Excel would run as a formula is protected by a quote.
    return "'" + text if text.startswith(FORMULA_START) else text
