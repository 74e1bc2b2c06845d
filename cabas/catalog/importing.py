"""Reading the rows of an import, planning it and applying it (reading files is in ``spreadsheets``).

An uploaded file becomes a ``CatalogImport`` whose ``plan`` says, row by row,
what confirming would do and what is wrong. Nothing touches the catalogue
before ``apply_import``, which writes through the catalogue services only, in
one transaction, once, and only a plan without errors that still matches the
catalogue.

Rows are matched to products by name, ignoring case. For each column:

- a column absent from the file leaves the field as it is (a new product gets
  the default);
- an empty cell clears an optional field (description, labels, size, carton,
  estimated weight), keeps a field that has a default (VAT, step, minimum,
  variable weight, on sale; a new product gets the default) and is an error
  for a required one (name, category, unit, price);
- products of the producer that are not in the file are left as they are.

The plan (JSON, typed values: cents, thousandths, grams, basis points)::

    {"version": 1, "headers": {field: header as the file writes it},
     "ignored_columns": [header, ...], "untouched": int,
     "rows": [{"row": 5, "name": "Miel", "values": {field: value read from the file},
               "action": "create" | "update" | "unchanged" | "archive" | "restore",
               "product_id": int | None, "active": bool,
               "fields": {field: value to write}, "changes": [[field, old, new], ...],
               "errors": ["Row 5, column Prix: …"]}]}
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.catalog import services, validation
from cabas.catalog.models import CatalogImport, Category, ContentUnit, Producer, Product, SaleUnit, VatRate
from cabas.catalog.services import CatalogError
from cabas.catalog.spreadsheets import (
    CATEGORY_FR,
    CATEGORY_SYNONYMS,
    COLUMN_BY_FIELD,
    COLUMNS,
    FORMULA_START,
    UNIT_FR,
    UNIT_SYNONYMS,
    ColumnMap,
    SpreadsheetError,
    cell_text,
    is_filled,
    map_columns,
    normalise,
    product_values,
    read_spreadsheet,
)
from cabas.lib.money import format_cents, parse_cents
from cabas.lib.quantities import ONE, format_quantity, parse_quantity

PLAN_VERSION = 1
REQUIRED = ("name", "category", "unit", "price_cents")
CLEARED = {
    "description": "",
    "labels": "",
    "content": None,
    "content_unit": "",
    "carton_size": None,
    "estimated_weight_grams": None,
}
DEFAULTS: dict[str, Any] = {
    **CLEARED,
    "vat_rate": VatRate.REDUCED.value,
    "quantity_step": ONE,
    "min_quantity": None,  # one step
    "variable_weight": False,
    "is_active": True,
}
PRODUCT_FIELDS = tuple(column.field for column in COLUMNS if column.field != "is_active")
COMPARED = ("action", "product_id", "active", "changes", "errors")
# Size unit → (stored unit, factor): sizes are stored in g or ml.
CONTENT_UNITS = {
    "g": (ContentUnit.GRAM, 1),
    "gr": (ContentUnit.GRAM, 1),
    "gramme": (ContentUnit.GRAM, 1),
    "grammes": (ContentUnit.GRAM, 1),
    "kg": (ContentUnit.GRAM, 1000),
    "ml": (ContentUnit.MILLILITRE, 1),
    "cl": (ContentUnit.MILLILITRE, 10),
    "l": (ContentUnit.MILLILITRE, 1000),
    "litre": (ContentUnit.MILLILITRE, 1000),
    "litres": (ContentUnit.MILLILITRE, 1000),
}
YES = {"oui", "o", "yes", "y", "1", "x", "vrai", "true"}
NO = {"non", "n", "no", "0", "faux", "false"}


class CellError(ValueError):
    """One cell cannot be read; the message (for the user) says why, without row or column."""


@dataclass
class ParsedRow:
    """One row as read from the file: typed values of its filled cells, and field → error."""

    row: int
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class PlanContext:
    """What planning a row needs: the producer's catalogue by lower-case name, the file's headers."""

    producer_id: int
    catalogue: dict[str, Product]
    headers: dict[str, str]
    seen: dict[str, int] = field(default_factory=dict)  # lower-case name → first row with it

    def header(self, name: str) -> str:
        return self.headers.get(name) or COLUMN_BY_FIELD[name].header


# --- Reading cells -------------------------------------------------------------------


def _choice_key(text: str) -> str:
    """A choice as looked up: normalised, each word without a plural ``s`` (``Farines`` is ``farine``)."""
    return " ".join(
        word[:-1] if len(word) > 3 and word.endswith("s") else word for word in normalise(text).split()
    )


@cache
def _choice_lookup(choices: type[Category] | type[SaleUnit]) -> dict[str, str]:
    """Every accepted spelling of a choice: code, English and French labels, synonyms."""
    french, synonyms = (CATEGORY_FR, CATEGORY_SYNONYMS) if choices is Category else (UNIT_FR, UNIT_SYNONYMS)
    lookup: dict[str, str] = {_choice_key(alias): code for alias, code in synonyms.items()}
    for choice in choices:
        lookup[_choice_key(choice.value)] = choice.value
        lookup[_choice_key(french[choice])] = choice.value
        for language in ("en", "fr"):
            with translation.override(language):
                lookup[_choice_key(str(choice.label))] = choice.value
    return lookup


def read_text(value: Any, max_length: int, *, single_line: bool = True) -> str:
    """Text (on one line with single spaces unless ``single_line`` is false), at most ``max_length``.

    A leading ``'`` protecting a formula-like value (see ``write_csv``) is removed.
    """
    text = " ".join(cell_text(value).split()) if single_line else cell_text(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]
    if len(text) > max_length:
        raise CellError(_("This is too long (%(max)s characters at most).") % {"max": max_length})
    return text


def read_name(value: Any) -> str:
    name = read_text(value, 120)
    if len(name) < 2:
        raise CellError(_("The name needs at least 2 characters."))
    return name


def read_choice(value: Any, choices: type[Category] | type[SaleUnit]) -> str:
    code = _choice_lookup(choices).get(_choice_key(cell_text(value)))
    if code is None:
        french = CATEGORY_FR if choices is Category else UNIT_FR
        listed = ", ".join(french[choice] for choice in choices)
        raise CellError(
            _("“%(value)s” is not in the list: %(choices)s.") % {"value": cell_text(value), "choices": listed}
        )
    return code


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalise(cell_text(value))
    if text in YES or text in NO:
        return text in YES
    raise CellError(_("“%(value)s”: write yes or no.") % {"value": cell_text(value)})


def _scaled(value: Any, scale: int) -> int:
    """A number typed in a cell times ``scale``, exactly; ``ValueError`` if it has more decimals."""
    if isinstance(value, bool | datetime | date | time):
        raise ValueError(value)
    if isinstance(value, float):
        value = round(value, 9)  # Excel's binary noise: 0.1 + 0.2 is 0.30000000000000004
    try:
        number = Decimal(str(value)) * scale
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def read_money(value: Any) -> int:
    """Cents from ``6,50``, ``6.50 €`` or the number 6.5."""
    try:
        cents = parse_cents(value) if isinstance(value, str) else _scaled(value, 100)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not an amount in euros (e.g. 6,50).") % {"value": cell_text(value)}
        ) from None
    if cents <= 0:
        raise CellError(_("The price must be more than zero."))
    if cents > validation.MAX_PRICE_CENTS:
        raise CellError(
            _("This amount is too high (%(max)s at most).")
            % {"max": format_cents(validation.MAX_PRICE_CENTS)}
        )
    return cents


def read_quantity(value: Any, maximum: int) -> int:
    """Thousandths from ``0,5``, ``0.5`` or the number 0.5; above zero and at most ``maximum``."""
    try:
        quantity = parse_quantity(value) if isinstance(value, str) else _scaled(value, ONE)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a number (e.g. 0,5 or 2).") % {"value": cell_text(value)}
        ) from None
    if quantity <= 0:
        raise CellError(_("Enter a quantity above zero."))
    if quantity > maximum:
        raise CellError(_("This is too much (%(max)s at most).") % {"max": format_quantity(maximum)})
    return quantity


def read_whole(value: Any, maximum: int) -> int:
    """A whole number above zero (grams, millilitres)."""
    quantity = read_quantity(value, maximum * ONE)
    if quantity % ONE:
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})
    return quantity // ONE


def read_vat(value: Any) -> int:
    """Basis points from ``5,5``, ``5.5 %``, ``20`` or a percentage cell."""
    try:
        text = cell_text(value).replace("%", "") if isinstance(value, str) else value
        points = parse_quantity(text) if isinstance(text, str) else _scaled(text, ONE)
    except ValueError:
        points = -1
    if points % 10 or points // 10 not in VatRate.values:
        raise CellError(
            _("“%(value)s” is not a French VAT rate: write 0, 2,1, 5,5, 10 or 20.")
            % {"value": cell_text(value)}
        )
    return points // 10


def read_content_unit(value: Any) -> tuple[str, int]:
    """(``g`` or ``ml``, factor) from ``g``, ``kg``, ``ml``, ``cl``, ``l``…"""
    unit = CONTENT_UNITS.get(normalise(cell_text(value)))
    if unit is None:
        raise CellError(
            _("“%(value)s” is not a size unit: write g, kg, ml, cl or l.") % {"value": cell_text(value)}
        )
    return unit[0].value, unit[1]


def read_content(value: Any, unit: tuple[str, int] | None) -> tuple[int, str | None]:
    """(size in g or ml, unit or None) from ``500``, or ``0,5`` with ``kg``, or ``75 cl`` in one cell."""
    match = re.fullmatch(r"([\d.,\s]+?)\s*([^\d.,\s]+)", cell_text(value)) if isinstance(value, str) else None
    if match:
        value, unit = match.group(1), read_content_unit(match.group(2))
    factor = unit[1] if unit else 1
    size = read_quantity(value, validation.MAX_CONTENT * ONE) * factor
    if size % ONE:
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})
    if size // ONE > validation.MAX_CONTENT:
        raise CellError(_("This is too much (%(max)s at most).") % {"max": validation.MAX_CONTENT})
    return size // ONE, unit[0] if unit else None


READERS: dict[str, Callable[[Any], Any]] = {
    "name": read_name,
    "category": lambda value: read_choice(value, Category),
    "unit": lambda value: read_choice(value, SaleUnit),
    "description": lambda value: read_text(value, 2000, single_line=False),
    "labels": lambda value: read_text(value, 120),
    "price_cents": read_money,
    "vat_rate": read_vat,
    "quantity_step": lambda value: read_quantity(value, validation.MAX_STEP),
    "min_quantity": lambda value: read_quantity(value, validation.MAX_STEP),
    "carton_size": lambda value: read_quantity(value, validation.MAX_CARTON),
    "variable_weight": read_bool,
    "is_active": read_bool,
    "estimated_weight_grams": lambda value: read_whole(value, validation.MAX_PIECE_GRAMS),
}  # the size and its unit are read together, see ``_parse_size``


# --- Reading rows --------------------------------------------------------------------


def parse_row(columns: ColumnMap, number: int, cells: list[Any]) -> ParsedRow:
    """Type every cell of a row; a cell that cannot be read becomes an error on its field."""
    parsed = ParsedRow(number, {})
    for name, index in columns.positions.items():
        if name in ("content", "content_unit"):
            continue
        raw = cells[index] if index < len(cells) else None
        if not is_filled(raw):
            if name in REQUIRED:
                parsed.errors[name] = _("This cell must be filled in.")
            elif name in CLEARED:
                parsed.values[name] = CLEARED[name]
            continue
        try:
            parsed.values[name] = READERS[name](raw)
        except CellError as error:
            parsed.errors[name] = str(error)
    _parse_size(columns, cells, parsed)
    return parsed


def _parse_size(columns: ColumnMap, cells: list[Any], parsed: ParsedRow) -> None:
    """Size and size unit together: ``0,5`` + ``kg`` or ``75 cl`` in one cell are stored in g or ml."""
    unit = None
    raw_unit = _cell(columns, cells, "content_unit")
    if "content_unit" in columns.positions:
        parsed.values["content_unit"] = ""
        if is_filled(raw_unit):
            try:
                unit = read_content_unit(raw_unit)
            except CellError as error:
                parsed.errors["content_unit"] = str(error)
                return
            parsed.values["content_unit"] = unit[0]
    if "content" not in columns.positions:
        return
    raw = _cell(columns, cells, "content")
    if not is_filled(raw):
        parsed.values["content"] = None
        return
    try:
        size, size_unit = read_content(raw, unit)
    except CellError as error:
        parsed.errors["content"] = str(error)
        return
    parsed.values["content"] = size
    if size_unit:
        parsed.values["content_unit"] = size_unit


def _cell(columns: ColumnMap, cells: list[Any], name: str) -> Any:
    index = columns.positions.get(name)
    return cells[index] if index is not None and index < len(cells) else None


# --- Planning ------------------------------------------------------------------------


def load_catalogue(producer: Producer) -> dict[str, Product]:
    """All the producer's products, archived ones included, by lower-case name (one query)."""
    return {product.name.lower(): product for product in Product.objects.filter(producer=producer)}


