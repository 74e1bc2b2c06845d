"""What a member owes each producer: the one place that groups order lines into baskets.

Every page, e-mail and document that shows a basket's money reads it from here,
so they agree to the cent because they read the same function.

Rules:

- **Which lines count**: lines with a quantity (``quantity > 0``). A line a fair
  share reduced to nothing is owed nothing and handed nothing; the member hears
  of it through the change it left (``OrderChange``), not through the basket.
- **Amounts** are the *persisted* line totals (``OrderLine.total_cents``, rounded
  once per line by ``cabas.lib.money.line_total_cents`` when the line was
  written). Nothing here multiplies a price by a quantity. A producer's part is
  the sum of its items, a basket's total the sum of its parts, in integer cents.
- **Order**: producers by name with accents and case ignored (``fold``), then by
  id; items by category, then name (accents ignored), then offer id; baskets by
  member surname (``lib.names``), then e-mail. Slip numbers follow their own,
  frozen order (``slip_numbers``).
- **Queries**: ``baskets`` and ``baskets_of`` run two queries (lines as plain
  values, then their producers), ``basket`` the same, whatever the number of
  lines. Nothing returned runs a query afterwards.

Quantities are integer thousandths of the sale unit, weights integer grams.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Q

from cabas.accounts.models import User
from cabas.catalog.models import Producer
from cabas.cycles.contribution import promised_cents
from cabas.cycles.models import Cycle, Order, OrderLine
from cabas.lib.names import fold, person_sort_key
from cabas.lib.quantities import estimated_grams

__all__ = ["fold"]  # accents and case ignored (``lib.names``), for the readers of baskets


@dataclass(frozen=True)
class Member:
    """A household as baskets and documents name it: full name (or e-mail when there is none)."""

    pk: int
    name: str
    email: str
    phone: str

    @classmethod
    def of(cls, user: User) -> Member:
        return cls(user.pk, user.full_name or user.email, user.email, user.phone)


def member_sort_key(member: Member) -> tuple[str, str, str]:
    """By surname (``lib.names``), then the whole name, then e-mail: how lists of people sort."""
    return person_sort_key(member.name, member.email)


def _slip_sort_key(member: Member) -> tuple[str, str]:
    """The order that numbers the slips: by the whole name (first name first), then e-mail.

    Frozen on purpose: a slip number is printed, written on cheques and given
    as a transfer reference; changing this order (even to the surname order
    of the lists) would give the same basket another number.
    """
    return (fold(member.name), member.email.casefold())


@dataclass(frozen=True)
class Item:
    """One counted order line: what the member collects, and its persisted total."""

    line_id: int
    offer_id: int
    name: str
    unit_label: str
    category: str
    quantity: int
    requested: int  # what the member asked for (a fair share may have given less)
    price_cents: int  # per sale unit, or per kg for a variable-weight product
    total_cents: int  # as persisted on the line: never recomputed
    variable_weight: bool  # the amount is an estimate until the actual weight is known
    grams_per_piece: int | None

    @property
    def estimated_weight_grams(self) -> int | None:
        """Estimated weight of a variable-weight item, in grams; None if not sold by weight."""
        return estimated_grams(self.quantity, self.grams_per_piece if self.variable_weight else None)


def item_sort_key(item: Item) -> tuple[str, str, int]:
    return (item.category, fold(item.name), item.offer_id)


@dataclass(frozen=True)
class ProducerPart:
    """What a member collects from, and owes to, one producer."""

    producer: Producer
    items: tuple[Item, ...]
    total_cents: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_cents", sum(item.total_cents for item in self.items))

    @property
    def is_estimate(self) -> bool:
        return any(item.variable_weight for item in self.items)


def producer_sort_key(producer: Producer) -> tuple[str, int]:
    """The one order of producers in a basket, a page or a document: by name, accents ignored."""
    return (fold(producer.name), producer.pk)


@dataclass(frozen=True)
class Basket:
    """One member's order in one cycle: a part per producer, and what it all comes to."""

    order_id: int
    member: Member
    parts: tuple[ProducerPart, ...]
    total_cents: int = field(init=False)
    # The household's promise to the solidarity fund (``cycles.contribution``).
    fund_percent: int = 0
    fund_amount_cents: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_cents", sum(part.total_cents for part in self.parts))

    @property
    def is_estimate(self) -> bool:
        return any(part.is_estimate for part in self.parts)

    @property
    def contribution_cents(self) -> int:
        """What the household promised the solidarity fund, in cents (a basket cut down to one
        producer's part, as a producer's list reads it, promises nothing)."""
        return promised_cents(
            self.total_cents, percent=self.fund_percent, amount_cents=self.fund_amount_cents
        )

    @property
    def to_pay_cents(self) -> int:
        """The basket and the promise together: what the household means to pay."""
        return self.total_cents + self.contribution_cents

    def part(self, producer_id: int) -> ProducerPart | None:
        return next((part for part in self.parts if part.producer.pk == producer_id), None)

    def part_of(self, producer_id: int) -> tuple[ProducerPart, ...]:
        """The parts of ``producer_id`` only (none or one)."""
        return tuple(part for part in self.parts if part.producer.pk == producer_id)

    def due_to(self, producer_id: int) -> int:
        """What the member owes ``producer_id`` (0 if nothing was ordered from it)."""
        part = self.part(producer_id)
        return part.total_cents if part else 0


