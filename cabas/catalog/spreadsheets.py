"""Catalogue spreadsheets: the columns, reading XLSX/CSV files, reading cells, writing files.

The file format is French, because producers are French: exports and the
template use French headers, French category and unit labels, ``oui``/``non``
and (in CSV) decimal commas, semicolons and a UTF-8 BOM so that Excel opens
them as they are. Imports also accept English headers, codes, decimal points
and the usual synonyms, whatever the language of the page.

``COLUMNS`` is the one list of columns: export, template and import all read it.
Planning and applying an import live in ``importing``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cabas.catalog.models import Category, ContentUnit, Product, SaleUnit, VatRate
from cabas.lib.money import format_amount, format_cents
from cabas.lib.quantities import ONE, format_quantity

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000  # products, header excluded
MAX_COLUMNS = 40
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024  # a 2 MB zip bomb must not become gigabytes in memory
BLANK_ROWS_AT_END = 500  # formatted but empty rows after the data: stop reading there
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


@dataclass(frozen=True)
class Column:
    """One column of the catalogue file: the product field, the French header, accepted synonyms."""

    field: str
    header: str
    aliases: tuple[str, ...]
    kind: str  # how a cell is written (``_file_value``) and shown (``display_value``)
    width: int  # in characters, for XLSX


COLUMNS: tuple[Column, ...] = (
    Column(
        "name", "Nom", ("name", "produit", "product", "nom du produit", "designation", "libelle"), "name", 32
    ),
    Column("category", "Catégorie", ("category", "rayon", "famille"), "category", 22),
    Column("description", "Description", ("descriptif", "details"), "description", 40),
    Column("labels", "Labels", ("label", "certification", "certifications"), "labels", 14),
    Column("unit", "Vendu par", ("unit", "sold by", "sale unit", "unite", "unite de vente"), "unit", 12),
    Column("content", "Contenance", ("size", "content", "contenu", "poids net", "volume"), "content", 12),
    Column("content_unit", "Unité de contenance", ("size unit", "content unit"), "content_unit", 10),
    Column("price_cents", "Prix (€)", ("price", "prix ttc", "prix unitaire", "tarif"), "money", 10),
    Column("vat_rate", "TVA (%)", ("vat", "vat rate", "taux de tva"), "vat", 8),
    Column("quantity_step", "Pas", ("step", "quantity step", "pas de quantite"), "step", 8),
    Column("min_quantity", "Minimum", ("min", "minimum quantity", "quantite minimum"), "minimum", 10),
    Column("carton_size", "Carton", ("carton size", "colis", "colisage", "caisse"), "carton", 8),
    Column("variable_weight", "Poids variable", ("variable weight",), "bool", 10),
    Column(
        "estimated_weight_grams",
        "Poids estimé (g)",
        ("estimated weight", "poids estime par piece"),
        "grams",
        12,
    ),
    Column("is_active", "En vente", ("on sale", "active", "actif", "disponible"), "bool", 10),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}

# The French labels of the file format (a file, like an address, does not change with the page's language).
CATEGORY_FR: dict[str, str] = {
    Category.BREAD: "Pain",
    Category.FLOUR: "Farines et céréales",
    Category.OIL: "Huile",
    Category.MEAT: "Viande",
    Category.POULTRY: "Volaille",
    Category.DAIRY: "Produits laitiers et œufs",
    Category.VEGETABLES: "Légumes",
    Category.FRUIT: "Fruits",
    Category.DRINKS: "Boissons",
    Category.HONEY: "Miel",
    Category.SWEETS: "Douceurs et biscuits",
    Category.COSMETICS: "Cosmétiques et entretien",
    Category.OTHER: "Autre",
}
# Plurals need no synonym: a final "s" is ignored when looking a label up.
CATEGORY_SYNONYMS: dict[str, str] = {
    "boulangerie": Category.BREAD,
    "farine": Category.FLOUR,
    "cereales": Category.FLOUR,
    "produits laitiers": Category.DAIRY,
    "cremerie": Category.DAIRY,
    "fromage": Category.DAIRY,
    "oeufs": Category.DAIRY,
    "biscuits": Category.SWEETS,
    "douceurs": Category.SWEETS,
    "cosmetiques": Category.COSMETICS,
    "entretien": Category.COSMETICS,
    "divers": Category.OTHER,
}
UNIT_FR: dict[str, str] = {
    SaleUnit.PIECE: "pièce",
    SaleUnit.KG: "kg",
    SaleUnit.LITRE: "litre",
    SaleUnit.BOTTLE: "bouteille",
    SaleUnit.JAR: "pot",
    SaleUnit.BAG: "sachet",
    SaleUnit.PACK: "paquet",
    SaleUnit.BOX: "boîte",
    SaleUnit.BUNCH: "botte",
}
UNIT_SYNONYMS: dict[str, str] = {
    "pce": SaleUnit.PIECE,
    "pc": SaleUnit.PIECE,
    "unite": SaleUnit.PIECE,
    "u": SaleUnit.PIECE,
    "kilo": SaleUnit.KG,
    "kilogramme": SaleUnit.KG,
    "l": SaleUnit.LITRE,
    "liter": SaleUnit.LITRE,
    "bocal": SaleUnit.JAR,
    "sac": SaleUnit.BAG,
    "lot": SaleUnit.PACK,
    "boite": SaleUnit.BOX,
    "barquette": SaleUnit.BOX,
    "bouquet": SaleUnit.BUNCH,
}


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: ``Catégorie`` → ``categorie``."""
    text = text.replace("œ", "oe").replace("Œ", "oe")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _header_key(text: str) -> str:
    """A header without what is between brackets: ``Prix (€)`` and ``prix`` are the same column."""
    return normalise(re.sub(r"\(.*?\)", " ", text))


