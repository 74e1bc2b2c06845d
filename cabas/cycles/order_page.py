"""The member's order page, as rows: what it shows of each offer and of each producer's part.

Reads only: the page is a GET (the fair shares are split by the clock at the
deadline, or by the first write after it, never by a page being shown).
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.db.models import Prefetch, Sum

from cabas.accounts.models import User
from cabas.accounts.permissions import GroupAccess
from cabas.cycles.basket_form import BasketForm
from cabas.cycles.baskets import Basket, basket, producer_sort_key
from cabas.cycles.models import ChangeKind, Cycle, Offer, Order, OrderChange, OrderLine
from cabas.cycles.ordering import BasketResult
from cabas.lib.quantities import format_quantity


class Row(TypedDict):
    """One offer on the page: the stored line, what the box shows, and what went wrong."""

    offer: Offer
    line: OrderLine | None
    requested: int
    value: str
    minus: str
    plus: str
    error: str
    quota_left: int | None
    stale: int | None
    to_fill: int
    tolerance: str
    carton_change: OrderChange | None


def _lines(order: Order | None) -> dict[int, OrderLine]:
    return {line.offer_id: line for line in order.lines.all()} if order else {}


def _group_totals(cycle: Cycle) -> dict[int, int]:
    """What the whole group has asked for, per offer (for carton progress): one query."""
    rows = OrderLine.objects.filter(offer__cycle=cycle).values("offer").annotate(total=Sum("requested"))
    return {row["offer"]: row["total"] for row in rows}


def _carton_changes(order: Order | None, **filters: Any) -> dict[int, OrderChange]:
    """The latest carton rounding of each line of ``order`` (shown with its reason): one query."""
    if order is None:
        return {}
    changes = OrderChange.objects.filter(order=order, kind=ChangeKind.CARTON, **filters)
    return {change.offer_id: change for change in changes.order_by("changed_at", "pk")}


def _member_order(cycle: Cycle, member: User, preview: bool = False) -> Order | None:
    """The member's order with its lines (and their offers and producers): two queries."""
    lines = OrderLine.objects.select_related("offer__producer")
    return (
        Order.objects.filter(cycle=cycle, user=member, pk__isnull=preview)
        .select_related("user")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .first()
    )


def _current_change(change: OrderChange | None, line: OrderLine | None) -> OrderChange | None:
    """The carton rounding, if the line is still what it made (a later adjustment tells its own story)."""
    if change is None or change.new_quantity != (line.quantity if line else 0):
        return None
    return change


def _tolerance_value(offer: Offer, line: OrderLine | None, form: BasketForm, failed: bool) -> str:
    typed = form.typed_tolerance.get(offer.pk)
    if failed and typed is not None:
        return typed
    return format_quantity(line.tolerance) if line and line.tolerance else ""


def _one_step_less(offer: Offer, requested: int) -> int:
    """What "−" asks for: one step less, or nothing once below the minimum (never an invalid amount)."""
    less = requested - offer.quantity_step
    return less if less >= offer.min_quantity else 0


def _rows(
    offers: list[Offer],
    lines: dict[int, OrderLine],
    group_totals: dict[int, int],
    form: BasketForm,
    result: BasketResult,
    carton_changes: dict[int, OrderChange],
) -> list[Row]:
    """One row per offer: the stored line, what to show in the box, and what went wrong."""
    failed = bool(form.errors) or not result.ok
    rows: list[Row] = []
    for offer in offers:
        line = lines.get(offer.pk)
        requested = line.requested if line else 0
        ordered = group_totals.get(offer.pk, 0)
        typed = form.typed.get(offer.pk)
        rows.append(
            {
                "offer": offer,
                "line": line,
                "requested": requested,
                "value": typed
                if failed and typed is not None
                else format_quantity(requested)
                if requested
                else "",
                "minus": format_quantity(_one_step_less(offer, requested)),
                "plus": format_quantity(max(requested + offer.quantity_step, offer.min_quantity)),
                "error": form.errors.get(offer.pk) or result.errors.get(offer.pk, ""),
                "quota_left": result.quota_left.get(offer.pk),
                "stale": result.stale.get(offer.pk),
                "to_fill": offer.carton_size - ordered % offer.carton_size
                if offer.carton_size and ordered % offer.carton_size
                else 0,
                "tolerance": _tolerance_value(offer, line, form, failed),
                "carton_change": _current_change(carton_changes.get(offer.pk), line),
            }
        )
    return rows


def order_context(
    access: GroupAccess,
    cycle: Cycle,
    member: User,
    *,
    form: BasketForm | None = None,
    result: BasketResult | None = None,
    preview: bool = False,
) -> dict[str, Any]:
    """Everything the order page shows; a constant number of queries whatever the size of the cycle.

    ``preview`` shows the page as any member would see it with an empty basket, read-only.
    """
    order = _member_order(cycle, member, preview)
    offers = list(cycle.offers.select_related("producer").order_by("producer__name", "category", "name"))
    lines = _lines(order)
    form, result = form or BasketForm(), result or BasketResult()
    rows = _rows(offers, lines, _group_totals(cycle), form, result, _carton_changes(order))
    editable = not preview and _editable(access, cycle, member)
    if not editable and not preview:
        # A basket that can no longer change shows what it holds (or held), not the whole catalogue.
        rows = [row for row in rows if row["line"] is not None]
    mine = basket(order) if order else None
    producers: dict[int, dict[str, Any]] = {}
    for row in rows:
        producer = row["offer"].producer
        part = producers.setdefault(
            producer.pk, {"producer": producer, "rows": [], "total": _due(mine, producer.pk)}
        )
        part["rows"].append(row)
    return {
        "access": access,
        "group": access.group,
        "cycle": cycle,
        "member": member,
        "order": order,
        "producers": sorted(producers.values(), key=lambda part: producer_sort_key(part["producer"])),
        "summary": mine,
        "total": mine.total_cents if mine else 0,
        "form": form,
        "result": result,
        "phase": cycle.phase(),
        "on_behalf": access.membership is None or access.membership.user_id != member.pk,
        "editable": editable,
        "preview": preview,
    }


def line_context(
    access: GroupAccess, cycle: Cycle, member: User, offer: Offer, *, form: BasketForm, result: BasketResult
) -> dict[str, Any]:
    """What a +/- answer shows: the offer's row, its producer's total and the basket's total.

    Reads this offer and the member's own lines only (the order page reads
    every offer of the cycle): a few queries, whatever the size of the cycle.
    """
    order = _member_order(cycle, member)
    lines = _lines(order)
    ordered = OrderLine.objects.filter(offer=offer).aggregate(total=Sum("requested"))["total"] or 0
    changes = _carton_changes(order, offer=offer)
    (row,) = _rows([offer], lines, {offer.pk: ordered}, form, result, changes)
    mine = basket(order) if order else None
    return {
        "group": access.group,
        "cycle": cycle,
        "member": member,
        "row": row,
        "producer_total": _due(mine, offer.producer_id),
        "total": mine.total_cents if mine else 0,
        "is_estimate": mine is not None and mine.is_estimate,
        "editable": _editable(access, cycle, member),
        "preview": False,
    }


def _due(mine: Basket | None, producer_id: int) -> int:
    """What the basket owes ``producer_id`` (0 with no basket yet)."""
    return mine.due_to(producer_id) if mine else 0


def _editable(access: GroupAccess, cycle: Cycle, member: User) -> bool:
    own = access.membership is not None and access.membership.user_id == member.pk
    if own and cycle.is_open():
        return True
    return access.can_manage and cycle.accepts_adjustments() and cycle.published_at is not None
