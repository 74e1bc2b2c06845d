"""The demo's cycle in the middle of its distribution day, so that a newcomer sees the day's screens full.

Finalised, distributed today around the time the demo is seeded: about a
dozen households already served (lines handed over, a chicken weighed, a
shortage with its reason), most of them paid at the stands (cash, a cheque
with its number, bank and drawer, a card, a transfer with its reference),
two at the welcome desk, two arrivals. Every action goes through
``distribution.services.apply``, so the journal and the ledger agree as on
a real day; each has a fixed (device, action) id, so applying them again
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from cabas.accounts.models import BuyingGroup, User
from cabas.catalog.models import Category
from cabas.cycles.baskets import payment_reference
from cabas.cycles.models import Cycle, OrderLine
from cabas.demo import cycles
from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Scope, apply
from cabas.distribution.state import load_day

DEVICE = "demo-day"
SERVED = 10  # households served, besides the one with the weighed chicken
BANKS = ("Crédit Agricole", "La Banque Postale", "Crédit Mutuel", "Caisse d'Épargne")


def day_plan(now: datetime, baskets: int) -> cycles.CyclePlan:
    """Orders closed six days ago, finalised three days ago, the distribution today."""
    today = timezone.localdate(now)
    day = timedelta(days=1)
    return cycles.CyclePlan(
        key="today",
        opens_at=cycles.at(today - 20 * day, 8),
        closes_at=cycles.at(today - 6 * day, 20),
        distribution_date=today,
        baskets=max(12, baskets // 4),
        sold_out=1,
        fair_share=0,
        message="",
        finalised_at=cycles.at(today - 3 * day, 18),
        name=cycles.day_name(today),
    )


def ensure_day_cycle(
    group: BuyingGroup, *, baskets: int, seed: int, now: datetime, coordinator: User
) -> Cycle | None:
    """Create the day's cycle with its baskets and play the first part of its day."""
    plan = day_plan(now, baskets)
    created = cycles.ensure_cycles_for(group, [plan], seed=seed, now=now, coordinator=coordinator)
    if not created:
        return None
    (cycle,) = created
    start = min(max(timezone.localtime(now).hour - 1, 0), 21)
    Cycle.objects.filter(pk=cycle.pk).update(
        distribution_start=time(start),
        distribution_end=time(start + 2),
        allocated_at=plan.closes_at + timedelta(minutes=1),
        recap_sent_at=plan.finalised_at + timedelta(minutes=1) if plan.finalised_at else None,
    )
    cycle = Cycle.objects.select_related("group").get(pk=cycle.pk)
    play_day(cycle, coordinator)
    return cycle


def _act(cycle: Cycle, by: User, number: int, kind: EventKind, order_id: int, **fields: Any) -> None:
    action = Action(device=DEVICE, action=f"{cycle.pk}-{number}", kind=kind, order_id=order_id, **fields)
    apply(cycle=cycle, action=action, by=by, scope=Scope(coordinator=True))


def play_day(cycle: Cycle, by: User) -> None:
    """The first households of the day, always the same ones (by slip number); idempotent."""
    start = datetime.combine(
        cycle.distribution_date, cycle.distribution_start, tzinfo=timezone.get_current_timezone()
    )
    households = load_day(cycle).households
    chicken = _chicken_line(cycle)
    chosen = households[:SERVED]
    if chicken is not None and all(h.order_id != chicken.order_id for h in chosen):
        chosen += [h for h in households if h.order_id == chicken.order_id]
    steps = iter(range(1, 10_000))

    def at(n: int) -> datetime:
        return start + timedelta(minutes=3 * n)

    short_left = True
    for index, household in enumerate(chosen):
        if index < 2:
            _act(cycle, by, next(steps), EventKind.ARRIVED, household.order_id, happened_at=at(index))
        for stand in household.stands:
            for line in stand.lines:
                fields = {"producer_id": stand.producer.pk, "line_id": line.line_id, "happened_at": at(index)}
                if short_left and index >= 2 and line.item.quantity >= 1000 and not line.item.variable_weight:
                    # One item did not come: damaged on the way.
                    short_left = False
                    _act(
                        cycle,
                        by,
                        next(steps),
                        EventKind.SHORT,
                        household.order_id,
                        quantity=line.item.quantity,
                        reason="damaged",
                        note="Abîmé pendant le transport",
                        **fields,
                    )
                    continue
                _act(cycle, by, next(steps), EventKind.HANDED, household.order_id, **fields)
                if line.item.variable_weight:
                    grams = (line.item.estimated_weight_grams or 1000) * (95 + (line.line_id % 11)) // 100
                    _act(cycle, by, next(steps), EventKind.WEIGHED, household.order_id, grams=grams, **fields)
    _pay(cycle, by, [h.order_id for h in chosen], steps, at)


def _pay(
    cycle: Cycle, by: User, order_ids: list[int], steps: Iterator[int], at: Callable[[int], datetime]
) -> None:
    """Cash, cheque, card, transfer at the stands; two households at the welcome desk; a few not yet."""
    day = load_day(cycle)
    for index, order_id in enumerate(order_ids[:8]):
        household = day.household(order_id)
        if household is None:
            continue
        if index in (4, 5):  # the whole basket at the welcome desk
            if household.left_cents:
                method = "cash" if index == 4 else "cheque"
                desk_details: dict[str, str] = (
                    {}
                    if index == 4
                    else {
                        "number": f"{3_100_000 + order_id}",
                        "bank": BANKS[1],
                        "drawer": household.member.name,
                    }
                )
                _act(
                    cycle,
                    by,
                    next(steps),
                    EventKind.DESK_PAID,
                    order_id,
                    amount_cents=household.left_cents,
                    method=method,
                    details=desk_details,
                    happened_at=at(index),
                )
            continue
        method = ("cash", "cheque", "card", "transfer", "", "", "cash", "cheque")[index]
        for stand in household.stands:
            if stand.left_cents <= 0:
                continue
            details: dict[str, str] = {}
            if method == "cheque":
                details = {
                    "number": f"{2_400_000 + stand.order_id * 10 + stand.producer.pk % 10}",
                    "bank": BANKS[index % len(BANKS)],
                    "drawer": household.member.name,
                }
            elif method == "transfer":
                details = {"reference": payment_reference(cycle.pk, household.number)}
            _act(
                cycle,
                by,
                next(steps),
                EventKind.PAID,
                order_id,
                producer_id=stand.producer.pk,
                amount_cents=stand.left_cents,
                method=method,
                details=details,
                happened_at=at(index),
            )


def _chicken_line(cycle: Cycle) -> OrderLine | None:
    """A line of a whole chicken (or, failing that, any variable-weight product) to weigh."""
    lines = OrderLine.objects.filter(order__cycle=cycle, quantity__gt=0, offer__variable_weight=True)
    return (
        lines.filter(offer__category=Category.POULTRY).order_by("pk").first() or lines.order_by("pk").first()
    )
