"""Recording the day: one function applies an action from a stand or the desk, exactly once.

An ``Action`` comes from a device (a producer's phone, a desk tablet, or a
plain form) with an id made on that device. ``apply`` records it as an
``Event`` of the journal and, when it moves money, posts its ledger entry
(``cabas.ledger.services``) in the same transaction: the journal and the
ledger never disagree. The same action sent again (a retry after the wifi
dropped, a double tap) finds its event and changes nothing.

A weighing or a shortage changes the order line through the one write path
for lines (``cabas.cycles.lines.change_lines``), with the one rounding helper;
if the line had already been handed over, its ledger entry is reversed and
posted again at the new amount.

Conflicts are kept, never dropped: a second payment recorded for the same
household at the same stand, or a stand payment for a part already paid at
the desk, is recorded and flagged for the coordinators to resolve.

Actions on one household are serialised by locking its order row, so a desk
payment and a stand payment at the same second see each other.

A payment of the whole basket at the desk pays the producers' parts first (less
what the solidarity fund covers for a household it helps), then what the
household promised the fund with its basket and has not paid yet (a
``contribution`` entry of its own, keyed after the payment's, reversed with it
when the payment is cancelled); anything beyond is the household's credit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.catalog.models import Producer
from cabas.cycles.lines import Edit, Quota, change_lines
from cabas.cycles.models import ChangeKind, Cycle, Order, OrderLine, Phase
from cabas.distribution.models import Event, EventKind, ShortReason, Uncollected
from cabas.distribution.state import fold_journal, journal_rows
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Method
from cabas.lib.money import line_total_cents

MAX_GRAMS = 200_000  # 200 kg on one line: beyond, a typing mistake
MAX_AMOUNT_CENTS = 1_000_000  # 10,000 € in one payment
# The key suffix of the part of a desk payment that goes to the solidarity fund.
FUND_SUFFIX = ":fund"
KEY_LENGTH = 80  # the ledger's ``Entry.key``


# What a cancellation may undo (the history's « annuler » buttons read it too).
CANCELLABLE = (EventKind.HANDED, EventKind.PAID, EventKind.DESK_PAID, EventKind.ARRIVED, EventKind.SHORT)


class Refused(Exception):
    """The action cannot be applied; the message is for the person (nothing was written)."""


@dataclass(frozen=True)
class Action:
    device: str
    action: str
    kind: EventKind
    order_id: int
    producer_id: int | None = None
    line_id: int | None = None
    quantity: int | None = None
    grams: int | None = None
    amount_cents: int | None = None
    method: str = ""
    reason: str = ""
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    corrects: int | None = None  # the event id a cancellation or resolution points at
    happened_at: datetime | None = None


@dataclass(frozen=True)
class Scope:
    """What the person acting may do: one producer's stand, the desk, or everything."""

    producer_id: int | None = None  # a stand: only this producer's lines and payments
    desk: bool = False  # the welcome desk: arrivals and payments of whole baskets
    coordinator: bool = False  # everything, including decisions and resolutions

    def allows(self, action: Action) -> bool:
        if self.coordinator:
            return True
        if action.kind in (EventKind.UNCOLLECTED, EventKind.RESOLVED):
            return False
        desk_kinds = (EventKind.ARRIVED, EventKind.DESK_PAID, EventKind.CANCELLED)
        if self.desk and action.kind in desk_kinds and action.producer_id is None:
            return True
        return self.producer_id is not None and action.producer_id == self.producer_id


@dataclass(frozen=True)
class Outcome:
    event: Event
    duplicate: bool = False

    @property
    def conflict(self) -> bool:
        return self.event.conflict


def apply(*, cycle: Cycle, action: Action, by: User, scope: Scope) -> Outcome:
    """Record ``action`` once; raise ``Refused`` (nothing written) when it cannot be."""
    existing = _existing(action)
    if existing is not None:
        return Outcome(existing, duplicate=True)
    if not is_day_open(cycle):
        raise Refused(_("The distribution is not open: nothing can be recorded for this cycle now."))
    if action.kind in (EventKind.CANCELLED, EventKind.RESOLVED):
        # A correction belongs where the corrected event was recorded: its stand, or the desk.
        target = Event.objects.filter(pk=_id(action.corrects), cycle=cycle).values_list(
            "producer_id", flat=True
        )
        action = replace(action, producer_id=target.first())
    if not scope.allows(action):
        raise Refused(_("You cannot record this here."))
    try:
        with transaction.atomic():
            order = _lock_order(cycle, action.order_id)
            return Outcome(_APPLY[action.kind](cycle, order, action, by))
    except IntegrityError:
        # The same action arrived twice at once: the second finds the first's event.
        existing = _existing(action)
        if existing is None:
            raise
        return Outcome(existing, duplicate=True)


