"""The one place that writes the ledger: one function per kind of event.

Each function builds the lines of its entry (see ``models`` for the accounts
and signs) and hands them to ``_post``, which checks they balance, writes the
entry open, adds the lines and seals it, in one transaction; the database
refuses a sealed entry whose lines do not sum to zero, and any later change.
Callers that record an event of their own (the distribution day's journal)
call these inside their transaction, so the event and its entry commit
together or not at all.

Every function takes ``key``: an idempotency key. Posting twice with the same
key returns the first entry and writes nothing (a double submit, a replayed
offline action).

A settled cycle takes only corrections: a ``reverse`` of one of its entries,
or a new entry whose context names the entry it ``corrects``. Posting on a
cycle locks its row, so a posting and the step that settles the cycle never
interleave (``cycles.services.take_step`` locks the same row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, User
from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle
from cabas.ledger.models import CREDIT_NORMAL, Account, Entry, EntryKind, Line, Method
from cabas.lib.money import format_cents


class LedgerError(Exception):
    """An entry that cannot be posted; the message is for the person."""


class FundShortError(LedgerError):
    """Help the solidarity fund cannot cover: it would go below zero."""


class SettledError(LedgerError):
    """A posting on a settled cycle that is not a correction."""


@dataclass(frozen=True)
class Posting:
    """One line to post: a debit (+) or credit (−) in cents on an account."""

    account: Account
    amount_cents: int
    household: User | None = None
    producer: Producer | None = None
    # A line outside any cycle in an entry of a cycle: the prepaid account a basket is paid from.
    outside_cycle: bool = False


@dataclass(frozen=True)
class Context:
    """Who posts, for which group and cycle, and why."""

    group: BuyingGroup
    by: User | None
    cycle: Cycle | None = None
    memo: str = ""
    source: str = ""
    key: str | None = None
    corrects: Entry | None = None  # the entry this one replaces (after its ``reverse``)
    # When the event happened, if not now: money recorded after the fact (the demo's history).
    at: datetime | None = None


def _post(
    context: Context,
    kind: EntryKind,
    postings: Iterable[Posting],
    *,
    method: str = "",
    reverses: Entry | None = None,
) -> Entry:
    postings = [posting for posting in postings if posting.amount_cents]
    if not postings:
        raise LedgerError("An entry needs at least one non-zero line.")
    if sum(posting.amount_cents for posting in postings) != 0:
        raise LedgerError(f"Unbalanced entry: {postings!r}")
    for posting in postings:
        if not isinstance(posting.amount_cents, int) or isinstance(posting.amount_cents, bool):
            raise TypeError("Amounts are integer cents")
    if context.key is not None:
        existing = Entry.objects.filter(key=context.key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return _write(context, kind, postings, method, reverses)
    except IntegrityError:
        # Two copies of one request at once: the second finds the first's entry.
        existing = Entry.objects.filter(key=context.key).first() if context.key else None
        if existing is None:
            raise
        return existing


def _write(
    context: Context, kind: EntryKind, postings: list[Posting], method: str, reverses: Entry | None
) -> Entry:
    if context.cycle is not None:
        settled = (
            Cycle.objects.select_for_update()
            .filter(pk=context.cycle.pk)
            .values_list("settled_at", flat=True)
            .get()
        )
        if settled is not None and reverses is None and context.corrects is None:
            raise SettledError(
                _("This cycle is settled: its money changes only by a correction of one of its entries.")
            )
    entry = Entry.objects.create(
        group=context.group,
        cycle=context.cycle,
        kind=kind,
        method=method,
        memo=context.memo[:300],
        source=context.source[:60],
        key=context.key,
        reverses=reverses,
        corrects=context.corrects,
        created_by=context.by,
        **({"created_at": context.at} if context.at is not None else {}),
    )
    Line.objects.bulk_create(
        Line(
            entry=entry,
            group=context.group,
            cycle=None if posting.outside_cycle else context.cycle,
            account=posting.account,
            household=posting.household,
            producer=posting.producer,
            amount_cents=posting.amount_cents,
        )
        for posting in postings
    )
    Entry.objects.filter(pk=entry.pk).update(sealed=True)
    entry.sealed = True
    return entry


# --- One function per event ---------------------------------------------------------------


def handover(context: Context, *, household: User, producer: Producer, amount_cents: int) -> Entry:
    """A producer handed over goods worth ``amount_cents``: the household now owes it."""
    return _post(
        context,
        EntryKind.HANDOVER,
        [
            Posting(Account.HOUSEHOLD, amount_cents, household, producer),
            Posting(Account.PRODUCER, -amount_cents, household, producer),
        ],
    )


def stand_payment(
    context: Context, *, household: User, producer: Producer, amount_cents: int, method: Method
) -> Entry:
    """The household paid the producer at the stand."""
    _check_positive(amount_cents)
    return _post(
        context,
        EntryKind.STAND_PAYMENT,
        [
            Posting(Account.PRODUCER, amount_cents, household, producer),
            Posting(Account.HOUSEHOLD, -amount_cents, household, producer),
        ],
        method=method,
    )


def desk_payment(
    context: Context, *, household: User, shares: Mapping[Producer, int], method: Method, extra_cents: int = 0
) -> Entry:
    """The household paid its basket at the desk: ``shares`` says how much for each producer.

    The desk holds the money; the association now owes each producer its share
    (the producer's account is untouched until ``producer_payment``).
    ``extra_cents`` is paid beyond the producers' shares (kept as credit).
    """
    total = sum(shares.values()) + extra_cents
    _check_positive(total)
    postings = [Posting(Account.DESK, total)]
    postings += [
        Posting(Account.HOUSEHOLD, -cents, household, producer) for producer, cents in shares.items()
    ]
    postings.append(Posting(Account.HOUSEHOLD, -extra_cents, household))
    return _post(context, EntryKind.DESK_PAYMENT, postings, method=method)


def bank_transfer(
    context: Context,
    *,
    household: User,
    amount_cents: int = 0,
    shares: Mapping[Producer, int] | None = None,
    producer: Producer | None = None,
) -> Entry:
    """A transfer from the household reached the association's bank account.

    ``shares`` says which producers' parts of what the household owes it pays
    (see ``positions.allocate``); what is left of ``amount_cents`` beyond them
    stays on the household's account as credit. Without shares, the whole
    amount goes to ``producer`` (or to no producer: credit).
    """
    shares = dict(shares or {})
    if not shares:
        shares = {producer: amount_cents} if producer is not None else {}
    allocated = sum(shares.values())
    total = max(amount_cents, allocated)
    _check_positive(total)
    if any(cents < 0 for cents in shares.values()):
        raise LedgerError("A share of a payment cannot be negative.")
    postings = [Posting(Account.BANK, total)]
    postings += [
        Posting(Account.HOUSEHOLD, -cents, household, share_producer)
        for share_producer, cents in shares.items()
    ]
    postings.append(Posting(Account.HOUSEHOLD, -(total - allocated), household))
    return _post(context, EntryKind.BANK_TRANSFER, postings, method=Method.TRANSFER)


def producer_payment(
    context: Context, *, producer: Producer, amount_cents: int, from_account: Account, method: Method
) -> Entry:
    """The association paid the producer what desk payers (and the fund) owe it."""
    if from_account not in (Account.DESK, Account.BANK):
        raise LedgerError("The association pays from the desk's cash or the bank.")
    _check_positive(amount_cents)
    return _post(
        context,
        EntryKind.PRODUCER_PAYMENT,
        [Posting(Account.PRODUCER, amount_cents, None, producer), Posting(from_account, -amount_cents)],
        method=method,
    )


def writeoff(
    context: Context,
    *,
    household: User,
    amount_cents: int,
    producer: Producer | None = None,
    shares: Mapping[Producer, int] | None = None,
) -> Entry:
    """The association gives up on what the household still owes (``context.memo`` says why).

    What it gives up is for ``producer``'s goods, or split over several producers by
    ``shares`` (see ``positions.allocate``); what is left of ``amount_cents`` beyond
    the shares is on no producer.
    """
    _check_positive(amount_cents)
    if not context.memo.strip():
        raise LedgerError("A write-off needs a reason.")
    parts: dict[Producer | None, int] = {producer: amount_cents}
    if shares:
        parts = dict(shares.items())
    if any(cents < 0 for cents in parts.values()) or sum(parts.values()) > amount_cents:
        raise LedgerError("The shares of a write-off cannot exceed it.")
    postings = [Posting(Account.WRITEOFF, amount_cents)]
    postings += [Posting(Account.HOUSEHOLD, -cents, household, part) for part, cents in parts.items()]
    postings.append(Posting(Account.HOUSEHOLD, -(amount_cents - sum(parts.values())), household))
    return _post(context, EntryKind.WRITEOFF, postings)


def reverse(context: Context, *, entry: Entry) -> Entry:
    """A correction: the mirror of ``entry``, pointing at it. An entry is reversed once at most."""
    if entry.kind == EntryKind.REVERSAL:
        raise LedgerError("A reversal is corrected by a new entry, not reversed.")
    if Entry.objects.filter(reverses=entry).exists():
        raise LedgerError("This entry has already been reversed.")
    postings = [
        Posting(
            Account(line.account),
            -line.amount_cents,
            line.household,
            line.producer,
            outside_cycle=line.cycle_id is None and entry.cycle_id is not None,
        )
        for line in entry.lines.select_related("household", "producer")
    ]
    return _post(context, EntryKind.REVERSAL, postings, method=entry.method, reverses=entry)


def correct(context: Context, *, entry: Entry, amount_cents: int) -> tuple[Entry, Entry | None]:
    """A correction of ``entry`` to ``amount_cents``: its ``reverse``, then the same movement for
    the new amount, pointing at it (``corrects``). Both are written or neither; 0 cancels it.

    ``context.memo`` says why (required) and ``context.key`` makes the pair idempotent. The
    new amount moves between the entry's accounts as the old one did: the side with one
    line takes it whole; the lines of the other side (the producers a payment was split
    over) each take up to what they had, in order, and what is left stays on the
    household's account as credit. Posting locks the cycle, so two people correcting one
    entry at once end with one correction and a message for the other.
    """
    if not context.memo.strip():
        raise LedgerError(_("A correction needs a reason."))
    if amount_cents < 0:
        raise LedgerError(_("An amount cannot be negative."))
    keys = (f"{context.key}:reversal", f"{context.key}:new") if context.key else (None, None)
    with transaction.atomic():
        if entry.cycle_id is not None:
            Cycle.objects.select_for_update().filter(pk=entry.cycle_id).values_list("pk").get()
        if keys[0] and (done := Entry.objects.filter(key=keys[0]).first()) is not None:
            return done, Entry.objects.filter(key=keys[1]).first()
        if Entry.objects.filter(reverses=entry).exists():
            raise LedgerError(_("This entry has already been corrected."))
        postings = _corrected_postings(entry, amount_cents)
        reversal = reverse(replace(context, key=keys[0]), entry=entry)
        if not amount_cents:
            return reversal, None
        fixed = _post(
            replace(context, key=keys[1], corrects=entry),
            EntryKind(entry.kind),
            postings,
            method=entry.method,
        )
        return reversal, fixed


def _corrected_postings(entry: Entry, amount_cents: int) -> list[Posting]:
    lines = list(entry.lines.select_related("household", "producer").order_by("pk"))
    debits = [line for line in lines if line.amount_cents > 0]
    credits = [line for line in lines if line.amount_cents < 0]
    if entry.kind == EntryKind.REVERSAL or not debits or not credits:
        raise LedgerError(_("This entry cannot be corrected."))
    if entry.kind in SPLIT_PAYMENTS and len(debits) == 1:
        return _resplit(entry, debits[0], credits, amount_cents)
    if len(debits) != 1 or len(credits) != 1:
        raise LedgerError(_("This entry cannot be corrected."))
    debit, credit = debits[0], credits[0]
    return [
        Posting(Account(debit.account), amount_cents, debit.household, debit.producer),
        Posting(Account(credit.account), -amount_cents, credit.household, credit.producer),
    ]


# Payments to the association that ``positions.allocate`` split over what the household owed.
SPLIT_PAYMENTS = (EntryKind.BANK_TRANSFER, EntryKind.DESK_PAYMENT)


def _resplit(entry: Entry, received: Line, paid: list[Line], amount_cents: int) -> list[Posting]:
    """The payment as if it had been ``amount_cents``: split again over what the household owes
    once the old one is reversed (its producers first), the rest as credit."""
    from cabas.ledger.positions import allocate  # positions reads what services write

    households = {line.household for line in paid}
    if len(households) != 1 or None in households:
        raise LedgerError(_("This entry cannot be corrected."))
    household = households.pop()
    assert household is not None
    owed: dict[int, int] = {line.producer_id: 0 for line in paid if line.producer_id is not None}
    rows = (
        Line.objects.filter(cycle=entry.cycle, account=Account.HOUSEHOLD, household=household)
        .exclude(producer=None)
        .values_list("producer_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    for producer_id, total in rows:
        owed[producer_id] = owed.get(producer_id, 0) + total
    for line in paid:
        if line.producer_id is not None:
            owed[line.producer_id] -= line.amount_cents  # what the reversal gives back
    producers = Producer.objects.in_bulk(list(owed))
    shares, left = allocate({producers[pk]: cents for pk, cents in owed.items()}, amount_cents)
    postings = [Posting(Account(received.account), amount_cents, received.household, received.producer)]
    postings += [
        Posting(Account.HOUSEHOLD, -cents, household, producer) for producer, cents in shares.items()
    ]
    postings.append(Posting(Account.HOUSEHOLD, -left, household))
    return postings


def contribution(
    context: Context, *, amount_cents: int, into: Account, method: Method, household: User | None = None
) -> Entry:
    """A gift to the solidarity fund was paid (at the desk or by transfer): desk or bank +C, fund −C.

    Posted when the money is received, never when it is promised. The fund's line names the
    contributor (``household``), so each one can see their own gifts; None: an anonymous gift.
    """
    if into not in (Account.DESK, Account.BANK):
        raise LedgerError("A contribution is received at the desk or on the bank account.")
    _check_positive(amount_cents)
    return _post(
        context,
        EntryKind.CONTRIBUTION,
        [Posting(into, amount_cents), Posting(Account.FUND, -amount_cents, household)],
        method=method,
    )


def subsidy(context: Context, *, household: User, shares: Mapping[Producer, int]) -> Entry:
    """The fund covers part of a household's basket: fund +S, household −S on each producer's part.

    The association now owes each producer that part (paid by ``producer_payment``). The fund
    never goes below zero: the group's row is locked while the balance is checked and the entry
    written, so two people granting help at once cannot both spend the same money.
    """
    total = sum(shares.values())
    _check_positive(total)
    if any(cents < 0 for cents in shares.values()):
        raise LedgerError("A share of help cannot be negative.")
    if context.key is not None and (done := Entry.objects.filter(key=context.key).first()) is not None:
        return done
    with transaction.atomic():
        BuyingGroup.objects.select_for_update().filter(pk=context.group.pk).values_list("pk").get()
        held = balance(context.group, Account.FUND)
        if held < total:
            raise FundShortError(
                _("The solidarity fund holds %(held)s, less than the %(total)s asked.")
                % {"held": format_cents(held), "total": format_cents(total)}
            )
        postings = [Posting(Account.FUND, total, household)]
        postings += [
            Posting(Account.HOUSEHOLD, -cents, household, producer) for producer, cents in shares.items()
        ]
        return _post(context, EntryKind.SUBSIDY, postings)


def deposit(context: Context, *, amount_cents: int, method: Method) -> Entry:
    """Money the desk held (cheques, cash) paid into the association's bank account."""
    _check_positive(amount_cents)
    return _post(
        context,
        EntryKind.DEPOSIT,
        [Posting(Account.BANK, amount_cents), Posting(Account.DESK, -amount_cents)],
        method=method,
    )


def topup(context: Context, *, household: User, amount_cents: int) -> Entry:
    """Prepaid groups: the household paid money in ahead; its account shows it as credit."""
    _check_positive(amount_cents)
    return _post(
        context,
        EntryKind.TOPUP,
        [Posting(Account.BANK, amount_cents), Posting(Account.HOUSEHOLD, -amount_cents, household)],
        method=Method.TRANSFER,
    )


def prepaid_debit(context: Context, *, household: User, shares: Mapping[Producer, int]) -> Entry:
    """Prepaid groups: the basket of ``context.cycle`` is paid from the household's prepaid account.

    The credit its top-ups left outside any cycle pays ``shares`` (producer -> cents) of what it
    owes each producer on the cycle: the household's account as a whole does not change, the
    association now owes the producers (paid from the bank by ``producer_payment``).
    """
    if context.cycle is None:
        raise LedgerError("A basket is paid from the prepaid account on its cycle.")
    if any(cents < 0 for cents in shares.values()):
        raise LedgerError("A share of a payment cannot be negative.")
    total = sum(shares.values())
    _check_positive(total)
    postings = [Posting(Account.HOUSEHOLD, total, household, outside_cycle=True)]
    postings += [
        Posting(Account.HOUSEHOLD, -cents, household, producer) for producer, cents in shares.items()
    ]
    return _post(context, EntryKind.PREPAID_DEBIT, postings)


def refund(
    context: Context, *, household: User, amount_cents: int, from_account: Account, method: Method
) -> Entry:
    """The association gave a household back money it had paid beyond what it owed."""
    if from_account not in (Account.DESK, Account.BANK):
        raise LedgerError("The association refunds from the desk's cash or the bank.")
    _check_positive(amount_cents)
    return _post(
        context,
        EntryKind.REFUND,
        [Posting(Account.HOUSEHOLD, amount_cents, household), Posting(from_account, -amount_cents)],
        method=method,
    )


def _check_positive(amount_cents: int) -> None:
    if amount_cents <= 0:
        raise LedgerError("An amount paid must be more than zero.")


# --- Balances ------------------------------------------------------------------------------


def balance(
    group: BuyingGroup,
    account: Account,
    *,
    cycle: Cycle | None = None,
    household: User | None = None,
    producer: Producer | None = None,
) -> int:
    """An account's balance in cents, as shown (credit-normal accounts as positive figures)."""
    lines = Line.objects.filter(group=group, account=account)
    if cycle is not None:
        lines = lines.filter(cycle=cycle)
    if household is not None:
        lines = lines.filter(household=household)
    if producer is not None:
        lines = lines.filter(producer=producer)
    total = lines.aggregate(total=Sum("amount_cents"))["total"] or 0
    return -total if account in CREDIT_NORMAL else total
