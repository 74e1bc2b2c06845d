"""Money into the solidarity fund: a household's promise and paying it at the desk (see ``day_fixtures``)."""

from __future__ import annotations

import itertools

from cabas.accounts.models import User
from cabas.cycles.models import Order
from cabas.distribution import services as day
from cabas.distribution.models import Event, EventKind
from cabas.distribution.services import Action, Scope
from cabas.distribution.state import member_household
from cabas.ledger.models import Method
from tests.day_fixtures import DayScene

_actions = itertools.count()


def the_order(scene: DayScene, member: User) -> Order:
    return Order.objects.select_related("user").get(cycle=scene.cycle, user=member)


def to_collect(scene: DayScene, member: User) -> int:
    household = member_household(scene.cycle, the_order(scene, member))
    assert household is not None
    return household.to_collect_cents


def pay_at_desk(scene: DayScene, member: User, cents: int, method: Method = Method.CASH) -> Event:
    outcome = day.apply(
        cycle=scene.cycle,
        action=Action(
            device="desk",
            action=f"pay-{next(_actions)}",
            kind=EventKind.DESK_PAID,
            order_id=the_order(scene, member).pk,
            amount_cents=cents,
            method=method,
        ),
        by=scene.cast.coordinator,
        scope=Scope(desk=True, coordinator=True),
    )
    return outcome.event


def cancel(scene: DayScene, event: Event) -> None:
    day.apply(
        cycle=scene.cycle,
        action=Action(
            device="desk",
            action=f"cancel-{next(_actions)}",
            kind=EventKind.CANCELLED,
            order_id=event.order_id,
            corrects=event.pk,
            note="erreur de saisie",
        ),
        by=scene.cast.coordinator,
        scope=Scope(desk=True, coordinator=True),
    )