def is_day_open(cycle: Cycle) -> bool:
    """The day's actions are recorded once orders are final, until the day is closed."""
    return cycle.phase() == Phase.FINALISED


def _id(value: int | None) -> int:
    """An id the action must carry; without it there is nothing to act on."""
    if value is None:
        raise Refused(_("Something is missing in this action: reload the page."))
    return value


def _existing(action: Action) -> Event | None:
    return Event.objects.filter(device=action.device, action=action.action).first()


def _lock_order(cycle: Cycle, order_id: int) -> Order:
    order = Order.objects.select_for_update().select_related("user").filter(pk=order_id, cycle=cycle).first()
    if order is None:
        raise Refused(_("This basket is not part of this distribution."))
    return order


def _record(cycle: Cycle, order: Order, action: Action, by: User, **fields: Any) -> Event:
    values: dict[str, Any] = {
        "producer_id": action.producer_id,
        "line_id": action.line_id,
        "method": action.method,
        "reason": action.reason[:20],
        "note": action.note[:300],
        "details": action.details,
        **fields,
    }
    return Event.objects.create(
        cycle=cycle,
        order=order,
        kind=action.kind,
        device=action.device[:64],
        action=action.action[:64],
        happened_at=action.happened_at or timezone.now(),
        by=by,
        **values,
    )


def _key(device: str, action: str, suffix: str = "") -> str:
    """The ledger key of what one action of the day posts (``suffix`` tells its entries apart).

    A key fits the ledger's 80 characters whole: cut short, two suffixes would
    meet (``:reverse`` and ``:reverse:fund``, or the handovers of lines 1230 and
    1231 of one « tout remis ») and the second entry would be taken for the first
    already posted. Beyond 80 characters the device and action ids are hashed.
    """
    key = f"day:{device}:{action}{suffix}"
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(f"{device}:{action}".encode()).hexdigest()[:40]
    return f"day:{digest}{suffix}"[:KEY_LENGTH]


def _context(cycle: Cycle, action: Action, by: User, suffix: str = "", memo: str = "") -> ledger.Context:
    return ledger.Context(
        group=cycle.group,
        cycle=cycle,
        by=by,
        memo=memo,
        source=f"day:{action.device}:{action.action}"[:60],
        key=_key(action.device, action.action, suffix),
    )


def _line(order: Order, action: Action) -> OrderLine:
    line = (
        OrderLine.objects.select_related("offer__producer", "offer__cycle")
        .filter(pk=_id(action.line_id), order=order, offer__producer_id=_id(action.producer_id))
        .first()
    )
    if line is None:
        raise Refused(_("This line is not part of this basket at this stand."))
    return line


# --- Handing over, weighing, shortages -------------------------------------------------------


def _source(line: OrderLine) -> str:
    return f"line:{line.pk}"


def _current_handover(line: OrderLine) -> Entry | None:
    return (
        Entry.objects.filter(source=_source(line), kind=EntryKind.HANDOVER, reversed_by__isnull=True)
        .order_by("-pk")
        .first()
    )


def _post_handover(cycle: Cycle, order: Order, line: OrderLine, by: User, key: str) -> Entry | None:
    if not line.total_cents:
        return None
    context = ledger.Context(group=cycle.group, cycle=cycle, by=by, source=_source(line), key=key)
    return ledger.handover(
        context, household=order.user, producer=line.offer.producer, amount_cents=line.total_cents
    )


def _repost(cycle: Cycle, order: Order, line: OrderLine, action: Action, by: User) -> Entry | None:
    """The line's amount changed: if it was handed over, its entry follows the new amount.

    The entry posted at the old amount is reversed; a line handed over at 0 (all of it
    short) had none, and gets its first one if a cancelled shortage gives it an amount again.
    """
    current = _current_handover(line)
    if current is not None:
        ledger.reverse(_context(cycle, action, by, ":reverse", memo=_("New amount of a line")), entry=current)
    elif not _is_handed(line):
        return None
    return _post_handover(cycle, order, line, by, _key(action.device, action.action, ":new"))


def _is_handed(line: OrderLine) -> bool:
    """Handed over, by the journal: a HANDED event for the line that was not cancelled."""
    handed = line.day_events.filter(kind=EventKind.HANDED)
    return handed.exclude(corrections__kind=EventKind.CANCELLED).exists()


