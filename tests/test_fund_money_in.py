"""Money into the solidarity fund: promises on baskets, paid at the desk or by transfer, and gifts.

A promise is stored on the order and reaches the fund's ledger only when it is paid, after the
producers' parts (producers first, then the contribution, then credit). Gifts outside a basket
are recorded with their entry; each donor's year is read back from the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cabas.bank.models import StatementLine, Status
from cabas.cycles import contribution
from cabas.cycles.baskets import basket
from cabas.cycles.models import Cycle
from cabas.ledger import fund_positions, positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Method
from cabas.solidarity import gifts
from cabas.solidarity import services as solidarity
from cabas.solidarity.models import Gift
from tests.bank_helpers import reference, statement, upload
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene
from tests.fund_fixtures import cancel, pay_at_desk, the_order, to_collect
from tests.solidarity_fixtures import fill_fund, help_household

MARIE_BASKET = 2833  # bread 2 × 5,20 € + a tomme of ~750 g at 23,90 €/kg
MARIE_5_PERCENT = 142  # 141,65 cents, rounded half up


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


def fund_entries() -> int:
    return Entry.objects.filter(kind=EntryKind.CONTRIBUTION).count()


def fund(cast: Cast) -> int:
    return ledger.balance(cast.group_a, Account.FUND)


class TestPromise:
    @pytest.mark.parametrize(
        ("total", "percent", "amount", "expected"),
        [
            (2833, 5, 0, 142),  # 141,65 → 142
            (1230, 5, 0, 62),  # 61,5 → 62 (half up)
            (1229, 5, 0, 61),  # 61,45 → 61
            (2833, 10, 0, 283),  # 283,3 → 283
            (2833, 0, 500, 500),  # a free amount is itself
            (0, 5, 0, 0),  # an empty basket promises nothing
        ],
    )
    def test_one_function_computes_the_cents(
        self, total: int, percent: int, amount: int, expected: int
    ) -> None:
        assert contribution.promised_cents(total, percent=percent, amount_cents=amount) == expected

    @given(st.integers(0, 10_000_000), st.integers(0, 50))
    def test_a_percentage_is_within_half_a_cent(self, total: int, percent: int) -> None:
        cents = contribution.promised_cents(total, percent=percent, amount_cents=0)
        assert abs(cents - total * percent / 100) <= 0.5

    def test_a_promise_writes_the_order_and_never_the_ledger(self, scene: DayScene) -> None:
        cast = scene.cast
        order = the_order(scene, cast.member)
        before = Entry.objects.count()
        contribution.promise(order=order, percent=5)
        assert basket(the_order(scene, cast.member)).contribution_cents == MARIE_5_PERCENT
        contribution.promise(order=order, amount_cents=300)
        contribution.promise(order=order)  # removed
        assert Entry.objects.count() == before
        assert fund(cast) == 0
        order.refresh_from_db()
        assert (order.fund_percent, order.fund_amount_cents) == (0, 0)

    def test_refused_promises_change_nothing(self, scene: DayScene) -> None:
        order = the_order(scene, scene.cast.member)
        contribution.promise(order=order, percent=5)
        for kwargs in ({"percent": 5, "amount_cents": 100}, {"percent": 90}, {"amount_cents": 100_001}):
            with pytest.raises(contribution.PromiseRefused):
                contribution.promise(order=the_order(scene, scene.cast.member), **kwargs)
        Cycle.objects.filter(pk=scene.cycle.pk).update(settled_at=timezone.now())
        with pytest.raises(contribution.PromiseRefused):
            contribution.promise(order=the_order(scene, scene.cast.member), percent=10)
        order.refresh_from_db()
        assert (order.fund_percent, order.fund_amount_cents) == (5, 0)


class TestPaidAtTheDesk:
    def test_the_desk_asks_for_the_basket_and_the_promise(self, scene: DayScene) -> None:
        cast = scene.cast
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        assert to_collect(scene, cast.member) == MARIE_BASKET + MARIE_5_PERCENT
        pay_at_desk(scene, cast.member, MARIE_BASKET + MARIE_5_PERCENT)
        assert to_collect(scene, cast.member) == 0
        assert fund(cast) == MARIE_5_PERCENT
        entry = Entry.objects.get(kind=EntryKind.CONTRIBUTION)
        lines = {(line.account, line.household_id): line.amount_cents for line in entry.lines.all()}
        assert lines == {
            (Account.DESK, None): MARIE_5_PERCENT,
            (Account.FUND, cast.member.pk): -MARIE_5_PERCENT,
        }
        assert fund_positions.contributions_paid(scene.cycle) == {cast.member.pk: MARIE_5_PERCENT}
        # Nothing of it on the household's account: the producers' parts are paid, no credit.
        money = positions.cycle_positions(scene.cycle)
        assert money.households[cast.member.pk].paid_cents == MARIE_BASKET
        assert money.households[cast.member.pk].credit_cents == 0
        assert money.desk_cents == MARIE_BASKET + MARIE_5_PERCENT
        assert money.fund_cents == MARIE_5_PERCENT

    def test_producers_first_then_the_contribution(self, scene: DayScene) -> None:
        cast = scene.cast
        contribution.promise(order=the_order(scene, cast.member), amount_cents=500)
        pay_at_desk(scene, cast.member, 2000)  # less than the basket: nothing for the fund
        assert fund_entries() == 0 and fund(cast) == 0
        assert to_collect(scene, cast.member) == MARIE_BASKET - 2000 + 500
        pay_at_desk(scene, cast.member, MARIE_BASKET - 2000 + 200)  # the basket's rest, 2 € of the 5 €
        assert fund(cast) == 200
        assert to_collect(scene, cast.member) == 300
        pay_at_desk(scene, cast.member, 1000)  # 3 € for the fund, 7 € as credit
        assert fund(cast) == 500
        assert positions.cycle_positions(scene.cycle).households[cast.member.pk].credit_cents == 700

    def test_a_cancelled_payment_takes_its_contribution_back(self, scene: DayScene) -> None:
        cast = scene.cast
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        event = pay_at_desk(scene, cast.member, MARIE_BASKET + MARIE_5_PERCENT)
        cancel(scene, event)
        assert fund(cast) == 0 and fund_positions.contributions_paid(scene.cycle) == {}
        assert to_collect(scene, cast.member) == MARIE_BASKET + MARIE_5_PERCENT

    def test_a_promise_changed_after_payment_moves_no_money(self, scene: DayScene) -> None:
        cast = scene.cast
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        pay_at_desk(scene, cast.member, MARIE_BASKET + MARIE_5_PERCENT)
        entries = Entry.objects.count()
        contribution.promise(order=the_order(scene, cast.member))
        contribution.promise(order=the_order(scene, cast.member), percent=2)
        assert Entry.objects.count() == entries and fund(cast) == MARIE_5_PERCENT
        assert to_collect(scene, cast.member) == 0  # 2 % is less than what was given: nothing asked

    def test_a_beneficiary_may_contribute_too(self, scene: DayScene) -> None:
        cast = scene.cast
        fill_fund(cast, 5000)
        help_household(cast, cast.beneficiary, percent=50)
        pool = solidarity.pool(scene.cycle)
        granted = solidarity.grant(cycle=scene.cycle, amounts=pool.proposal(), by=cast.treasurer)
        order = the_order(scene, cast.beneficiary)
        contribution.promise(order=order, amount_cents=100)
        total = basket(order).total_cents
        assert to_collect(scene, cast.beneficiary) == total - granted + 100
        pay_at_desk(scene, cast.beneficiary, total - granted + 100)
        assert fund(cast) == 5000 - granted + 100
        assert to_collect(scene, cast.beneficiary) == 0


class TestPaidByTransfer:
    def test_a_matched_transfer_pays_the_basket_then_the_promise(
        self, scene: DayScene, client_for: Callable[..., Client]
    ) -> None:
        cast = scene.cast
        context = ledger.Context(group=cast.group_a, by=cast.coordinator, cycle=scene.cycle)
        ledger.handover(context, household=cast.member, producer=cast.bakery, amount_cents=1040)
        ledger.handover(context, household=cast.member, producer=cast.dairy, amount_cents=1793)
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        client = client_for(cast.treasurer)
        imported = upload(
            client,
            statement(("02/12/2026", f"VIR MARIE {reference(scene.cycle, cast.member)}", "30,00")),
        )
        (line,) = imported.lines.all()
        data = {f"what-{line.pk}": f"cycle-{scene.cycle.pk}", f"who-{line.pk}": str(cast.member.pk)}
        assert (
            client.post(reverse("bank_confirm", args=["saint-orens", imported.pk]), data).status_code == 302
        )
        money = positions.cycle_positions(scene.cycle)
        assert money.households[cast.member.pk].owed_cents == -(3000 - MARIE_BASKET - MARIE_5_PERCENT)
        assert fund(cast) == MARIE_5_PERCENT
        assert fund_positions.contributions_paid(scene.cycle, cast.member) == {
            cast.member.pk: MARIE_5_PERCENT
        }
        line.refresh_from_db()
        assert line.status == Status.MATCHED and line.entry is not None
        assert money.bank_cents == 3000

    def test_a_line_matched_as_a_gift(self, scene: DayScene, client_for: Callable[..., Client]) -> None:
        cast = scene.cast
        client = client_for(cast.treasurer)
        imported = upload(client, statement(("02/12/2026", "VIR JEANNE DUPONT DON", "50,00")))
        (line,) = imported.lines.all()
        data = {f"what-{line.pk}": "gift", f"who-{line.pk}": ""}
        client.post(reverse("bank_confirm", args=["saint-orens", imported.pk]), data)
        line.refresh_from_db()
        gift = Gift.objects.get()
        assert (line.status, line.entry, gift.entry) == (Status.GIFT, gift.entry, line.entry)
        assert gift.donor is None and gift.donor_name == "VIR JEANNE DUPONT DON"
        assert fund(cast) == 5000 and ledger.balance(cast.group_a, Account.BANK) == 5000
        assert StatementLine.objects.filter(status=Status.GIFT).count() == 1


class TestGifts:
    def test_a_gift_from_a_household_and_one_from_outside(self, cast: Cast) -> None:
        today = timezone.localdate()
        gifts.record_gift(
            group=cast.group_a,
            by=cast.treasurer,
            amount_cents=2000,
            method=Method.CHEQUE,
            received_on=today,
            donor=cast.member2,
            key="g1",
        )
        gifts.record_gift(
            group=cast.group_a,
            by=cast.treasurer,
            amount_cents=1050,
            method=Method.CASH,
            received_on=today,
            donor_name="Jeanne Dupont",
            donor_address="3 rue des Lilas",
            key="g2",
        )
        gifts.record_gift(
            group=cast.group_a,
            by=cast.treasurer,
            amount_cents=950,
            method=Method.TRANSFER,
            received_on=today,
            donor_name="jeanne  DUPONT",
            key="g3",
        )
        # A double submit records once.
        gifts.record_gift(
            group=cast.group_a,
            by=cast.treasurer,
            amount_cents=2000,
            method=Method.CHEQUE,
            received_on=today,
            donor=cast.member2,
            key="g1",
        )
        assert Gift.objects.count() == 3 and fund(cast) == 4000
        assert ledger.balance(cast.group_a, Account.DESK) == 3050
        donors = gifts.donors(cast.group_a, today.year)
        assert [(d.name, d.total_cents, len(d.given)) for d in donors] == [
            ("Jeanne Dupont", 2000, 2),
            (cast.member2.display_name, 2000, 1),
        ]
        assert gifts.donors(cast.group_a, today.year - 1) == []

    def test_refused_gifts_write_nothing(self, cast: Cast) -> None:
        today = timezone.localdate()
        cases = [
            {"amount_cents": 1000},  # nobody named
            {"amount_cents": 0, "donor_name": "X"},
            {"amount_cents": 1000, "donor_name": "X", "received_on": date(today.year + 1, 1, 1)},
        ]
        for case in cases:
            kwargs = {"received_on": today, **case}
            with pytest.raises(gifts.GiftRefused):
                gifts.record_gift(group=cast.group_a, by=cast.treasurer, method=Method.CASH, **kwargs)
        assert not Gift.objects.exists() and not Entry.objects.exists()

    def test_a_donor_year_joins_paid_contributions_and_gifts(self, scene: DayScene) -> None:
        cast = scene.cast
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        pay_at_desk(scene, cast.member, MARIE_BASKET + MARIE_5_PERCENT)
        gifts.record_gift(
            group=cast.group_a,
            by=cast.treasurer,
            amount_cents=1000,
            method=Method.CASH,
            received_on=timezone.localdate(),
            donor=cast.member,
        )
        (donor,) = gifts.donors(cast.group_a, timezone.localdate().year, household=cast.member)
        assert donor.total_cents == MARIE_5_PERCENT + 1000
        assert sorted(item.amount_cents for item in donor.given) == [MARIE_5_PERCENT, 1000]
        # The fund's balance is the sum of every donor's year (nothing was spent).
        assert fund(cast) == sum(d.total_cents for d in gifts.donors(cast.group_a, timezone.localdate().year))


# --- The property: contributions posted = what was paid toward them, never at promise time ------

steps = st.lists(
    st.one_of(
        st.tuples(st.just("promise"), st.sampled_from([0, 2, 5, 10]), st.integers(0, 2000)),
        st.tuples(st.just("pay"), st.integers(1, 4000), st.just(0)),
    ),
    max_size=8,
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_contributions_posted_are_what_was_paid_toward_them(
    scene: DayScene, sequence: list[tuple[str, int, int]]
) -> None:
    cast = scene.cast
    with transaction.atomic():
        paid_basket = contributed = 0
        for kind, first, second in sequence:
            entries = Entry.objects.count()
            if kind == "promise":
                percent, amount = (first, 0) if first else (0, second)
                contribution.promise(
                    order=the_order(scene, cast.member), percent=percent, amount_cents=amount
                )
                assert Entry.objects.count() == entries  # a promise never posts
                continue
            order = the_order(scene, cast.member)
            promised = basket(order).contribution_cents
            to_basket = min(first, max(MARIE_BASKET - paid_basket, 0))
            to_fund = min(first - to_basket, max(promised - contributed, 0))
            pay_at_desk(scene, cast.member, first)
            paid_basket += to_basket
            contributed += to_fund
            assert fund_positions.contributions_paid(scene.cycle).get(cast.member.pk, 0) == contributed
            assert fund(cast) == contributed
            assert positions.cycle_positions(scene.cycle).total_cents == 0
        transaction.set_rollback(True)
