"""Reading a basket form: one quantity per offer, typed the French way, and what the page showed.

Field names: ``q-<offer id>`` is the quantity typed (``0,5``, ``2``), ``e-<offer id>``
the requested quantity the page showed (thousandths), so a line changed elsewhere
meanwhile is detected instead of overwritten. ``take-<offer id>`` (a button)
replaces the typed quantity by what is still available. ``t-<offer id>`` (products
sold by the carton only) is the extra the member would take to fill a carton,
typed like a quantity; an empty box means none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cabas.cycles.models import Offer
from cabas.cycles.ordering import LineChange
from cabas.lib.inputs import parse_digits
from cabas.lib.quantities import parse_quantity


@dataclass
class BasketForm:
    """The typed values (kept as typed, to show them back) and the changes they mean."""

    typed: dict[int, str] = field(default_factory=dict)
    typed_tolerance: dict[int, str] = field(default_factory=dict)
    changes: list[LineChange] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def rows_sent(data: Mapping[str, str]) -> set[int]:
    """The offers whose row the member changed in a whole form (a section's rows all come along).

    A row counts when one of its buttons was pressed (``take-``), when its
    quantity is not the one the page showed (``q-`` against ``e-``, or
    unreadable: the error must be shown), or when it has an extra box (``t-``:
    the page does not say what it showed there). An untouched row is not a
    change: it is neither read nor written, whatever the size of the section.
    """
    wanted = set()
    for key in data:
        if not key.startswith("q-") or (offer_id := parse_digits(key[2:])) is None:
            continue
        if f"take-{offer_id}" in data or f"t-{offer_id}" in data:
            wanted.add(offer_id)
            continue
        text = str(data[key]).strip()
        try:
            typed = parse_quantity(text) if text else 0
            shown = _expected(data.get(f"e-{offer_id}"))
        except ValueError:
            wanted.add(offer_id)
            continue
        if shown is None or typed != shown:
            wanted.add(offer_id)
    return wanted


def read_basket(data: Mapping[str, str], offers: Iterable[Offer]) -> BasketForm:
    form = BasketForm()
    for offer in offers:
        key = f"q-{offer.pk}"
        if key not in data:
            continue
        text = data[key].strip()
        take = data.get(f"take-{offer.pk}")
        if take is not None:
            text = take
        form.typed[offer.pk] = text
        try:
            quantity = parse_quantity(text) if text else 0
        except ValueError:
            form.errors[offer.pk] = _("Enter a number, e.g. 0,5 or 2.")
            continue
        try:
            tolerance = _tolerance(data, offer, form)
        except ValueError:
            form.errors[offer.pk] = _("Enter the extra you would take as a number, e.g. 0,5 or 2.")
            continue
        try:
            expected = _expected(data.get(f"e-{offer.pk}"))
        except ValueError:
            form.errors[offer.pk] = _("This form could not be read: reload the page and try again.")
            continue
        form.changes.append(LineChange(offer.pk, quantity, expected, tolerance))
    return form


def _tolerance(data: Mapping[str, str], offer: Offer, form: BasketForm) -> int | None:
    """The extra typed for a carton product (kept as typed); None when the form has no box for it."""
    key = f"t-{offer.pk}"
    if not offer.carton_size or key not in data:
        return None
    text = form.typed_tolerance[offer.pk] = data[key].strip()
    return parse_quantity(text) if text else 0


def _expected(value: str | None) -> int | None:
    """The quantity the page showed (None when the form does not say); ValueError when damaged."""
    if value is None:
        return None
    expected = parse_digits(value, maximum=2**31 - 1)
    if expected is None:
        raise ValueError(value)
    return expected
