"""The demo's money after the day: a cycle waiting for its settlement, and a settled one.

Both are small cycles of their own, played from start to end through the
day's services (every line handed over, variable weights weighed, payments
recorded) and closed with the cycle's step, so that their journal and their
ledger agree as on a real day:

- *to settle* (two weeks ago): most households paid at the stands (cash,
  cheques, cards, transfers announced), some paid their whole basket at the
  welcome desk by cheque (not deposited yet) or in cash, one paid the desk more
  than it owed (credit to refund), a few still owe part or all of their basket
  (to remind, or to record their transfer). The treasurer takes it from there.
- *settled* (five weeks ago): everything paid, the desk's money deposited, a
  few cents written off, the producers paid, the credit refunded, settled; then
  one correction entry (part of the deposit turned out to be cash kept at the
  desk), which its board lists.

Every action has a fixed id or idempotency key: seeding again changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.utils import timezone

from cabas.accounts.models import BuyingGroup, User
from cabas.catalog.models import Producer
from cabas.cycles import services as cycles
from cabas.cycles.models import Cycle
from cabas.demo import cycles as demo_cycles
from cabas.demo.day import BANKS
from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Scope, apply
from cabas.distribution.state import Household, load_day
from cabas.ledger.models import Account, Entry, EntryKind, Method
from cabas.ledger.positions import cycle_positions
from cabas.settlement import services as settlement

DEVICE = "demo-settlement"
TYPO_CENTS = 1000
# How each household pays, in turn (by slip number): at each stand by a method, at the desk,
# part of it, or nothing yet. « partial » and « nothing » become paid on the settled cycle.
TO_SETTLE = (
    "cash",
    "cheque",
    "desk-cheque",
    "card",
    "partial",
    "cash",
    "desk-cash",
    "cheque",
    "nothing",
    "card",
)
SETTLED = ("cash", "cheque", "desk-cheque", "card", "cash", "desk-cash", "cheque", "card", "cash", "transfer")


def plan(key: str, now: datetime, weeks: int, baskets: int) -> demo_cycles.CyclePlan:
    day = demo_cycles.nearest_saturday(timezone.localdate(now) - timedelta(weeks=weeks))
    days = timedelta(days=1)
    return demo_cycles.CyclePlan(
        key=key,
        opens_at=demo_cycles.at(day - 20 * days, 8),
        closes_at=demo_cycles.at(day - 6 * days, 20),
        distribution_date=day,
        baskets=baskets,
        sold_out=0,
        fair_share=0,
        message="",
        finalised_at=demo_cycles.at(day - 3 * days, 18),
        name=demo_cycles.day_name(day),
    )


def ensure_settlement_cycles(
    group: BuyingGroup, *, baskets: int, seed: int, now: datetime, coordinator: User, treasurer: User | None
) -> list[Cycle]:
    """Create the cycle to settle and the settled one, with their days and their money."""
    size = max(12, baskets // 10)
    plans = [plan("to-settle", now, 2, size), plan("settled", now, 5, size)]
    created = demo_cycles.ensure_cycles_for(group, plans, seed=seed, now=now, coordinator=coordinator)
    if len(created) != 2:
        return created
    to_settle, settled = created
    treasurer = treasurer or coordinator
    for cycle, pattern, made in ((to_settle, TO_SETTLE, plans[0]), (settled, SETTLED, plans[1])):
        Cycle.objects.filter(pk=cycle.pk).update(
            allocated_at=made.closes_at + timedelta(minutes=1),
            recap_sent_at=made.finalised_at + timedelta(minutes=1) if made.finalised_at else None,
        )
        cycle.refresh_from_db()
        play_whole_day(cycle, coordinator, pattern)
        cycles.close_distribution(cycle=cycle, by=coordinator)
        closed_at = demo_cycles.at(cycle.distribution_date, 12, 15)
        Cycle.objects.filter(pk=cycle.pk).update(distributed_at=closed_at)
        cycle.refresh_from_db()
    settle(settled, treasurer)
    return created


def _act(
    cycle: Cycle, by: User, steps: Iterator[int], kind: EventKind, order_id: int, **fields: object
) -> None:
    action = Action(device=DEVICE, action=f"{cycle.pk}-{next(steps)}", kind=kind, order_id=order_id, **fields)  # type: ignore[arg-type]
    apply(cycle=cycle, action=action, by=by, scope=Scope(coordinator=True))


def play_whole_day(cycle: Cycle, by: User, pattern: tuple[str, ...]) -> None:
    """Every basket handed over (and weighed), then paid as ``pattern`` says, in turn."""
    steps = itertools.count(1)
    start = demo_cycles.at(cycle.distribution_date, 10)
    for index, household in enumerate(load_day(cycle).households):
        when = start + timedelta(minutes=index)
        for stand in household.stands:
            for line in stand.lines:
                if line.item.quantity <= 0:
                    continue
                fields = {"producer_id": stand.producer.pk, "line_id": line.line_id, "happened_at": when}
                _act(cycle, by, steps, EventKind.HANDED, household.order_id, **fields)
                if line.item.variable_weight:
                    grams = (line.item.estimated_weight_grams or 1000) * (94 + line.line_id % 13) // 100
                    _act(cycle, by, steps, EventKind.WEIGHED, household.order_id, grams=grams, **fields)
    credit_given = False
    for index, household in enumerate(load_day(cycle).households):
        how = pattern[index % len(pattern)]
        short = pattern is SETTLED and index % len(pattern) == 4  # a few cents short: written off later
        when = start + timedelta(minutes=index, seconds=30)
        if how.startswith("desk-"):
            extra = 0
            if how == "desk-cash" and not credit_given:
                extra, credit_given = 500 - household.left_cents % 500, True  # rounded up: a credit
            _desk(cycle, by, steps, household, how.removeprefix("desk-"), extra, when)
        elif how != "nothing":
            stands = (
                household.stands[:-1] if how == "partial" and len(household.stands) > 1 else household.stands
            )
            for stand in stands:
                if stand.left_cents > 0:
                    method = "cash" if how == "partial" else how
                    details = _details(cycle, household, method, stand.producer.pk)
                    _act(
                        cycle,
                        by,
                        steps,
                        EventKind.PAID,
                        household.order_id,
                        producer_id=stand.producer.pk,
                        amount_cents=stand.left_cents - (3 if short and stand.left_cents > 3 else 0),
                        method=method,
                        details=details,
                        happened_at=when,
                    )


def _details(cycle: Cycle, household: Household, method: str, salt: int) -> dict[str, str]:
    from cabas.cycles.baskets import payment_reference

    if method == "cheque":
        return {
            "number": f"{3_100_000 + household.order_id * 10 + salt % 10}",
            "bank": BANKS[household.number % len(BANKS)],
            "drawer": household.member.name,
        }
    if method == "transfer":
        return {"reference": payment_reference(cycle.pk, household.number)}
    return {}


def _desk(
    cycle: Cycle,
    by: User,
    steps: Iterator[int],
    household: Household,
    method: str,
    extra: int,
    when: datetime,
) -> None:
    if household.left_cents <= 0:
        return
    _act(
        cycle,
        by,
        steps,
        EventKind.DESK_PAID,
        household.order_id,
        amount_cents=household.left_cents + extra,
        method=method,
        details=_details(cycle, household, method, 0),
        happened_at=when,
    )


def settle(cycle: Cycle, by: User) -> None:
    """What a treasurer does after the day, to the end: deposit, write off, refund, pay, settle, correct."""
    key = f"demo:settle:{cycle.pk}"
    money = cycle_positions(cycle)
    users = {user.pk: user for user in User.objects.filter(pk__in=list(money.households))}
    desk = money.desk_cents
    for position in money.households_owing():  # a few cents short at a stand: given up
        for producer_id, owed in position.owed_by_producer().items():
            settlement.write_off(
                cycle=cycle,
                household=users[position.household_id],
                producer=Producer.objects.get(pk=producer_id),
                amount_cents=owed,
                reason="Quelques centimes manquaient au stand",
                confirmed=True,
                by=by,
                key=f"{key}:writeoff:{position.household_id}:{producer_id}",
            )
    for position in money.households_in_credit():
        settlement.refund(
            cycle=cycle,
            household=users[position.household_id],
            amount_cents=-position.owed_cents,
            from_account=Account.DESK,
            method=Method.CASH,
            memo="Rendu à la distribution suivante",
            by=by,
            key=f"{key}:refund:{position.household_id}",
        )
        desk += position.owed_cents
    cheques = money.by_kind.get((Account.DESK, EntryKind.DESK_PAYMENT, Method.CHEQUE), 0)
    deposit = None
    if cheques > TYPO_CENTS:
        # Typed 10 € short; the bank statement shows the whole slip: corrected below, once settled.
        deposit = settlement.record_deposit(
            cycle=cycle,
            amount_cents=cheques - TYPO_CENTS,
            method=Method.CHEQUE,
            memo="Bordereau n° 0042",
            by=by,
            key=f"{key}:deposit",
        )
    if desk - cheques > 0:
        settlement.record_deposit(
            cycle=cycle, amount_cents=desk - cheques, method=Method.CASH, memo="", by=by, key=f"{key}:cash"
        )
    money = cycle_positions(cycle)
    for producer_id, owed_to in money.producers.items():
        if owed_to.association_owes_cents > 0:
            settlement.pay_producer(
                cycle=cycle,
                producer=Producer.objects.get(pk=producer_id),
                amount_cents=owed_to.association_owes_cents,
                from_account=Account.BANK,
                method=Method.TRANSFER,
                memo="Virement groupé",
                by=by,
                key=f"{key}:pay:{producer_id}",
            )
    if cycle_positions(cycle).balanced and Cycle.objects.get(pk=cycle.pk).settled_at is None:
        settlement.settle(cycle=cycle, by=by)
    if deposit is not None:
        settlement.correct(
            cycle=cycle,
            entry=deposit,
            amount_cents=deposit_amount(deposit) + TYPO_CENTS,
            reason="Erreur de saisie : le relevé montre le bordereau entier",
            by=by,
            key=f"{key}:correct-deposit",
        )


def deposit_amount(entry: Entry) -> int:
    return sum(line.amount_cents for line in entry.lines.all() if line.amount_cents > 0)
