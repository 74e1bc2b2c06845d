"""Cartons: rounding a product sold by the carton to full cartons at closing.

The rule (``propose``) is pure and deterministic. For one product, with the
group's lines in order (earliest order first):

* ``total`` is what was ordered, ``surplus`` what lies beyond the last full
  carton (``total mod carton``); when it is 0 there is nothing to do.
* Otherwise ``missing = carton - surplus`` would fill the last carton. If the
  members' tolerances ("I would take up to 2 more"), each limited by the
  per-member cap and all together by the remaining quota, add up to
  ``missing``, the carton is filled from them, earliest orders first, never
  beyond a member's tolerance: exactly ``missing`` in all, in steps.
* Else the surplus is removed from the latest orders, in steps, each line
  going down to 0 at most and never below the product's minimum unless to 0.
* If neither gives a whole number of cartons exactly (a step that does not
  divide what is missing, a minimum in the way), nothing is proposed: it is
  left to the coordinator.

So a proposal never exceeds a quota nor a tolerance, only moves lines one way
(all up or all down), and leaves a multiple of the carton.

``accept_proposal`` and ``set_quantities`` apply a rounding (the rule's, or
the coordinator's own quantities) to one product of a closed cycle, in one
transaction. Accepting is idempotent: the proposal is computed again from the
stored lines, and once the cartons are full there is nothing left to apply.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.cycles import tasks
from cabas.cycles.allocation import allocate
from cabas.cycles.lines import Edit, QuotaExceeded, change_lines
from cabas.cycles.models import ChangeKind, Cycle, Offer, OrderLine, Phase
from cabas.cycles.ordering import check_line_maximum, offer_quantity_error
from cabas.lib.quantities import format_quantity


class Rounding(StrEnum):
    FULL = "full"  # the cartons are full: nothing to do
    FILL = "fill"  # add units from members' tolerances
    ROUND_DOWN = "round_down"  # remove the surplus from the latest orders
    COORDINATOR = "coordinator"  # no exact rounding: the coordinator decides


@dataclass(frozen=True)
class CartonLine[K: Hashable]:
    """One member's line of the product: ``quantity`` ordered and the ``tolerance`` they gave."""

    key: K
    quantity: int
    tolerance: int = 0


@dataclass(frozen=True)
class Proposal[K: Hashable]:
    """The state of one product and the rounding proposed; ``quantities`` holds only lines that change."""

    rounding: Rounding
    carton: int
    total: int
    quantities: dict[K, int] = field(default_factory=dict)
    old: dict[K, int] = field(default_factory=dict)  # the current quantity of each line that changes

    @property
    def full_cartons(self) -> int:
        return self.total // self.carton

    @property
    def surplus(self) -> int:
        """What lies beyond the last full carton."""
        return self.total % self.carton

    @property
    def missing(self) -> int:
        """What would fill the last carton (0 when the cartons are full)."""
        return self.carton - self.surplus if self.surplus else 0

    @property
    def proposed_total(self) -> int:
        return self.total + sum(self.quantities[key] - self.old[key] for key in self.quantities)


def propose[K: Hashable](
    *,
    carton: int,
    step: int,
    lines: Sequence[CartonLine[K]],
    remaining: int | None = None,
    min_quantity: int = 0,
    member_cap: int | None = None,
) -> Proposal[K]:
    """The rounding of one product to full cartons (see the module's docstring for the rule).

    ``lines`` come earliest order first; ``remaining`` is what is left of the
    quota (None: no quota). Quantities are integer thousandths.
    """
    if carton <= 0 or step <= 0:
        raise ValueError("carton and step must be positive")
    total = sum(line.quantity for line in lines)
    surplus = total % carton
    if not surplus:
        return Proposal(Rounding.FULL, carton, total)
    current = {line.key: line.quantity for line in lines}
    for rounding, changes in (
        (Rounding.FILL, _fill(carton - surplus, step, lines, remaining, member_cap)),
        (Rounding.ROUND_DOWN, _round_down(surplus, step, lines, min_quantity)),
    ):
        if changes is not None:
            old = {key: current[key] for key in changes}
            return Proposal(rounding, carton, total, changes, old)
    return Proposal(Rounding.COORDINATOR, carton, total)