@cache
def _header_lookup() -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in COLUMNS:
        for alias in (column.header, column.field, *column.aliases):
            lookup[_header_key(alias)] = column
    return lookup


# --- Reading files -------------------------------------------------------------------


@dataclass
class Sheet:
    """The first sheet of a file: header cells, then (row number as shown, cells) for non-empty rows."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]


def read_spreadsheet(filename: str, data: bytes) -> Sheet:
    """Read an uploaded XLSX or CSV file; ``SpreadsheetError`` when it cannot be imported at all."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(_("This file is too large (2 MB at most)."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in ("xls", "ods", "numbers"):
        raise SpreadsheetError(
            _("This spreadsheet format cannot be read: save it as XLSX (Excel) or CSV, then upload it again.")
        )
    if extension in ("xlsx", "xlsm"):
        table = _read_xlsx(data)
    elif extension in ("csv", "txt"):
        table = _read_csv(data)
    else:
        raise SpreadsheetError(_("Only XLSX (Excel) and CSV files can be imported."))
    return _sheet(table)


def _sheet(table: Iterator[list[Any]]) -> Sheet:
    header = next(table, None)
    if header is None or not any(is_filled(cell) for cell in header):
        raise SpreadsheetError(_("This file is empty: the first row must hold the column names."))
    rows: list[tuple[int, list[Any]]] = []
    blanks = 0
    for number, cells in enumerate(table, start=2):
        if not any(is_filled(cell) for cell in cells):
            blanks += 1
            if blanks >= BLANK_ROWS_AT_END:
                break
            continue
        blanks = 0
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetError(
                _("This file has too many rows (%(max)s products at most).") % {"max": MAX_ROWS}
            )
        rows.append((number, cells))
    return Sheet([cell_text(cell) for cell in header], rows)


def is_filled(cell: Any) -> bool:
    return cell is not None and cell_text(cell) != ""


def cell_text(value: Any) -> str:
    """A cell as text; ``12.0`` (a number typed in Excel) as ``12``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_xlsx(data: bytes) -> Iterator[list[Any]]:
    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise SpreadsheetError(_("This file could not be read as an XLSX spreadsheet.")) from None
    try:
        for row in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS):
            yield [_xlsx_cell(cell) for cell in row]
    except Exception:  # a damaged sheet fails while it is read
        raise SpreadsheetError(_("This file could not be read as an XLSX spreadsheet.")) from None
    finally:
        workbook.close()


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise SpreadsheetError(_("This file could not be read as an XLSX spreadsheet.")) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(_("This file is too large (2 MB at most)."))


def _xlsx_cell(cell: Any) -> Any:
    """A cell's value; a percentage cell (``5,5 %`` stored as 0.055) is read as it is shown."""
    value = cell.value
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and "%" in (cell.number_format or ""):
        return round(value * 100, 9)
    return value


def _read_csv(data: bytes) -> Iterator[list[Any]]:
    text = _decode(data)
    if "\x00" in text:
        raise SpreadsheetError(_("This file does not look like a CSV file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise SpreadsheetError(_("This file does not look like a CSV file.")) from None


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Windows' cp1252 (French Excel's CSV)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("The characters of this file could not be read: save it as CSV UTF-8."))


@dataclass(frozen=True)
class ColumnMap:
    """Where each known column is in the file, the header as the file writes it, ignored headers."""

    positions: dict[str, int]
    headers: dict[str, str]
    ignored: list[str]


def map_columns(headers: list[str]) -> ColumnMap:
    """Recognise the header row; ``SpreadsheetError`` without a name column or with a column twice."""
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        column = _header_lookup().get(_header_key(header)) if header else None
        if column is None:
            if header:
                ignored.append(header)
            continue
        if column.field in positions:
            raise SpreadsheetError(
                _("The columns “%(first)s” and “%(second)s” say the same thing: keep only one.")
                % {"first": names[column.field], "second": header}
            )
        positions[column.field], names[column.field] = index, header
    if "name" not in positions:
        raise SpreadsheetError(
            _(
                "The first row must hold the column names, including a “Nom” (name) column. "
                "Start from the template."
            )
        )
    return ColumnMap(positions, names, ignored)


# --- Showing and writing values --------------------------------------------------------


