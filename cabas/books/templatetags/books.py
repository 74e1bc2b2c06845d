"""Links to the books for the group's treasurers."""

from __future__ import annotations

from typing import Any

from django import template

from cabas.accounts.models import BuyingGroup, Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def is_treasurer(context: dict[str, Any], group: BuyingGroup) -> bool:
    """Whether the person looking may open the group's books (its treasurers, the site admin)."""
    user = context["request"].user
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.current().filter(group=group, user=user, is_treasurer=True).exists()


@register.filter
def method_label(method: str) -> str:
    """« Chèque » for ``cheque``: a way of paying in words."""
    from cabas.books.statements import method_label as label

    return label(method)