def _fill[K: Hashable](
    missing: int, step: int, lines: Sequence[CartonLine[K]], remaining: int | None, member_cap: int | None
) -> dict[K, int] | None:
    """New quantities adding exactly ``missing`` from tolerances, earliest first; None if impossible."""
    if missing % step or (remaining is not None and remaining < missing):
        return None
    rooms = [(line, _room(line, step, member_cap)) for line in lines]
    if sum(room for _line, room in rooms) < missing:
        return None
    changes: dict[K, int] = {}
    left = missing
    for line, room in rooms:
        add = min(room, left)  # both are whole steps
        if add:
            changes[line.key] = line.quantity + add
            left -= add
    return changes


def _room[K: Hashable](line: CartonLine[K], step: int, member_cap: int | None) -> int:
    """What may be added to ``line``: its tolerance, within the cap, in whole steps; none on an empty line."""
    if line.quantity <= 0:
        return 0
    room = line.tolerance
    if member_cap is not None:
        room = min(room, max(member_cap - line.quantity, 0))
    return room - room % step


def _round_down[K: Hashable](
    surplus: int, step: int, lines: Sequence[CartonLine[K]], min_quantity: int
) -> dict[K, int] | None:
    """New quantities removing exactly ``surplus`` from the latest orders; None if impossible.

    A line goes down in steps, to 0 or to no less than ``min_quantity``: the
    whole line when it fits in what is left to remove, else as much as keeps
    it at the minimum.
    """
    if surplus % step:
        return None
    changes: dict[K, int] = {}
    left = surplus
    for line in reversed(lines):
        if not left:
            break
        if line.quantity <= 0:
            continue
        if line.quantity <= left and line.quantity % step == 0:
            remove = line.quantity
        else:
            remove = min(left, max(line.quantity - min_quantity, 0))
            remove -= remove % step
        if remove:
            changes[line.key] = line.quantity - remove
            left -= remove
    return changes if not left else None


# --- Reading a cycle's cartons ---------------------------------------------------------------


@dataclass
class CartonStatus:
    """One product sold by the carton: its lines (earliest first) and the rounding proposed."""

    offer: Offer
    lines: list[OrderLine]
    proposal: Proposal[int]

    def changes(self) -> list[tuple[OrderLine, int]]:
        """The lines the proposal changes, with their new quantity, earliest first."""
        return [
            (line, self.proposal.quantities[line.pk])
            for line in self.lines
            if line.pk in self.proposal.quantities
        ]


def proposal_for(offer: Offer, lines: Sequence[OrderLine]) -> Proposal[int]:
    """The rule applied to ``offer`` and its ``lines`` (earliest order first)."""
    assert offer.carton_size
    return propose(
        carton=offer.carton_size,
        step=offer.quantity_step,
        lines=[CartonLine(line.pk, line.quantity, line.tolerance) for line in lines],
        remaining=offer.remaining,
        min_quantity=offer.min_quantity,
        member_cap=offer.member_cap,
    )


def lines_query(offers: Sequence[Offer]) -> QuerySet[OrderLine]:
    """The lines of ``offers`` (all of one cycle), earliest order first."""
    # The cycle, which the offers imply, lets the database start from the cycle's own
    # orders (its index) instead of hashing every order of the instance (36 ms with
    # 100 groups, against 1 ms).
    cycles = {offer.cycle_id for offer in offers}
    return (
        OrderLine.objects.filter(offer__in=offers, order__cycle_id__in=cycles, quantity__gt=0)
        .select_related("order__user")
        .order_by("order__created_at", "order__pk")
    )


def _lines_in_order(offers: Sequence[Offer]) -> dict[int, list[OrderLine]]:
    by_offer: dict[int, list[OrderLine]] = {offer.pk: [] for offer in offers}
    for line in lines_query(offers):
        by_offer[line.offer_id].append(line)
    return by_offer


def carton_statuses(cycle: Cycle) -> list[CartonStatus]:
    """Every product of ``cycle`` sold by the carton, with its proposal: two queries, whatever the size."""
    offers = list(
        cycle.offers.filter(carton_size__isnull=False, withdrawn_at__isnull=True)
        .select_related("producer")
        .order_by("producer__name", "category", "name")
    )
    lines = _lines_in_order(offers)
    return [CartonStatus(offer, lines[offer.pk], proposal_for(offer, lines[offer.pk])) for offer in offers]


# --- Applying a rounding -------------------------------------------------------------------------


class CartonError(Exception):
    """The rounding cannot be applied; the message says why, for the coordinator."""