def plan_row(parsed: ParsedRow, context: PlanContext) -> dict[str, Any]:
    """What confirming would do with this row, and what is wrong with it (see the module's docstring)."""
    errors = dict(parsed.errors)
    name = parsed.values.get("name")
    product = context.catalogue.get(name.lower()) if name else None
    current = product_values(product) if product else None
    merged = _merge(parsed.values, current, errors)
    for key, message in _rule_errors(merged, context.producer_id).items():
        errors.setdefault(key, message)
    if name:
        first = context.seen.setdefault(name.lower(), parsed.row)
        if first != parsed.row:
            errors.setdefault(
                "name", _("“%(name)s” is already on row %(row)s.") % {"name": name, "row": first}
            )
    action, fields, changes = _action(merged, current)
    return {
        "row": parsed.row,
        "name": name or "",
        "values": parsed.values,
        "action": action,
        "product_id": product.pk if product else None,
        "active": merged["is_active"],
        "fields": fields,
        "changes": changes,
        "errors": _located_errors(parsed.row, errors, context),
    }


def _merge(values: dict[str, Any], current: dict[str, Any] | None, errors: dict[str, str]) -> dict[str, Any]:
    """The product as it would be: the file's values over the current product, or over the defaults."""
    if current is not None:
        return {**current, **values}
    merged = {**DEFAULTS, **values}
    if merged["min_quantity"] is None:
        merged["min_quantity"] = merged["quantity_step"]
    for name in REQUIRED:
        if name not in values and name not in errors:
            errors[name] = _("Needed for a new product.")
    return merged


