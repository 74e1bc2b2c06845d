"""Two treasurers at once on one cycle: real threads, real transactions, SQLite and PostgreSQL.

Settling locks the cycle's row (``take_step``), and so does every posting
(``ledger._write``) and every treasury action (``settlement.services``): of two
people acting at once, one wins and the other is told, and nothing is half
written — a settled cycle always balances, an entry is corrected once.
"""

from __future__ import annotations

import pytest

from cabas.accounts import services as accounts
from cabas.accounts.models import Role, User
from cabas.cycles.models import CycleEvent, Phase, Step
from cabas.ledger import positions
from cabas.ledger.models import Account, Entry, EntryKind, Method
from cabas.settlement import services
from tests.cast import build_cast, person
from tests.cycle_fixtures import race
from tests.settlement_fixtures import Settling, settling

pytestmark = pytest.mark.django_db(transaction=True)


def two_treasurers() -> tuple[Settling, User, User]:
    cast = build_cast()
    scene = settling(cast)
    other = person("tess@example.org", "Tess Trésorière")
    accounts.add_member(group=cast.group_a, user=other, roles=[Role.MEMBER, Role.TREASURER])
    return scene, cast.treasurer, other


def balance(scene: Settling, by: User) -> None:
    """Everything paid, refunded, deposited and paid over (see ``settlement_fixtures``)."""
    c, cycle = scene.cast, scene.cycle
    services.record_transfer(
        cycle=cycle, household=c.beneficiary, amount_cents=1020, memo="", by=by, key="b1"
    )
    services.record_transfer(cycle=cycle, household=c.member, amount_cents=380, memo="", by=by, key="b2")
    services.refund(
        cycle=cycle,
        household=c.treasurer,
        amount_cents=80,
        from_account=Account.DESK,
        method=Method.CASH,
        memo="",
        by=by,
        key="b3",
    )
    for producer, cents in ((c.bakery, 1040), (c.dairy, 2300)):
        services.pay_producer(
            cycle=cycle,
            producer=producer,
            amount_cents=cents,
            from_account=Account.BANK,
            method=Method.TRANSFER,
            memo="",
            by=by,
            key=f"p{producer.pk}",
        )
    assert positions.cycle_positions(cycle).balanced


def test_two_treasurers_settle_at_once() -> None:
    scene, first, second = two_treasurers()
    balance(scene, first)
    results = race([lambda who=who: services.settle(cycle=scene.cycle, by=who) for who in (first, second)])
    refused = [r for r in results if isinstance(r, services.SettlementError)]
    assert len(refused) == 1, results
    assert "déjà été réglé" in str(refused[0]) or "settled already" in str(refused[0])
    scene.cycle.refresh_from_db()
    assert scene.cycle.phase() == Phase.SETTLED
    assert CycleEvent.objects.filter(cycle=scene.cycle, step=Step.SETTLE).count() == 1


def test_settling_while_a_transfer_is_posted() -> None:
    """A late transfer (which leaves a credit) and the settle step: one wins; a settled cycle balances."""
    scene, first, second = two_treasurers()
    balance(scene, first)
    c = scene.cast
    results = race(
        [
            lambda: services.settle(cycle=scene.cycle, by=first),
            lambda: services.record_transfer(
                cycle=scene.cycle, household=c.member, amount_cents=100, memo="", by=second, key="late"
            ),
        ]
    )
    settled, posted = results
    assert isinstance(settled, services.SettlementError) != isinstance(posted, services.SettlementError), (
        results
    )
    scene.cycle.refresh_from_db()
    money = positions.cycle_positions(scene.cycle)
    if scene.cycle.settled_at is not None:
        assert money.balanced and not Entry.objects.filter(key="late").exists()
    else:
        assert money.households[c.member.pk].owed_cents == -100
    assert money.total_cents == 0


def test_two_treasurers_correct_one_entry_at_once() -> None:
    scene, first, second = two_treasurers()
    c = scene.cast
    entry = services.record_transfer(
        cycle=scene.cycle, household=c.beneficiary, amount_cents=1220, memo="", by=first, key="t"
    )
    results = race(
        [
            lambda: services.correct(
                cycle=scene.cycle, entry=entry, amount_cents=1020, reason="relevé", by=first, key="c1"
            ),
            lambda: services.correct(
                cycle=scene.cycle, entry=entry, amount_cents=1000, reason="relevé", by=second, key="c2"
            ),
        ]
    )
    refused = [r for r in results if isinstance(r, services.SettlementError)]
    assert len(refused) == 1, results
    assert Entry.objects.filter(reverses=entry).count() == 1
    assert Entry.objects.filter(corrects=entry).count() == 1
    money = positions.cycle_positions(scene.cycle)
    assert money.bank_cents in (1020, 1000) and money.total_cents == 0


def test_one_form_sent_twice_at_once_posts_once() -> None:
    scene, first, _second = two_treasurers()
    c = scene.cast

    def deposit() -> Entry:
        return services.record_deposit(
            cycle=scene.cycle, amount_cents=1420, method=Method.CHEQUE, memo="", by=first, key="same"
        )

    results = race([deposit, deposit, deposit])
    assert all(isinstance(r, Entry) for r in results), results
    assert Entry.objects.filter(kind=EntryKind.DEPOSIT).count() == 1
    assert positions.cycle_positions(scene.cycle).desk_cents == 600
    assert c.treasurer == first
