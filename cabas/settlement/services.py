"""The treasurer's actions after the distribution day: each one ledger event, checked under a lock.

Every function locks the cycle's row, reads the cycle's positions afresh,
checks the amount against them (nobody deposits more than the desk holds,
pays a producer more than the association owes it, writes off or refunds
more than is owed), then posts through the one ledger function of its event,
all in one transaction: a refused action writes nothing. The ledger's own
posting locks the same row, and so does the step that settles the cycle, so
two treasurers acting at once are serialised: one wins, the other is told.

Each action takes ``key``, an idempotency key from the form: the same form
sent twice posts once (the second call returns the first entry).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.catalog.models import Producer
from cabas.cycles import services as cycles
from cabas.cycles.models import Cycle, CycleEvent, Phase, Step
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, Method
from cabas.ledger.positions import Positions, allocate, cycle_positions
from cabas.lib.money import format_cents
from cabas.settlement.models import Reminder

# A household is reminded at most once in this time, per cycle.
REMIND_EVERY = timedelta(days=7)
# Writing off more than this needs a second, explicit confirmation: small remainders
# (a few cents of rounding, a forgotten yoghurt) go through at once; anything larger is
# a decision the treasurer confirms, so a slip of the keyboard never gives 50 € away.
WRITEOFF_CONFIRM_ABOVE_CENTS = 500
# No payment of a buying group comes near this: an amount above is a typing mistake.
MAX_AMOUNT_CENTS = 10_000_000


class SettlementError(Exception):
    """An action refused for a reason the treasurer can act on; nothing was written."""


@contextmanager
def _locked(cycle: Cycle, *, corrections: bool = False) -> Iterator[Cycle]:
    """The cycle's row, locked for the transaction; refused before the day is closed or after
    settlement (unless ``corrections``, the only change a settled cycle takes)."""
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().select_related("group").get(pk=cycle.pk)
        phase = locked.phase()
        if phase == Phase.SETTLED and not corrections:
            raise SettlementError(
                _("This cycle is settled: its money changes only by a correction of one of its entries.")
            )
        if phase not in (Phase.DISTRIBUTED, Phase.SETTLED):
            raise SettlementError(_("The distribution day of this cycle is not closed yet."))
        yield locked


def _posted(key: str) -> Entry | None:
    return Entry.objects.filter(key=key).first()


def _context(cycle: Cycle, by: User, key: str, memo: str = "") -> ledger.Context:
    return ledger.Context(group=cycle.group, by=by, cycle=cycle, memo=memo, key=key)


def _check_amount(amount_cents: int) -> None:
    if amount_cents <= 0:
        raise SettlementError(_("Enter an amount above zero."))
    if amount_cents > MAX_AMOUNT_CENTS:
        raise SettlementError(
            _("This amount is too high (%(max)s at most).") % {"max": format_cents(MAX_AMOUNT_CENTS)}
        )


def _at_most(amount_cents: int, limit_cents: int, message: str) -> None:
    if amount_cents > limit_cents:
        raise SettlementError(message % {"amount": format_cents(max(limit_cents, 0))})


def _household_of(money: Positions, household: User) -> None:
    if household.pk not in money.households:
        raise SettlementError(_("This household has no money on this cycle."))


def record_transfer(
    *, cycle: Cycle, household: User, amount_cents: int, memo: str, by: User, key: str
) -> Entry:
    """A transfer from ``household`` reached the bank: it pays what the household owes, producer
    by producer (``positions.allocate``); anything beyond stays as the household's credit."""
    _check_amount(amount_cents)
    with _locked(cycle) as locked:
        if (done := _posted(key)) is not None:
            return done
        money = cycle_positions(locked)
        _household_of(money, household)
        owed = money.households[household.pk].owed_by_producer()
        producers = Producer.objects.in_bulk(owed)
        shares, _left = allocate({producers[pk]: cents for pk, cents in owed.items()}, amount_cents)
        return ledger.bank_transfer(
            _context(locked, by, key, memo), household=household, amount_cents=amount_cents, shares=shares
        )


