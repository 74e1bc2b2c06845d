"""Template tags that let lower-layer pages (the group page) show cycles without importing them."""

from __future__ import annotations

from django import template
from django.utils import timezone

from cabas.accounts.models import BuyingGroup
from cabas.catalog.permissions import ProducerAccess
from cabas.cycles.models import Cycle

register = template.Library()


@register.simple_tag
def upcoming_cycles(group: BuyingGroup) -> list[Cycle]:
    """Published cycles whose distribution is today or later, soonest first (at most three)."""
    today = timezone.localdate()
    return list(Cycle.objects.upcoming(today).filter(group=group)[:3])


@register.simple_tag
def producer_cycles(access: ProducerAccess) -> list[Cycle]:
    """The published cycles a producer takes part in that the person may see, latest first (at most six)."""
    return list(
        Cycle.objects.published()
        .seen_through(access)
        .filter(producers=access.producer)
        .select_related("group")
        .order_by("-distribution_date")[:6]
    )