def accept_proposal(*, offer: Offer, by: User, expected: Mapping[int, int] | None = None) -> int:
    """Apply the rule's proposal for ``offer``; return how many lines changed (0 when already full).

    ``expected`` is the proposal the coordinator saw (line id -> new
    quantity): if the orders changed meanwhile and the rule now proposes
    something else, nothing is applied.
    """
    allocate(offer.cycle)  # fair shares are split before any rounding
    with transaction.atomic():
        cycle, offer, lines = _lock(offer)
        proposal = proposal_for(offer, lines)
        if not proposal.quantities:
            return 0
        if expected is not None and dict(expected) != proposal.quantities:
            raise CartonError(_("The orders of this product changed meanwhile: check the new proposal."))
        return _write(cycle, offer, lines, proposal.quantities, _reason(offer, proposal.rounding), by)


@dataclass(frozen=True)
class AllProposals:
    """What accepting every proposal of a cycle would change, to show before confirming."""

    statuses: list[CartonStatus]  # the products whose proposal changes something

    @property
    def expected(self) -> dict[int, int]:
        """Line id -> new quantity, every product together (what the confirmation form carries)."""
        return {pk: new for status in self.statuses for pk, new in status.proposal.quantities.items()}

    @property
    def lines(self) -> int:
        return sum(len(status.proposal.quantities) for status in self.statuses)

    @property
    def households(self) -> int:
        return len({line.order.user_id for status in self.statuses for line, _new in status.changes()})

    @property
    def added(self) -> int:
        return sum(max(new - line.quantity, 0) for status in self.statuses for line, new in status.changes())

    @property
    def removed(self) -> int:
        return sum(max(line.quantity - new, 0) for status in self.statuses for line, new in status.changes())


def all_proposals(cycle: Cycle) -> AllProposals:
    """The products of ``cycle`` whose proposal changes some line (fill or round down): two queries."""
    return AllProposals([status for status in carton_statuses(cycle) if status.proposal.quantities])


def accept_all(*, cycle: Cycle, by: User, expected: Mapping[int, int]) -> dict[int, int]:
    """Apply every proposal of ``cycle`` at once, all or nothing; return offer id -> lines changed.

    ``expected`` is what the coordinator saw (``AllProposals.expected``): if
    any product's orders changed meanwhile and the rule now proposes
    something else, nothing is applied. Each member whose order changes is
    told once (after the recap), whatever the number of their products.
    """
    allocate(cycle)  # fair shares are split before any rounding
    with transaction.atomic():
        cycle, offers, lines = _lock_all(cycle)
        proposals = {offer.pk: proposal_for(offer, lines[offer.pk]) for offer in offers}
        found = {pk: new for proposal in proposals.values() for pk, new in proposal.quantities.items()}
        if found != dict(expected):
            raise CartonError(_("The orders of some products changed meanwhile: check the new proposals."))
        changed: dict[int, int] = {}
        orders: set[int] = set()
        for offer in offers:
            proposal = proposals[offer.pk]
            if proposal.quantities:
                reason = _reason(offer, proposal.rounding)
                try:
                    changed[offer.pk] = _write(
                        cycle, offer, lines[offer.pk], proposal.quantities, reason, by, notify=False
                    )
                except CartonError as error:  # the whole transaction is undone: say which product
                    raise CartonError(
                        _("%(product)s: %(message)s") % {"product": offer.name, "message": error}
                    ) from None
                orders.update(line.order_id for line in lines[offer.pk] if line.pk in proposal.quantities)
        if cycle.recap_sent_at is not None:
            for order_id in sorted(orders):
                transaction.on_commit(partial(tasks.send_order_changes.enqueue, order_id))
    return changed


def _lock_all(cycle: Cycle) -> tuple[Cycle, list[Offer], dict[int, list[OrderLine]]]:
    """The cycle, every carton product of it, then their lines and orders: locked in that order.

    All the products before any order (the lock order of every write, see ``_lock``).
    """
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.phase() != Phase.CLOSED:
        raise CartonError(_("Cartons are rounded once orders are closed, until the cycle is finalised."))
    offers = list(
        Offer.objects.select_for_update()
        .filter(cycle=cycle, carton_size__isnull=False, withdrawn_at__isnull=True)
        .order_by("pk")
    )
    rows = (
        OrderLine.objects.select_for_update(of=("self", "order"))
        .filter(offer__in=[offer.pk for offer in offers], quantity__gt=0)
        .select_related("order__user")
        .order_by("order__created_at", "order__pk")
    )
    lines: dict[int, list[OrderLine]] = {offer.pk: [] for offer in offers}
    for line in rows:
        lines[line.offer_id].append(line)
    return cycle, offers, lines