def record_deposit(
    *, cycle: Cycle, amount_cents: int, method: Method, memo: str, by: User, key: str
) -> Entry:
    """Cheques (or cash) the welcome desk collected, paid into the bank; never more than it holds."""
    _check_amount(amount_cents)
    if method not in (Method.CHEQUE, Method.CASH):
        raise SettlementError(_("Only cheques and cash are deposited."))
    with _locked(cycle) as locked:
        if (done := _posted(key)) is not None:
            return done
        held = cycle_positions(locked).desk_cents
        _at_most(amount_cents, held, _("The desk holds only %(amount)s for this cycle."))
        return ledger.deposit(_context(locked, by, key, memo), amount_cents=amount_cents, method=method)


def pay_producer(
    *,
    cycle: Cycle,
    producer: Producer,
    amount_cents: int,
    from_account: Account,
    method: Method,
    memo: str,
    by: User,
    key: str,
) -> Entry:
    """The association paid ``producer`` what it collected for it (desk payments, transfers, the fund,
    write-offs); never more than it owes it, nor more than the desk holds when paid from the desk."""
    _check_amount(amount_cents)
    if from_account not in (Account.BANK, Account.DESK):
        raise SettlementError(_("The association pays from the bank or from the desk's cash."))
    with _locked(cycle) as locked:
        if (done := _posted(key)) is not None:
            return done
        money = cycle_positions(locked)
        if producer.pk not in money.producers:
            raise SettlementError(_("This producer has no money on this cycle."))
        owes = money.producers[producer.pk].association_owes_cents
        _at_most(amount_cents, owes, _("The association owes this producer %(amount)s."))
        if from_account == Account.DESK:
            _at_most(amount_cents, money.desk_cents, _("The desk holds only %(amount)s for this cycle."))
        return ledger.producer_payment(
            _context(locked, by, key, memo),
            producer=producer,
            amount_cents=amount_cents,
            from_account=from_account,
            method=method,
        )


def write_off(
    *,
    cycle: Cycle,
    household: User,
    producer: Producer | None,
    amount_cents: int,
    reason: str,
    confirmed: bool,
    by: User,
    key: str,
) -> Entry:
    """The association gives up what ``household`` still owes for ``producer``'s goods (or in all,
    without a producer), with a reason; above ``WRITEOFF_CONFIRM_ABOVE_CENTS`` only when confirmed."""
    _check_amount(amount_cents)
    if not reason.strip():
        raise SettlementError(_("Say why this amount is written off."))
    if amount_cents > WRITEOFF_CONFIRM_ABOVE_CENTS and not confirmed:
        raise SettlementError(
            _("Writing off more than %(limit)s needs your confirmation: tick the box and send again.")
            % {"limit": format_cents(WRITEOFF_CONFIRM_ABOVE_CENTS)}
        )
    with _locked(cycle) as locked:
        if (done := _posted(key)) is not None:
            return done
        money = cycle_positions(locked)
        _household_of(money, household)
        position = money.households[household.pk]
        owed = position.part(producer.pk).owed_cents if producer else position.owed_cents
        _at_most(amount_cents, owed, _("This household owes only %(amount)s here."))
        return ledger.writeoff(
            _context(locked, by, key, reason.strip()),
            household=household,
            amount_cents=amount_cents,
            producer=producer,
        )


def refund(
    *,
    cycle: Cycle,
    household: User,
    amount_cents: int,
    from_account: Account,
    method: Method,
    memo: str,
    by: User,
    key: str,
) -> Entry:
    """The association gives ``household`` back what it paid beyond what it owed; never more."""
    _check_amount(amount_cents)
    if from_account not in (Account.BANK, Account.DESK):
        raise SettlementError(_("The association refunds from the bank or from the desk's cash."))
    with _locked(cycle) as locked:
        if (done := _posted(key)) is not None:
            return done
        money = cycle_positions(locked)
        _household_of(money, household)
        credit = -money.households[household.pk].owed_cents
        _at_most(amount_cents, credit, _("This household has only %(amount)s of credit."))
        if from_account == Account.DESK:
            _at_most(amount_cents, money.desk_cents, _("The desk holds only %(amount)s for this cycle."))
        return ledger.refund(
            _context(locked, by, key, memo),
            household=household,
            amount_cents=amount_cents,
            from_account=from_account,
            method=method,
        )


