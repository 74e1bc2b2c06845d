"""Saving a basket: the one write path for order lines, correct under a rush.

A basket change is a list of ``LineChange(offer_id, expected, quantity)``:
``expected`` is the quantity the member's page showed. A line whose stored
quantity is no longer ``expected`` was changed elsewhere (another tab, a
coordinator): it is reported as a conflict, never overwritten. A double submit
asks for what is already stored and changes nothing.

First-come quotas are taken with a guarded update
(``remaining >= delta``) plus a check constraint, so two members never buy
the last unit twice, on SQLite as on PostgreSQL. If anything in a basket
cannot be applied, nothing is: the member gets their typed values back with
what is still available.

A change may also carry a ``tolerance`` for a product sold by the carton ("I
would take up to 2 more", to fill the group's carton at closing): ``None``
keeps the stored one; a change of tolerance alone is a change of the line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.cycles import tasks
from cabas.cycles.allocation import allocate
from cabas.cycles.lines import Edit, Quota, QuotaExceeded, change_lines
from cabas.cycles.models import ChangeKind, Cycle, Offer, Order, OrderLine, Phase
from cabas.lib.money import MAX_LINE_TOTAL_CENTS
from cabas.lib.quantities import ONE, format_quantity


@dataclass(frozen=True)
class LineChange:
    offer_id: int
    quantity: int
    expected: int | None = None  # what the page showed; None: do not check
    tolerance: int | None = None  # "I would take up to ... more"; None: keep the stored one


@dataclass
class BasketResult:
    """What happened. ``ok`` is False when nothing was written."""

    order: Order | None = None
    errors: dict[int, str] = field(default_factory=dict)  # offer id -> message for the member
    quota_left: dict[int, int] = field(default_factory=dict)  # offer id -> the most they can have
    stale: dict[int, int] = field(default_factory=dict)  # offer id -> quantity stored meanwhile
    changed: list[int] = field(default_factory=list)
    refused: str = ""  # a reason that concerns the whole basket
    unconfirmed: str = ""  # the lines are saved, the confirmation was refused: why (for the member)
    # Once written: the member's lines as they now stand (offer id -> line, its offer loaded; a
    # line created by this save has no id), and the offers as read inside the transaction. The
    # page answering a +/- shows them instead of reading the basket again.
    lines: dict[int, OrderLine] | None = None
    offers: dict[int, Offer] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.errors or self.quota_left or self.stale or self.refused)


# Checks a basket must pass to be confirmed, run in its transaction once its lines are written:
# each returns why the confirmation is refused ("" if it is not). Higher layers register theirs
# (prepaid groups: the balance must cover the basket) so this module imports none of them.
CONFIRM_CHECKS: list[Callable[[Order], str]] = []


class _Rollback(Exception):
    """Raised inside the transaction to undo every line of a basket that cannot be applied."""


def change_kind(cycle: Cycle, member: User, by: User) -> ChangeKind:
    if by.pk == member.pk and cycle.phase() == Phase.OPEN:
        return ChangeKind.MEMBER
    return ChangeKind.ON_BEHALF if cycle.phase() == Phase.OPEN else ChangeKind.ADJUSTMENT


def save_basket(
    *,
    cycle: Cycle,
    member: User,
    changes: Iterable[LineChange],
    by: User,
    reason: str = "",
    notify: bool = False,
    confirm: bool = False,
    offers: Mapping[int, Offer] | None = None,
) -> BasketResult:
    """Apply ``changes`` to ``member``'s basket in ``cycle``, all or nothing.

    The member may change their basket while the cycle is open; a coordinator
    (``by`` other than ``member``, permission checked by the view) also while it
    is scheduled or closed, and must then give a ``reason`` once it is closed.
    With ``notify`` the member is e-mailed every change they were not yet told
    of, this save's and earlier ones (a coordinator's +/- taps save line by line
    without e-mailing; the save button then tells the member once); with
    ``confirm`` the basket is marked confirmed and its confirmation e-mailed
    (both after commit, and only if the basket was saved).

    ``offers``: the offers of ``changes`` if the caller has already read them
    (by id; a +/- reads its offer to check it belongs to the cycle), to save
    reading them twice; they are read again inside the transaction anyway.
    """
    # One change per offer (a crafted form could repeat one): the last one wins.
    changes = list({c.offer_id: c for c in changes}.values())
    result = BasketResult()
    if refusal := _refusal(cycle, member, by, reason):
        result.refused = refusal
        return result
    wanted = {c.offer_id for c in changes}
    if offers is None or not wanted <= offers.keys():
        offers = {o.pk: o for o in cycle.offers.filter(pk__in=wanted)}
    offers = {pk: offer for pk, offer in offers.items() if pk in wanted and offer.cycle_id == cycle.pk}
    _check_rules(changes, offers, result, max_units=cycle.group.max_line_units)
    if not result.ok:
        return result
    if cycle.phase() == Phase.CLOSED:
        # Fair shares are split before any adjustment; from then on their
        # remaining quota is taken like a first-come one.
        allocate(cycle)
        cycle.refresh_from_db(fields=["allocated_at"])
    try:
        with transaction.atomic():
            order = _write_basket(result, cycle, member, changes, offers, by=by, reason=reason, notify=False)
            if notify:
                transaction.on_commit(partial(tasks.send_order_changes.enqueue, order.pk))
            if confirm:
                result.unconfirmed = next(filter(None, (check(order) for check in CONFIRM_CHECKS)), "")
                if not result.unconfirmed:
                    _confirm(order)
    except _Rollback:
        result.changed, result.lines = [], None
    return result


def _write_basket(
    result: BasketResult,
    cycle: Cycle,
    member: User,
    changes: list[LineChange],
    offers: dict[int, Offer],
    *,
    by: User,
    reason: str,
    notify: bool,
) -> Order:
    """Inside the basket's transaction: lock, apply; raise ``_Rollback`` if anything cannot be applied."""
    # Offers before the order: the lock order of every write (see ``_offers_on_sale``).
    offers = result.offers = _offers_on_sale(offers, changes, result)
    if not result.ok:
        raise _Rollback
    result.order = _order_for(cycle, member)
    kind, allocated = change_kind(cycle, member, by), cycle.allocated_at is not None
    _apply(result, changes, offers, by=by, kind=kind, reason=reason, allocated=allocated, notify=notify)
    if not result.ok:
        raise _Rollback
    return result.order


