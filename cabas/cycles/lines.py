"""Changing order lines: the one function that writes them.

Every change to what a member gets or pays goes through ``change_lines``: a
member's basket (``ordering.save_basket``), a fair share (``allocation``), a
carton rounding (``cartons``), a new price or a withdrawal (``services``), and
later the actual weights and shortages of the distribution day. It sets the
lines, moves the quota with a guarded update, records an ``OrderChange`` per
line, marks the orders changed and enqueues the members' notices after commit.

Callers lock first, in the order every write follows: the offers, then the
orders (or their lines). ``change_lines`` then runs inside their transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from django.db import transaction
from django.db.models import F

from cabas.accounts.models import User
from cabas.cycles import tasks
from cabas.cycles.models import ChangeKind, Offer, Order, OrderChange, OrderLine


class Quota(StrEnum):
    """How a change of a line moves its offer's quota (when the offer has one)."""

    MOVE = "move"  # the line holds its quantity of the quota: take or give back the difference
    SPLIT = "split"  # the line held nothing yet (a fair share asked while open): take its new quantity
    KEEP = "keep"  # the quota does not move (a fair share still open; a withdrawal gives it all back)


@dataclass(frozen=True)
class Edit:
    """The new state of one line. ``None`` fields keep (or derive) the stored value.

    ``line`` is the stored line, read inside the caller's transaction (None:
    the member has no line of ``offer`` yet, and ``order_id`` says whose).
    ``total_cents`` defaults to the offer's price for ``quantity``;
    ``requested`` to ``quantity`` (a fair share gives less than was asked and
    keeps ``requested``); ``tolerance`` to the stored one.
    """

    offer: Offer
    order_id: int
    line: OrderLine | None
    quantity: int
    requested: int | None = None
    tolerance: int | None = None
    total_cents: int | None = None
    quota: Quota = Quota.MOVE

    @property
    def old_quantity(self) -> int:
        return self.line.quantity if self.line else 0

    @property
    def old_total(self) -> int:
        return self.line.total_cents if self.line else 0

    @property
    def new_total(self) -> int:
        return self.offer.line_total(self.quantity) if self.total_cents is None else self.total_cents

    @property
    def changes_amounts(self) -> bool:
        """Something the member gets or pays moves: a change to record (not the tolerance alone)."""
        line = self.line
        return line is None or (self.quantity, self.requested_value, self.new_total) != (
            line.quantity,
            line.requested,
            line.total_cents,
        )

    @property
    def changes_line(self) -> bool:
        line = self.line
        tolerance_moves = line is not None and self.tolerance not in (None, line.tolerance)
        return self.changes_amounts or tolerance_moves

    @property
    def requested_value(self) -> int:
        return self.quantity if self.requested is None else self.requested

    @property
    def quota_delta(self) -> int:
        """What this change takes from the quota (negative: gives back)."""
        if self.quota == Quota.MOVE:
            return self.quantity - self.old_quantity
        return self.quantity if self.quota == Quota.SPLIT else 0


class QuotaExceeded(Exception):
    """Some quota is short; ``left`` holds what remains of each (offer id -> quantity).

    Raised by ``change_lines`` with nothing written: the caller's transaction
    must roll back (Django refuses any further query in it).
    """

    def __init__(self, left: dict[int, int]) -> None:
        super().__init__(left)
        self.left = left


def change_lines(
    *,
    edits: Sequence[Edit],
    kind: ChangeKind,
    by: User | None,
    reason: str = "",
    notify: bool = False,
    drop_empty: bool = False,
) -> list[OrderChange]:
    """Apply ``edits`` (lines of one cycle) all or nothing; return the ``OrderChange`` rows recorded.

    * Quotas move first, offer by offer in id order (the global lock order),
      each with a guarded update (``remaining >= taken``), so that a quota
      never goes below zero; if one is short, ``QuotaExceeded`` is raised
      and nothing is written.
    * Each line takes its new quantity, requested quantity, tolerance and
      amount. A line brought to 0 is deleted if ``drop_empty`` (a member
      emptying a line), else kept at 0 to show what happened to it.
    * An ``OrderChange`` of ``kind``, ``reason`` and ``by`` is recorded for
      every edit except one that changes the tolerance alone.
    * The orders touched are marked changed (their version moves on). An edit
      that leaves its line as it is only moves the quota (a fair share equal
      to what was asked is still taken from it).
    * With ``notify``, each member concerned is e-mailed after commit.

    The ``line`` objects of ``edits`` are updated in place to their new state.
    """
    with transaction.atomic(savepoint=False):
        _move_quotas(edits)
        edits = [edit for edit in edits if edit.changes_line]
        records = [_record(edit, kind, by, reason) for edit in edits if edit.changes_amounts]
        _write_lines(edits, drop_empty=drop_empty)
        OrderChange.objects.bulk_create(records)
        order_ids = sorted({edit.order_id for edit in edits})
        if order_ids:
            Order.objects.filter(pk__in=order_ids).mark_changed(edits[0].offer.cycle_id)
        if notify:
            for order_id in order_ids:
                transaction.on_commit(partial(tasks.send_order_changes.enqueue, order_id))
    return records


def _move_quotas(edits: Sequence[Edit]) -> None:
    """Take (or give back) each offer's quota with a guarded update; raise if any is short.

    The database row decides whether there is a quota, not the offer loaded
    earlier: a coordinator may add one to an open offer at this very moment.
    """
    deltas: dict[int, int] = defaultdict(int)
    for edit in edits:
        deltas[edit.offer.pk] += edit.quota_delta
    short: dict[int, int] = {}
    for offer_id, delta in sorted(deltas.items()):
        offers = Offer.objects.filter(pk=offer_id)
        if delta <= 0:
            if delta:
                offers.filter(remaining__isnull=False).update(remaining=F("remaining") - delta)
            continue
        if offers.filter(remaining__gte=delta).update(remaining=F("remaining") - delta):
            continue
        left = offers.values_list("remaining", flat=True).get()
        if left is not None:  # None: no quota on this offer
            short[offer_id] = left
    if short:
        raise QuotaExceeded(short)


def _write_lines(edits: Sequence[Edit], *, drop_empty: bool) -> None:
    """Create, update or delete the lines: a constant number of queries."""
    created, updated, dropped = [], [], []
    for edit in edits:
        line = edit.line
        if drop_empty and not edit.quantity:
            if line is not None:
                dropped.append(line.pk)
            continue
        if line is None:
            line = OrderLine(order_id=edit.order_id, offer=edit.offer, tolerance=edit.tolerance or 0)
            created.append(line)
        else:
            updated.append(line)
        line.quantity, line.requested, line.total_cents = edit.quantity, edit.requested_value, edit.new_total
        if edit.tolerance is not None:
            line.tolerance = edit.tolerance
    OrderLine.objects.bulk_create(created)
    OrderLine.objects.bulk_update(updated, ["quantity", "requested", "total_cents", "tolerance"])
    if dropped:
        OrderLine.objects.filter(pk__in=dropped).delete()


def _record(edit: Edit, kind: ChangeKind, by: User | None, reason: str) -> OrderChange:
    """The audit row of ``edit``: built before the line is written, while it holds its old values."""
    return OrderChange(
        order_id=edit.order_id,
        offer=edit.offer,
        kind=kind,
        old_quantity=edit.old_quantity,
        new_quantity=edit.quantity,
        old_total_cents=edit.old_total,
        new_total_cents=edit.new_total,
        reason=reason,
        changed_by=by,
    )
