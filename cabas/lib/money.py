"""Money is integer cents everywhere. This module is the only place that
turns cents into text, and (later) the only place that rounds.

SQLite stores decimals as floats, so amounts are never Decimal or float in the
database: an ``IntegerField`` of cents sums exactly on every backend.
"""

from __future__ import annotations

from django.utils import translation

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"

# The largest amount of one order line (10 million euros): a variable-weight
# line (price per kg x pieces x grams) could otherwise pass an integer column.
MAX_LINE_TOTAL_CENTS = 1_000_000_000


def format_cents(cents: int, language: str | None = None) -> str:
    """Format an amount of cents for display: ``12,50 €`` in French, ``€12.50`` in English.

    French groups thousands with a narrow no-break space (``1 234,50 €``), as
    the Imprimerie nationale and CLDR do; the sign goes before the figures.
    """
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError(f"Amounts are integer cents, got {type(cents).__name__}")
    language = (language or translation.get_language() or "fr")[:2]
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    if language == "fr":
        whole = f"{units:,}".replace(",", NARROW_NBSP)
        return f"{sign}{whole},{rest:02d}{NBSP}€"
    return f"{sign}€{units:,}.{rest:02d}"


def parse_cents(text: str) -> int:
    """Read an amount typed by a person (``12,5``, ``12.50``, ``1 234,56 €``) into cents.

    Raises ``ValueError`` for anything that is not an amount with at most two decimals.
    """
    cleaned = text.strip().replace("€", "").replace(NBSP, "").replace(NARROW_NBSP, "").replace(" ", "")
    negative = cleaned.startswith("-")
    cleaned = cleaned.removeprefix("-").removeprefix("+").replace(",", ".")
    if not cleaned.isascii():
        raise ValueError(text)  # "²" is a digit to ``isdigit``, not an amount
    units, _, decimals = cleaned.partition(".")
    if not units.isdigit() and not (units == "" and decimals.isdigit()):
        raise ValueError(text)
    if decimals and (not decimals.isdigit() or len(decimals) > 2):
        raise ValueError(text)
    cents = int(units or "0") * 100 + int(decimals.ljust(2, "0") or "0")
    return -cents if negative else cents


def format_amount(cents: int, language: str | None = None) -> str:
    """The figure alone, as typed in a form: ``12,50`` in French, ``12.50`` in English."""
    language = (language or translation.get_language() or "fr")[:2]
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units}{',' if language == 'fr' else '.'}{rest:02d}"


def line_total_cents(price_cents: int, quantity: int, *, grams_per_piece: int | None = None) -> int:
    """The amount of an order line, rounded once, half up, to the cent.

    ``quantity`` is in thousandths of the sale unit. For a variable-weight
    product ``price_cents`` is per kg and ``grams_per_piece`` the estimated
    weight of a piece: the result is the estimated amount. Every screen,
    document and e-mail shows the total this returns, as persisted on the line.
    """
    if grams_per_piece is None:
        numerator, denominator = price_cents * quantity, 1000
    else:
        numerator, denominator = price_cents * quantity * grams_per_piece, 1_000_000
    return (2 * numerator + denominator) // (2 * denominator)