def _rule_errors(merged: dict[str, Any], producer_id: int) -> dict[str, str]:
    """The shared product rules; names are checked against the loaded catalogue instead (no query)."""
    data = {key: value for key, value in merged.items() if key != "name"}
    return validation.product_errors(data, producer_id=producer_id)


def _action(
    merged: dict[str, Any], current: dict[str, Any] | None
) -> tuple[str, dict[str, Any], list[list[Any]]]:
    """(action, fields to write, [field, old, new] changes)."""
    if current is None:
        return "create", {name: merged.get(name) for name in PRODUCT_FIELDS}, []
    changes = [
        [name, current[name], merged[name]] for name in PRODUCT_FIELDS if merged[name] != current[name]
    ]
    fields = {name: new for name, _old, new in changes}
    if merged["is_active"] != current["is_active"]:
        return ("restore" if merged["is_active"] else "archive"), fields, changes
    return ("update" if changes else "unchanged"), fields, changes


def _located_errors(row: int, errors: dict[str, str], context: PlanContext) -> list[str]:
    """``Row 5, column Prix: …`` in the file's column order."""
    order = [column.field for column in COLUMNS]
    return [
        _("Row %(row)s, column %(column)s: %(message)s")
        % {"row": row, "column": context.header(name), "message": errors[name]}
        for name in sorted(errors, key=order.index)
    ]


