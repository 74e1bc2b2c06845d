"""Properties of the treasury's actions, for any sequence of them and any amounts.

Whatever the treasurer types, in whatever order: every entry balances, the
desk never gives out more than it holds, the association never pays a
producer more than it owes it, a transfer never pays a producer's part beyond
what is owed (the rest is credit), a refused action writes nothing, and a
correction moves exactly its new amount.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cabas.ledger import positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Method
from cabas.settlement import services
from tests.cast import Cast
from tests.settlement_fixtures import Settling, settling

HOUSEHOLDS = ("member", "member2", "beneficiary", "treasurer")
PRODUCERS = ("bakery", "dairy")
amounts = st.integers(min_value=1, max_value=4_000)
actions = st.one_of(
    st.tuples(st.just("transfer"), st.sampled_from(HOUSEHOLDS), st.just(""), amounts),
    st.tuples(st.just("deposit"), st.sampled_from(("cheque", "cash")), st.just(""), amounts),
    st.tuples(st.just("pay"), st.sampled_from(("bank", "desk")), st.sampled_from(PRODUCERS), amounts),
    st.tuples(st.just("writeoff"), st.sampled_from(HOUSEHOLDS), st.sampled_from((*PRODUCERS, "")), amounts),
    st.tuples(st.just("refund"), st.sampled_from(HOUSEHOLDS), st.sampled_from(("bank", "desk")), amounts),
)
_keys = itertools.count()


@pytest.fixture
def scene(cast: Cast) -> Settling:
    return settling(cast)


def act(scene: Settling, kind: str, who: str, what: str, amount: int) -> None:
    c, cycle, by, key = scene.cast, scene.cycle, scene.cast.treasurer, f"p{next(_keys)}"
    if kind == "transfer":
        services.record_transfer(
            cycle=cycle, household=getattr(c, who), amount_cents=amount, memo="", by=by, key=key
        )
    elif kind == "deposit":
        services.record_deposit(cycle=cycle, amount_cents=amount, method=Method(who), memo="", by=by, key=key)
    elif kind == "pay":
        services.pay_producer(
            cycle=cycle,
            producer=getattr(c, what),
            amount_cents=amount,
            from_account=Account(who),
            method=Method.TRANSFER,
            memo="",
            by=by,
            key=key,
        )
    elif kind == "writeoff":
        services.write_off(
            cycle=cycle,
            household=getattr(c, who),
            producer=getattr(c, what) if what else None,
            amount_cents=amount,
            reason="arrondi",
            confirmed=True,
            by=by,
            key=key,
        )
    else:
        services.refund(
            cycle=cycle,
            household=getattr(c, who),
            amount_cents=amount,
            from_account=Account(what),
            method=Method.CASH,
            memo="",
            by=by,
            key=key,
        )


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(actions, max_size=15))
def test_treasury_actions_keep_the_books_true(
    scene: Settling, sequence: list[tuple[str, str, str, int]]
) -> None:
    with transaction.atomic():
        for kind, who, what, amount in sequence:
            before = Entry.objects.count()
            try:
                act(scene, kind, who, what, amount)
            except services.SettlementError:
                assert Entry.objects.count() == before  # refused: nothing written
            money = positions.cycle_positions(scene.cycle)
            assert money.total_cents == 0
            assert money.desk_cents >= 0
            for producer in money.producers.values():
                assert producer.association_owes_cents >= 0
            for household in money.households.values():
                assert all(part.owed_cents >= 0 for pid, part in household.parts.items() if pid is not None)
                handed = household.handed_cents
                paid = household.paid_cents
                given_up = sum(part.writeoff_cents for part in household.parts.values())
                refunded = sum(part.refund_cents for part in household.parts.values())
                assert household.owed_cents == handed - paid - given_up + refunded
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.integers(min_value=1, max_value=3_000), corrected=st.integers(min_value=0, max_value=3_000))
def test_a_correction_moves_exactly_its_new_amount(scene: Settling, first: int, corrected: int) -> None:
    """A transfer split over producers, corrected to any amount: the reversal undoes it, the new
    entry moves ``corrected``, split again over what is owed (up to it), the rest as credit."""
    c = scene.cast
    with transaction.atomic():
        context = ledger.Context(group=c.group_a, by=c.treasurer, cycle=scene.cycle, memo="relevé")
        owed = positions.cycle_positions(scene.cycle).households[c.beneficiary.pk].owed_by_producer()
        shares, _left = positions.allocate({c.dairy: owed[c.dairy.pk]}, first)
        entry = ledger.bank_transfer(context, household=c.beneficiary, amount_cents=first, shares=shares)
        reversal, fixed = ledger.correct(
            ledger.Context(group=c.group_a, by=c.treasurer, cycle=scene.cycle, memo="relevé", key="k"),
            entry=entry,
            amount_cents=corrected,
        )
        assert reversal.kind == EntryKind.REVERSAL and reversal.reverses == entry
        lines = list(fixed.lines.all()) if fixed else []
        assert (fixed is None) == (corrected == 0)
        assert sum(line.amount_cents for line in lines if line.amount_cents > 0) == corrected
        dairy = sum(-line.amount_cents for line in lines if line.producer_id == c.dairy.pk)
        assert dairy == min(corrected, owed[c.dairy.pk])
        money = positions.cycle_positions(scene.cycle)
        assert money.total_cents == 0 and money.bank_cents == corrected
        transaction.set_rollback(True)
