"""The solidarity fund: decisions, the pool for a cycle, the help granted and what the desk asks."""

from __future__ import annotations

import pytest
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from cabas.cycles.models import Order
from cabas.distribution import services as day
from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Scope
from cabas.distribution.state import load_day, member_household
from cabas.ledger import positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Method
from cabas.solidarity import services
from cabas.solidarity.models import HelpDecision, HelpRequest
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene
from tests.solidarity_fixtures import fill_fund, help_household


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


class TestScaling:
    @given(st.dictionaries(st.integers(0, 30), st.integers(1, 100_000), max_size=12), st.integers(0, 500_000))
    def test_scaled_help_conserves_the_fund_to_the_cent(self, wanted: dict[int, int], available: int) -> None:
        scaled = services.scale(wanted, available)
        assert sum(scaled.values()) == min(sum(wanted.values()), available)
        for key, cents in scaled.items():
            assert 0 <= cents <= wanted[key]
            # Proportional: within one cent of the exact share.
            exact = wanted[key] * min(available, sum(wanted.values())) / sum(wanted.values())
            assert abs(cents - exact) < 1

    def test_priority_order_serves_the_first_in_full(self) -> None:
        assert services.by_priority({1: 500, 2: 800, 3: 300}, 1000, [2, 3]) == {2: 800, 3: 200, 1: 0}

    def test_help_is_the_share_within_the_cap(self, cast: Cast) -> None:
        decision = HelpDecision(percent=30, cap_cents=1000)
        assert services.help_for(2005, decision) == 602  # 601,5 rounded half up
        assert services.help_for(5000, decision) == 1000


class TestRequestsAndDecisions:
    def test_a_request_then_a_decision_mailed_to_the_household(
        self, cast: Cast, django_capture_on_commit_callbacks
    ) -> None:
        request = services.ask(
            group=cast.group_a, household=cast.beneficiary, situation="Chômage", can_pay="20 €"
        )
        # A double submit: still one request.
        assert services.ask(group=cast.group_a, household=cast.beneficiary, situation="Chômage") == request
        with django_capture_on_commit_callbacks(execute=True):
            services.decide(
                group=cast.group_a,
                household=cast.beneficiary,
                percent=50,
                cap_cents=3000,
                why="Situation vue en comité",
                by=cast.treasurer,
                request=request,
            )
        request.refresh_from_db()
        assert request.status == HelpRequest.Status.GRANTED
        assert [m.to for m in mail.outbox] == [[cast.beneficiary.email]]
        assert "50" in mail.outbox[0].body
        assert set(services.current_decisions(cast.group_a)) == {cast.beneficiary.pk}

    def test_an_end_is_a_new_decision_and_the_log_keeps_both(self, cast: Cast) -> None:
        help_household(cast, cast.beneficiary)
        services.decide(
            group=cast.group_a,
            household=cast.beneficiary,
            percent=0,
            cap_cents=0,
            why="Fin",
            by=cast.treasurer,
        )
        assert services.current_decisions(cast.group_a) == {}
        assert HelpDecision.objects.filter(household=cast.beneficiary).count() == 2

    @pytest.mark.parametrize(("percent", "cap", "why"), [(120, 100, "x"), (50, -1, "x"), (50, 100, "  ")])
    def test_bad_decisions_are_refused(self, cast: Cast, percent: int, cap: int, why: str) -> None:
        with pytest.raises(services.Refused):
            services.decide(
                group=cast.group_a,
                household=cast.beneficiary,
                percent=percent,
                cap_cents=cap,
                why=why,
                by=cast.treasurer,
            )
        assert not HelpDecision.objects.exists()

    def test_only_a_household_of_the_group_can_ask(self, cast: Cast) -> None:
        with pytest.raises(services.Refused):
            services.ask(group=cast.group_a, household=cast.member_b, situation="x")
        with pytest.raises(services.Refused):
            services.ask(group=cast.group_a, household=cast.member, situation="  ")


class TestPool:
    def test_help_granted_lowers_the_fund_and_the_desk_asks_only_the_share(self, scene: DayScene) -> None:
        cast = scene.cast
        fill_fund(cast, 5000)
        # Marie: two loaves and a tomme, from two producers.
        help_household(cast, cast.member, percent=50)
        pool = services.pool(scene.cycle)
        (want,) = pool.wants
        assert len(want.parts) == 2 and want.basket_cents == sum(want.parts.values())
        assert want.help_cents == (want.basket_cents + 1) // 2
        assert not pool.short
        granted = services.grant(cycle=scene.cycle, amounts=pool.proposal(), by=cast.treasurer)
        assert granted == want.help_cents
        assert ledger.balance(cast.group_a, Account.FUND) == 5000 - granted
        # Granted once: a second click grants nothing more.
        assert services.grant(cycle=scene.cycle, amounts=pool.proposal(), by=cast.treasurer) == 0
        order = Order.objects.get(cycle=scene.cycle, user=cast.member)
        household = member_household(scene.cycle, order)
        assert household is not None
        assert household.to_collect_cents == want.basket_cents - granted
        assert household.left_cents == want.basket_cents  # what everybody else sees, unchanged
        day.apply(
            cycle=scene.cycle,
            action=Action(
                device="desk",
                action="pay-b",
                kind=EventKind.DESK_PAID,
                order_id=order.pk,
                amount_cents=household.to_collect_cents,
                method=Method.CASH,
            ),
            by=cast.coordinator,
            scope=Scope(desk=True, coordinator=True),
        )
        after = load_day(scene.cycle).household(order.pk)
        assert after is not None and after.to_collect_cents == 0 and after.left_cents == 0
        assert all(stand.paid_at_desk and stand.settled for stand in after.stands)
        money = positions.cycle_positions(scene.cycle)
        # Each producer's part of her basket is covered by her payment and the fund together.
        for producer_id, part in money.households[cast.member.pk].parts.items():
            assert part.subsidy_cents + sum(part.paid_cents.values()) == next(
                s.due_cents for s in after.stands if s.producer.pk == producer_id
            )

    def test_a_short_fund_gets_a_scaled_proposal_to_the_cent(self, scene: DayScene) -> None:
        cast = scene.cast
        fill_fund(cast, 1001)
        help_household(cast, cast.beneficiary, percent=70)
        help_household(cast, cast.member2, percent=30)
        pool = services.pool(scene.cycle)
        assert pool.short
        proposal = pool.proposal()
        assert sum(proposal.values()) == 1001
        with pytest.raises(services.Refused):
            services.grant(
                cycle=scene.cycle,
                amounts={w.household.pk: w.help_cents for w in pool.wants},
                by=cast.treasurer,
            )
        assert ledger.balance(cast.group_a, Account.FUND) == 1001  # all or nothing
        services.grant(cycle=scene.cycle, amounts=proposal, by=cast.treasurer)
        assert ledger.balance(cast.group_a, Account.FUND) == 0
        granted = positions.help_granted(scene.cycle)
        assert sum(granted.values()) == 1001

    def test_help_beyond_the_decision_is_refused(self, scene: DayScene) -> None:
        cast = scene.cast
        fill_fund(cast, 50_000)
        help_household(cast, cast.beneficiary, percent=30)
        with pytest.raises(services.Refused):
            services.grant(cycle=scene.cycle, amounts={cast.beneficiary.pk: 40_000}, by=cast.treasurer)
