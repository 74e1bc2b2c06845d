"""Quantities are integer thousandths of a sale unit (500 = 0.5 kg, 6000 = 6 bottles).

Like money, they are never floats or SQL decimals: SQLite would sum them as
floats. This module is the only place that turns them into text and back.
"""

from __future__ import annotations

from django.utils import translation

ONE = 1000  # one whole unit, in thousandths

# The most of one product on one order line, whatever a group's own setting
# (``BuyingGroup.max_line_units``, 99 by default): 1,000 units, an absolute
# ceiling kept by a check constraint, far inside an integer column.
MAX_LINE_UNITS = 1000
MAX_LINE_QUANTITY = MAX_LINE_UNITS * ONE


def format_quantity(thousandths: int, language: str | None = None) -> str:
    """``1500`` → ``1,5`` in French, ``1.5`` in English; whole numbers without decimals."""
    language = (language or translation.get_language() or "fr")[:2]
    sign = "-" if thousandths < 0 else ""
    units, rest = divmod(abs(thousandths), ONE)
    text = f"{sign}{units}"
    if rest:
        decimals = f"{rest:03d}".rstrip("0")
        text += ("," if language == "fr" else ".") + decimals
    return text


def parse_quantity(text: str) -> int:
    """Read ``0,5`` / ``0.5`` / ``2`` into thousandths; ``ValueError`` beyond three decimals.

    Only ASCII digits count: ``²`` or ``٣`` are digits to ``str.isdigit`` but
    not amounts anyone types.
    """
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned.isascii():
        raise ValueError(text)
    units, _, decimals = cleaned.partition(".")
    if not (units.isdigit() or (units == "" and decimals.isdigit())):
        raise ValueError(text)
    if decimals and (not decimals.isdigit() or len(decimals) > 3):
        raise ValueError(text)
    return int(units or "0") * ONE + int(decimals.ljust(3, "0") or "0")


def price_per_reference(price_cents: int, content: int) -> int:
    """Price of 1 kg or 1 l, in cents, for an item of ``content`` g or ml, rounded half up.

    For display next to the price only ("6,50 € the 500 g jar, 13,00 €/kg");
    nothing is charged from it.
    """
    return (price_cents * 1000 * 2 + content) // (content * 2)


def estimated_grams(quantity: int, grams_per_piece: int | None) -> int | None:
    """Estimated grams of ``quantity`` (thousandths of a piece), half up; None if not sold by weight."""
    if grams_per_piece is None:
        return None
    return (quantity * grams_per_piece * 2 + 1000) // 2000