# The columns read per line: plain values, no model instances for thousands of lines.
_FIELDS = (
    "id",
    "order_id",
    "order__user_id",
    "order__user__full_name",
    "order__user__email",
    "order__user__phone",
    "offer_id",
    "offer__producer_id",
    "offer__name",
    "offer__unit_label",
    "offer__category",
    "offer__price_cents",
    "offer__variable_weight",
    "offer__estimated_weight_grams",
    "quantity",
    "requested",
    "total_cents",
    "order__fund_percent",
    "order__fund_amount_cents",
)


def _rows(**filters: Any) -> list[dict[str, Any]]:
    """The counted lines matching ``filters``: one query."""
    return list(OrderLine.objects.filter(quantity__gt=0, **filters).values(*_FIELDS).order_by())


def _item(row: Mapping[str, Any]) -> Item:
    return Item(
        line_id=row["id"],
        offer_id=row["offer_id"],
        name=row["offer__name"],
        unit_label=row["offer__unit_label"],
        category=row["offer__category"],
        quantity=row["quantity"],
        requested=row["requested"],
        price_cents=row["offer__price_cents"],
        total_cents=row["total_cents"],
        variable_weight=row["offer__variable_weight"],
        grams_per_piece=row["offer__estimated_weight_grams"],
    )


# For a reader of lines the baskets leave out (``distribution.state``: lines short to zero).
LINE_FIELDS = _FIELDS
line_item = _item


def _member(row: Mapping[str, Any]) -> Member:
    email = row["order__user__email"]
    name = row["order__user__full_name"] or email
    return Member(row["order__user_id"], name, email, row["order__user__phone"])


def _basket(
    order_id: int,
    member: Member,
    items: Mapping[int, list[Item]],
    producers: Mapping[int, Producer],
    promise: tuple[int, int] = (0, 0),
) -> Basket:
    parts = (ProducerPart(producers[pk], tuple(sorted(its, key=item_sort_key))) for pk, its in items.items())
    ordered = tuple(sorted(parts, key=lambda part: producer_sort_key(part.producer)))
    return Basket(order_id, member, ordered, *promise)


def _build(rows: list[dict[str, Any]]) -> dict[int, Basket]:
    """Baskets of the orders in ``rows``, by order id (one query for the producers)."""
    wanted = {row["offer__producer_id"] for row in rows}
    return assemble(rows, Producer.objects.in_bulk(wanted) if wanted else {})


def assemble(rows: Iterable[Mapping[str, Any]], producers: Mapping[int, Producer]) -> dict[int, Basket]:
    """Group counted line rows (``_FIELDS``) into baskets, by order id: no query."""
    members: dict[int, Member] = {}
    promises: dict[int, tuple[int, int]] = {}
    items: dict[int, dict[int, list[Item]]] = {}
    for row in rows:
        members.setdefault(row["order_id"], _member(row))
        # Rows read without the promise's columns (a reader of its own) promise nothing.
        promise = (row.get("order__fund_percent") or 0, row.get("order__fund_amount_cents") or 0)
        promises.setdefault(row["order_id"], promise)
        items.setdefault(row["order_id"], {}).setdefault(row["offer__producer_id"], []).append(_item(row))
    return {pk: _basket(pk, members[pk], items[pk], producers, promises[pk]) for pk in items}