def _handed(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    line = _line(order, action)
    already = _current_handover(line) is not None or not line.total_cents
    entry = None if already else _post_handover(cycle, order, line, by, _key(action.device, action.action))
    return _record(
        cycle, order, action, by, quantity=line.quantity, amount_cents=line.total_cents, entry=entry
    )


def _set_line(
    line: OrderLine, *, quantity: int, total_cents: int, kind: ChangeKind, by: User, reason: str
) -> None:
    edit = Edit(
        offer=line.offer,
        order_id=line.order_id,
        line=line,
        quantity=quantity,
        requested=line.requested,
        total_cents=total_cents,
        quota=Quota.KEEP,
    )
    change_lines(edits=[edit], kind=kind, by=by, reason=reason)


def _weighed(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    line = _line(order, action)
    grams = action.grams
    if not line.offer.variable_weight:
        raise Refused(_("This product is not sold by weight."))
    if line.quantity == 0:
        # Every piece was reported not delivered: there is nothing to weigh, nor to owe.
        raise Refused(_("Nothing of this line was delivered: there is nothing to weigh."))
    if grams is None or not 0 < grams <= MAX_GRAMS:
        raise Refused(_("Enter the weight in grams, between 1 g and 200 kg."))
    # The one rounding helper: a price per kg times the actual weight, half up, to the cent.
    total = line_total_cents(line.offer.price_cents, 1000, grams_per_piece=grams)
    before = line.total_cents
    _set_line(
        line, quantity=line.quantity, total_cents=total, kind=ChangeKind.WEIGHING, by=by, reason=_("Weighed")
    )
    entry = _repost(cycle, order, line, action, by)
    details = {**action.details, "before_cents": before}
    return _record(cycle, order, action, by, grams=grams, amount_cents=total, entry=entry, details=details)


def _short(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    line = _line(order, action)
    missing = action.quantity
    if missing is None or not 0 < missing <= line.quantity:
        raise Refused(_("The quantity not delivered must be more than zero and at most what was ordered."))
    if not action.reason:
        raise Refused(_("Say why it was not delivered."))
    if action.reason not in ShortReason.values:
        raise Refused(_("Choose a reason from the list."))
    delivered = line.quantity - missing
    before = {"before_quantity": line.quantity, "before_cents": line.total_cents}
    total = line.offer.line_total(delivered)
    reason = str(ShortReason(action.reason).label)
    _set_line(line, quantity=delivered, total_cents=total, kind=ChangeKind.SHORTAGE, by=by, reason=reason)
    entry = _repost(cycle, order, line, action, by)
    details = {**action.details, **before}
    return _record(
        cycle, order, action, by, quantity=missing, amount_cents=total, entry=entry, details=details
    )


# --- Payments ------------------------------------------------------------------------------


def _check_amount(amount: int | None) -> int:
    if amount is None or not 0 < amount <= MAX_AMOUNT_CENTS:
        raise Refused(_("Enter an amount more than 0 €."))
    return amount


def _check_method(method: str) -> Method:
    if method not in Method.values:
        raise Refused(_("Choose how it was paid."))
    return Method(method)


# The details that belong to each way of paying; the others (a reference typed, then the
# method changed to cash) are dropped before anything is recorded.
METHOD_DETAILS: dict[str, tuple[str, ...]] = {
    Method.CHEQUE: ("number", "bank", "drawer"),
    Method.TRANSFER: ("reference",),
    Method.CASH: ("tendered",),
}


def payment_details(method: str, details: dict[str, Any]) -> dict[str, Any]:
    """Only the details of ``method``: a cheque's number, bank and drawer; a transfer's
    reference; the cash tendered; nothing for a card."""
    return {key: details[key] for key in METHOD_DETAILS.get(method, ()) if details.get(key)}


def _paid(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    amount = _check_amount(action.amount_cents)
    method = _check_method(action.method)
    producer = Producer.objects.filter(pk=_id(action.producer_id), offers__cycle=cycle).distinct().first()
    if producer is None:
        raise Refused(_("This producer is not part of this distribution."))
    day = fold_journal(journal_rows(cycle, order=order))
    others = day.stand_payments.get((order.pk, producer.pk), [])
    desk = any(producer.pk in p.shares for p in day.desk_payments.get(order.pk, []))
    entry = ledger.stand_payment(
        _context(cycle, action, by),
        household=order.user,
        producer=producer,
        amount_cents=amount,
        method=method,
    )
    details = payment_details(method, action.details)
    return _record(
        cycle,
        order,
        action,
        by,
        amount_cents=amount,
        entry=entry,
        conflict=bool(others) or desk,
        details=details,
    )


def _desk_paid(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    from cabas.distribution.state import member_household  # the basket's parts, as the desk showed them

    amount = _check_amount(action.amount_cents)
    method = _check_method(action.method)
    household = member_household(cycle, order)
    shares: dict[int, int] = {}
    rest = amount
    for stand in household.stands if household else ():
        # The solidarity fund's part of a stand is not the household's to pay.
        share = min(max(stand.left_cents - stand.fund_pending_cents, 0), rest)
        if share:
            shares[stand.producer.pk] = share
            rest -= share
    # The producers first, then what the household promised the fund; the rest is credit.
    to_fund = min(rest, household.contribution_left_cents if household else 0)
    rest -= to_fund
    producers = Producer.objects.in_bulk(list(shares))
    entry = None
    if shares or rest:
        entry = ledger.desk_payment(
            _context(cycle, action, by),
            household=order.user,
            shares={producers[pk]: cents for pk, cents in shares.items()},
            method=method,
            extra_cents=rest,
        )
    if to_fund:
        gift = ledger.contribution(
            _context(cycle, action, by, FUND_SUFFIX),
            amount_cents=to_fund,
            into=Account.DESK,
            method=method,
            household=order.user,
        )
        entry = entry or gift
    # The desk collected another figure than what was left: someone paid meanwhile.
    collected = sum(shares.values()) + to_fund
    conflict = rest > 0 or collected != (household.to_collect_cents if household else 0)
    details = {
        **payment_details(method, action.details),
        "shares": {str(pk): cents for pk, cents in shares.items()},
    }
    return _record(
        cycle,
        order,
        action,
        by,
        producer_id=None,
        amount_cents=amount,
        entry=entry,
        conflict=conflict,
        details=details,
    )


# --- Arrival, decisions, corrections -------------------------------------------------------


def _arrived(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    return _record(cycle, order, action, by, producer_id=None, line_id=None)


def _uncollected(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    if action.reason not in Uncollected.values:
        raise Refused(_("Choose what becomes of this basket."))
    entry = None
    if action.reason == Uncollected.CHARGED:
        for line in order.lines.select_related("offer__producer").filter(quantity__gt=0):
            if _current_handover(line) is None:
                entry = _post_handover(
                    cycle, order, line, by, _key(action.device, action.action, f":{line.pk}")
                )
    return _record(cycle, order, action, by, producer_id=None, line_id=None, entry=entry)


def _cancelled(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    target = (
        Event.objects.filter(pk=_id(action.corrects), order=order)
        .select_related("line__offer__producer")
        .first()
    )
    if target is None or target.kind not in CANCELLABLE:
        raise Refused(_("This cannot be cancelled."))
    if target.corrections.filter(kind=EventKind.CANCELLED).exists():
        raise Refused(_("This was already cancelled."))
    if not action.note.strip():
        raise Refused(_("Say why you cancel it."))
    _undo(cycle, order, target, action, by)
    return _record(
        cycle, order, action, by, producer_id=target.producer_id, line_id=target.line_id, corrects=target
    )


def _undo(cycle: Cycle, order: Order, target: Event, action: Action, by: User) -> None:
    context = _context(cycle, action, by, ":reverse", memo=action.note)
    if target.kind in (EventKind.PAID, EventKind.DESK_PAID) and target.entry is not None:
        if target.entry.kind != EntryKind.CONTRIBUTION:
            ledger.reverse(context, entry=target.entry)
        # The part of a desk payment that went to the fund is its own entry: undone with it.
        key = _key(target.device, target.action, FUND_SUFFIX)
        if (fund := Entry.objects.filter(key=key, kind=EntryKind.CONTRIBUTION).first()) is not None:
            ledger.reverse(
                _context(cycle, action, by, ":reverse" + FUND_SUFFIX, memo=action.note), entry=fund
            )
    elif target.kind == EventKind.HANDED and target.line is not None:
        others = target.line.day_events.filter(kind=EventKind.HANDED).exclude(pk=target.pk)
        still_handed = others.exclude(corrections__kind=EventKind.CANCELLED).exists()
        current = _current_handover(target.line)
        if current is not None and not still_handed:
            ledger.reverse(context, entry=current)
    elif target.kind == EventKind.SHORT and target.line is not None:
        line = OrderLine.objects.select_related("offer__producer").get(pk=_id(target.line_id))
        quantity = int(target.details.get("before_quantity", line.quantity))
        total = int(target.details.get("before_cents", line.offer.line_total(quantity)))
        _set_line(
            line, quantity=quantity, total_cents=total, kind=ChangeKind.SHORTAGE, by=by, reason=action.note
        )
        _repost(cycle, order, line, action, by)


def _resolved(cycle: Cycle, order: Order, action: Action, by: User) -> Event:
    target = Event.objects.filter(pk=_id(action.corrects), order=order, conflict=True).first()
    if target is None:
        raise Refused(_("There is no conflict to resolve here."))
    return _record(cycle, order, action, by, producer_id=target.producer_id, line_id=None, corrects=target)


_APPLY = {
    EventKind.ARRIVED: _arrived,
    EventKind.HANDED: _handed,
    EventKind.WEIGHED: _weighed,
    EventKind.SHORT: _short,
    EventKind.PAID: _paid,
    EventKind.DESK_PAID: _desk_paid,
    EventKind.UNCOLLECTED: _uncollected,
    EventKind.CANCELLED: _cancelled,
    EventKind.RESOLVED: _resolved,
}
