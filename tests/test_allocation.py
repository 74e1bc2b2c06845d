"""Fair shares of a scarce product: worked examples, properties, and allocate() on a closed cycle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cabas.cycles.allocation import allocate, fair_shares
from cabas.cycles.models import Allocation, ChangeKind, Cycle, Offer, OrderChange, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.lib.money import line_total_cents
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_members, make_offer

# --- Worked examples ------------------------------------------------------------------


def test_quota_ten_asks_two_five_eight() -> None:
    # Everyone rises to a common level: 2 is met, 5 and 8 stop at 4.
    assert fair_shares(10, 1, [("a", 2), ("b", 5), ("c", 8)]) == {"a": 2, "b": 4, "c": 4}
    # The same in thousandths of a unit (10 jars, by the jar).
    assert fair_shares(10_000, 1000, [("a", 2000), ("b", 5000), ("c", 8000)]) == {
        "a": 2000,
        "b": 4000,
        "c": 4000,
    }


def test_enough_for_everyone_gives_what_was_asked() -> None:
    assert fair_shares(20, 1, [("a", 2), ("b", 5), ("c", 8)]) == {"a": 2, "b": 5, "c": 8}
    assert fair_shares(15, 1, [("a", 2), ("b", 5), ("c", 8)]) == {"a": 2, "b": 5, "c": 8}


def test_steps_of_half_a_kilo() -> None:
    # 5 kg sold by 0,5 kg; asks 1 kg, 2,5 kg and 4 kg.
    requests = [("a", 1000), ("b", 2500), ("c", 4000)]
    assert fair_shares(5000, 500, requests) == {"a": 1000, "b": 2000, "c": 2000}
    # 5,5 kg: one step left over above the common level of 2 kg goes to the largest request.
    assert fair_shares(5500, 500, requests) == {"a": 1000, "b": 2000, "c": 2500}
    # 5,25 kg: the last 0,25 kg is less than a step, so it stays unsold.
    assert fair_shares(5250, 500, requests) == {"a": 1000, "b": 2000, "c": 2000}


def test_leftovers_go_to_the_largest_unmet_requests() -> None:
    # Level 4 costs 3 + 4 + 4 = 11 of 12: the one step left goes to the 7, not to the 6.
    assert fair_shares(12, 1, [("a", 3), ("b", 6), ("c", 7)]) == {"a": 3, "b": 4, "c": 5}
    assert fair_shares(12, 1, [("c", 7), ("b", 6), ("a", 3)]) == {"a": 3, "b": 4, "c": 5}
    # Two steps left: the 7 and then the 6.
    assert fair_shares(13, 1, [("a", 3), ("b", 6), ("c", 7)]) == {"a": 3, "b": 5, "c": 5}


def test_leftovers_go_to_the_earliest_among_equal_requests() -> None:
    assert fair_shares(10, 1, [("a", 5), ("b", 5), ("c", 5)]) == {"a": 4, "b": 3, "c": 3}
    assert fair_shares(10, 1, [("c", 5), ("b", 5), ("a", 5)]) == {"c": 4, "b": 3, "a": 3}
    assert fair_shares(11, 1, [("a", 5), ("b", 5), ("c", 5)]) == {"a": 4, "b": 4, "c": 3}
    # Among unequal requests the largest first, then the earliest of the equal ones.
    assert fair_shares(8, 1, [("a", 2), ("b", 6), ("c", 9), ("d", 9)]) == {"a": 2, "b": 2, "c": 2, "d": 2}
    assert fair_shares(10, 1, [("a", 2), ("b", 6), ("c", 9), ("d", 9)]) == {"a": 2, "b": 2, "c": 3, "d": 3}
    assert fair_shares(9, 1, [("a", 2), ("b", 6), ("c", 9), ("d", 9)]) == {"a": 2, "b": 2, "c": 3, "d": 2}


def test_quota_smaller_than_the_number_of_members() -> None:
    assert fair_shares(2, 1, [("a", 1), ("b", 3), ("c", 3)]) == {"a": 0, "b": 1, "c": 1}
    assert fair_shares(1, 1, [("a", 1), ("b", 1), ("c", 1)]) == {"a": 1, "b": 0, "c": 0}
    assert fair_shares(0, 1, [("a", 1), ("b", 3)]) == {"a": 0, "b": 0}


def test_edge_cases() -> None:
    assert fair_shares(10, 1, []) == {}
    assert fair_shares(10, 1, [("a", 0), ("b", 20)]) == {"a": 0, "b": 10}
    assert fair_shares(999, 1000, [("a", 3000)]) == {"a": 0}  # less than one step: nothing to split


# --- Properties -------------------------------------------------------------------------

steps = st.sampled_from([1, 5, 125, 250, 500, 1000])


@st.composite
def scarce_offers(draw: st.DrawFn) -> tuple[int, int, list[tuple[int, int]]]:
    """(quota, step, requests): requests are multiples of the step, as stored lines are."""
    step = draw(steps)
    asks = draw(st.lists(st.integers(0, 60), max_size=30))
    quota = draw(st.integers(0, 80 * step))
    return quota, step, [(key, ask * step) for key, ask in enumerate(asks)]


@settings(max_examples=300, deadline=None)
@given(scarce_offers())
def test_fair_shares_properties(case: tuple[int, int, list[tuple[int, int]]]) -> None:
    quota, step, requests = case
    shares = fair_shares(quota, step, requests)
    asked = dict(requests)
    assert list(shares) == [key for key, _ in requests]  # every request answered, in order
    total = sum(shares.values())
    assert total <= quota  # never more than the quota
    assert all(0 <= shares[key] <= asked[key] for key in asked)  # never more than asked
    assert all(share % step == 0 for share in shares.values())  # whole steps
    # Monotone: whoever asked more got at least as much.
    for a in asked:
        for b in asked:
            if asked[a] > asked[b]:
                assert shares[a] >= shares[b], (a, b)
    # Efficient: the quota is used to the last whole step, unless everybody got what they asked.
    if sum(asked.values()) >= quota:
        assert quota - total < step
    else:
        assert shares == asked
    # Nobody below the others' level while unmet: an unmet request is within one step of every larger share.
    for key, share in shares.items():
        if share < asked[key]:
            assert all(other <= share + step for other in shares.values())
    # Deterministic.
    assert fair_shares(quota, step, requests) == shares


@settings(max_examples=200, deadline=None)
@given(scarce_offers(), st.randoms(use_true_random=False))
def test_order_of_requests_matters_only_for_ties(case, rng) -> None:
    quota, step, requests = case
    shuffled = list(requests)
    rng.shuffle(shuffled)
    before, after = fair_shares(quota, step, requests), fair_shares(quota, step, shuffled)
    asked = dict(requests)
    # The same shares for each size of request, whatever the order...
    for size in set(asked.values()):
        keys = [key for key in asked if asked[key] == size]
        assert sorted(before[k] for k in keys) == sorted(after[k] for k in keys)
        # ...and exactly the same share for a request of a size nobody else asked.
        if len(keys) == 1:
            assert before[keys[0]] == after[keys[0]]


@given(scarce_offers())
def test_requests_not_a_multiple_of_the_step_round_down(case) -> None:
    quota, step, requests = case
    ragged = [(key, asked + (step - 1 if key % 2 else 0)) for key, asked in requests]
    assert fair_shares(quota, step, ragged) == fair_shares(quota, step, requests)


# --- allocate() on a closed cycle ---------------------------------------------------------


def close(cycle: Cycle) -> None:
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(minutes=1)
    )
    cycle.refresh_from_db()


@pytest.fixture
def honey_cycle(cast: Cast):
    """An open cycle with a fair-share offer (10 jars), a first-come one, and three members' requests."""
    cycle = make_cycle(cast.group_a)
    honey = make_offer(
        cycle, cast.dairy, "Miel", price_cents=895, quota=10_000, allocation=Allocation.FAIR_SHARE
    )
    eggs = make_offer(cycle, cast.dairy, "Œufs", price_cents=330, quota=6000)
    members = [cast.member, cast.member2, cast.beneficiary]
    for member, asked in zip(members, (2000, 5000, 8000), strict=True):
        changes = [LineChange(honey.pk, asked, 0), LineChange(eggs.pk, 2000, 0)]
        assert save_basket(cycle=cycle, member=member, changes=changes, by=member).ok
    return cycle, honey, eggs, members