def product_values(product: Product) -> dict[str, Any]:
    """The typed value of every column for ``product`` (what an export writes, what an import compares)."""
    return {column.field: getattr(product, column.field) for column in COLUMNS}


def display_value(field: str, value: Any) -> str:
    """A typed value as the preview shows it, in the page's language (``6,50 €``, ``0,5``, ``Yes``)."""
    kind = COLUMN_BY_FIELD[field].kind
    if value is None or value == "":
        return "—"
    if kind == "money":
        return format_cents(value)
    if kind in ("step", "minimum", "carton"):
        return format_quantity(value)
    if kind == "vat":
        return str(VatRate(value).label)
    if kind in ("category", "unit", "content_unit"):
        choices = {"category": Category, "unit": SaleUnit, "content_unit": ContentUnit}[kind]
        return str(choices(value).label)
    if kind == "bool":
        return _("yes") if value else _("no")
    return str(value)


def _file_value(field: str, value: Any, *, decimal_comma: bool) -> Any:
    """A typed value as a file cell: numbers stay numbers in XLSX, texts with a comma in CSV."""
    kind = COLUMN_BY_FIELD[field].kind
    if value is None or value == "":
        return None
    if kind == "category":
        return CATEGORY_FR[Category(value)]
    if kind == "unit":
        return UNIT_FR[SaleUnit(value)]
    if kind == "bool":
        return "oui" if value else "non"
    scales = {"money": 100, "vat": 100, "step": ONE, "minimum": ONE, "carton": ONE}
    if kind not in scales:
        return value
    if decimal_comma:
        return (
            format_amount(value, "fr")
            if kind == "money"
            else format_quantity(value * ONE // scales[kind], "fr")
        )
    return Decimal(value) / scales[kind]


def export_rows(products: Iterable[Product]) -> list[dict[str, Any]]:
    return [product_values(product) for product in products]


# Two example rows of the template: one sold by the piece, one of variable weight.
TEMPLATE_ROWS: tuple[dict[str, Any], ...] = (
    {
        "name": "Pain de campagne",
        "category": Category.BREAD.value,
        "description": "Au levain naturel, farine T80 du moulin voisin.",
        "labels": "AB",
        "unit": SaleUnit.PIECE.value,
        "content": 1000,
        "content_unit": ContentUnit.GRAM.value,
        "price_cents": 520,
        "vat_rate": VatRate.REDUCED.value,
        "quantity_step": ONE,
        "min_quantity": ONE,
        "carton_size": None,
        "variable_weight": False,
        "estimated_weight_grams": None,
        "is_active": True,
    },
    {
        "name": "Rôti de porc",
        "category": Category.MEAT.value,
        "description": "Prix au kg, payé au poids réel.",
        "labels": "",
        "unit": SaleUnit.PIECE.value,
        "content": None,
        "content_unit": "",
        "price_cents": 2400,
        "vat_rate": VatRate.REDUCED.value,
        "quantity_step": ONE,
        "min_quantity": ONE,
        "carton_size": None,
        "variable_weight": True,
        "estimated_weight_grams": 1200,
        "is_active": True,
    },
)


def write_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    """Semicolons, decimal commas, UTF-8 with a BOM: what French Excel opens without a question."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    for row in rows:
        writer.writerow([_csv_cell(column.field, row[column.field]) for column in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(field: str, value: Any) -> Any:
    cell = _file_value(field, value, decimal_comma=True)
    # A text that Excel would run as a formula is protected by a quote (removed again on import).
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return "" if cell is None else cell


NUMBER_FORMATS = {"money": '#,##0.00 "€"'}  # quantities and rates stay "General": 1 and 0,5, not "1,"


def write_xlsx(rows: Iterable[dict[str, Any]]) -> bytes:
    """Bold headers, widths, typed numbers (prices in euros), lists to pick categories and units."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Catalogue"
    sheet.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row in rows:
        sheet.append([_xlsx_cell_out(sheet, column, row[column.field]) for column in COLUMNS])
    sheet.freeze_panes = "B2"
    _add_lists(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell_out(sheet: Any, column: Column, value: Any) -> Any:
    cell_value = _file_value(column.field, value, decimal_comma=False)
    if cell_value is None:
        return None
    cell = Cell(sheet, value=cell_value)
    if isinstance(cell_value, str):
        cell.data_type = "s"  # a text starting with "=" stays a text, never a formula
    if column.kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[column.kind]
    return cell


def _add_lists(sheet: Any) -> None:
    """Drop-down lists for categories, units and yes/no; a warning only, synonyms stay allowed."""
    lists = {
        "category": ",".join(CATEGORY_FR.values()),
        "unit": ",".join(UNIT_FR.values()),
        "content_unit": "g,kg,ml,cl,l",
        "variable_weight": "oui,non",
        "is_active": "oui,non",
    }
    for index, column in enumerate(COLUMNS, start=1):
        if column.field in lists:
            rule = DataValidation(type="list", formula1=f'"{lists[column.field]}"', errorStyle="warning")
            letter = get_column_letter(index)
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(rule)
