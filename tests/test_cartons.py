"""Cartons: the rounding rule (examples and properties), applying it, the coordinator's page, tolerances."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from cabas.accounts.models import User
from cabas.cycles import cartons, tasks
from cabas.cycles.cartons import CartonError, CartonLine, Rounding, propose
from cabas.cycles.models import ChangeKind, Cycle, Offer, Order, OrderChange, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.lib.money import line_total_cents
from tests import scene
from tests.cast import Cast, build_cast
from tests.cycle_fixtures import make_cycle, make_members, make_offer, race
from tests.scene import Cellar

A = "saint-orens"


def lines(*specs: tuple[int, int] | int) -> list[CartonLine[int]]:
    """Lines keyed 0, 1, 2... (earliest first) from whole units: ``4`` or ``(quantity, tolerance)``."""
    made = []
    for key, spec in enumerate(specs):
        quantity, tolerance = spec if isinstance(spec, tuple) else (spec, 0)
        made.append(CartonLine(key, quantity * 1000, tolerance * 1000))
    return made


def rule(specs: list[CartonLine[int]], carton: int = 6, **options: int | None) -> cartons.Proposal[int]:
    return propose(carton=carton * 1000, step=1000, lines=specs, **options)


# --- The rule: worked examples --------------------------------------------------------------------


def test_full_cartons_need_nothing() -> None:
    proposal = rule(lines(4, 2, 6))
    assert (proposal.rounding, proposal.quantities) == (Rounding.FULL, {})
    assert (proposal.total, proposal.full_cartons, proposal.missing, proposal.surplus) == (12_000, 2, 0, 0)
    assert rule([]).rounding == Rounding.FULL


def test_fill_from_tolerances_earliest_first() -> None:
    # 5 bottles of 6: one missing; the first with a tolerance takes it.
    proposal = rule(lines(2, (2, 2), (1, 1)))
    assert (proposal.rounding, proposal.missing, proposal.surplus) == (Rounding.FILL, 1000, 5000)
    assert proposal.quantities == {1: 3000}
    assert proposal.old == {1: 2000}
    # Three missing: the first gives all of its 2, the next one the last.
    proposal = rule(lines((2, 2), (1, 5), 0))
    assert proposal.quantities == {0: 4000, 1: 2000}
    assert proposal.proposed_total == 6000


def test_fill_never_beyond_the_remaining_quota_or_the_cap() -> None:
    specs = lines((2, 2), (1, 2))  # 3 missing, 4 offered
    assert rule(specs).quantities == {0: 4000, 1: 2000}
    assert rule(specs, remaining=2000).rounding == Rounding.ROUND_DOWN  # only 2 left to sell
    assert rule(specs, remaining=3000).rounding == Rounding.FILL
    # A cap of 3 per member leaves the first member room for 1 only, the second for 2.
    assert rule(specs, member_cap=3000).quantities == {0: 3000, 1: 3000}
    assert rule(specs, member_cap=2000).rounding == Rounding.ROUND_DOWN
    assert rule(lines((2, 2), (1, 2), (1, 1)), member_cap=3000).quantities == {0: 3000, 1: 2000}


def test_round_down_from_the_latest_orders() -> None:
    proposal = rule(lines(4, 2, 1))  # 7: one beyond the carton
    assert (proposal.rounding, proposal.quantities) == (Rounding.ROUND_DOWN, {2: 0})
    proposal = rule(lines(4, 3, 2))  # 9: three beyond; the latest goes, then one from the one before
    assert proposal.quantities == {2: 0, 1: 2000}
    # Not enough tolerance to fill: round down instead.
    assert rule(lines((4, 1), 3)).quantities == {1: 2000}


def test_round_down_keeps_the_minimum_or_goes_to_zero() -> None:
    # A minimum of 2: the latest line (3) gives the one beyond the carton and stays at 2.
    assert rule(lines(4, 3), min_quantity=2000).quantities == {1: 2000}
    # The latest line at its minimum of 2 and more than the surplus: untouched, the one before gives 1.
    assert rule(lines(5, 2), min_quantity=2000).quantities == {0: 4000}
    assert rule(lines(4, 1, 2), min_quantity=1000).quantities == {2: 1000}
    assert rule(lines(5, 2, 2), min_quantity=2000).quantities == {0: 4000, 2: 0}


def test_less_than_a_carton_in_all_rounds_down_to_nothing() -> None:
    assert rule(lines(2, 2)).quantities == {0: 0, 1: 0}


def test_left_to_the_coordinator_when_nothing_is_exact() -> None:
    # Everyone at the minimum of 4, two beyond the carton, no tolerance: no exact rounding.
    proposal = rule(lines(4, 4), min_quantity=4000)
    assert (proposal.rounding, proposal.quantities) == (Rounding.COORDINATOR, {})
    assert (proposal.full_cartons, proposal.surplus, proposal.missing) == (1, 2000, 4000)


def test_steps_of_half_a_kilo() -> None:
    # Crates of 5 kg sold by 0,5 kg: 4,5 kg ordered, 0,5 kg missing.
    specs = [CartonLine("a", 2500, 500), CartonLine("b", 2000, 1000)]
    assert propose(carton=5000, step=500, lines=specs).quantities == {"a": 3000}
    # A step that does not divide what is missing cannot fill: round down instead.
    specs = [CartonLine("a", 2000, 4000), CartonLine("b", 2000, 4000)]
    proposal = propose(carton=5000, step=2000, lines=specs)
    assert (proposal.rounding, proposal.quantities) == (Rounding.ROUND_DOWN, {"b": 0, "a": 0})


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        propose(carton=0, step=1000, lines=[])


# --- The rule: properties -------------------------------------------------------------------------


@st.composite
def carton_cases(draw: st.DrawFn) -> dict[str, object]:
    step = draw(st.sampled_from([1, 250, 500, 1000]))
    min_quantity = draw(st.integers(0, 4)) * step
    specs = []
    for key in range(draw(st.integers(0, 12))):
        quantity = draw(st.integers(0, 30)) * step
        if quantity:
            quantity = max(quantity, min_quantity)  # stored lines respect the minimum
        # Tolerances are whole steps when typed; a ragged one must still be handled.
        tolerance = draw(st.integers(0, 8)) * step + draw(st.sampled_from([0, 0, step // 2]))
        specs.append(CartonLine(key, quantity, tolerance))
    return {
        "carton": draw(st.integers(1, 24)) * step,
        "step": step,
        "lines": specs,
        "remaining": draw(st.none() | st.integers(0, 40 * step)),
        "min_quantity": min_quantity,
        "member_cap": draw(st.none() | st.integers(1, 40).map(lambda n: n * step)),
    }


def room(line: CartonLine[int], case: dict[str, object]) -> int:
    step, cap = case["step"], case["member_cap"]
    assert isinstance(step, int)
    if not line.quantity:
        return 0
    most = line.tolerance if cap is None else min(line.tolerance, max(int(cap) - line.quantity, 0))
    return most - most % step


def fill_possible(case: dict[str, object], missing: int) -> bool:
    step, remaining = case["step"], case["remaining"]
    assert isinstance(step, int)
    specs: list[CartonLine[int]] = case["lines"]
    if missing % step or (remaining is not None and int(remaining) < missing):
        return False
    return sum(room(line, case) for line in specs) >= missing


@settings(max_examples=500, deadline=None)
@given(carton_cases())
def test_rule_properties(case: dict[str, object]) -> None:
    proposal = propose(**case)
    specs: list[CartonLine[int]] = case["lines"]
    step, carton, remaining = int(case["step"]), int(case["carton"]), case["remaining"]
    old = {line.key: line for line in specs}
    total = sum(line.quantity for line in specs)
    assert proposal.total == total
    assert (proposal.rounding == Rounding.FULL) == (total % carton == 0)
    assert set(proposal.quantities) <= set(old)
    assert all(new != old[key].quantity for key, new in proposal.quantities.items())
    assert proposal.old == {key: old[key].quantity for key in proposal.quantities}
    if proposal.quantities:
        assert proposal.proposed_total % carton == 0  # whole cartons
    added = {key: new - old[key].quantity for key, new in proposal.quantities.items()}
    if proposal.rounding == Rounding.FILL:
        assert fill_possible(case, proposal.missing)
        assert sum(added.values()) == proposal.missing
        for key, extra in added.items():
            assert 0 < extra <= old[key].tolerance  # never beyond a tolerance
            assert extra % step == 0
            if case["member_cap"] is not None:
                assert proposal.quantities[key] <= int(case["member_cap"])
        if remaining is not None:
            assert sum(added.values()) <= int(remaining)  # never beyond the quota
        # Earliest first: every line before the last one filled gave all it could.
        last = max(added)
        assert all(added.get(line.key, 0) == room(line, case) for line in specs if line.key < last)
    elif proposal.rounding == Rounding.ROUND_DOWN:
        assert not fill_possible(case, proposal.missing)  # filling comes first
        assert -sum(added.values()) == proposal.surplus
        for key, new in proposal.quantities.items():
            assert 0 <= new < old[key].quantity
            assert new == 0 or (new >= int(case["min_quantity"]) and new % step == 0)
        # Latest first: a later line left untouched could give nothing.
        first = min(proposal.quantities)
        for line in specs:
            if line.key > first and line.key not in proposal.quantities:
                assert line.quantity == 0 or line.quantity - int(case["min_quantity"]) < step
    elif proposal.rounding == Rounding.COORDINATOR:
        assert not fill_possible(case, proposal.missing)
        assert proposal.quantities == {}
    assert propose(**case) == proposal  # deterministic


# --- Applying it ----------------------------------------------------------------------------------


def close(cycle: Cycle) -> None:
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(minutes=1)
    )
    cycle.refresh_from_db()


def carton_offer(cycle: Cycle, cast: Cast, name: str = "Vin rouge", **fields: Any) -> Offer:
    """Wine of the dairy at 8,00 € the bottle, by cartons of 6."""
    return scene.offer(cycle, cast.dairy, name, price_cents=800, carton_size=6000, **fields)


def order(cycle: Cycle, offer: Offer, member: User, quantity: int, tolerance: int = 0) -> None:
    change = LineChange(offer.pk, quantity * 1000, tolerance=tolerance * 1000)
    result = save_basket(cycle=cycle, member=member, changes=[change], by=member)
    assert result.ok, result


def quantities(offer: Offer) -> dict[int, tuple[int, int, int, int]]:
    """member id -> (quantity, requested, total, tolerance)."""
    return {
        line.order.user_id: (line.quantity, line.requested, line.total_cents, line.tolerance)
        for line in OrderLine.objects.filter(offer=offer).select_related("order")
    }


@pytest.fixture
def english():
    """Messages of the services in English (the source), whatever the catalogues say."""
    with translation.override("en"):
        yield


@pytest.fixture
def wine(cast: Cast) -> tuple[Cycle, Offer]:
    """Bottles of wine by cartons of 6: Marie 2, Mehdi 2 (up to 2 more), Bernadette 1 (up to 1 more)."""
    cycle = make_cycle(cast.group_a)
    offer = carton_offer(cycle, cast)
    order(cycle, offer, cast.member, 2)
    order(cycle, offer, cast.member2, 2, tolerance=2)
    order(cycle, offer, cast.beneficiary, 1, tolerance=1)
    close(cycle)
    return cycle, offer


def test_accept_fills_the_carton_and_records_the_change(cast: Cast, wine) -> None:
    _cycle, offer = wine
    versions = dict(Order.objects.values_list("user_id", "version"))
    assert cartons.accept_proposal(offer=offer, by=cast.coordinator) == 1
    assert quantities(offer) == {
        cast.member.pk: (2000, 2000, 1600, 0),
        cast.member2.pk: (3000, 3000, line_total_cents(800, 3000), 1000),  # one of the 2 extra used
        cast.beneficiary.pk: (1000, 1000, 800, 1000),
    }
    change = OrderChange.objects.get(kind=ChangeKind.CARTON)
    assert (change.order.user, change.old_quantity, change.new_quantity) == (cast.member2, 2000, 3000)
    assert (change.old_total_cents, change.new_total_cents, change.changed_by) == (
        1600,
        2400,
        cast.coordinator,
    )
    assert f"6 × {offer.unit_label}" in change.reason
    assert change.notified_at is None  # the recap will tell it
    assert Order.objects.get(user=cast.member2).version == versions[cast.member2.pk] + 1
    assert Order.objects.get(user=cast.member).version == versions[cast.member.pk]


def test_accepting_twice_changes_nothing_the_second_time(cast: Cast, wine) -> None:
    _cycle, offer = wine
    expected = cartons.carton_statuses(wine[0])[0].proposal.quantities
    assert cartons.accept_proposal(offer=offer, by=cast.coordinator, expected=expected) == 1
    snapshot = quantities(offer)
    assert cartons.accept_proposal(offer=offer, by=cast.coordinator, expected=expected) == 0
    assert cartons.accept_proposal(offer=offer, by=cast.coordinator) == 0
    assert quantities(offer) == snapshot
    assert OrderChange.objects.filter(kind=ChangeKind.CARTON).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_apply_once() -> None:
    """Four coordinators click "Accept" at once (real threads and transactions): one rounding, once."""
    cast = build_cast()
    cycle = make_cycle(cast.group_a)
    offer = carton_offer(cycle, cast, quota=20_000)
    order(cycle, offer, cast.member, 4, tolerance=2)
    order(cycle, offer, cast.member2, 3, tolerance=3)
    close(cycle)
    results = race([lambda: cartons.accept_proposal(offer=offer, by=cast.coordinator)] * 4)
    assert sorted(results) == [0, 0, 0, 2]
    assert {q[0] for q in quantities(offer).values()} == {6000}
    assert OrderChange.objects.filter(kind=ChangeKind.CARTON).count() == 2
    assert Offer.objects.get(pk=offer.pk).remaining == 20_000 - 12_000


def test_round_down_gives_the_quota_back(cast: Cast) -> None:
    cycle = make_cycle(cast.group_a)
    offer = carton_offer(cycle, cast, quota=12_000)
    order(cycle, offer, cast.member, 4)
    order(cycle, offer, cast.member2, 2)
    order(cycle, offer, cast.beneficiary, 1)
    close(cycle)
    assert Offer.objects.get(pk=offer.pk).remaining == 5000
    assert cartons.accept_proposal(offer=offer, by=cast.coordinator) == 1
    assert quantities(offer)[cast.beneficiary.pk] == (0, 0, 0, 0)
    assert Offer.objects.get(pk=offer.pk).remaining == 6000
    change = OrderChange.objects.get(kind=ChangeKind.CARTON)
    assert (change.old_quantity, change.new_quantity, change.new_total_cents) == (1000, 0, 0)
    assert f"6 × {offer.unit_label}" in change.reason


def test_fill_never_exceeds_the_quota(cast: Cast) -> None:
    cycle = make_cycle(cast.group_a)
    offer = carton_offer(cycle, cast, quota=5000)
    order(cycle, offer, cast.member, 3, tolerance=2)
    order(cycle, offer, cast.member2, 2)
    close(cycle)
    (status,) = cartons.carton_statuses(cycle)
    assert status.proposal.rounding == Rounding.ROUND_DOWN  # the quota is sold out: no sixth bottle
    assert cartons.accept_proposal(offer=offer, by=cast.coordinator) == 2
    assert Offer.objects.get(pk=offer.pk).remaining == 5000


def test_a_proposal_changed_meanwhile_is_refused(cast: Cast, wine, english) -> None:
    _cycle, offer = wine
    stale = {999: 1000}
    with pytest.raises(CartonError, match="meanwhile"):
        cartons.accept_proposal(offer=offer, by=cast.coordinator, expected=stale)
    assert not OrderChange.objects.filter(kind=ChangeKind.CARTON).exists()


def test_only_a_closed_cycle_is_rounded(cast: Cast, english) -> None:
    cycle = make_cycle(cast.group_a)
    offer = carton_offer(cycle, cast)
    order(cycle, offer, cast.member, 5, tolerance=1)
    with pytest.raises(CartonError, match="once orders are closed"):
        cartons.accept_proposal(offer=offer, by=cast.coordinator)
    Cycle.objects.filter(pk=cycle.pk).update(finalised_at=timezone.now())
    with pytest.raises(CartonError):
        cartons.accept_proposal(offer=offer, by=cast.coordinator)
    assert quantities(offer)[cast.member.pk][0] == 5000


def test_members_hear_of_it_in_the_recap_or_at_once_after_it(
    cast: Cast, wine, django_capture_on_commit_callbacks
) -> None:
    cycle, offer = wine
    with django_capture_on_commit_callbacks(execute=True):
        cartons.accept_proposal(offer=offer, by=cast.coordinator)
    assert mail.outbox == []  # the recap has not gone yet: it will tell the change
    tasks.send_recap.enqueue(cycle.pk)
    (recap,) = [m for m in mail.outbox if m.to == [cast.member2.email]]
    assert "Carton rounding" in recap.body and f"6 × {offer.unit_label}" in recap.body
    assert OrderChange.objects.get(kind=ChangeKind.CARTON).notified_at is not None

    # After the recap, a change by hand is e-mailed at once.
    mail.outbox.clear()
    Cycle.objects.filter(pk=cycle.pk).update(recap_sent_at=timezone.now())
    line = OrderLine.objects.get(offer=offer, order__user=cast.member)
    with django_capture_on_commit_callbacks(execute=True):
        changed = cartons.set_quantities(
            offer=offer,
            by=cast.coordinator,
            quantities={line.pk: 8000},
            expected={line.pk: 2000},
            reason="Two cartons, the producer agrees",
        )
    assert changed == 1
    (message,) = mail.outbox
    assert message.to == [cast.member.email]
    assert "Two cartons, the producer agrees" in message.body


def test_by_hand_follows_the_product_rules_and_the_quota(cast: Cast, english) -> None:
    cycle = make_cycle(cast.group_a)
    offer = carton_offer(cycle, cast, quota=7000, member_cap=5000)
    order(cycle, offer, cast.member, 4)
    order(cycle, offer, cast.member2, 1)
    close(cycle)
    line = OrderLine.objects.get(offer=offer, order__user=cast.member)
    other = OrderLine.objects.get(offer=offer, order__user=cast.member2)
    cases = [
        ({line.pk: 6000}, {line.pk: 4000}, "Marie Membre: At most 5 per member"),
        ({line.pk: 4500}, {line.pk: 4000}, "in steps of 1"),
        ({line.pk: 5000}, {line.pk: 3000}, "meanwhile"),  # the page showed 3
        ({line.pk: 5000, other.pk: 3000}, {line.pk: 4000, other.pk: 1000}, "Only 2 left of the quota"),
    ]
    for wanted, expected, message in cases:
        with pytest.raises(CartonError, match=message):
            cartons.set_quantities(offer=offer, by=cast.coordinator, quantities=wanted, expected=expected)
    assert quantities(offer)[cast.member.pk][0] == 4000
    assert Offer.objects.get(pk=offer.pk).remaining == 2000
    assert not OrderChange.objects.filter(kind=ChangeKind.CARTON).exists()
    # Within the rules: applied, with a default reason.
    assert (
        cartons.set_quantities(
            offer=offer, by=cast.coordinator, quantities={line.pk: 5000}, expected={line.pk: 4000}
        )
        == 1
    )
    assert Offer.objects.get(pk=offer.pk).remaining == 1000
    assert OrderChange.objects.get(kind=ChangeKind.CARTON).reason


def test_fair_shares_are_split_before_rounding(cast: Cast) -> None:
    cycle = make_cycle(cast.group_a)
    offer = carton_offer(cycle, cast, quota=7000, allocation="fair_share")
    order(cycle, offer, cast.member, 4)
    order(cycle, offer, cast.member2, 4, tolerance=1)
    close(cycle)
    # Shares 4 + 3 = 7 (the odd step to the earliest), nothing left to fill: the latest gives one.
    assert cartons.accept_proposal(offer=offer, by=cast.coordinator) == 1
    assert quantities(offer) == {
        cast.member.pk: (4000, 4000, 3200, 0),
        cast.member2.pk: (2000, 2000, 1600, 1000),
    }
    assert Offer.objects.get(pk=offer.pk).remaining == 1000


# --- The coordinator's page -----------------------------------------------------------------------


def page_url(cycle: Cycle) -> str:
    return reverse("manage_cycle_cartons", args=[A, cycle.pk])


def accept_url(cycle: Cycle, offer: Offer) -> str:
    return reverse("manage_carton_accept", args=[A, cycle.pk, offer.pk])


def test_page_shows_each_carton_product_and_its_proposal(cast: Cast, wine, client_for) -> None:
    cycle, offer = wine
    make_offer(cycle, cast.bakery, "Pain sans carton")
    page = client_for(cast.coordinator).get(page_url(cycle)).text
    assert "Vin rouge" in page and "Pain sans carton" not in page
    assert f'id="carton-total-{offer.pk}">5<' in page
    assert 'data-rounding="fill"' in page
    assert "Mehdi Member" in page
    line = OrderLine.objects.get(offer=offer, order__user=cast.member2)
    assert reverse("manage_cartons_accept_all", args=[A, cycle.pk]) in page  # one button for all
    assert f'name="n-{line.pk}"' in page  # by hand
    assert (
        reverse("manage_cycle_cartons", args=[A, cycle.pk])
        in client_for(cast.coordinator).get(reverse("manage_cycle_offers", args=[A, cycle.pk])).text
    )


def test_page_while_open_shows_progress_without_buttons(cast: Cast, client_for) -> None:
    cycle = make_cycle(cast.group_a)
    offer = carton_offer(cycle, cast)
    order(cycle, offer, cast.member, 5, tolerance=1)
    page = client_for(cast.coordinator).get(page_url(cycle)).text
    assert 'data-rounding="fill"' in page
    assert accept_url(cycle, offer) not in page


def test_page_and_accept_permissions(cast: Cast, wine, client_for) -> None:
    cycle, offer = wine
    assert client_for(cast.member).get(page_url(cycle)).status_code == 403
    assert client_for(cast.member).post(accept_url(cycle, offer)).status_code == 403
    assert client_for(cast.coordinator_b).get(page_url(cycle)).status_code == 403
    client = client_for(cast.coordinator_b)
    assert client.get(reverse("manage_cycle_cartons", args=["balma", cycle.pk])).status_code == 404
    assert client.post(reverse("manage_carton_accept", args=["balma", cycle.pk, offer.pk])).status_code == 404
    client = client_for(cast.coordinator)
    assert client.get(accept_url(cycle, offer)).status_code == 405
    other = make_cycle(cast.group_a, name="Autre")
    assert client.post(reverse("manage_carton_accept", args=[A, other.pk, offer.pk])).status_code == 404
    assert not OrderChange.objects.filter(kind=ChangeKind.CARTON).exists()


def test_accept_from_the_page(cast: Cast, wine, client_for) -> None:
    cycle, offer = wine
    client = client_for(cast.coordinator)
    line = OrderLine.objects.get(offer=offer, order__user=cast.member2)
    data = {"action": "accept", f"p-{line.pk}": "3000"}
    response = client.post(accept_url(cycle, offer), data)
    assert response.status_code == 302
    assert response.url.endswith(f"#carton-{offer.pk}")
    assert quantities(offer)[cast.member2.pk][0] == 3000
    page = client.get(page_url(cycle)).text
    assert 'data-rounding="full"' in page
    # A second click (a double submit, another tab) changes nothing.
    client.post(accept_url(cycle, offer), data)
    assert OrderChange.objects.filter(kind=ChangeKind.CARTON).count() == 1


def test_change_by_hand_from_the_page(cast: Cast, wine, client_for) -> None:
    cycle, offer = wine
    client = client_for(cast.coordinator)
    ids = dict(OrderLine.objects.filter(offer=offer).values_list("order__user", "pk"))
    data = {
        "action": "hand",
        "reason": "Le domaine offre la bouteille",
        **{f"e-{pk}": str(OrderLine.objects.get(pk=pk).quantity) for pk in ids.values()},
        f"n-{ids[cast.member.pk]}": "2",
        f"n-{ids[cast.member2.pk]}": "2",
        f"n-{ids[cast.beneficiary.pk]}": "deux",
    }
    response = client.post(accept_url(cycle, offer), data)
    assert response.status_code == 200  # shown back with what was typed
    assert 'value="deux"' in response.text
    assert f'id="carton-error-{offer.pk}"' in response.text
    # Announced at the top too, with a link down to the product (a long page is not scrolled there).
    assert response.text.index(f'href="#carton-{offer.pk}"') < response.text.index(f'id="carton-{offer.pk}"')
    assert not OrderChange.objects.filter(kind=ChangeKind.CARTON).exists()
    response = client.post(accept_url(cycle, offer), {**data, f"n-{ids[cast.beneficiary.pk]}": "2"})
    assert response.status_code == 302
    assert quantities(offer)[cast.beneficiary.pk][:2] == (2000, 2000)
    change = OrderChange.objects.get(kind=ChangeKind.CARTON)
    assert change.reason == "Le domaine offre la bouteille"


def test_page_queries_do_not_grow(cast: Cast, client_for) -> None:
    cycle = make_cycle(cast.group_a)
    client = client_for(cast.coordinator)

    def grow(offers: int, members: int, prefix: str) -> None:
        made = [carton_offer(cycle, cast, f"{prefix}{n}") for n in range(offers)]
        for member in make_members(cast.group_a, members, prefix=prefix):
            for index, offer in enumerate(made):
                order(cycle, offer, member, 1 + index % 4, tolerance=index % 2)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(page_url(cycle)).status_code == 200
        return len(context)

    grow(2, 2, "a")
    close(cycle)
    client.get(page_url(cycle))  # the fair-share split, once
    small = count()
    Cycle.objects.filter(pk=cycle.pk).update(closes_at=timezone.now() + timedelta(days=1))
    cycle.refresh_from_db()
    grow(8, 10, "b")
    close(cycle)
    assert count() == small


# --- What members see -----------------------------------------------------------------------------


def test_members_see_the_change_and_its_reason(cast: Cast, wine, client_for) -> None:
    cycle, offer = wine
    cartons.accept_proposal(offer=offer, by=cast.coordinator)
    page = client_for(cast.member2).get(reverse("order", args=[A, cycle.pk])).text  # Mehdi reads English
    assert f'id="carton-change-{offer.pk}"' in page
    assert "Carton rounding: 2 → 3" in page
    assert f"6 × {offer.unit_label}" in page
    other = client_for(cast.member).get(reverse("order", args=[A, cycle.pk])).text
    assert f'id="carton-change-{offer.pk}"' not in other


# --- The member's tolerance -----------------------------------------------------------------------


@pytest.fixture
def cellar(cast: Cast) -> Cellar:
    return scene.cellar(cast)


def test_tolerance_box_only_for_carton_products(cast: Cast, cellar: Cellar, client_for) -> None:
    cycle, wine_offer, bread = cellar.cycle, cellar.wine, cellar.bread
    page = client_for(cast.member).get(reverse("order", args=[A, cycle.pk])).text
    assert f'name="t-{wine_offer.pk}"' in page
    assert f'name="t-{bread.pk}"' not in page


def test_tolerance_is_saved_and_alone_is_a_change(cast: Cast, cellar: Cellar, client_for) -> None:
    cycle, wine_offer, bread = cellar.cycle, cellar.wine, cellar.bread
    client = client_for(cast.member)
    target = reverse("order", args=[A, cycle.pk])
    data = {f"q-{wine_offer.pk}": "2", f"e-{wine_offer.pk}": "0", f"t-{wine_offer.pk}": "2"}
    assert client.post(target, data).status_code == 302
    line = OrderLine.objects.get(offer=wine_offer)
    assert (line.quantity, line.tolerance) == (2000, 2000)
    version = line.order.version
    # The tolerance alone: saved, the order's version moves, no quantity change is recorded.
    client.post(target, {**data, f"e-{wine_offer.pk}": "2000", f"t-{wine_offer.pk}": "1"})
    line.refresh_from_db()
    assert line.tolerance == 1000
    assert Order.objects.get(pk=line.order_id).version == version + 1
    assert OrderChange.objects.filter(offer=wine_offer).count() == 1
    page = client.get(target).text
    assert f'name="t-{wine_offer.pk}" value="1"' in page
    # An empty box clears it; a t- for a product without cartons is ignored.
    client.post(
        target, {**data, f"e-{wine_offer.pk}": "2000", f"t-{wine_offer.pk}": "", f"t-{bread.pk}": "3"}
    )
    line.refresh_from_db()
    assert line.tolerance == 0


def test_tolerance_is_validated(cast: Cast, cellar: Cellar, client_for) -> None:
    cycle, wine_offer, _bread = cellar.cycle, cellar.wine, cellar.bread
    client = client_for(cast.member2)  # Mehdi reads English
    target = reverse("order", args=[A, cycle.pk])
    for typed, message in (("0,5", "in steps of 1"), ("4", "up to 3 more"), ("beaucoup", "as a number")):
        data = {f"q-{wine_offer.pk}": "2", f"e-{wine_offer.pk}": "0", f"t-{wine_offer.pk}": typed}
        response = client.post(target, data)
        assert response.status_code == 200
        assert message in response.text
        assert f'name="t-{wine_offer.pk}" value="{typed}"' in response.text  # kept as typed
        assert not OrderLine.objects.exists()


def test_tolerance_rules_in_save_basket(cast: Cast, cellar: Cellar, english) -> None:
    cycle, wine_offer, bread = cellar.cycle, cellar.wine, cellar.bread
    member = cast.member2
    result = save_basket(
        cycle=cycle, member=member, changes=[LineChange(bread.pk, 1000, tolerance=1000)], by=member
    )
    assert "not sold by the carton" in result.errors[bread.pk]
    result = save_basket(
        cycle=cycle, member=member, changes=[LineChange(wine_offer.pk, 4000, tolerance=2000)], by=member
    )
    assert "up to 1 more" in result.errors[wine_offer.pk]
    # A quantity of 0 takes the tolerance with it, whatever was in the box.
    assert save_basket(
        cycle=cycle, member=member, changes=[LineChange(wine_offer.pk, 0, tolerance=2000)], by=member
    ).ok
    # A new quantity nearer the cap trims a stored tolerance.
    order(cycle, wine_offer, member, 2, tolerance=3)
    assert save_basket(cycle=cycle, member=member, changes=[LineChange(wine_offer.pk, 4000)], by=member).ok
    assert OrderLine.objects.get(offer=wine_offer).tolerance == 1000


def test_tolerance_through_the_htmx_line(cast: Cast, cellar: Cellar, client_for) -> None:
    cycle, wine_offer, _bread = cellar.cycle, cellar.wine, cellar.bread
    response = client_for(cast.member).post(
        reverse("order_line", args=[A, cycle.pk, wine_offer.pk]),
        {f"q-{wine_offer.pk}": "1", f"e-{wine_offer.pk}": "0", f"t-{wine_offer.pk}": "2"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'name="t-{wine_offer.pk}" value="2"' in response.text
    assert OrderLine.objects.get(offer=wine_offer).tolerance == 2000
