"""Cycles and offers for ordering tests: the names older tests use for ``tests.scene``.

``make_cycle(group, phase=...)`` gives a published cycle whose clock puts it in
that phase now; ``make_offer`` creates the catalogue product and the offer
copied from it, through the catalogue and cycle services.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection

from cabas.accounts.models import User
from cabas.cycles.models import Cycle, Order, OrderLine
from tests import scene

# The scene's builders, under the names older tests use.
make_cycle = scene.cycle
make_producer = scene.producer
make_offer = scene.offer
make_members = scene.members


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