def make_plan(filename: str, data: bytes, producer: Producer) -> dict[str, Any]:
    """Read a file and plan it against the producer's catalogue; ``SpreadsheetError`` for a bad file."""
    sheet = read_spreadsheet(filename, data)
    columns = map_columns(sheet.headers)
    context = PlanContext(producer.pk, load_catalogue(producer), columns.headers)
    rows = [plan_row(parse_row(columns, number, cells), context) for number, cells in sheet.rows]
    if not rows:
        raise SpreadsheetError(_("This file has no product under its column names."))
    matched = {row["product_id"] for row in rows if row["product_id"]}
    return {
        "version": PLAN_VERSION,
        "headers": columns.headers,
        "ignored_columns": columns.ignored,
        "untouched": len(context.catalogue) - len(matched),
        "rows": rows,
    }


def create_import(*, producer: Producer, user: User, filename: str, data: bytes) -> CatalogImport:
    """Plan an uploaded file and keep the plan for the preview; the catalogue is not touched."""
    plan = make_plan(filename, data, producer)
    return CatalogImport.objects.create(
        producer=producer,
        uploaded_by=user,
        filename=filename[-200:],
        plan=plan,
        error_count=sum(len(row["errors"]) for row in plan["rows"]),
    )


# --- Applying ------------------------------------------------------------------------


