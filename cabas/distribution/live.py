"""The coordinators' live view of the day and a member's own day: figures read from ``state.Day``.

Nothing here queries the journal again: every figure comes from the one
``Day`` that ``load_day`` built, so the live view, the stands and the desk
agree to the cent. ``state.member_household`` builds the same ``Household`` for
one basket, in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cabas.catalog.models import Producer
from cabas.distribution.models import Event
from cabas.distribution.state import (
    Day,
    Household,
    Payment,
)
from cabas.ledger.models import Method


@dataclass
class StandProgress:
    producer: Producer
    served: int = 0
    waiting: int = 0
    # Collected at this stand, per method; what desk payments owe it, together.
    methods: dict[str, int] = field(default_factory=dict)
    via_desk_cents: int = 0

    @property
    def collected_cents(self) -> int:
        return sum(self.methods.values())

    def by_method(self) -> list[int]:
        return [self.methods.get(method, 0) for method in Method.values]


@dataclass(frozen=True)
class Conflict:
    """A payment flagged as a conflict, with the payments it collides with and why (``kind``)."""

    household: Household
    payment: Payment
    producer: Producer | None
    others: tuple[Payment, ...] = ()
    # "desk_then_stand", "stand_twice" or "desk_amount": the template says it in one sentence.
    kind: str = ""
    devices: dict[int, str] = field(default_factory=dict)


def stands(day: Day) -> list[StandProgress]:
    """Per producer: households served and waiting, money collected per method and through the desk."""
    progress: dict[int, StandProgress] = {}
    for household in day.households:
        for stand in household.stands:
            row = progress.setdefault(stand.producer.pk, StandProgress(stand.producer))
            if stand.served:
                row.served += 1
            else:
                row.waiting += 1
            for payment in stand.payments:
                row.methods[payment.method] = row.methods.get(payment.method, 0) + payment.amount_cents
            row.via_desk_cents += stand.desk_cents
    return sorted(progress.values(), key=lambda row: row.producer.name.casefold())


def desk_settled(day: Day) -> int:
    """The baskets' amounts the welcome desk settled (see ``Household.desk_settled_cents``): what
    the coordinators see of the desk, the same whether a household is helped by the fund or not."""
    return sum(household.desk_settled_cents for household in day.households)


def desk_methods(day: Day) -> list[int]:
    """What the welcome desk collected, per method (in ``Method`` order): the cash in its till, which
    for a household the fund helps is only its share. For the treasurers (the committee) only."""
    totals: dict[str, int] = defaultdict(int)
    for household in day.households:
        for payment in household.desk_payments:
            totals[payment.method] += payment.amount_cents
    return [totals.get(method, 0) for method in Method.values]


def conflicts(day: Day) -> list[Conflict]:
    """The payments flagged as conflicts, each with its household (and stand, if any)."""
    where: dict[int, tuple[Household, Producer | None]] = {}
    for household in day.households:
        for payment in household.desk_payments:
            where[payment.event_id] = (household, None)
        for stand in household.stands:
            for payment in stand.payments:
                where[payment.event_id] = (household, stand.producer)
    found = []
    for payment in day.conflicts:
        if payment.event_id in where:
            household, producer = where[payment.event_id]
            others, kind = _colliding(household, payment, producer)
            found.append(Conflict(household, payment, producer, others, kind))
    devices = _devices([p.event_id for c in found for p in (c.payment, *c.others)])
    return [Conflict(c.household, c.payment, c.producer, c.others, c.kind, devices) for c in found]


def _colliding(
    household: Household, payment: Payment, producer: Producer | None
) -> tuple[tuple[Payment, ...], str]:
    """The household's other payments this one collides with, and what kind of conflict it is."""
    if producer is None:
        stand_payments = [p for stand in household.stands for p in stand.payments]
        others = [p for p in (*household.desk_payments, *stand_payments) if p.event_id != payment.event_id]
        return tuple(sorted(others, key=lambda p: p.event_id)), "desk_amount"
    at_desk = [p for p in household.desk_payments if producer.pk in p.shares]
    at_stand = [
        p
        for stand in household.stands
        if stand.producer.pk == producer.pk
        for p in stand.payments
        if p.event_id != payment.event_id
    ]
    kind = "desk_then_stand" if at_desk else "stand_twice"
    return tuple(sorted((*at_desk, *at_stand), key=lambda p: p.event_id)), kind


def _devices(event_ids: list[int]) -> dict[int, str]:
    """Which device recorded each payment (one query; the day's state does not carry it)."""
    if not event_ids:
        return {}
    return dict(Event.objects.filter(pk__in=event_ids).values_list("pk", "device"))
