"""The bank's workflows: keep an uploaded statement as a preview, confirm it, reconcile a line later.

Nothing reaches the ledger before ``confirm``: ``create_import`` stores the
lines of an unconfirmed import (the preview), which count for nothing.
``confirm`` posts every decided line's entry and keeps the lines, in one
transaction: a refusal anywhere (a cycle settled meanwhile, a line imported
meanwhile) writes nothing. A second confirm of the same import finds it
confirmed and does nothing; each posting's idempotency key is the line's
fingerprint, so a line is posted once whatever happens.

A transfer for a basket is split over what the household still owes each
producer on that cycle (``positions.allocate``); what is left pays what the
household promised the solidarity fund with that basket and has not paid yet
(its own ``contribution`` entry: producers first, then the fund), and the rest
is kept as credit. A top-up (prepaid groups) credits the household's account; a
gift to the fund records a ``solidarity.Gift`` from the household chosen, or from
the name on the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, User
from cabas.bank.matching import fingerprints
from cabas.bank.models import StatementImport, StatementLine, Status
from cabas.bank.statements import Statement
from cabas.catalog.models import Producer
from cabas.cycles.baskets import basket
from cabas.cycles.models import Cycle, Order
from cabas.ledger import fund_positions, positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, Method
from cabas.solidarity.gifts import GiftRefused, record_gift


class BankError(Exception):
    """A decision that cannot be applied; the message is for the treasurer. Nothing was written."""


@dataclass(frozen=True)
class Decision:
    """What to do with one credit line: ``later`` (to reconcile), ``ignore``, ``basket``, ``topup`` or
    ``gift`` (to the solidarity fund; the household is the donor, or None: the line's label names them)."""

    kind: str
    household: User | None = None
    cycle: Cycle | None = None


LATER = Decision("later")


def create_import(*, group: BuyingGroup, by: User, filename: str, statement: Statement) -> StatementImport:
    """Keep a statement's lines as an unconfirmed import (the preview): no ledger entry."""
    with transaction.atomic():
        statement_import = StatementImport.objects.create(
            group=group, created_by=by, filename=filename[:200], format=statement.format
        )
        StatementLine.objects.bulk_create(
            StatementLine(
                statement=statement_import,
                group=group,
                position=position,
                date=line.date,
                amount_cents=line.amount_cents,
                label=line.label,
                bank_id=line.bank_id,
                fingerprint=fingerprint,
            )
            for position, (line, fingerprint) in enumerate(
                zip(statement.lines, fingerprints(statement.lines), strict=True), start=1
            )
        )
    return statement_import


class _Owed:
    """What households still owe per producer, per cycle, lowered as transfers are allocated."""

    def __init__(self) -> None:
        self.by_cycle: dict[int, positions.Positions] = {}
        self.producers: dict[int, Producer] = {}
        self.promised: dict[tuple[int, int], int] = {}  # (cycle, household) -> promise left to pay

    def contribution_left(self, cycle: Cycle, household: User, amount_cents: int) -> int:
        """What of ``amount_cents`` goes to the household's promise to the fund on ``cycle``
        (after its producers' parts), lowered as transfers are allocated."""
        key = (cycle.pk, household.pk)
        if key not in self.promised:
            order = Order.objects.filter(cycle=cycle, user=household).select_related("user").first()
            promised = basket(order).contribution_cents if order is not None else 0
            paid = fund_positions.contributions_paid(cycle, household).get(household.pk, 0) if promised else 0
            self.promised[key] = max(promised - paid, 0)
        part = min(self.promised[key], max(amount_cents, 0))
        self.promised[key] -= part
        return part

    def shares(self, cycle: Cycle, household: User, amount_cents: int) -> dict[Producer, int]:
        if cycle.pk not in self.by_cycle:
            self.by_cycle[cycle.pk] = positions.cycle_positions(cycle)
        position = self.by_cycle[cycle.pk].household(household.pk)
        by_id, _left = positions.allocate(position.owed_by_producer(), amount_cents)
        missing = set(by_id) - set(self.producers)
        if missing:
            self.producers.update(Producer.objects.in_bulk(missing))
        for producer_id, cents in by_id.items():
            position.part(producer_id).owed_cents -= cents
        return {self.producers[pid]: cents for pid, cents in by_id.items()}


def _post(line: StatementLine, decision: Decision, by: User, owed: _Owed) -> Entry | None:
    if decision.kind in ("later", "ignore"):
        return None
    key = f"bank:{line.group_id}:{line.fingerprint[:60]}"
    if decision.kind == "gift":
        return _gift(line, decision, by, key)
    if decision.household is None:
        raise BankError(_("Choose the household the transfer comes from."))
    memo = _("Bank statement, %(date)s: %(label)s") % {
        "date": line.date.strftime("%d/%m/%Y"),
        "label": line.label,
    }
    if decision.kind == "topup":
        if not line.group.prepaid:
            raise BankError(_("This group has no prepaid accounts: match the transfer to a basket."))
        context = ledger.Context(group=line.group, by=by, memo=memo, source=f"bank:{line.pk}", key=key)
        return ledger.topup(context, household=decision.household, amount_cents=line.amount_cents)
    if decision.cycle is None:
        raise BankError(_("Choose the cycle the transfer pays for."))
    context = ledger.Context(
        group=line.group, by=by, cycle=decision.cycle, memo=memo, source=f"bank:{line.pk}", key=key
    )
    shares = owed.shares(decision.cycle, decision.household, line.amount_cents)
    # The producers' parts first, then what the household promised the fund, the rest as credit.
    to_fund = owed.contribution_left(
        decision.cycle, decision.household, line.amount_cents - sum(shares.values())
    )
    entry = None
    if line.amount_cents - to_fund:
        entry = ledger.bank_transfer(
            context, household=decision.household, amount_cents=line.amount_cents - to_fund, shares=shares
        )
    if to_fund:
        gift = ledger.contribution(
            replace(context, key=f"{key}:fund"[:80]),
            amount_cents=to_fund,
            into=Account.BANK,
            method=Method.TRANSFER,
            household=decision.household,
        )
        entry = entry or gift
    return entry


def _gift(line: StatementLine, decision: Decision, by: User, key: str) -> Entry | None:
    """A gift to the solidarity fund: from the household chosen, or from the name on the line."""
    try:
        gift = record_gift(
            group=line.group,
            by=by,
            amount_cents=line.amount_cents,
            method=Method.TRANSFER,
            received_on=min(line.date, timezone.localdate()),
            donor=decision.household,
            donor_name=line.label[:120] or _("Bank transfer"),
            note=_("Bank statement, %(date)s") % {"date": line.date.strftime("%d/%m/%Y")},
            key=f"{key}:gift"[:80],
        )
    except GiftRefused as refused:
        raise ledger.LedgerError(str(refused)) from None
    return gift.entry


STATUS = {
    "later": Status.UNMATCHED,
    "ignore": Status.IGNORED,
    "basket": Status.MATCHED,
    "topup": Status.TOPUP,
    "gift": Status.GIFT,
}


def _apply(line: StatementLine, decision: Decision, by: User, owed: _Owed, now: datetime) -> None:
    try:
        line.entry = _post(line, decision, by, owed)
    except ledger.LedgerError as error:
        raise BankError(
            _("Line of %(date)s (%(label)s): %(error)s")
            % {"date": line.date.strftime("%d/%m/%Y"), "label": line.label[:60], "error": error}
        ) from None
    line.status = STATUS[decision.kind]
    posted = line.entry is not None
    line.household = decision.household if posted else None
    line.cycle = decision.cycle if posted and decision.kind == "basket" else None
    line.decided_at, line.decided_by = (now, by) if decision.kind != "later" else (None, None)


def confirm(*, statement_import: StatementImport, by: User, decisions: Mapping[int, Decision]) -> bool:
    """Post the import's lines as decided (line id -> decision; a credit line not named stays to
    reconcile), all or nothing. False if the import was confirmed already (nothing done)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = StatementImport.objects.filter(
                pk=statement_import.pk, confirmed_at__isnull=True
            ).update(confirmed_at=now, confirmed_by=by)
            if not claimed:
                return False
            lines = list(statement_import.lines.select_related("group").order_by("position"))
            kept = set(
                StatementLine.objects.filter(
                    group=statement_import.group,
                    kept=True,
                    fingerprint__in=[line.fingerprint for line in lines],
                ).values_list("fingerprint", flat=True)
            )
            owed = _Owed()
            for line in lines:
                if line.fingerprint in kept:
                    line.status = Status.DUPLICATE
                    continue
                line.kept = True
                if line.amount_cents < 0:
                    line.status = Status.DEBIT
                else:
                    _apply(line, decisions.get(line.pk, LATER), by, owed, now)
            StatementLine.objects.bulk_update(
                lines, ["kept", "status", "household", "cycle", "entry", "decided_at", "decided_by"]
            )
    except IntegrityError:
        raise BankError(
            _("These lines were imported meanwhile by someone else: nothing was changed.")
        ) from None
    return True


def reconcile(*, line: StatementLine, by: User, decision: Decision) -> bool:
    """Match (or ignore) a line left to reconcile. False if it was decided meanwhile (nothing done)."""
    if decision.kind == "later":
        return False
    with transaction.atomic():
        locked = (
            StatementLine.objects.select_for_update()
            .select_related("group")
            .filter(pk=line.pk, status=Status.UNMATCHED, kept=True)
        )
        current = locked.first()
        if current is None:
            return False
        _apply(current, decision, by, _Owed(), timezone.now())
        current.save(update_fields=["status", "household", "cycle", "entry", "decided_at", "decided_by"])
    return True


def discard(*, statement_import: StatementImport) -> bool:
    """Drop an unconfirmed import (its preview). False if it was confirmed meanwhile."""
    with transaction.atomic():
        if statement_import.confirmed_at is not None:
            return False
        deleted, _rows = StatementImport.objects.filter(
            pk=statement_import.pk, confirmed_at__isnull=True
        ).delete()
        return bool(deleted)


def debit_prepaid(*, cycle: Cycle, by: User) -> int:
    """Prepaid groups: pay what each household still owes on ``cycle`` from its prepaid account, as
    far as its credit goes (``ledger.services.prepaid_debit``); the number of households debited.

    The day already shows a prepaid basket as paid; this puts it in the books, so that the cycle's
    board sees the association (not the household) owing the producers. Running it again debits
    only what is still owed and covered; two requests at once compute the same key and post once.
    """
    group = cycle.group
    if not group.prepaid:
        raise BankError(_("This group has no prepaid accounts."))
    money = positions.cycle_positions(cycle)
    pools = positions.prepaid_pools(group)
    wanted = {hid: p.owed_by_producer() for hid, p in money.households.items() if pools.get(hid, 0) > 0}
    wanted = {hid: owed for hid, owed in wanted.items() if owed}
    households = User.objects.in_bulk(list(wanted))
    producers = Producer.objects.in_bulk({pid for owed in wanted.values() for pid in owed})
    debited = 0
    try:
        with transaction.atomic():
            for hid, owed in wanted.items():
                due = sum(owed.values())
                by_id, _left = positions.allocate(owed, min(pools[hid], due))
                context = ledger.Context(
                    group=group,
                    by=by,
                    cycle=cycle,
                    memo=_("Basket paid from the prepaid account"),
                    key=f"prepaid:{cycle.pk}:{hid}:{pools[hid]}:{due}"[:80],
                )
                shares = {producers[pid]: cents for pid, cents in by_id.items()}
                ledger.prepaid_debit(context, household=households[hid], shares=shares)
                debited += 1
    except ledger.LedgerError as error:
        raise BankError(str(error)) from None
    return debited
