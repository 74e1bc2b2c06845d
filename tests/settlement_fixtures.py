"""A cycle after its distribution day, with money everywhere, for the settlement tests.

Played through the day's own services (``distribution.services.apply``) and
closed with the cycle's step, as on a real day:

- Marie: bread ×2 (10,40 €, bakery) and yoghurts ×4 (3,80 €, dairy); pays the
  bakery in cash at its stand, owes the dairy 3,80 €.
- Mehdi: bread (5,20 €) and cheeses ×2 (9,00 €, dairy); pays his whole basket
  at the welcome desk by cheque (14,20 €).
- Bernadette: yoghurts ×6 (5,70 €) and a cheese (4,50 €); pays nothing yet (10,20 €).
- Théo (the treasurer, also a household): bread (5,20 €); pays 6,00 € in cash
  at the desk: 0,80 € of credit.

So the association owes the bakery 10,40 € and the dairy 23,00 € (once
everybody has paid), the desk holds 20,20 € (a cheque of 14,20 €, 6,00 € cash).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from cabas.accounts.models import User
from cabas.cycles import services as cycles
from cabas.cycles.models import Cycle, Offer, OrderLine
from cabas.distribution import services as day
from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Scope
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer
from tests.day_fixtures import finalise, order

_ids = itertools.count(1)


@dataclass
class Settling:
    cast: Cast
    cycle: Cycle
    bread: Offer
    yoghurt: Offer
    cheese: Offer

    def order_id(self, member: User) -> int:
        return OrderLine.objects.filter(order__cycle=self.cycle, order__user=member).values_list(
            "order_id", flat=True
        )[0]

    def act(self, kind: EventKind, member: User, **fields: Any) -> None:
        action = Action(
            device="test", action=f"s{next(_ids)}", kind=kind, order_id=self.order_id(member), **fields
        )
        day.apply(cycle=self.cycle, action=action, by=self.cast.coordinator, scope=Scope(coordinator=True))

    def hand_everything(self, member: User) -> None:
        for line in OrderLine.objects.filter(order__cycle=self.cycle, order__user=member, quantity__gt=0):
            producer_id = Offer.objects.get(pk=line.offer_id).producer_id
            self.act(EventKind.HANDED, member, line_id=line.pk, producer_id=producer_id)


def settling(cast: Cast, *, close: bool = True) -> Settling:
    """The day above, closed (``close``) or still open."""
    cycle = make_cycle(cast.group_a, name="Cabas de juin")
    bread = make_offer(cycle, cast.bakery, "Pain complet", price_cents=520)
    yoghurt = make_offer(cycle, cast.dairy, "Yaourt", price_cents=95)
    cheese = make_offer(cycle, cast.dairy, "Crottin", price_cents=450)
    order(cycle, cast.member, {bread: 2000, yoghurt: 4000})
    order(cycle, cast.member2, {bread: 1000, cheese: 2000})
    order(cycle, cast.beneficiary, {yoghurt: 6000, cheese: 1000})
    order(cycle, cast.treasurer, {bread: 1000})
    finalise(cycle)
    scene = Settling(cast, cycle, bread, yoghurt, cheese)
    for member in (cast.member, cast.member2, cast.beneficiary, cast.treasurer):
        scene.hand_everything(member)
    scene.act(EventKind.PAID, cast.member, producer_id=cast.bakery.pk, amount_cents=1040, method="cash")
    scene.act(
        EventKind.DESK_PAID,
        cast.member2,
        amount_cents=1420,
        method="cheque",
        details={"number": "1234567", "bank": "La Banque Postale", "drawer": "M. Member"},
    )
    scene.act(EventKind.DESK_PAID, cast.treasurer, amount_cents=600, method="cash")
    if close:
        cycles.close_distribution(cycle=cycle, by=cast.coordinator)
        cycle.refresh_from_db()
    return scene
