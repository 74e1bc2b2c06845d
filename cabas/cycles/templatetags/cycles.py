"""Template tags that let lower-layer pages (the group page) show cycles without importing them."""

from __future__ import annotations

from django import template
from django.db.models import Q
from django.utils import timezone

from cabas.accounts.models import BuyingGroup
from cabas.catalog.permissions import ProducerAccess
from cabas.cycles.models import Cycle, ProducerOffer

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


@register.simple_tag
def producer_offers_to_prepare(access: ProducerAccess) -> list[ProducerOffer]:
    """The producer's offers asked for cycles that have not opened yet, in groups the person may see."""
    now = timezone.now()
    rows = ProducerOffer.objects.filter(
        producer=access.producer, cycle__in=Cycle.objects.seen_through(access)
    )
    rows = rows.filter(Q(cycle__published_at__isnull=True) | Q(cycle__opens_at__gt=now))
    return list(rows.select_related("cycle__group").order_by("cycle__opens_at"))
