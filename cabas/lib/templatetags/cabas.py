"""Template filters shared by every page (loaded as a builtin)."""

from __future__ import annotations

from django import template

from cabas.lib import french
from cabas.lib.money import format_amount, format_cents
from cabas.lib.quantities import format_quantity

register = template.Library()


@register.filter
def money(cents: int | None) -> str:
    """``{{ line.total_cents|money }}`` → ``12,50 €`` (in the active language)."""
    if cents is None:
        return ""
    return format_cents(int(cents))


@register.filter
def amount(cents: int | None) -> str:
    """``{{ product.price_cents|amount }}`` → ``12,50``: the value of a price input."""
    if cents is None:
        return ""
    return format_amount(int(cents))


@register.filter
def quantity(thousandths: int | None) -> str:
    """``{{ line.quantity|quantity }}`` → ``1,5`` (quantities are thousandths of the unit)."""
    if thousandths is None:
        return ""
    return format_quantity(int(thousandths))


@register.filter(is_safe=True)
def elide(text: str, name: str) -> str:
    """``{{ text|elide:member.display_name }}``: « de Anne » → « d’Anne » in French (``lib.french``)."""
    return french.elide(text, str(name or ""))