def _confirm(order: Order) -> None:
    """The member confirmed their basket: stamp it and send the confirmation after commit."""
    Order.objects.filter(pk=order.pk).update(submitted_at=timezone.now())
    transaction.on_commit(partial(tasks.send_confirmation.enqueue, order.pk))


def _refusal(cycle: Cycle, member: User, by: User, reason: str) -> str:
    phase = cycle.phase()
    if by.pk == member.pk:
        if phase != Phase.OPEN:
            return _("Orders for this cycle are closed: your basket can no longer change.")
        return ""
    if not cycle.accepts_adjustments():
        return _("This cycle is finalised: orders can no longer change.")
    if phase == Phase.CLOSED and not reason.strip():
        return _("Give the reason for the change: the member will be told.")
    return ""


def _check_rules(
    changes: list[LineChange], offers: dict[int, Offer], result: BasketResult, *, max_units: int
) -> None:
    for change in changes:
        offer = offers.get(change.offer_id)
        if offer is None:
            result.refused = _("This product is not on sale in this cycle.")
        elif message := (
            check_line_maximum(offer, change.quantity, change.tolerance or 0, max_units=max_units)
            or offer_quantity_error(offer, change.quantity)
            or tolerance_error(offer, change)
        ):
            result.errors[change.offer_id] = message


