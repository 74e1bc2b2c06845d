"""save_basket, the one write path for order lines: rules, phases, quotas, conflicts and money.

Every refusal is checked against the database afterwards: a basket that cannot
be applied writes nothing (no order, no line, no change, no quota taken).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cabas.catalog.models import SaleUnit
from cabas.cycles.models import ChangeKind, Cycle, Offer, Order, OrderChange, OrderLine
from cabas.cycles.ordering import BasketResult, LineChange, save_basket
from cabas.lib.money import line_total_cents
from tests import scene
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_members, make_offer, order_of, stored_lines
from tests.scene import Market


@pytest.fixture
def market(cast: Cast) -> Market:
    """An open cycle of group A with six offers of three producers: prices, steps, quotas, a cap."""
    return scene.market(cast)


def save(market: Market, member, *changes: LineChange, by=None, reason: str = "", cycle=None) -> BasketResult:
    return save_basket(
        cycle=cycle or market.cycle, member=member, changes=changes, by=by or member, reason=reason
    )


def snapshot(cycle: Cycle) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    """Everything save_basket may write, to compare before and after a refusal."""
    return (
        list(Order.objects.filter(cycle=cycle).order_by("pk").values_list("pk", "user", "version")),
        list(
            OrderLine.objects.filter(order__cycle=cycle)
            .order_by("pk")
            .values_list("pk", "offer", "quantity", "requested", "total_cents")
        ),
        list(OrderChange.objects.filter(order__cycle=cycle).order_by("pk").values_list("pk", "new_quantity")),
        list(Offer.objects.filter(cycle=cycle).order_by("pk").values_list("pk", "remaining")),
    )


def remaining(offer: Offer) -> int | None:
    offer.refresh_from_db(fields=["remaining"])
    return offer.remaining


# --- A basket across producers, and its money -------------------------------------


def test_basket_across_three_producers_persists_rounded_line_totals(cast: Cast, market: Market) -> None:
    result = save(
        market,
        cast.member,
        LineChange(market.bread.pk, 2000, 0),
        LineChange(market.flour.pk, 1500, 0),
        LineChange(market.cheese.pk, 3000, 0),
        LineChange(market.tomatoes.pk, 750, 0),
    )
    assert result.ok, result
    assert sorted(result.changed) == sorted(
        [market.bread.pk, market.flour.pk, market.cheese.pk, market.tomatoes.pk]
    )
    lines = stored_lines(cast.member, market.cycle)
    # Worked by hand: 2 x 4,20; 1,5 kg x 2,85 = 4,275; 3 x 350 g x 21,90 €/kg = 22,995;
    # 0,75 kg x 3,89 = 2,9175. Rounded half up once per line: the cheese is 23,00 €,
    # not 3 x 7,67 = 23,01 € (rounding each piece first would charge a cent too much).
    expected = {market.bread.pk: 840, market.flour.pk: 428, market.cheese.pk: 2300, market.tomatoes.pk: 292}
    assert {offer: line.total_cents for offer, line in lines.items()} == expected
    assert lines[market.cheese.pk].total_cents == line_total_cents(2190, 3000, grams_per_piece=350)
    for offer in (market.bread, market.flour, market.tomatoes):
        assert lines[offer.pk].total_cents == line_total_cents(offer.price_cents, lines[offer.pk].quantity)
    assert all(line.quantity == line.requested for line in lines.values())
    order = order_of(cast.member, market.cycle)
    assert order is not None
    assert order.total_cents() == 3860 == sum(expected.values())
    assert order.version == 1
    changes = OrderChange.objects.filter(order=order)
    assert changes.count() == 4
    assert set(changes.values_list("kind", flat=True)) == {ChangeKind.MEMBER}
    assert set(changes.values_list("changed_by", flat=True)) == {cast.member.pk}
    assert {c.offer_id: c.new_total_cents for c in changes} == expected


def test_changing_a_line_records_old_and_new_amounts(cast: Cast, market: Market) -> None:
    save(market, cast.member, LineChange(market.cheese.pk, 1000, 0))
    result = save(market, cast.member, LineChange(market.cheese.pk, 2000, 1000))
    assert result.ok
    change = OrderChange.objects.filter(offer=market.cheese).order_by("pk").last()
    assert change is not None
    assert (change.old_quantity, change.new_quantity) == (1000, 2000)
    assert (change.old_total_cents, change.new_total_cents) == (767, 1533)  # 7,665 and 15,33 €
    assert stored_lines(cast.member, market.cycle)[market.cheese.pk].total_cents == 1533
    assert order_of(cast.member, market.cycle).version == 2


# --- Rules of a line: step, minimum, cap, withdrawn, other cycle ----------------------


@pytest.mark.parametrize(
    ("offer_name", "quantity", "message"),
    [
        ("flour", 1200, "0,5"),  # not a multiple of the 0,5 kg step
        ("flour", 500, "1"),  # below the 1 kg minimum
        ("eggs", 4000, "3"),  # above the 3 boxes cap
        ("tomatoes", -250, ""),  # a negative quantity is never a basket
    ],
)
def test_a_line_breaking_a_rule_leaves_everything_unchanged(
    cast: Cast, market: Market, offer_name: str, quantity: int, message: str
) -> None:
    save(market, cast.member, LineChange(market.bread.pk, 1000, 0), LineChange(market.eggs.pk, 1000, 0))
    before = snapshot(market.cycle)
    offer = getattr(market, offer_name)
    result = save(
        market,
        cast.member,
        LineChange(market.bread.pk, 3000, 1000),  # valid on its own: not applied either
        LineChange(offer.pk, quantity, None),
    )
    assert not result.ok
    assert set(result.errors) == {offer.pk}
    assert message in result.errors[offer.pk]
    assert result.changed == []
    assert snapshot(market.cycle) == before


def test_a_refused_first_basket_creates_no_order(cast: Cast, market: Market) -> None:
    result = save(
        market, cast.member, LineChange(market.bread.pk, 1000, 0), LineChange(market.flour.pk, 700, 0)
    )
    assert set(result.errors) == {market.flour.pk}
    assert not Order.objects.filter(user=cast.member).exists()


def test_withdrawn_offer_refuses_more_but_can_be_removed(cast: Cast, market: Market) -> None:
    save(market, cast.member, LineChange(market.eggs.pk, 2000, 0))
    Offer.objects.filter(pk=market.eggs.pk).update(withdrawn_at=timezone.now())
    before = snapshot(market.cycle)
    result = save(market, cast.member, LineChange(market.eggs.pk, 3000, 2000))
    assert set(result.errors) == {market.eggs.pk}
    assert snapshot(market.cycle) == before
    result = save(market, cast.member2, LineChange(market.eggs.pk, 1000, 0))
    assert set(result.errors) == {market.eggs.pk}
    assert snapshot(market.cycle) == before
    # Taking a withdrawn product out of one's basket is always allowed, and gives the quota back.
    result = save(market, cast.member, LineChange(market.eggs.pk, 0, 2000))
    assert result.ok
    assert market.eggs.pk not in stored_lines(cast.member, market.cycle)
    assert remaining(market.eggs) == 6000


def test_offer_of_another_cycle_is_refused(cast: Cast, market: Market) -> None:
    other_cycle = make_cycle(cast.group_b, name="Panier de juin")
    foreign = make_offer(other_cycle, cast.bakery, "Fougasse", price_cents=380)
    before = snapshot(market.cycle)
    result = save(market, cast.member, LineChange(market.bread.pk, 1000, 0), LineChange(foreign.pk, 1000, 0))
    assert result.refused
    assert not result.ok
    assert snapshot(market.cycle) == before
    assert not OrderLine.objects.filter(offer=foreign).exists()
    assert not Order.objects.filter(user=cast.member).exists()


def test_unknown_offer_is_refused(cast: Cast, market: Market) -> None:
    result = save(market, cast.member, LineChange(10**9, 1000, 0))
    assert result.refused
    assert not Order.objects.exists()


# --- Phases: open, closed, finalised; who changes and why ------------------------------


def test_coordinator_on_behalf_while_open_is_recorded_as_on_behalf(cast: Cast, market: Market) -> None:
    result = save(market, cast.beneficiary, LineChange(market.bread.pk, 2000, 0), by=cast.coordinator)
    assert result.ok
    change = OrderChange.objects.get(order__user=cast.beneficiary)
    assert change.kind == ChangeKind.ON_BEHALF
    assert change.changed_by == cast.coordinator
    assert order_of(cast.beneficiary, market.cycle) is not None
    assert not Order.objects.filter(user=cast.coordinator).exists()


def test_closed_cycle_refuses_the_member_and_accepts_a_coordinator_with_a_reason(
    cast: Cast, market: Market
) -> None:
    save(market, cast.member, LineChange(market.bread.pk, 1000, 0), LineChange(market.eggs.pk, 2000, 0))
    Cycle.objects.filter(pk=market.cycle.pk).update(
        opens_at=timezone.now() - timedelta(days=5), closes_at=timezone.now() - timedelta(minutes=1)
    )
    market.cycle.refresh_from_db()
    before = snapshot(market.cycle)

    result = save(market, cast.member, LineChange(market.bread.pk, 2000, 1000))
    assert result.refused
    assert snapshot(market.cycle) == before

    result = save(
        market, cast.member, LineChange(market.bread.pk, 2000, 1000), by=cast.coordinator, reason="  "
    )
    assert result.refused
    assert snapshot(market.cycle) == before

    reason = "Le fournil a manqué de farine"
    result = save(
        market,
        cast.member,
        LineChange(market.bread.pk, 0, 1000),
        LineChange(market.eggs.pk, 3000, 2000),
        by=cast.coordinator,
        reason=reason,
    )
    assert result.ok, result
    lines = stored_lines(cast.member, market.cycle)
    assert market.bread.pk not in lines
    assert lines[market.eggs.pk].quantity == 3000
    assert remaining(market.eggs) == 3000
    adjustments = OrderChange.objects.filter(kind=ChangeKind.ADJUSTMENT)
    assert adjustments.count() == 2
    assert {(c.offer_id, c.old_quantity, c.new_quantity) for c in adjustments} == {
        (market.bread.pk, 1000, 0),
        (market.eggs.pk, 2000, 3000),
    }
    assert {(c.reason, c.changed_by_id) for c in adjustments} == {(reason, cast.coordinator.pk)}
    assert OrderChange.objects.filter(kind=ChangeKind.MEMBER).count() == 2  # the two lines of the open cycle


def test_finalised_cycle_refuses_everyone(cast: Cast) -> None:
    cycle = make_cycle(cast.group_a, phase="finalised")
    bread = make_offer(cycle, cast.bakery, "Pain de seigle", price_cents=450)
    for by, reason in ((cast.member, ""), (cast.coordinator, "Oubli"), (cast.coordinator, "")):
        result = save_basket(
            cycle=cycle, member=cast.member, changes=[LineChange(bread.pk, 1000, 0)], by=by, reason=reason
        )
        assert result.refused
        assert not result.ok
    assert not Order.objects.filter(cycle=cycle).exists()
    assert not OrderChange.objects.exists()


def test_closed_cycle_made_by_the_clock_refuses_members(cast: Cast) -> None:
    cycle = make_cycle(cast.group_a, phase="closed")
    bread = make_offer(cycle, cast.bakery, "Pain de seigle", price_cents=450)
    result = save_basket(
        cycle=cycle, member=cast.member, changes=[LineChange(bread.pk, 1000, 0)], by=cast.member
    )
    assert result.refused
    assert not Order.objects.filter(cycle=cycle).exists()


# --- First-come quotas -------------------------------------------------------------


def test_quota_conflict_tells_what_is_left_and_writes_nothing(cast: Cast, market: Market) -> None:
    assert save(market, cast.member2, LineChange(market.eggs.pk, 3000, 0)).ok
    assert save(market, cast.treasurer, LineChange(market.eggs.pk, 2000, 0)).ok
    assert remaining(market.eggs) == 1000
    before = snapshot(market.cycle)

    result = save(
        market,
        cast.member,
        LineChange(market.bread.pk, 2000, 0),
        LineChange(market.tomatoes.pk, 500, 0),
        LineChange(market.eggs.pk, 3000, 0),
    )
    assert not result.ok
    assert result.quota_left == {market.eggs.pk: 1000}
    assert result.changed == []
    assert snapshot(market.cycle) == before  # neither the bread nor the tomatoes, and no empty order
    assert order_of(cast.member, market.cycle) is None

    result = save(
        market,
        cast.member,
        LineChange(market.bread.pk, 2000, 0),
        LineChange(market.tomatoes.pk, 500, 0),
        LineChange(market.eggs.pk, result.quota_left[market.eggs.pk], 0),
    )
    assert result.ok, result
    assert {o: line.quantity for o, line in stored_lines(cast.member, market.cycle).items()} == {
        market.bread.pk: 2000,
        market.tomatoes.pk: 500,
        market.eggs.pk: 1000,
    }
    assert remaining(market.eggs) == 0


def test_quota_left_counts_the_members_own_line_and_rounds_down_to_the_step(
    cast: Cast, market: Market
) -> None:
    # 2,75 kg of chanterelles sold by 0,5 kg: the last 0,25 kg can never be sold.
    chanterelles = make_offer(
        market.cycle,
        market.gardener,
        "Girolles",
        price_cents=3200,
        quantity_step=500,
        quota=2750,
        unit=SaleUnit.KG,
    )
    assert save(market, cast.member, LineChange(chanterelles.pk, 1000, 0)).ok
    assert save(market, cast.member2, LineChange(chanterelles.pk, 500, 0)).ok
    assert remaining(chanterelles) == 1250
    before = snapshot(market.cycle)

    result = save(market, cast.member, LineChange(chanterelles.pk, 3000, 1000))
    assert result.quota_left == {chanterelles.pk: 2000}  # 1 kg already hers + 1,25 kg left, by 0,5 kg
    assert snapshot(market.cycle) == before

    assert save(market, cast.member, LineChange(chanterelles.pk, 2000, 1000)).ok
    assert remaining(chanterelles) == 250
    result = save(market, cast.member2, LineChange(chanterelles.pk, 1000, 500))
    assert result.quota_left == {chanterelles.pk: 500}


def test_quota_left_is_zero_when_what_remains_is_below_the_minimum(cast: Cast, market: Market) -> None:
    """The amount offered back must itself be orderable: 0,5 kg left of a 1 kg minimum is nothing."""
    beans = make_offer(
        market.cycle,
        market.gardener,
        "Haricots tarbais",
        price_cents=1400,
        quantity_step=500,
        min_quantity=1000,
        quota=2500,
        unit=SaleUnit.KG,
    )
    assert save(market, cast.member2, LineChange(beans.pk, 2000, 0)).ok
    result = save(market, cast.member, LineChange(beans.pk, 1000, 0))
    assert result.quota_left == {beans.pk: 0}
    # Whoever already holds a line can still top it up by one step.
    result = save(market, cast.member2, LineChange(beans.pk, 3000, 2000))
    assert result.quota_left == {beans.pk: 2500}
    assert save(market, cast.member2, LineChange(beans.pk, 2500, 2000)).ok
    assert remaining(beans) == 0


def test_whatever_quota_left_offers_can_be_accepted(cast: Cast, market: Market) -> None:
    beans = make_offer(
        market.cycle,
        market.gardener,
        "Lentilles",
        price_cents=600,
        quantity_step=250,
        min_quantity=750,
        quota=1500,
    )
    members = make_members(cast.group_a, 6)
    for member in members:
        result = save(market, member, LineChange(beans.pk, 1000, 0))
        while result.quota_left:
            offered = result.quota_left[beans.pk]
            if offered == 0:
                break
            result = save(market, member, LineChange(beans.pk, offered, 0))
            assert result.ok, (offered, result)
    sold = sum(OrderLine.objects.filter(offer=beans).values_list("quantity", flat=True))
    assert sold + remaining(beans) == 1500
    assert remaining(beans) < 750


def test_lowering_a_line_gives_quota_back_and_zero_deletes_it(cast: Cast, market: Market) -> None:
    assert save(
        market, cast.member, LineChange(market.eggs.pk, 3000, 0), LineChange(market.bread.pk, 1000, 0)
    ).ok
    assert remaining(market.eggs) == 3000
    assert save(market, cast.member, LineChange(market.eggs.pk, 1000, 3000)).ok
    assert remaining(market.eggs) == 5000
    line = stored_lines(cast.member, market.cycle)[market.eggs.pk]
    assert (line.quantity, line.requested, line.total_cents) == (1000, 1000, 330)

    assert save(market, cast.member, LineChange(market.eggs.pk, 0, 1000)).ok
    assert remaining(market.eggs) == 6000
    assert market.eggs.pk not in stored_lines(cast.member, market.cycle)
    last = OrderChange.objects.filter(offer=market.eggs).order_by("pk").last()
    assert last is not None
    assert (last.old_quantity, last.new_quantity, last.old_total_cents, last.new_total_cents) == (
        1000,
        0,
        330,
        0,
    )
    order = order_of(cast.member, market.cycle)
    assert order is not None
    assert order.total_cents() == 420


# --- Conflicts: stale pages and double submits -------------------------------------


def test_stale_line_is_reported_and_nothing_is_written(cast: Cast, market: Market) -> None:
    assert save(market, cast.member, LineChange(market.bread.pk, 2000, 0)).ok
    # A coordinator changes the bread meanwhile (another tab would do the same).
    assert save(market, cast.member, LineChange(market.bread.pk, 3000, 2000), by=cast.coordinator).ok
    before = snapshot(market.cycle)

    # The member's page still shows 2 loaves.
    result = save(
        market, cast.member, LineChange(market.bread.pk, 1000, 2000), LineChange(market.eggs.pk, 2000, 0)
    )
    assert result.stale == {market.bread.pk: 3000}
    assert not result.ok
    assert result.changed == []
    assert snapshot(market.cycle) == before
    assert remaining(market.eggs) == 6000

    # Without an expected value (e.g. a script), nothing is checked.
    assert save(market, cast.member, LineChange(market.bread.pk, 1000, None)).ok
    assert stored_lines(cast.member, market.cycle)[market.bread.pk].quantity == 1000


def test_stale_line_of_a_deleted_line_is_reported_as_zero(cast: Cast, market: Market) -> None:
    assert save(market, cast.member, LineChange(market.bread.pk, 2000, 0)).ok
    assert save(market, cast.member, LineChange(market.bread.pk, 0, 2000)).ok
    result = save(market, cast.member, LineChange(market.bread.pk, 1000, 2000))
    assert result.stale == {market.bread.pk: 0}
    assert market.bread.pk not in stored_lines(cast.member, market.cycle)


def test_double_submit_applies_once(cast: Cast, market: Market) -> None:
    changes = (LineChange(market.eggs.pk, 2000, 0), LineChange(market.cheese.pk, 1000, 0))
    first = save(market, cast.member, *changes)
    second = save(market, cast.member, *changes)
    assert first.ok
    assert second.ok  # what they asked for is what is stored: a success, not a conflict
    assert sorted(first.changed) == sorted([market.eggs.pk, market.cheese.pk])
    assert second.changed == []
    assert OrderChange.objects.filter(offer=market.eggs).count() == 1
    assert OrderChange.objects.filter(offer=market.cheese).count() == 1
    assert remaining(market.eggs) == 4000
    order = order_of(cast.member, market.cycle)
    assert order is not None
    assert order.version == 1
    assert order.lines.count() == 2


def test_fair_share_offer_takes_no_quota_while_open(cast: Cast, market: Market) -> None:
    assert save(market, cast.member, LineChange(market.honey.pk, 2000, 0)).ok
    assert save(market, cast.member2, LineChange(market.honey.pk, 3000, 0)).ok  # more than the whole quota
    assert save(market, cast.treasurer, LineChange(market.honey.pk, 1000, 0)).ok
    assert remaining(market.honey) == 2000
    lines = OrderLine.objects.filter(offer=market.honey)
    assert sorted(lines.values_list("quantity", "requested")) == [(1000, 1000), (2000, 2000), (3000, 3000)]
    assert save(market, cast.member2, LineChange(market.honey.pk, 0, 3000)).ok
    assert remaining(market.honey) == 2000


# --- Money, for any basket ----------------------------------------------------------


def half_up(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(
    price=st.integers(1, 10_000_000),
    quantity=st.integers(0, 10_000_000),
    grams=st.none() | st.integers(1, 50_000),
)
def test_line_total_rounds_half_up_once(price: int, quantity: int, grams: int | None) -> None:
    if grams is None:
        assert line_total_cents(price, quantity) == half_up(price * quantity, 1000)
    else:
        assert line_total_cents(price, quantity, grams_per_piece=grams) == half_up(
            price * quantity * grams, 10**6
        )


line_specs = st.lists(
    st.tuples(
        st.integers(1, 99_999),  # price in cents (per kg for variable weight)
        st.sampled_from([1, 5, 10, 125, 250, 500, 1000, 2000]),  # step, in thousandths
        st.integers(1, 40),  # how many steps the member first asks
        st.integers(0, 40),  # how many steps after changing their mind (0: removed)
        st.none() | st.integers(1, 5000),  # estimated grams of a variable-weight piece
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=line_specs)
def test_order_total_is_the_sum_of_persisted_rounded_lines(cast: Cast, specs: list[tuple]) -> None:
    with transaction.atomic():
        cycle = make_cycle(cast.group_a)
        offers = [
            make_offer(
                cycle,
                cast.dairy if grams else cast.bakery,
                price_cents=price,
                quantity_step=step,
                estimated_weight_grams=grams,
            )
            for price, step, _first, _then, grams in specs
        ]
        for round_ in (2, 3):
            changes = []
            for offer, spec in zip(offers, specs, strict=True):
                steps = spec[round_]
                expected = None if round_ == 2 else offer.quantity_step * spec[2]
                changes.append(LineChange(offer.pk, offer.quantity_step * steps, expected))
            result = save_basket(cycle=cycle, member=cast.member, changes=changes, by=cast.member)
            assert result.ok, result
            lines = stored_lines(cast.member, cycle)
            for offer, change in zip(offers, changes, strict=True):
                if change.quantity == 0:
                    assert offer.pk not in lines
                    continue
                line = lines[offer.pk]
                grams = offer.estimated_weight_grams if offer.variable_weight else None
                assert line.quantity == change.quantity
                assert line.total_cents == line_total_cents(
                    offer.price_cents, change.quantity, grams_per_piece=grams
                )
            wanted = sum(
                offer.line_total(change.quantity) for offer, change in zip(offers, changes, strict=True)
            )
            order = order_of(cast.member, cycle)
            assert order is not None
            assert order.total_cents() == sum(line.total_cents for line in lines.values()) == wanted
        transaction.set_rollback(True)
