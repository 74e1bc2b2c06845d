"""The ledger: balanced entries, append-only in the database, exact balances under any events."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Line, Method
from tests.cast import Cast


def ctx(cast: Cast, key: str | None = None, memo: str = "") -> ledger.Context:
    return ledger.Context(group=cast.group_a, by=cast.treasurer, key=key, memo=memo)


def entry_sums() -> set[int]:
    return {row["total"] for row in Line.objects.values("entry").annotate(total=Sum("amount_cents"))}


class TestEvents:
    def test_handover_then_payment_at_the_stand(self, cast: Cast) -> None:
        ledger.handover(ctx(cast), household=cast.member, producer=cast.bakery, amount_cents=1234)
        owes = ledger.balance(cast.group_a, Account.HOUSEHOLD, household=cast.member)
        owed = ledger.balance(cast.group_a, Account.PRODUCER, producer=cast.bakery)
        assert (owes, owed) == (1234, 1234)
        ledger.stand_payment(
            ctx(cast), household=cast.member, producer=cast.bakery, amount_cents=1000, method=Method.CASH
        )
        assert ledger.balance(cast.group_a, Account.HOUSEHOLD, household=cast.member) == 234
        assert ledger.balance(cast.group_a, Account.PRODUCER, producer=cast.bakery) == 234
        assert entry_sums() == {0}

    def test_desk_payment_makes_the_association_owe_each_producer(self, cast: Cast) -> None:
        ledger.handover(ctx(cast), household=cast.member, producer=cast.bakery, amount_cents=520)
        ledger.handover(ctx(cast), household=cast.member, producer=cast.dairy, amount_cents=1793)
        ledger.desk_payment(
            ctx(cast),
            household=cast.member,
            shares={cast.bakery: 520, cast.dairy: 1793},
            method=Method.CHEQUE,
        )
        assert ledger.balance(cast.group_a, Account.HOUSEHOLD, household=cast.member) == 0
        assert ledger.balance(cast.group_a, Account.DESK) == 2313
        # Still owed to the dairy, now by the association: the household owes it nothing.
        assert ledger.balance(cast.group_a, Account.PRODUCER, producer=cast.dairy) == 1793
        assert (
            ledger.balance(cast.group_a, Account.HOUSEHOLD, household=cast.member, producer=cast.dairy) == 0
        )
        ledger.producer_payment(
            ctx(cast), producer=cast.dairy, amount_cents=1793, from_account=Account.DESK, method=Method.CASH
        )
        assert ledger.balance(cast.group_a, Account.PRODUCER, producer=cast.dairy) == 0
        assert ledger.balance(cast.group_a, Account.DESK) == 520

    def test_writeoff_needs_a_reason(self, cast: Cast) -> None:
        ledger.handover(ctx(cast), household=cast.member, producer=cast.bakery, amount_cents=3)
        with pytest.raises(ledger.LedgerError):
            ledger.writeoff(ctx(cast), household=cast.member, amount_cents=3)
        ledger.writeoff(ctx(cast, memo="3 centimes"), household=cast.member, amount_cents=3)
        assert ledger.balance(cast.group_a, Account.HOUSEHOLD, household=cast.member) == 0
        assert ledger.balance(cast.group_a, Account.WRITEOFF) == 3

    @pytest.mark.parametrize("amount", [0, -5])
    def test_payments_must_be_positive(self, cast: Cast, amount: int) -> None:
        with pytest.raises(ledger.LedgerError):
            ledger.stand_payment(
                ctx(cast),
                household=cast.member,
                producer=cast.bakery,
                amount_cents=amount,
                method=Method.CASH,
            )
        assert not Entry.objects.exists()

    def test_same_key_posts_once(self, cast: Cast) -> None:
        first = ledger.bank_transfer(ctx(cast, key="bank:42"), household=cast.member, amount_cents=700)
        second = ledger.bank_transfer(ctx(cast, key="bank:42"), household=cast.member, amount_cents=700)
        assert first.pk == second.pk
        assert Entry.objects.count() == 1
        assert ledger.balance(cast.group_a, Account.BANK) == 700

    def test_reversal_mirrors_and_happens_once(self, cast: Cast) -> None:
        wrong = ledger.handover(ctx(cast), household=cast.member, producer=cast.bakery, amount_cents=990)
        fix = ledger.reverse(ctx(cast, memo="pesée fausse"), entry=wrong)
        assert fix.reverses == wrong and fix.kind == EntryKind.REVERSAL
        assert ledger.balance(cast.group_a, Account.HOUSEHOLD, household=cast.member) == 0
        with pytest.raises(ledger.LedgerError):
            ledger.reverse(ctx(cast), entry=wrong)
        with pytest.raises(ledger.LedgerError):
            ledger.reverse(ctx(cast), entry=fix)

    def test_unbalanced_postings_are_refused(self, cast: Cast) -> None:
        postings = [ledger.Posting(Account.DESK, 100), ledger.Posting(Account.HOUSEHOLD, -99, cast.member)]
        with pytest.raises(ledger.LedgerError):
            ledger._post(ctx(cast), EntryKind.DESK_PAYMENT, postings)
        assert not Entry.objects.exists()


class TestTheDatabaseRefuses:
    """Not only the model: SQL written by hand cannot change or unbalance the ledger."""

    @pytest.fixture
    def entry(self, cast: Cast) -> Entry:
        return ledger.handover(ctx(cast), household=cast.member, producer=cast.bakery, amount_cents=500)

    def _refused(self, sql: str, params: list[object]) -> None:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    def test_updating_a_line(self, entry: Entry) -> None:
        self._refused("UPDATE ledger_line SET amount_cents = 1 WHERE entry_id = %s", [entry.pk])
        assert list(entry.lines.order_by("amount_cents").values_list("amount_cents", flat=True)) == [
            -500,
            500,
        ]

    def test_deleting_a_line_or_an_entry(self, entry: Entry) -> None:
        self._refused("DELETE FROM ledger_line WHERE entry_id = %s", [entry.pk])
        self._refused("DELETE FROM ledger_entry WHERE id = %s", [entry.pk])
        assert entry.lines.count() == 2

    def test_changing_a_sealed_entry(self, entry: Entry) -> None:
        self._refused("UPDATE ledger_entry SET memo = 'autre' WHERE id = %s", [entry.pk])
        self._refused("UPDATE ledger_entry SET sealed = %s WHERE id = %s", [False, entry.pk])

    def test_adding_a_line_to_a_sealed_entry(self, cast: Cast, entry: Entry) -> None:
        self._refused(
            "INSERT INTO ledger_line (entry_id, group_id, account, amount_cents) VALUES (%s, %s, 'desk', 7)",
            [entry.pk, cast.group_a.pk],
        )

    def test_sealing_an_unbalanced_entry(self, cast: Cast) -> None:
        with transaction.atomic():
            open_entry = Entry.objects.create(group=cast.group_a, kind=EntryKind.DESK_PAYMENT)
            Line.objects.create(entry=open_entry, group=cast.group_a, account=Account.DESK, amount_cents=100)
            Line.objects.create(
                entry=open_entry,
                group=cast.group_a,
                account=Account.HOUSEHOLD,
                household=cast.member,
                amount_cents=-99,
            )
            with pytest.raises(DatabaseError), transaction.atomic():
                Entry.objects.filter(pk=open_entry.pk).update(sealed=True)
            assert not Entry.objects.filter(sealed=True).exists()
            transaction.set_rollback(True)

    def test_inserting_an_entry_already_sealed(self, cast: Cast) -> None:
        with pytest.raises(DatabaseError), transaction.atomic():
            Entry.objects.create(group=cast.group_a, kind=EntryKind.DESK_PAYMENT, sealed=True)


# --- Any sequence of events ----------------------------------------------------------------

HOUSEHOLDS = ("member", "member2", "beneficiary")
PRODUCERS = ("bakery", "dairy")
amounts = st.integers(min_value=1, max_value=50_000)
events = st.one_of(
    st.tuples(st.just("handover"), st.sampled_from(HOUSEHOLDS), st.sampled_from(PRODUCERS), amounts),
    st.tuples(st.just("stand"), st.sampled_from(HOUSEHOLDS), st.sampled_from(PRODUCERS), amounts),
    st.tuples(st.just("desk"), st.sampled_from(HOUSEHOLDS), st.sampled_from(PRODUCERS), amounts),
    st.tuples(st.just("transfer"), st.sampled_from(HOUSEHOLDS), st.sampled_from(PRODUCERS), amounts),
    st.tuples(
        st.just("pay_producer"), st.sampled_from(("desk", "bank")), st.sampled_from(PRODUCERS), amounts
    ),
    st.tuples(st.just("writeoff"), st.sampled_from(HOUSEHOLDS), st.sampled_from(PRODUCERS), amounts),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=40), st.just(""), st.just(0)),
)


def _receipts_of_producers() -> int:
    """What producers received, read from the ledger: payments at the stand and from the
    association, net of their reversals."""
    paying = [EntryKind.STAND_PAYMENT, EntryKind.PRODUCER_PAYMENT]
    lines = Line.objects.filter(account=Account.PRODUCER).filter(
        Q(entry__kind__in=paying) | Q(entry__reverses__kind__in=paying)
    )
    return lines.aggregate(total=Sum("amount_cents"))["total"] or 0


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(events, max_size=25))
def test_no_cent_appears_or_disappears(cast: Cast, sequence: list[tuple]) -> None:
    """For any events, checked against a model kept beside the ledger: each entry balances,
    all lines sum to zero, each household owes what it was handed minus what it paid and
    what was written off, and what members paid equals what producers received plus what
    the association holds."""
    with transaction.atomic():
        # The model: signed effects of each posted event, so a reversal subtracts them.
        owed: dict[str, int] = defaultdict(int)
        members_paid = producers_received = held = 0
        posted: list[tuple[Entry, dict[str, int], str]] = []
        for kind, who, producer_name, amount in sequence:
            producer = getattr(cast, producer_name) if producer_name else None
            context = ctx(cast, memo="test")
            effect: dict[str, int] = defaultdict(int)
            if kind == "handover":
                entry = ledger.handover(
                    context, household=getattr(cast, who), producer=producer, amount_cents=amount
                )
                effect[who] += amount
            elif kind == "stand":
                entry = ledger.stand_payment(
                    context,
                    household=getattr(cast, who),
                    producer=producer,
                    amount_cents=amount,
                    method=Method.CASH,
                )
                effect.update({who: -amount, "paid": amount, "received": amount})
            elif kind == "desk":
                entry = ledger.desk_payment(
                    context, household=getattr(cast, who), shares={producer: amount}, method=Method.CARD
                )
                effect.update({who: -amount, "paid": amount, "held": amount})
            elif kind == "transfer":
                entry = ledger.bank_transfer(context, household=getattr(cast, who), amount_cents=amount)
                effect.update({who: -amount, "paid": amount, "held": amount})
            elif kind == "pay_producer":
                entry = ledger.producer_payment(
                    context,
                    producer=producer,
                    amount_cents=amount,
                    from_account=Account(who),
                    method=Method.TRANSFER,
                )
                effect.update({"received": amount, "held": -amount})
            elif kind == "writeoff":
                entry = ledger.writeoff(context, household=getattr(cast, who), amount_cents=amount)
                effect[who] -= amount
            else:
                open_ = [item for item in posted if item[2] == "open"]
                if not open_:
                    continue
                target = open_[who % len(open_)]
                posted[posted.index(target)] = (target[0], target[1], "reversed")
                entry = ledger.reverse(context, entry=target[0])
                effect = {name: -value for name, value in target[1].items()}
                kind = "reverse"
            posted.append((entry, effect, "done" if kind == "reverse" else "open"))
            for name, value in effect.items():
                owed[name] += value
        members_paid, producers_received, held = owed["paid"], owed["received"], owed["held"]

        assert entry_sums() <= {0}
        assert (Line.objects.aggregate(total=Sum("amount_cents"))["total"] or 0) == 0
        group = cast.group_a
        for who in HOUSEHOLDS:
            assert ledger.balance(group, Account.HOUSEHOLD, household=getattr(cast, who)) == owed[who]
        assert _receipts_of_producers() == producers_received
        assert ledger.balance(group, Account.DESK) + ledger.balance(group, Account.BANK) == held
        assert members_paid == producers_received + held
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_one_payment_sent_six_times_at_once_is_posted_once() -> None:
    """Real threads and transactions, both databases (and the test database is emptied after,
    past the ledger's guards)."""
    from tests.cast import build_cast
    from tests.test_concurrency import race

    cast = build_cast()
    results = race(
        lambda: ledger.stand_payment(
            ctx(cast, key="stand:device-1:17"),
            household=cast.member,
            producer=cast.bakery,
            amount_cents=450,
            method=Method.CASH,
        ),
        6,
    )
    assert all(isinstance(result, Entry) for result in results), results
    assert Entry.objects.count() == 1
    assert ledger.balance(cast.group_a, Account.PRODUCER, producer=cast.bakery) == -450


class TestFund:
    def test_a_contribution_fills_the_fund_and_names_its_giver(self, cast: Cast) -> None:
        ledger.contribution(
            ctx(cast), amount_cents=500, into=Account.DESK, method=Method.CASH, household=cast.member
        )
        ledger.contribution(ctx(cast), amount_cents=2000, into=Account.BANK, method=Method.TRANSFER)
        assert ledger.balance(cast.group_a, Account.FUND) == 2500
        assert ledger.balance(cast.group_a, Account.DESK) == 500
        assert ledger.balance(cast.group_a, Account.BANK) == 2000
        mine = Line.objects.filter(account=Account.FUND, household=cast.member)
        assert list(mine.values_list("amount_cents", flat=True)) == [-500]
        assert entry_sums() == {0}

    def test_a_contribution_is_received_at_the_desk_or_the_bank(self, cast: Cast) -> None:
        with pytest.raises(ledger.LedgerError):
            ledger.contribution(ctx(cast), amount_cents=500, into=Account.WRITEOFF, method=Method.CASH)
        with pytest.raises(ledger.LedgerError):
            ledger.contribution(ctx(cast), amount_cents=0, into=Account.DESK, method=Method.CASH)

    def test_a_subsidy_covers_each_producers_part(self, cast: Cast) -> None:
        ledger.contribution(ctx(cast), amount_cents=1000, into=Account.BANK, method=Method.TRANSFER)
        ledger.handover(ctx(cast), household=cast.member, producer=cast.bakery, amount_cents=600)
        ledger.handover(ctx(cast), household=cast.member, producer=cast.dairy, amount_cents=400)
        ledger.subsidy(ctx(cast), household=cast.member, shares={cast.bakery: 300, cast.dairy: 200})
        assert ledger.balance(cast.group_a, Account.FUND) == 500
        assert (
            ledger.balance(cast.group_a, Account.HOUSEHOLD, household=cast.member, producer=cast.bakery)
            == 300
        )
        assert ledger.balance(cast.group_a, Account.HOUSEHOLD, household=cast.member) == 500
        # The producers are still owed their whole part, now partly by the association.
        assert ledger.balance(cast.group_a, Account.PRODUCER, producer=cast.bakery) == 600
        assert entry_sums() == {0}

    def test_the_fund_never_goes_below_zero(self, cast: Cast) -> None:
        ledger.contribution(ctx(cast), amount_cents=300, into=Account.BANK, method=Method.TRANSFER)
        with pytest.raises(ledger.FundShortError):
            ledger.subsidy(ctx(cast), household=cast.member, shares={cast.bakery: 301})
        ledger.subsidy(ctx(cast, key="help-1"), household=cast.member, shares={cast.bakery: 300})
        # The same request again posts nothing more, rather than being refused.
        ledger.subsidy(ctx(cast, key="help-1"), household=cast.member, shares={cast.bakery: 300})
        assert ledger.balance(cast.group_a, Account.FUND) == 0
        assert Entry.objects.filter(kind=EntryKind.SUBSIDY).count() == 1