def check_line_maximum(offer: Offer, quantity: int, tolerance: int = 0, *, max_units: int) -> str:
    """Why ``quantity`` (plus the extra ``tolerance``) is too much for one line; empty when it is not.

    ``max_units`` is the group's setting (``BuyingGroup.max_line_units``),
    itself within the ceiling a check constraint keeps; the quota, when there
    is one, is taken afterwards and may allow less.
    """
    if not quantity:
        return ""
    most = max_units * ONE
    if quantity + tolerance > most:
        most -= most % offer.quantity_step
        return _("At most %(max)s per order line.") % {"max": format_quantity(most)}
    if offer.line_total(quantity) > MAX_LINE_TOTAL_CENTS:
        return _("This is too large an amount for one order line: order less.")
    return ""


def tolerance_error(offer: Offer, change: LineChange) -> str:
    """Why the tolerance of ``change`` cannot be stored, in the member's words; empty when it can."""
    tolerance = change.tolerance
    if not tolerance or not change.quantity:
        return ""  # without a quantity the line goes, and its tolerance with it
    if not offer.carton_size:
        return _("This product is not sold by the carton: no extra to give.")
    if tolerance % offer.quantity_step:
        return _("Give the extra in steps of %(step)s.") % {"step": format_quantity(offer.quantity_step)}
    if offer.member_cap is not None and change.quantity + tolerance > offer.member_cap:
        return _("At most %(cap)s per member: you could take up to %(room)s more.") % {
            "cap": format_quantity(offer.member_cap),
            "room": format_quantity(offer.room_under_cap(change.quantity, tolerance)),
        }
    return ""


def offer_quantity_error(offer: Offer, quantity: int) -> str:
    """Why ``quantity`` cannot be ordered, in the member's words; empty when it can."""
    if quantity == 0:
        return ""
    if not offer.is_available:
        return _("This product has been withdrawn.")
    if quantity % offer.quantity_step:
        return _("Order in steps of %(step)s.") % {"step": format_quantity(offer.quantity_step)}
    if quantity < offer.min_quantity:
        return _("At least %(min)s.") % {"min": format_quantity(offer.min_quantity)}
    if offer.member_cap is not None and quantity > offer.member_cap:
        return _("At most %(cap)s per member.") % {"cap": format_quantity(offer.member_cap)}
    return ""


def _order_for(cycle: Cycle, member: User) -> Order:
    """The member's order, locked: two requests of one member (a double click) run one after the other.

    (On SQLite the IMMEDIATE transaction already serialises writers; on
    PostgreSQL the row lock does.)
    """
    locked = Order.objects.select_for_update()
    try:
        return locked.get(cycle=cycle, user=member)  # the usual case: one query
    except Order.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            Order.objects.create(cycle=cycle, user=member)
    except IntegrityError:  # the same member's other tab created it a moment ago
        pass
    return locked.get(cycle=cycle, user=member)


def _apply(
    result: BasketResult,
    changes: list[LineChange],
    offers: dict[int, Offer],
    *,
    by: User,
    kind: ChangeKind,
    reason: str,
    allocated: bool,
    notify: bool,
) -> None:
    """The basket's edits, written through ``lines.change_lines``; stale lines and short quotas reported."""
    assert result.order is not None
    # With their offers: the answer to a +/- adds up the basket from these lines (``result.lines``).
    lines = {line.offer_id: line for line in result.order.lines.select_related("offer")}
    edits = []
    # In offer order: quotas are updated (row-locked) in one global order, so two
    # baskets listing the same scarce offers in different orders cannot deadlock.
    for change in sorted(changes, key=lambda c: c.offer_id):
        line = lines.get(change.offer_id)
        offer = offers[change.offer_id]
        edit = _edit(change, offer, line, order_id=result.order.pk, allocated=allocated, stale=result.stale)
        if edit is not None:
            edits.append(edit)
    try:
        change_lines(edits=edits, kind=kind, by=by, reason=reason, notify=notify, drop_empty=True)
    except QuotaExceeded as short:
        for offer_id, left in short.left.items():
            result.quota_left[offer_id] = _most(offers[offer_id], lines.get(offer_id), left)
        return
    result.changed = [edit.offer.pk for edit in edits]
    result.lines = _written(lines, edits, order_id=result.order.pk)


