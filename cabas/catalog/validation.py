"""The rules a product must follow, shared by the product form and the spreadsheet import.

Values are already typed (cents, thousandths, grams). Each rule returns a
message in the user's language for the field at fault, so a form and an
import preview say exactly the same thing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cabas.catalog.models import MEASURED_UNITS, Product, SaleUnit
from cabas.lib.quantities import ONE, format_quantity

MAX_PRICE_CENTS = 1_000_000  # 10 000 € for one unit
MAX_STEP = 1_000 * ONE
MAX_CARTON = 10_000 * ONE
MAX_CONTENT = 1_000_000  # 1 t or 1,000 l in one unit
MAX_PIECE_GRAMS = 100_000  # a 100 kg piece (half a pig)


def product_errors(
    data: dict[str, Any], *, producer_id: int, exclude_pk: int | None = None
) -> dict[str, str]:
    """Field → message for every rule ``data`` breaks; empty when the product is valid."""
    errors: dict[str, str] = {}
    step, minimum, carton = data.get("quantity_step"), data.get("min_quantity"), data.get("carton_size")
    if step and minimum and (minimum < step or minimum % step):
        errors["min_quantity"] = _("The minimum (%(min)s) must be a multiple of the step (%(step)s).") % {
            "min": format_quantity(minimum),
            "step": format_quantity(step),
        }
    if step and carton and carton % step:
        errors["carton_size"] = _("The carton (%(carton)s) must be a multiple of the step (%(step)s).") % {
            "carton": format_quantity(carton),
            "step": format_quantity(step),
        }
    errors.update(_unit_errors(data))
    name = (data.get("name") or "").strip()
    if name and _name_taken(name, producer_id, exclude_pk):
        errors["name"] = _("You already have a product named “%(name)s”.") % {"name": name}
    return errors


def _unit_errors(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    unit, content, content_unit = data.get("unit"), data.get("content"), data.get("content_unit")
    if data.get("variable_weight"):
        if unit != SaleUnit.PIECE:
            errors["unit"] = _("A variable-weight product is ordered by the piece: choose “piece”.")
        if not data.get("estimated_weight_grams"):
            errors["estimated_weight_grams"] = _("Give the estimated weight of a piece, in grams.")
    if unit in MEASURED_UNITS and content:
        errors["content"] = _("Leave the size empty: the price is already per kg or per litre.")
    elif content and not content_unit:
        errors["content_unit"] = _("Say whether the size is in grams or millilitres.")
    elif content_unit and not content:
        errors["content"] = _("Give the size, or leave the size unit empty.")
    return errors


def _name_taken(name: str, producer_id: int, exclude_pk: int | None) -> bool:
    products = Product.objects.filter(producer_id=producer_id, name__iexact=name)
    if exclude_pk:
        products = products.exclude(pk=exclude_pk)
    return products.exists()