def test_allocate_does_nothing_while_the_cycle_is_open(honey_cycle) -> None:
    cycle, honey, _eggs, _members = honey_cycle
    assert allocate(cycle) is False
    cycle.refresh_from_db()
    assert cycle.allocated_at is None
    assert sorted(OrderLine.objects.filter(offer=honey).values_list("quantity", flat=True)) == [
        2000,
        5000,
        8000,
    ]
    assert not OrderChange.objects.filter(kind=ChangeKind.ALLOCATION).exists()


def test_allocate_splits_the_quota_once(honey_cycle) -> None:
    cycle, honey, eggs, (marie, mehdi, bernadette) = honey_cycle
    close(cycle)
    lines_before = OrderLine.objects.filter(offer=eggs).count()

    assert allocate(cycle) is True

    lines = {
        line.order.user_id: line for line in OrderLine.objects.filter(offer=honey).select_related("order")
    }
    assert {u: (line.quantity, line.requested) for u, line in lines.items()} == {
        marie.pk: (2000, 2000),
        mehdi.pk: (4000, 5000),
        bernadette.pk: (4000, 8000),
    }
    for line in lines.values():
        assert line.total_cents == line_total_cents(895, line.quantity)
        assert line.order.total_cents() == sum(line.order.lines.values_list("total_cents", flat=True))
    changes = OrderChange.objects.filter(kind=ChangeKind.ALLOCATION)
    assert sorted((c.order.user_id, c.old_quantity, c.new_quantity) for c in changes) == sorted(
        [(mehdi.pk, 5000, 4000), (bernadette.pk, 8000, 4000)]
    )
    assert {(c.old_total_cents, c.new_total_cents) for c in changes} == {(4475, 3580), (7160, 3580)}
    assert all(c.offer_id == honey.pk for c in changes)
    honey.refresh_from_db()
    assert honey.remaining == honey.quota - sum(line.quantity for line in lines.values()) == 0
    # First-come offers are not touched.
    eggs.refresh_from_db()
    assert eggs.remaining == 0
    assert OrderLine.objects.filter(offer=eggs, quantity=2000).count() == lines_before == 3
    cycle.refresh_from_db()
    assert cycle.allocated_at is not None

    # A second call (another page load after the deadline) changes nothing.
    snapshot = list(OrderLine.objects.order_by("pk").values_list("pk", "quantity", "total_cents"))
    assert allocate(cycle) is False
    assert OrderChange.objects.filter(kind=ChangeKind.ALLOCATION).count() == 2
    assert list(OrderLine.objects.order_by("pk").values_list("pk", "quantity", "total_cents")) == snapshot