def _written(lines: dict[int, OrderLine], edits: list[Edit], *, order_id: int) -> dict[int, OrderLine]:
    """The basket's lines after ``change_lines`` wrote ``edits`` (which updated the stored lines in place)."""
    for edit in edits:
        if not edit.quantity:
            lines.pop(edit.offer.pk, None)  # an emptied line is deleted (``drop_empty``)
        elif edit.line is None:
            lines[edit.offer.pk] = OrderLine(
                order_id=order_id,
                offer=edit.offer,
                quantity=edit.quantity,
                requested=edit.requested_value,
                total_cents=edit.new_total,
                tolerance=edit.tolerance or 0,
            )
    return lines


def _edit(
    change: LineChange,
    offer: Offer,
    line: OrderLine | None,
    *,
    order_id: int,
    allocated: bool,
    stale: dict[int, int],
) -> Edit | None:
    """What ``change`` does to ``line``: None when nothing (a double submit) or when it is ``stale``."""
    requested = line.requested if line else 0
    tolerance = _tolerance(offer, line, change)
    if change.quantity == requested and tolerance == (line.tolerance if line else 0):
        return None  # nothing to do: a double submit, or the same value again
    if change.expected is not None and change.expected != requested:
        stale[change.offer_id] = requested
        return None
    if change.quantity == requested:
        # The tolerance alone: no quantity, quota or amount moves, nothing to tell.
        assert line is not None  # a line without quantity has no tolerance to change
        return Edit(
            offer=offer,
            order_id=order_id,
            line=line,
            quantity=line.quantity,
            requested=line.requested,
            total_cents=line.total_cents,
            tolerance=tolerance,
        )
    # A fair share asked for while open is split at the deadline, not taken now.
    quota = Quota.KEEP if offer.is_fair_share and not allocated else Quota.MOVE
    return Edit(
        offer=offer, order_id=order_id, line=line, quantity=change.quantity, tolerance=tolerance, quota=quota
    )


def _most(offer: Offer, line: OrderLine | None, left: int) -> int:
    """The most the member can have of ``offer`` with ``left`` of its quota: an orderable quantity, or 0."""
    most = (line.quantity if line else 0) + left
    most -= most % offer.quantity_step
    # What we offer back must itself be orderable: below the minimum, it is nothing.
    return most if most >= offer.min_quantity else 0


def _offers_on_sale(
    offers: dict[int, Offer], changes: list[LineChange], result: BasketResult
) -> dict[int, Offer]:
    """The offers of ``changes`` read again inside the basket's transaction, and still on sale.

    A coordinator may withdraw a product, change its price or round its
    cartons while the basket is being saved. On PostgreSQL the rows are read
    ``FOR KEY SHARE``, first thing in the transaction: those writes lock the
    offer ``FOR UPDATE`` first, so they wait for this basket and then see its
    line, or this basket waits for them and then sees their change. Baskets
    do not block one another (their quota updates take ``FOR NO KEY UPDATE``,
    which that lock allows). The lock order of every write is therefore:
    offers, then orders, then lines; a basket holding its order never waits
    for an offer. SQLite runs one write transaction at a time: a plain read
    inside it is enough.
    """
    ids = sorted(change.offer_id for change in changes)
    table = Offer._meta.db_table
    if connection.vendor == "postgresql":
        query = f"SELECT * FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE"
        fresh = {offer.pk: offer for offer in Offer.objects.raw(query, [ids])}
    else:
        fresh = Offer.objects.in_bulk(ids)
    wanted = {change.offer_id for change in changes if change.quantity}
    for offer_id in sorted(wanted):
        if not fresh[offer_id].is_available:
            result.errors[offer_id] = _("This product has been withdrawn.")
    return {offer_id: fresh.get(offer_id, offer) for offer_id, offer in offers.items()}


def _tolerance(offer: Offer, line: OrderLine | None, change: LineChange) -> int:
    """The tolerance the line will have: the one given, or the stored one kept within the cap."""
    if not change.quantity:
        return 0
    if change.tolerance is not None:
        return change.tolerance
    # A new quantity closer to the cap leaves less room for extra.
    return offer.room_under_cap(change.quantity, line.tolerance if line else 0)
