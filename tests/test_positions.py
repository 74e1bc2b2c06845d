"""Reading the ledger back: positions per household and producer, corrections, settled cycles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cabas.cycles.models import Cycle
from cabas.ledger import positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, EntryKind, Method
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle


@pytest.fixture
def cycle(cast: Cast) -> Cycle:
    return make_cycle(cast.group_a, phase="finalised")


def ctx(cast: Cast, cycle: Cycle | None, **kwargs: object) -> ledger.Context:
    return ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=cycle, **kwargs)  # type: ignore[arg-type]


def test_positions_of_a_cycle(cast: Cast, cycle: Cycle) -> None:
    member, other = cast.member, cast.member2
    ledger.handover(ctx(cast, cycle), household=member, producer=cast.bakery, amount_cents=1250)
    ledger.handover(ctx(cast, cycle), household=member, producer=cast.dairy, amount_cents=833)
    first = ledger.handover(ctx(cast, cycle), household=other, producer=cast.dairy, amount_cents=999)
    # A weighing: the first amount reversed, the new one posted.
    ledger.reverse(ctx(cast, cycle), entry=first)
    ledger.handover(ctx(cast, cycle), household=other, producer=cast.dairy, amount_cents=1001)
    ledger.stand_payment(
        ctx(cast, cycle), household=member, producer=cast.bakery, amount_cents=1250, method=Method.CHEQUE
    )
    ledger.desk_payment(ctx(cast, cycle), household=other, shares={cast.dairy: 1000}, method=Method.CASH)
    shares, left = positions.allocate({cast.dairy: 833}, 900)
    assert (shares, left) == ({cast.dairy: 833}, 67)
    ledger.bank_transfer(ctx(cast, cycle), household=member, amount_cents=900, shares=shares)
    ledger.writeoff(ctx(cast, cycle, memo="1 centime"), household=other, producer=cast.dairy, amount_cents=1)

    with CaptureQueriesContext(connection) as queries:
        money = positions.cycle_positions(cycle)
    assert len(queries) == 1
    assert money.total_cents == 0
    bakery, dairy = money.producers[cast.bakery.pk], money.producers[cast.dairy.pk]
    assert (bakery.due_cents, bakery.stand_cents, bakery.owed_cents) == (1250, {Method.CHEQUE: 1250}, 0)
    assert dairy.due_cents == 833 + 1001
    assert dairy.owed_cents == 1834 and dairy.members_owe_cents == 0 and dairy.association_owes_cents == 1834
    mine = money.households[member.pk]
    assert (mine.handed_cents, mine.owed_cents, mine.credit_cents) == (2083, -67, 67)
    theirs = money.households[other.pk]
    assert theirs.owed_cents == 0 and theirs.part(cast.dairy.pk).writeoff_cents == 1
    assert money.desk_cents == 1000 and money.bank_cents == 900 and money.writeoff_cents == 1
    assert not money.balanced  # the association still owes the dairy
    ledger.producer_payment(
        ctx(cast, cycle),
        producer=cast.dairy,
        amount_cents=1834,
        from_account=Account.BANK,
        method=Method.TRANSFER,
    )
    ledger.refund(
        ctx(cast, cycle), household=member, amount_cents=67, from_account=Account.BANK, method=Method.TRANSFER
    )
    money = positions.cycle_positions(cycle)
    assert money.balanced
    assert money.by_kind[(Account.HOUSEHOLD, EntryKind.HANDOVER, "")] == 2083 + 1001


def test_household_and_producer_readers_see_only_their_lines(cast: Cast, cycle: Cycle) -> None:
    ledger.handover(ctx(cast, cycle), household=cast.member, producer=cast.bakery, amount_cents=500)
    ledger.handover(ctx(cast, cycle), household=cast.member2, producer=cast.dairy, amount_cents=700)
    ledger.desk_payment(
        ctx(cast, cycle), household=cast.member2, shares={cast.dairy: 700}, method=Method.CASH
    )
    mine = positions.household_positions(cast.member, cast.group_a)[cycle.pk]
    assert set(mine.households) == {cast.member.pk} and set(mine.accounts) == {Account.HOUSEHOLD}
    dairy = positions.producer_positions(cast.dairy, cast.group_a)[cycle.pk]
    assert set(dairy.producers) == {cast.dairy.pk} and dairy.desk_cents == 0
    assert dairy.producers[cast.dairy.pk].association_owes_cents == 700


def test_a_settled_cycle_takes_only_corrections(cast: Cast, cycle: Cycle) -> None:
    entry = ledger.handover(ctx(cast, cycle), household=cast.member, producer=cast.bakery, amount_cents=500)
    Cycle.objects.filter(pk=cycle.pk).update(settled_at=timezone.now())
    with pytest.raises(ledger.SettledError):
        ledger.stand_payment(
            ctx(cast, cycle),
            household=cast.member,
            producer=cast.bakery,
            amount_cents=500,
            method=Method.CASH,
        )
    ledger.reverse(ctx(cast, cycle, memo="wrong amount"), entry=entry)
    fixed = ledger.handover(
        ctx(cast, cycle, memo="wrong amount", corrects=entry),
        household=cast.member,
        producer=cast.bakery,
        amount_cents=450,
    )
    assert fixed.corrects == entry
    assert positions.cycle_positions(cycle).households[cast.member.pk].owed_cents == 450


def test_allocate_never_loses_a_cent() -> None:
    for owed, amount in [({1: 100, 2: 250}, 300), ({1: 100}, 50), ({}, 70), ({1: 0, 2: 5}, 5)]:
        shares, left = positions.allocate(owed, amount)
        assert sum(shares.values()) + left == amount
        assert all(0 < cents <= owed[key] for key, cents in shares.items())