def correct(
    *, cycle: Cycle, entry: Entry, amount_cents: int, reason: str, by: User, key: str
) -> Entry | None:
    """Correct ``entry`` of ``cycle`` to ``amount_cents`` (0 cancels it), with a reason: its reversal
    and the new entry, the only change a settled cycle takes. Returns the new entry (None: cancelled)."""
    if amount_cents < 0 or amount_cents > MAX_AMOUNT_CENTS:
        raise SettlementError(
            _("Enter an amount between 0 and %(max)s.") % {"max": format_cents(MAX_AMOUNT_CENTS)}
        )
    if not reason.strip():
        raise SettlementError(_("Say why this entry is corrected."))
    if entry.cycle_id != cycle.pk:
        raise SettlementError(_("This entry is not of this cycle."))
    with _locked(cycle, corrections=True) as locked:
        try:
            _reversal, fixed = ledger.correct(
                _context(locked, by, key, reason.strip()), entry=entry, amount_cents=amount_cents
            )
        except ledger.LedgerError as error:
            raise SettlementError(str(error)) from None
        return fixed


def settle(*, cycle: Cycle, by: User) -> Cycle:
    """Settle the cycle (``cycles.services.STEPS``): refused, with what is outstanding, unless every
    account balances; a second treasurer settling at the same time is told it is done already."""
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.settled_at is not None:
            raise SettlementError(already_settled(locked))
        try:
            return cycles.settle(cycle=locked, by=by)
        except cycles.CycleError as error:
            raise SettlementError(str(error)) from None


def already_settled(cycle: Cycle) -> str:
    event = CycleEvent.objects.filter(cycle=cycle, step=Step.SETTLE).select_related("by").last()
    when = (
        formats.date_format(timezone.localtime(cycle.settled_at), "DATETIME_FORMAT")
        if cycle.settled_at
        else ""
    )
    if event is not None and event.by is not None:
        return _("This cycle was settled already, by %(name)s on %(when)s.") % {
            "name": event.by.display_name,
            "when": when,
        }
    return _("This cycle was settled already, on %(when)s.") % {"when": when}


# --- Reminders ---------------------------------------------------------------------------------


def to_remind(money: Positions, reminders: dict[int, Reminder], now: datetime) -> list[int]:
    """Households that owe something and were not reminded for this cycle since ``REMIND_EVERY``."""
    cutoff = now - REMIND_EVERY
    return sorted(
        position.household_id
        for position in money.households_owing()
        if position.household_id not in reminders or reminders[position.household_id].sent_at <= cutoff
    )


def remind(*, cycle: Cycle, by: User, now: datetime | None = None) -> list[int]:
    """Claim the reminders due now and send them after commit; returns the households claimed.

    A claim is a guarded update (or a new row) stamped ``now``: of two treasurers pressing
    the button at once, each household is claimed by one of them only, and never twice
    within ``REMIND_EVERY``. Nobody who owes nothing is claimed (the task checks again).
    """
    from cabas.settlement.tasks import send_payment_reminders

    now = now or timezone.now()
    with transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk").get()
        reminders = {r.household_id: r for r in Reminder.objects.filter(cycle=cycle)}
        due = to_remind(cycle_positions(cycle), reminders, now)
        if not due:
            return []
        Reminder.objects.filter(cycle=cycle, household_id__in=due, sent_at__lte=now - REMIND_EVERY).update(
            sent_at=now, sent_by=by, count=F("count") + 1
        )
        Reminder.objects.bulk_create(
            [
                Reminder(cycle=cycle, household_id=pk, sent_at=now, sent_by=by)
                for pk in due
                if pk not in reminders
            ],
            ignore_conflicts=True,
        )
        claimed = list(
            Reminder.objects.filter(cycle=cycle, household_id__in=due, sent_at=now, sent_by=by)
            .order_by("household_id")
            .values_list("household_id", flat=True)
        )
        transaction.on_commit(lambda: send_payment_reminders.enqueue(cycle.pk, claimed))
    return claimed


def new_key() -> str:
    """A fresh idempotency token for a form."""
    return uuid.uuid4().hex
