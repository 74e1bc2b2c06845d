"""Cycles and offers for ordering tests: the names older tests use for ``tests.scene``.

``make_cycle(group, phase=...)`` gives a published cycle whose clock puts it in
that phase now; ``make_offer`` creates the catalogue product and the offer
copied from it, through the catalogue and cycle services.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection

from cabas.accounts.models import BuyingGroup, User
from cabas.catalog.models import Category, Producer, SaleUnit
from cabas.cycles.models import Allocation, Cycle, Offer, Order, OrderLine
from tests import scene


def make_cycle(group: BuyingGroup, *, phase: str = "open", name: str = "Cabas de juin") -> Cycle:
    """A published cycle of ``group``: ``open`` now, ``closed`` (deadline passed) or ``finalised``."""
    return scene.cycle(group, phase=phase, name=name)


def make_producer(group: BuyingGroup, name: str = "Jardins de la Saune") -> Producer:
    return scene.producer(group, name)


def make_offer(
    cycle: Cycle,
    producer: Producer,
    name: str | None = None,
    *,
    price_cents: int = 350,
    unit: str = SaleUnit.PIECE,
    category: str = Category.OTHER,
    quantity_step: int = 1000,
    min_quantity: int | None = None,
    quota: int | None = None,
    member_cap: int | None = None,
    allocation: str = Allocation.FIRST_COME,
    estimated_weight_grams: int | None = None,
) -> Offer:
    """A catalogue product and its offer in ``cycle`` (variable weight when a piece weight is given)."""
    return scene.offer(
        cycle,
        producer,
        name,
        price_cents=price_cents,
        unit=unit,
        category=category,
        quantity_step=quantity_step,
        min_quantity=min_quantity,
        quota=quota,
        member_cap=member_cap,
        allocation=allocation,
        estimated_weight_grams=estimated_weight_grams,
    )


def make_members(group: BuyingGroup, count: int, prefix: str = "membre") -> list[User]:
    """``count`` members of ``group`` (the fast password hasher of conftest keeps this quick)."""
    return scene.members(group, count, prefix)


def stored_lines(member: User, cycle: Cycle) -> dict[int, OrderLine]:
    return {line.offer_id: line for line in OrderLine.objects.filter(order__user=member, order__cycle=cycle)}


def order_of(member: User, cycle: Cycle) -> Order | None:
    return Order.objects.filter(user=member, cycle=cycle).first()


def race(actions: Sequence[Callable[[], object]]) -> list[object]:
    """Run each action in its own thread, all released together; results (or exceptions) in order.

    Each thread closes its own connection: Django opens one per thread, and a
    leaked one would keep the test database busy.
    """
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = actions[index]()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