def apply_import(catalog_import: CatalogImport, *, by: User) -> Counter[str]:
    """Apply a previewed plan in one transaction, through the catalogue services; actions counted.

    Refused with ``CatalogError`` (and nothing written) when the plan has
    errors, was already applied (of two simultaneous submits, one applies), or
    no longer gives the same result on the catalogue as it is now.
    """
    if catalog_import.error_count:
        raise CatalogError(_("This file has errors: correct them and upload it again."))
    with transaction.atomic():
        claimed = CatalogImport.objects.filter(
            pk=catalog_import.pk, applied_at__isnull=True, error_count=0
        ).update(applied_at=timezone.now())
        if not claimed:
            raise CatalogError(_("This import has already been applied."))
        producer = catalog_import.producer
        plan = plan_of(catalog_import)
        context = PlanContext(producer.pk, load_catalogue(producer), plan["headers"])
        stored = plan["rows"]
        fresh = [plan_row(ParsedRow(row["row"], row["values"]), context) for row in stored]
        _check_still_valid(stored, fresh)
        products = {product.pk: product for product in context.catalogue.values()}
        for row in fresh:
            _apply_row(row, producer, products, by)
    return Counter(row["action"] for row in fresh)


def _check_still_valid(stored: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> None:
    """The catalogue may have changed since the preview: then the preview is no longer what is confirmed."""
    for old, new in zip(stored, fresh, strict=True):
        if any(old[key] != new[key] for key in COMPARED):
            detail = " ".join(new["errors"][:1])
            message = _(
                "Your catalogue has changed since this preview (row %(row)s). Nothing was saved: "
                "upload the file again to see what it would do now."
            ) % {"row": old["row"]}
            raise CatalogError(f"{message} {detail}".strip())


def _apply_row(row: dict[str, Any], producer: Producer, products: dict[int, Product], by: User) -> None:
    try:
        if row["action"] == "create":
            product = services.create_product(producer=producer, fields=row["fields"])
        else:
            product = products[row["product_id"]]
            if row["fields"]:
                services.update_product(product=product, fields=row["fields"], by=by)
        if row["action"] == "restore":
            services.restore_product(product=product)
        elif row["action"] == "archive" or (row["action"] == "create" and not row["active"]):
            services.archive_product(product=product)
    except CatalogError as error:
        raise CatalogError(_("Row %(row)s: %(message)s") % {"row": row["row"], "message": error}) from error


def plan_of(catalog_import: CatalogImport) -> dict[str, Any]:
    """The stored plan with every key present; an empty or list plan is read as its rows."""
    stored = catalog_import.plan
    plan = stored if isinstance(stored, dict) else {"rows": stored or []}
    return {"headers": {}, "ignored_columns": [], "untouched": 0, "rows": [], **plan}