def set_quantities(
    *, offer: Offer, by: User, quantities: Mapping[int, int], expected: Mapping[int, int], reason: str = ""
) -> int:
    """Apply the coordinator's own quantities (line id -> quantity) to ``offer``; return how many changed.

    ``expected`` holds the quantities the page showed: a line changed
    meanwhile refuses the whole change. Each quantity follows the product's
    rules (steps, minimum, cap) and the quota; it need not fill a carton.
    """
    allocate(offer.cycle)
    with transaction.atomic():
        cycle, offer, lines = _lock(offer)
        current = {line.pk: line for line in lines}
        changes: dict[int, int] = {}
        for pk, quantity in quantities.items():
            line = current.get(pk)
            if line is None or expected.get(pk) != line.quantity:
                raise CartonError(_("The orders of this product changed meanwhile: check them again."))
            if message := check_line_maximum(
                offer, quantity, max_units=cycle.group.max_line_units
            ) or offer_quantity_error(offer, quantity):
                raise CartonError(
                    _("%(member)s: %(message)s")
                    % {"member": line.order.user.display_name, "message": message}
                )
            if quantity != line.quantity:
                changes[pk] = quantity
        if not changes:
            return 0
        return _write(
            cycle, offer, lines, changes, reason.strip() or _reason(offer, Rounding.COORDINATOR), by
        )


def _lock(offer: Offer) -> tuple[Cycle, Offer, list[OrderLine]]:
    """The cycle, the product, then its lines and their orders, locked in that order.

    The product before the orders, as every write does (``ordering._offers_on_sale``).

    Locking the cycle row makes the clock's recap claim wait for this
    transaction, so the recap cannot miss the changes made here.
    """
    cycle = Cycle.objects.select_for_update().get(pk=offer.cycle_id)
    if cycle.phase() != Phase.CLOSED:
        raise CartonError(_("Cartons are rounded once orders are closed, until the cycle is finalised."))
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    lines = list(
        OrderLine.objects.select_for_update(of=("self", "order"))
        .filter(offer_id=offer.pk, quantity__gt=0)
        .select_related("order__user")
        .order_by("order__created_at", "order__pk")
    )
    if not offer.is_available:
        raise CartonError(_("This product has been withdrawn."))
    if not offer.carton_size:
        raise CartonError(_("This product is not sold by the carton."))
    return cycle, offer, lines


def _write(
    cycle: Cycle,
    offer: Offer,
    lines: list[OrderLine],
    quantities: Mapping[int, int],
    reason: str,
    by: User,
    notify: bool = True,
) -> int:
    """Store the new quantities, move the quota, record a change per line; tell members who had the recap.

    ``notify=False``: the caller tells them itself (once per member for several products).
    """
    edits = [_edit(offer, line, quantities[line.pk]) for line in lines if line.pk in quantities]
    try:
        # Before the recap, the recap itself tells these changes (they are not marked as told).
        change_lines(
            edits=edits,
            kind=ChangeKind.CARTON,
            by=by,
            reason=reason,
            notify=notify and cycle.recap_sent_at is not None,
        )
    except QuotaExceeded as short:
        raise CartonError(
            _("Only %(left)s left of the quota: these quantities would exceed it.")
            % {"left": format_quantity(short.left[offer.pk])}
        ) from None
    return len(edits)


def _edit(offer: Offer, line: OrderLine, quantity: int) -> Edit:
    """The line at ``quantity``; units added use up the member's tolerance, as far as it went."""
    added = max(quantity - line.quantity, 0)
    tolerance = offer.room_under_cap(quantity, max(line.tolerance - added, 0))
    return Edit(
        offer=offer,
        order_id=line.order_id,
        line=line,
        quantity=quantity,
        tolerance=tolerance if quantity else 0,
    )


def _reason(offer: Offer, rounding: Rounding) -> str:
    """Why the member's order changed, stored once in the group's language (as e-mails show it)."""
    assert offer.carton_size
    size = {"carton": f"{format_quantity(offer.carton_size, settings.LANGUAGE_CODE)} × {offer.unit_label}"}
    with translation.override(settings.LANGUAGE_CODE):
        if rounding == Rounding.FILL:
            return (
                _("Carton completed (%(carton)s per carton), within the extra you said you would take.")
                % size
            )
        if rounding == Rounding.ROUND_DOWN:
            return _("Rounded down to full cartons (%(carton)s per carton): sold by the carton only.") % size
        return _("Changed by the coordinator to fill cartons (%(carton)s per carton).") % size