def test_allocate_with_enough_for_everyone_changes_nothing_but_remaining(cast: Cast) -> None:
    cycle = make_cycle(cast.group_a)
    honey = make_offer(
        cycle, cast.dairy, "Miel", price_cents=895, quota=20_000, allocation=Allocation.FAIR_SHARE
    )
    for member, asked in ((cast.member, 3000), (cast.member2, 4000)):
        assert save_basket(cycle=cycle, member=member, changes=[LineChange(honey.pk, asked, 0)], by=member).ok
    close(cycle)
    assert allocate(cycle) is True
    assert sorted(OrderLine.objects.filter(offer=honey).values_list("quantity", flat=True)) == [3000, 4000]
    assert not OrderChange.objects.filter(kind=ChangeKind.ALLOCATION).exists()
    assert Offer.objects.get(pk=honey.pk).remaining == 13_000


def test_allocate_breaks_ties_by_earliest_order(cast: Cast) -> None:
    cycle = make_cycle(cast.group_a)
    honey = make_offer(
        cycle, cast.dairy, "Miel", price_cents=895, quota=7000, allocation=Allocation.FAIR_SHARE
    )
    members = make_members(cast.group_a, 3)
    for member in members:
        assert save_basket(cycle=cycle, member=member, changes=[LineChange(honey.pk, 3000, 0)], by=member).ok
    close(cycle)
    assert allocate(cycle) is True
    got = dict(OrderLine.objects.filter(offer=honey).values_list("order__user", "quantity"))
    assert [got[m.pk] for m in members] == [3000, 2000, 2000]
    assert Offer.objects.get(pk=honey.pk).remaining == 0