def baskets(cycle: Cycle, *, producer: Producer | None = None) -> list[Basket]:
    """Every basket of ``cycle`` with something in it, by member name; two queries.

    With ``producer``, each basket holds that producer's part only (baskets
    with nothing from it are left out): what its distribution list shows.
    """
    filters: dict[str, Any] = {"order__cycle": cycle}
    if producer is not None:
        filters["offer__producer"] = producer
        found = [replace(b, fund_percent=0, fund_amount_cents=0) for b in _build(_rows(**filters)).values()]
        return sorted(found, key=lambda b: member_sort_key(b.member))
    return sorted(_build(_rows(**filters)).values(), key=lambda b: member_sort_key(b.member))


def baskets_of(orders: Iterable[Order]) -> dict[int, Basket]:
    """The baskets of ``orders`` (their users loaded), by order id, empty ones too; two queries."""
    orders = list(orders)
    built = _build(_rows(order__in=[order.pk for order in orders])) if orders else {}
    return {
        order.pk: built.get(order.pk)
        or Basket(order.pk, Member.of(order.user), (), order.fund_percent, order.fund_amount_cents)
        for order in orders
    }


def basket(order: Order) -> Basket:
    """The basket of one order (its user loaded, or one more query if it is empty)."""
    return baskets_of([order])[order.pk]


@dataclass(frozen=True)
class Totals:
    """A basket's amounts without its items: what the answer to a +/- shows."""

    total_cents: int
    by_producer: dict[int, int]  # producer id -> cents (producers with something counted only)
    is_estimate: bool

    def due_to(self, producer_id: int) -> int:
        return self.by_producer.get(producer_id, 0)


def totals_of_lines(lines: Iterable[OrderLine]) -> Totals:
    """The amounts of one basket from its lines already in memory (their offers loaded): no query.

    The same rules as ``basket``: lines with a quantity count, for their
    persisted total; a producer's part is the sum of its lines, the basket's
    total the sum of the parts.
    """
    by_producer: dict[int, int] = {}
    estimate = False
    for line in lines:
        if line.quantity > 0:
            producer_id = line.offer.producer_id
            by_producer[producer_id] = by_producer.get(producer_id, 0) + line.total_cents
            estimate = estimate or line.offer.variable_weight
    return Totals(sum(by_producer.values()), by_producer, estimate)


def slip_numbers(cycle: Cycle) -> dict[int, int]:
    """Each basket's slip number (1, 2, ...): its place in the one member order; one query.

    The slips print these numbers and the distribution day finds a household by
    them, so both count the same baskets (those with something to collect, or
    left at zero by the day's shortages) in the same order.
    """
    # A basket whose every line was reported not delivered on the day keeps its number:
    # the numbers of the baskets after it do not move while the slips are in hands.
    kept = Q(lines__quantity__gt=0) | Q(lines__day_events__kind="short")
    rows = (
        Order.objects.filter(kept, cycle=cycle)
        .distinct()
        .values_list("pk", "user_id", "user__full_name", "user__email")
        .order_by()
    )
    members = {pk: Member(user_id, name or email, email, "") for pk, user_id, name, email in rows}
    ordered = sorted(members, key=lambda pk: _slip_sort_key(members[pk]))
    return {pk: number for number, pk in enumerate(ordered, start=1)}


def payment_reference(cycle_id: int, number: int) -> str:
    """The reference a household gives with a transfer: ``CABAS-<cycle>-<slip number>``.

    The desk, the stands, the reminders and the treasurer's board all show this
    one, so a transfer on the bank statement points back at its basket.
    """
    return f"CABAS-{cycle_id}-{number}"


def amounts_due(cycle: Cycle) -> dict[int, dict[int, int]]:
    """What each order of ``cycle`` owes each producer, in cents: ``{order_id: {producer_id: cents}}``.

    Orders with nothing to collect are left out; so are producers a member
    ordered nothing from.
    """
    return {b.order_id: {part.producer.pk: part.total_cents for part in b.parts} for b in baskets(cycle)}


def total_due(baskets: Iterable[Basket], producer_id: int | None = None) -> int:
    """What ``baskets`` owe ``producer_id`` together (every producer if None), in cents."""
    return sum(b.total_cents if producer_id is None else b.due_to(producer_id) for b in baskets)
