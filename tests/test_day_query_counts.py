"""The distribution day's pages run a number of queries that does not grow with the households."""

from __future__ import annotations

import itertools

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cabas.catalog.models import ProducerAccount
from cabas.cycles.models import Cycle, Order
from cabas.distribution import services
from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Scope
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_members, make_offer
from tests.day_fixtures import finalise, order

_batches = itertools.count()


def busy_day(cast: Cast, households: int) -> Cycle:
    """A finalised cycle where ``households`` members ordered from both stands; half were served and paid."""
    batch = next(_batches)
    cycle = make_cycle(cast.group_a, name=f"Cabas {batch}")
    bread = make_offer(cycle, cast.bakery, f"Pain {batch}", price_cents=520)
    tomme = make_offer(cycle, cast.dairy, f"Tomme {batch}", price_cents=2390, estimated_weight_grams=750)
    for member in make_members(cast.group_a, households, prefix=f"m{batch}-"):
        order(cycle, member, {bread: 1000, tomme: 1000})
    finalise(cycle)
    for index, basket in enumerate(Order.objects.filter(cycle=cycle).prefetch_related("lines__offer")):
        if index % 2:
            continue
        for line in basket.lines.all():
            act(cycle, cast, basket.pk, EventKind.HANDED, producer_id=line.offer.producer_id, line_id=line.pk)
        act(
            cycle,
            cast,
            basket.pk,
            EventKind.PAID,
            producer_id=cast.bakery.pk,
            amount_cents=520,
            method="cash",
        )
        act(cycle, cast, basket.pk, EventKind.ARRIVED)
    return cycle


def act(cycle: Cycle, cast: Cast, order_id: int, kind: EventKind, **fields) -> None:
    action = Action(
        device="bench",
        action=f"{order_id}-{kind}-{fields.get('line_id')}",
        kind=kind,
        order_id=order_id,
        **fields,
    )
    services.apply(cycle=cycle, action=action, by=cast.coordinator, scope=Scope(coordinator=True))


def queries(client: Client, url: str) -> int:
    client.get(url)  # the session gets its device id once
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def test_stand_desk_and_live_pages(cast: Cast, client_for) -> None:
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    small, large = busy_day(cast, 3), busy_day(cast, 30)
    producer = client_for(cast.producer_user)
    counts = {}
    for name, url in {
        "stand": "/producers/fournil/cycles/{pk}/day/",
        "stand_search": "/producers/fournil/cycles/{pk}/day/?q=membre",
        "desk": "/g/saint-orens/manage/cycles/{pk}/day/desk/",
        "desk_search": "/g/saint-orens/manage/cycles/{pk}/day/desk/?q=2",
        "live": "/g/saint-orens/manage/cycles/{pk}/day/",
    }.items():
        client = producer if name.startswith("stand") else client_for(cast.coordinator)
        counts[name] = (queries(client, url.format(pk=small.pk)), queries(client, url.format(pk=large.pk)))
    assert all(few == many for few, many in counts.values()), counts


def test_stand_household_and_member_day(cast: Cast, client_for) -> None:
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    counts = []
    for size in (3, 30):
        cycle = busy_day(cast, size)
        first = Order.objects.filter(cycle=cycle).order_by("pk").first()
        assert first is not None
        producer = queries(
            client_for(cast.producer_user), f"/producers/fournil/cycles/{cycle.pk}/day/{first.pk}/"
        )
        member = queries(client_for(first.user), f"/g/saint-orens/cycles/{cycle.pk}/day/")
        counts.append((producer, member))
    assert counts[0] == counts[1], counts
