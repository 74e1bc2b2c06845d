"""Fair shares of a scarce product, computed at the deadline.

Members state what they want while the cycle is open; at closing the quota
is split so that nobody gets more than anyone who asked for more: everyone
gets up to a common level (what they asked, if less), and the steps left over
go one each to the largest unmet requests, the earliest order first among
equals. Quantities stay multiples of the product's step. Deterministic: the
same requests in the same order always give the same shares.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from django.db import transaction
from django.utils import timezone

from cabas.cycles.lines import Edit, Quota, change_lines
from cabas.cycles.models import Allocation, ChangeKind, Cycle, Offer, OrderLine


def fair_shares[K: Hashable](quota: int, step: int, requests: Sequence[tuple[K, int]]) -> dict[K, int]:
    """Split ``quota`` among ``requests`` ((key, asked), earliest first), in multiples of ``step``."""
    asks = {key: asked // step for key, asked in requests}
    units = quota // step
    if sum(asks.values()) <= units:
        return {key: asks[key] * step for key, _asked in requests}
    level, left = _water_level(sorted(asks.values()), units)
    shares = {key: min(ask, level) for key, ask in asks.items()}
    unmet = sorted((key for key, ask in asks.items() if ask > level), key=lambda k: -asks[k])  # stable
    for key in unmet[:left]:
        shares[key] += 1
    return {key: shares[key] * step for key, _asked in requests}


def _water_level(sorted_asks: list[int], units: int) -> tuple[int, int]:
    """The highest common level the quota reaches, and the units left below the next level."""
    level, left, count = 0, units, len(sorted_asks)
    for index, ask in enumerate(sorted_asks):
        still_unmet = count - index
        cost = (ask - level) * still_unmet
        if cost > left:
            rise = left // still_unmet
            return level + rise, left - rise * still_unmet
        left -= cost
        level = ask
    return level, left


def allocate(cycle: Cycle) -> bool:
    """Split every fair-share quota of a closed cycle, once. Returns False if it was already done.

    Safe to call from any page after the deadline: a guarded update claims the
    work, so concurrent callers allocate once.
    """
    with transaction.atomic():
        claimed = Cycle.objects.filter(pk=cycle.pk, allocated_at__isnull=True, closes_at__lte=timezone.now())
        if not claimed.update(allocated_at=timezone.now()):
            return False
        offers = cycle.offers.filter(
            allocation=Allocation.FAIR_SHARE, quota__isnull=False, withdrawn_at__isnull=True
        ).order_by("pk")
        edits = [edit for offer in offers for edit in _shares(offer)]
        # The lines held nothing of the quota while open: each share is taken from it now.
        change_lines(edits=edits, kind=ChangeKind.ALLOCATION, by=None)
    return True


def _shares(offer: Offer) -> list[Edit]:
    """Each line of ``offer`` at its share (``requested`` keeps what was asked), as an edit."""
    # The offer first, then lines and orders: the lock order of every write (ordering._offers_on_sale).
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    lines = list(
        OrderLine.objects.select_for_update(of=("self", "order"))
        .filter(offer=offer, requested__gt=0)
        .select_related("order")
        .order_by("order__created_at", "order__pk")
    )
    assert offer.quota is not None
    shares = fair_shares(offer.quota, offer.quantity_step, [(line.pk, line.requested) for line in lines])
    return [
        Edit(
            offer=offer,
            order_id=line.order_id,
            line=line,
            quantity=shares[line.pk],
            requested=line.requested,
            quota=Quota.SPLIT,
        )
        for line in lines
    ]
