"""Pages are reads: showing one writes nothing, even after the deadline before fair shares are split.

The split happens on the clock, at the close step, or at the first write after the
deadline (a basket saved, a carton rounded): never because a page was shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabas.cycles import services
from cabas.cycles.models import Allocation, Cycle, Offer, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer

A = "saint-orens"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def closed_unsplit(cast: Cast) -> Cycle:
    """A cycle whose deadline has just passed, its fair-share honey not split yet, eggs sold by the carton."""
    cycle = make_cycle(cast.group_a)
    honey = make_offer(cycle, cast.bakery, "Miel", quota=2000, allocation=Allocation.FAIR_SHARE)
    eggs = make_offer(cycle, cast.dairy, "Œufs")
    Offer.objects.filter(pk=eggs.pk).update(carton_size=6000)
    for member in (cast.member, cast.member2):
        changes = [LineChange(honey.pk, 2000), LineChange(eggs.pk, 1000)]
        assert save_basket(cycle=cycle, member=member, changes=changes, by=member).ok
    Cycle.objects.filter(pk=cycle.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    return Cycle.objects.get(pk=cycle.pk)


def _pages(cast: Cast, cycle: Cycle) -> list[tuple[object, str]]:
    return [
        (cast.member, reverse("order", args=[A, cycle.pk])),
        (cast.member, reverse("order_history", args=[A])),
        (cast.coordinator, reverse("manage_order", args=[A, cycle.pk, cast.member.pk])),
        (cast.coordinator, reverse("manage_cycle_cartons", args=[A, cycle.pk])),
        (cast.coordinator, reverse("manage_cycle_preview", args=[A, cycle.pk])),
        (cast.coordinator, reverse("manage_cycle", args=[A, cycle.pk])),
        (cast.coordinator, reverse("manage_cycle_orders", args=[A, cycle.pk])),
        (cast.coordinator, reverse("producer_cycle_orders", args=[cast.bakery.slug, cycle.pk])),
    ]


def test_showing_a_page_after_the_deadline_writes_nothing(
    cast: Cast, closed_unsplit: Cycle, client_for: Callable[..., Client]
) -> None:
    for user, url in _pages(cast, closed_unsplit):
        client = client_for(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == [], url
    assert Cycle.objects.get(pk=closed_unsplit.pk).allocated_at is None


def test_closing_now_splits_the_fair_shares_at_once(cast: Cast) -> None:
    cycle = make_cycle(cast.group_a)
    honey = make_offer(cycle, cast.bakery, "Miel", quota=2000, allocation=Allocation.FAIR_SHARE)
    for member in (cast.member, cast.member2):
        assert save_basket(cycle=cycle, member=member, changes=[LineChange(honey.pk, 2000)], by=member).ok
    services.close_now(cycle=cycle, by=cast.coordinator)
    assert Cycle.objects.get(pk=cycle.pk).allocated_at is not None
    assert sorted(OrderLine.objects.values_list("quantity", flat=True)) == [1000, 1000]


def test_the_first_write_after_the_deadline_splits_them(cast: Cast, closed_unsplit: Cycle) -> None:
    honey = closed_unsplit.offers.get(name="Miel")
    result = save_basket(
        cycle=closed_unsplit,
        member=cast.beneficiary,
        changes=[LineChange(honey.pk, 0)],
        by=cast.coordinator,
        reason="Téléphone",
    )
    assert result.ok
    assert Cycle.objects.get(pk=closed_unsplit.pk).allocated_at is not None
    assert sorted(OrderLine.objects.filter(offer=honey).values_list("quantity", flat=True)) == [1000, 1000]
