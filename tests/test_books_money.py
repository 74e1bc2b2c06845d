"""For any sequence of events, the books agree with the ledger to the cent.

The journal's exports balance (debits equal credits, each entry on its own),
hold every entry once, the year's balances sum to zero, a producer's
statement adds up (due − received − paid by the association = still owed =
what households owe + what the association owes) and a household's page
shows what its account holds.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cabas.books import journal
from cabas.books.models import AccountCodes
from cabas.books.statements import member_statement, producer_statement
from cabas.books.summary import year_summary
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Method
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle

HOUSEHOLDS = ("member", "member2", "beneficiary")
PRODUCERS = ("bakery", "dairy")
amounts = st.integers(min_value=1, max_value=50_000)
events = st.one_of(
    st.tuples(
        st.sampled_from(["handover", "stand", "desk", "transfer", "writeoff", "subsidy"]),
        st.sampled_from(HOUSEHOLDS),
        st.sampled_from(PRODUCERS),
        amounts,
    ),
    st.tuples(
        st.just("pay_producer"), st.sampled_from(("desk", "bank")), st.sampled_from(PRODUCERS), amounts
    ),
    st.tuples(st.just("contribution"), st.just(""), st.just(""), amounts),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=40), st.just(""), st.just(0)),
)


def post(cast: Cast, context: ledger.Context, event: tuple, posted: list[Entry]) -> Entry | None:
    kind, who, producer_name, amount = event
    producer = getattr(cast, producer_name) if producer_name else None
    household = getattr(cast, who) if who in HOUSEHOLDS else None
    if kind == "handover":
        return ledger.handover(context, household=household, producer=producer, amount_cents=amount)
    if kind == "stand":
        return ledger.stand_payment(
            context, household=household, producer=producer, amount_cents=amount, method=Method.CHEQUE
        )
    if kind == "desk":
        return ledger.desk_payment(
            context, household=household, shares={producer: amount}, method=Method.CASH
        )
    if kind == "transfer":
        return ledger.bank_transfer(context, household=household, amount_cents=amount, producer=producer)
    if kind == "writeoff":
        return ledger.writeoff(context, household=household, amount_cents=amount, producer=producer)
    if kind == "pay_producer":
        return ledger.producer_payment(
            context, producer=producer, amount_cents=amount, from_account=Account(who), method=Method.TRANSFER
        )
    if kind == "contribution":
        postings = [ledger.Posting(Account.DESK, amount), ledger.Posting(Account.FUND, -amount)]
        return ledger._post(context, EntryKind.CONTRIBUTION, postings)
    if kind == "subsidy":
        postings = [
            ledger.Posting(Account.FUND, amount),
            ledger.Posting(Account.HOUSEHOLD, -amount, household, producer),
        ]
        return ledger._post(context, EntryKind.SUBSIDY, postings)
    reversible = [
        entry for entry in posted if entry.kind != EntryKind.REVERSAL and not hasattr(entry, "_gone")
    ]
    if not reversible:
        return None
    target = reversible[who % len(reversible)]
    target._gone = True  # type: ignore[attr-defined]
    return ledger.reverse(context, entry=target)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(events, max_size=20))
def test_the_books_agree_with_the_ledger(cast: Cast, sequence: list[tuple]) -> None:
    with transaction.atomic():
        group = cast.group_a
        cycle = make_cycle(group, phase="finalised")
        posted: list[Entry] = []
        for event in sequence:
            context = ledger.Context(group=group, by=cast.treasurer, cycle=cycle, memo="test")
            entry = post(cast, context, event, posted)
            if entry is not None:
                posted.append(entry)
        codes = AccountCodes.of(group)
        period = journal.Period(group, cycle=cycle)

        rows = journal.fec_rows(period, codes)
        assert sum(r[11] for r in rows) == sum(r[12] for r in rows)
        by_entry: dict[str, int] = defaultdict(int)
        for r in rows:
            by_entry[r[2]] += r[11] - r[12]
        assert set(by_entry.values()) <= {0}
        assert set(by_entry) == {str(entry.pk) for entry in posted}
        table = journal.plain_table(period, codes)
        assert table.totals is not None and table.totals[5] == table.totals[6]

        assert sum(year_summary(group, cycle.distribution_date.year, codes).balances.values()) == 0

        for statement in producer_statement(cast.bakery, group) + producer_statement(cast.dairy, group):
            for pc in statement.cycles:
                assert pc.due_cents - pc.stand_total_cents - pc.association_paid_cents == pc.owed_cents
                assert pc.households_owe_cents + pc.association_owes_cents == pc.owed_cents
        for who in HOUSEHOLDS:
            household = getattr(cast, who)
            mine = {mc.cycle.pk: mc for mc in member_statement(household, group)}
            balance = ledger.balance(group, Account.HOUSEHOLD, cycle=cycle, household=household)
            assert (mine[cycle.pk].left_cents if cycle.pk in mine else 0) == balance
        transaction.set_rollback(True)
