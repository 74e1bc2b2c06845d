"""A cycle on its distribution day, for the day's pages: three households, two stands.

Marie orders bread (bakery) and a tomme (dairy, variable weight); Mehdi bread
and yoghurts; Bernadette a tomme and yoghurts. Paul's account runs the
bakery's stand, Pauline's the dairy's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from cabas.accounts.models import User
from cabas.catalog.models import ProducerAccount
from cabas.cycles.models import Cycle, Offer, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer


@dataclass
class DayScene:
    cast: Cast
    cycle: Cycle
    bread: Offer  # bakery, 5,20 €
    tomme: Offer  # dairy, variable weight, 23,90 €/kg, ~750 g a piece
    yoghurt: Offer  # dairy, 0,95 €

    def line(self, member: User, offer: Offer) -> OrderLine:
        return OrderLine.objects.get(order__cycle=self.cycle, order__user=member, offer=offer)

    def order_id(self, member: User) -> int:
        return OrderLine.objects.filter(order__cycle=self.cycle, order__user=member).first().order_id  # type: ignore[union-attr]


def order(cycle: Cycle, member: User, quantities: dict[Offer, int]) -> None:
    changes = [LineChange(offer.pk, quantity) for offer, quantity in quantities.items()]
    assert save_basket(cycle=cycle, member=member, changes=changes, by=member).ok


def finalise(cycle: Cycle) -> None:
    Cycle.objects.filter(pk=cycle.pk).update(
        closes_at=timezone.now() - timedelta(hours=1), finalised_at=timezone.now()
    )
    cycle.refresh_from_db()


def day_scene(cast: Cast) -> DayScene:
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    ProducerAccount.objects.create(producer=cast.dairy, user=cast.producer_user2)
    cycle = make_cycle(cast.group_a)
    bread = make_offer(cycle, cast.bakery, "Pain complet", price_cents=520)
    tomme = make_offer(cycle, cast.dairy, "Tomme", price_cents=2390, estimated_weight_grams=750)
    yoghurt = make_offer(cycle, cast.dairy, "Yaourt", price_cents=95)
    order(cycle, cast.member, {bread: 2000, tomme: 1000})
    order(cycle, cast.member2, {bread: 1000, yoghurt: 6000})
    order(cycle, cast.beneficiary, {tomme: 2000, yoghurt: 4000})
    finalise(cycle)
    return DayScene(cast, cycle, bread, tomme, yoghurt)
