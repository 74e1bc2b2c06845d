"""A rush on scarce products: real threads, real transactions, on SQLite and PostgreSQL.

Each test releases its threads together (a barrier) and then checks the
database, not just the answers: units sold + remaining == quota, whoever got
nothing was told how much is left (the truth: 0 once it is gone), and no
exception escapes save_basket.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cabas.accounts.models import User
from cabas.cycles.allocation import allocate
from cabas.cycles.models import Allocation, ChangeKind, Cycle, Offer, Order, OrderChange, OrderLine
from cabas.cycles.ordering import BasketResult, LineChange, save_basket
from tests.cast import build_cast
from tests.cycle_fixtures import make_cycle, make_members, make_offer, race

pytestmark = pytest.mark.django_db(transaction=True)


def sold(offer: Offer) -> int:
    return sum(OrderLine.objects.filter(offer=offer).values_list("quantity", flat=True))


def remaining(offer: Offer) -> int:
    offer.refresh_from_db(fields=["remaining"])
    assert offer.remaining is not None
    return offer.remaining


def no_exceptions(results: list[object]) -> list[BasketResult]:
    errors = [r for r in results if not isinstance(r, BasketResult)]
    assert not errors, errors
    return [r for r in results if isinstance(r, BasketResult)]


def test_fifty_members_rush_for_twenty_units() -> None:
    cast = build_cast()
    cycle = make_cycle(cast.group_a)
    eggs = make_offer(cycle, cast.dairy, "Œufs", price_cents=330, quota=20_000)
    members = make_members(cast.group_a, 50)

    def buy(member: User):
        return lambda: save_basket(
            cycle=cycle, member=member, changes=[LineChange(eggs.pk, 1000, 0)], by=member
        )

    results = no_exceptions(race([buy(m) for m in members]))

    winners = [r for r in results if r.ok]
    losers = [r for r in results if not r.ok]
    assert len(winners) == 20
    assert all(r.changed == [eggs.pk] for r in winners)
    assert len(losers) == 30
    assert all(r.quota_left == {eggs.pk: 0} for r in losers), losers  # told the truth: none left
    assert all(not (r.errors or r.stale or r.refused) for r in losers)
    assert sold(eggs) == 20_000
    assert remaining(eggs) == 0
    assert OrderLine.objects.filter(offer=eggs).count() == 20
    assert Order.objects.filter(cycle=cycle).count() == 20  # a refused first basket leaves no empty order
    assert OrderChange.objects.filter(offer=eggs).count() == 20
    assert set(OrderLine.objects.filter(offer=eggs).values_list("total_cents", flat=True)) == {330}


def test_one_member_double_submitting_in_five_threads_applies_once() -> None:
    cast = build_cast()
    cycle = make_cycle(cast.group_a)
    eggs = make_offer(cycle, cast.dairy, "Œufs", price_cents=330, quota=10_000)
    bread = make_offer(cycle, cast.bakery, "Pain", price_cents=420)
    changes = [LineChange(eggs.pk, 2000, 0), LineChange(bread.pk, 1000, 0)]

    results = no_exceptions(
        race([lambda: save_basket(cycle=cycle, member=cast.member, changes=changes, by=cast.member)] * 5)
    )

    assert all(r.ok for r in results), results
    assert sum(bool(r.changed) for r in results) == 1
    order = Order.objects.get(cycle=cycle, user=cast.member)
    assert order.version == 1
    assert sorted(order.lines.values_list("offer", "quantity")) == sorted([(eggs.pk, 2000), (bread.pk, 1000)])
    assert OrderChange.objects.filter(order=order).count() == 2
    assert remaining(eggs) == 8000


def test_twenty_members_asking_two_of_twenty_five_then_taking_what_is_left() -> None:
    cast = build_cast()
    cycle = make_cycle(cast.group_a)
    jars = make_offer(cycle, cast.dairy, "Confiture", price_cents=575, quota=25_000)
    members = make_members(cast.group_a, 20)
    first_answers: dict[int, BasketResult] = {}

    def buy(member: User):
        def attempt() -> BasketResult:
            result = save_basket(
                cycle=cycle, member=member, changes=[LineChange(jars.pk, 2000, 0)], by=member
            )
            first_answers[member.pk] = result
            if result.quota_left.get(jars.pk):  # "take what is left", as the page offers
                offered = result.quota_left[jars.pk]
                result = save_basket(
                    cycle=cycle, member=member, changes=[LineChange(jars.pk, offered, 0)], by=member
                )
            return result

        return attempt

    results = no_exceptions(race([buy(m) for m in members]))

    firsts = list(first_answers.values())
    assert sum(r.ok for r in firsts) == 12
    assert sorted(r.quota_left[jars.pk] for r in firsts if not r.ok) in (
        [0] * k + [1000] * (8 - k) for k in range(8)
    )  # the 13th is told 1, anyone after the last one is taken is told 0
    assert sum(r.ok for r in results) == 13
    assert [r.quota_left for r in results if not r.ok] == [{jars.pk: 0}] * 7
    quantities = sorted(OrderLine.objects.filter(offer=jars).values_list("quantity", flat=True))
    assert quantities == [1000] + [2000] * 12
    assert sold(jars) == 25_000
    assert remaining(jars) == 25_000 - sold(jars) == 0


def test_baskets_touching_the_same_offers_in_opposite_orders_never_deadlock() -> None:
    """Two scarce offers, half the members list them A then B, the others B then A."""
    cast = build_cast()
    cycle = make_cycle(cast.group_a)
    eggs = make_offer(cycle, cast.dairy, "Œufs", price_cents=330, quota=30_000)
    butter = make_offer(cycle, cast.dairy, "Beurre", price_cents=410, quota=30_000)
    members = make_members(cast.group_a, 24)

    def buy(member: User, index: int):
        changes = [LineChange(eggs.pk, 1000, 0), LineChange(butter.pk, 1000, 0)]
        if index % 2:
            changes.reverse()
        return lambda: save_basket(cycle=cycle, member=member, changes=changes, by=member)

    results = no_exceptions(race([buy(m, i) for i, m in enumerate(members)]))

    assert all(r.ok for r in results), results
    assert sold(eggs) == sold(butter) == 24_000
    assert remaining(eggs) == remaining(butter) == 6000


def test_members_changing_their_minds_keep_the_quota_consistent() -> None:
    """Raising, lowering and removing lines at once: sold + remaining == quota, always."""
    cast = build_cast()
    cycle = make_cycle(cast.group_a)
    honey = make_offer(cycle, cast.dairy, "Miel", price_cents=890, quota=15_000, member_cap=4000)
    butter = make_offer(cycle, cast.dairy, "Beurre", price_cents=410, quota=12_000)
    members = make_members(cast.group_a, 16)
    plans = random.Random(20260601)
    scripts = {
        m.pk: [(plans.randint(0, 4) * 1000, plans.randint(0, 3) * 1000) for _ in range(4)] for m in members
    }

    def shop(member: User):
        def run() -> list[BasketResult]:
            answers = []
            for honey_q, butter_q in scripts[member.pk]:
                mine = dict(
                    OrderLine.objects.filter(order__cycle=cycle, order__user=member).values_list(
                        "offer", "requested"
                    )
                )
                changes = [
                    LineChange(honey.pk, honey_q, mine.get(honey.pk, 0)),
                    LineChange(butter.pk, butter_q, mine.get(butter.pk, 0)),
                ]
                answers.append(save_basket(cycle=cycle, member=member, changes=changes, by=member))
            return answers

        return run

    results = race([shop(m) for m in members])
    errors = [r for r in results if not isinstance(r, list)]
    assert not errors, errors
    answers = [a for batch in results if isinstance(batch, list) for a in batch]
    assert all(not (a.stale or a.errors or a.refused) for a in answers)  # one tab per member: never stale
    for offer, quota in ((honey, 15_000), (butter, 12_000)):
        assert 0 <= remaining(offer) == quota - sold(offer)
    for line in OrderLine.objects.select_related("offer"):
        assert line.total_cents == line.offer.line_total(line.quantity)
    assert_cycle_consistent(cycle)


def assert_cycle_consistent(cycle: Cycle) -> None:
    for order in Order.objects.filter(cycle=cycle):
        assert order.total_cents() == sum(line.total_cents for line in order.lines.all())
        # The audit trail replays to the stored lines.
        replay: dict[int, int] = {}
        for change in order.changes.order_by("pk"):
            assert replay.get(change.offer_id, 0) == change.old_quantity
            replay[change.offer_id] = change.new_quantity
        stored = dict(order.lines.filter(quantity__gt=0).values_list("offer", "quantity"))
        assert {k: v for k, v in replay.items() if v} == stored


def test_many_pages_allocating_at_the_deadline_allocate_once() -> None:
    """After the deadline every order page calls allocate(): one of them does the work."""
    cast = build_cast()
    cycle = make_cycle(cast.group_a)
    honey = make_offer(
        cycle, cast.dairy, "Miel", price_cents=895, quota=10_000, allocation=Allocation.FAIR_SHARE
    )
    for member, asked in ((cast.member, 2000), (cast.member2, 5000), (cast.beneficiary, 8000)):
        assert save_basket(cycle=cycle, member=member, changes=[LineChange(honey.pk, asked, 0)], by=member).ok
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(seconds=1)
    )

    results = race([lambda: allocate(Cycle.objects.get(pk=cycle.pk))] * 8)

    assert sorted(results, key=str) == [False] * 7 + [True], results
    assert OrderChange.objects.filter(kind=ChangeKind.ALLOCATION).count() == 2
    assert sorted(OrderLine.objects.filter(offer=honey).values_list("quantity", flat=True)) == [
        2000,
        4000,
        4000,
    ]
    assert remaining(honey) == 0


def test_withdrawals_while_members_order() -> None:
    """A coordinator withdraws products while members keep changing baskets that hold them.

    No error (a deadlock would be one), quotas exact, and no basket keeps a withdrawn
    product: a basket read its offers before the withdrawal and wrote the line after it,
    4 runs out of 5 on PostgreSQL, until baskets read their offers again inside their
    transaction (``FOR KEY SHARE``, which the withdrawal's ``FOR UPDATE`` waits for).
    """
    cast = build_cast()
    cycle = make_cycle(cast.group_a)
    offers = [
        make_offer(cycle, cast.dairy, f"Fromage {n}", price_cents=400 + n, quota=200_000) for n in range(4)
    ]
    members = make_members(cast.group_a, 6)

    def member_orders(member: User, seed: int):
        def run() -> list[BasketResult]:
            rng = random.Random(seed)
            answers = []
            for _ in range(12):
                changes = [LineChange(offer.pk, rng.choice([1000, 2000, 3000])) for offer in offers]
                answers.append(save_basket(cycle=cycle, member=member, changes=changes, by=member))
            return answers

        return run

    def coordinator_withdraws() -> int:
        from cabas.cycles.services import withdraw_offer

        return sum(withdraw_offer(offer=offer, reason="Gel", by=cast.coordinator) for offer in offers[:3])

    results = race([coordinator_withdraws, *(member_orders(m, n) for n, m in enumerate(members))])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    for offer in offers:
        offer.refresh_from_db()
        assert offer.remaining is not None and offer.quota is not None
        assert 0 <= offer.remaining == offer.quota - sold(offer)
    assert all(offer.withdrawn_at is not None for offer in offers[:3])
    # Nothing of a withdrawn product stays in a basket, even one saved at the same moment.
    assert not OrderLine.objects.filter(offer__in=offers[:3], quantity__gt=0).exists()
    assert_cycle_consistent(cycle)
