"""A member's prepaid balance on pages of other apps (their basket, their profile), without
those apps importing the ledger: ``{% load bank %}{% prepaid_box group user %}``."""

from __future__ import annotations

from typing import Any

from django import template

from cabas.accounts.models import BuyingGroup, User
from cabas.bank.prepaid import balance_cents, is_low

register = template.Library()


@register.simple_tag
def prepaid_balance(group: BuyingGroup, user: User) -> int:
    """The user's balance in a prepaid group (one query)."""
    return balance_cents(group, user)


@register.inclusion_tag("bank/balance.html")
def prepaid_box(group: BuyingGroup, user: User) -> dict[str, Any]:
    balance = balance_cents(group, user)
    return {"group": group, "balance": balance, "low": is_low(group, balance), "link": True}
