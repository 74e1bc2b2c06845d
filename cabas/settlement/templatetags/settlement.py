"""Template helpers of the settlement pages and e-mails."""

from __future__ import annotations

from django import template

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.catalog.models import Producer
from cabas.catalog.payment import payment_sentence

register = template.Library()


@register.filter
def payment_details(producer: Producer) -> str:
    """How ``producer`` wants to be paid, in the language the template is rendered in."""
    return payment_sentence(producer)


@register.filter
def treasurer_of(user: object, group: BuyingGroup) -> bool:
    """Whether ``user`` may open the group's treasury (a treasurer of it, or the site admin)."""
    if not isinstance(user, User):
        return False  # the anonymous visitor
    if user.is_superuser:
        return True
    return Membership.objects.current().filter(group=group, user=user, is_treasurer=True).exists()
