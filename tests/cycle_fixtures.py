"""Cycles and offers for ordering tests, built directly on the models (no views, no services).

``make_cycle(group, phase=...)`` gives a published cycle whose clock puts it in
that phase now; ``make_offer`` creates the catalogue product and the offer
copied from it, as publishing a cycle would.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from datetime import time, timedelta

from django.db import connection
from django.utils import timezone

from cabas.accounts import services
from cabas.accounts.models import BuyingGroup, User
from cabas.catalog.models import Category, Producer, Product, SaleUnit, Supply
from cabas.cycles.models import Allocation, Cycle, Offer, Order, OrderLine

_names = itertools.count(1)


def make_cycle(group: BuyingGroup, *, phase: str = "open", name: str = "Cabas de juin") -> Cycle:
    """A published cycle of ``group``: ``open`` now, ``closed`` (deadline passed) or ``finalised``."""
    now = timezone.now()
    if phase == "open":
        opens_at, closes_at = now - timedelta(days=2), now + timedelta(days=2)
    else:
        opens_at, closes_at = now - timedelta(days=4), now - timedelta(hours=1)
    return Cycle.objects.create(
        group=group,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        distribution_date=(now + timedelta(days=5)).date(),
        distribution_start=time(17, 30),
        distribution_end=time(19, 30),
        distribution_place="Salle des fêtes",
        published_at=opens_at - timedelta(days=1),
        finalised_at=now - timedelta(minutes=5) if phase == "finalised" else None,
    )


def make_producer(group: BuyingGroup, name: str = "Jardins de la Saune") -> Producer:
    producer = Producer.objects.create(
        name=name, slug=f"producer-{next(_names)}", speciality="Légumes", managing_group=group
    )
    Supply.objects.create(producer=producer, group=group)
    return producer


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
    name = name or f"Produit {next(_names)}"
    min_quantity = quantity_step if min_quantity is None else min_quantity
    variable = estimated_weight_grams is not None
    product = Product.objects.create(
        producer=producer,
        name=name,
        category=category,
        unit=SaleUnit.PIECE if variable else unit,
        price_cents=price_cents,
        quantity_step=quantity_step,
        min_quantity=min_quantity,
        variable_weight=variable,
        estimated_weight_grams=estimated_weight_grams,
    )
    cycle.producers.add(producer)
    return Offer.objects.create(
        cycle=cycle,
        product=product,
        producer=producer,
        name=name,
        category=category,
        unit_label=product.unit_label(),
        price_cents=price_cents,
        quantity_step=quantity_step,
        min_quantity=min_quantity,
        variable_weight=variable,
        estimated_weight_grams=estimated_weight_grams,
        quota=quota,
        remaining=quota,
        member_cap=member_cap,
        allocation=allocation,
    )


def make_members(group: BuyingGroup, count: int, prefix: str = "membre") -> list[User]:
    """``count`` members of ``group`` (the fast password hasher of conftest keeps this quick)."""
    members = []
    for index in range(count):
        user = services.create_user(email=f"{prefix}{index}@example.org", full_name=f"Membre {index}")
        services.add_member(group=group, user=user)
        members.append(user)
    return members


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
