"""The one query layer behind every document of a cycle, in every format.

Each function returns plain dataclasses (no model instances, so rendering
never runs a query) built with a fixed number of queries, however many orders
the cycle has. Amounts are sums of the *persisted* line totals: nothing here
multiplies a price by a quantity, so a document always shows what the order
pages, e-mails and ledgers show. Only lines with a quantity count (a fair share
may have given a member nothing of what they asked for).

Quantities are integer thousandths of the sale unit; weights are integer grams;
amounts are integer cents.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle, Offer, Order, OrderLine, Phase

# --- Shared pieces -------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentHeader:
    """What the top of every page says. ``provisional``: orders are still open, figures may change."""

    group_name: str
    cycle_name: str
    distribution_date: date
    distribution_start: time
    distribution_end: time
    distribution_place: str
    provisional: bool


def document_header(cycle: Cycle) -> DocumentHeader:
    """The header of ``cycle`` (one query for the group unless it was loaded with the cycle)."""
    return DocumentHeader(
        group_name=cycle.group.name,
        cycle_name=cycle.name,
        distribution_date=cycle.distribution_date,
        distribution_start=cycle.distribution_start,
        distribution_end=cycle.distribution_end,
        distribution_place=cycle.distribution_place,
        provisional=cycle.phase() in {Phase.DRAFT, Phase.SCHEDULED, Phase.OPEN},
    )


@dataclass(frozen=True)
class Cartons:
    """``quantity`` in cartons of ``size`` (both in thousandths): full cartons, then what is left."""

    size: int
    full: int
    remainder: int

    @property
    def missing(self) -> int:
        """How much more fills the last, incomplete carton (0 when every carton is full)."""
        return self.size - self.remainder if self.remainder else 0


def cartons_of(quantity: int, carton_size: int | None) -> Cartons | None:
    if not carton_size:
        return None
    full, remainder = divmod(quantity, carton_size)
    return Cartons(carton_size, full, remainder)


def estimated_grams(quantity: int, grams_per_piece: int | None) -> int | None:
    """Estimated grams of ``quantity`` (thousandths of a piece), half up; None if not sold by weight."""
    if grams_per_piece is None:
        return None
    return (quantity * grams_per_piece * 2 + 1000) // 2000


@dataclass(frozen=True)
class Payment:
    """How a producer wants to be paid at distribution."""

    accepts_cash: bool
    accepts_cheque: bool
    cheque_payee: str
    accepts_transfer: bool
    iban_display: str
    payment_notes: str  # the names of ``Producer``'s: one template shows either


@dataclass(frozen=True)
class ProducerInfo:
    pk: int
    name: str
    slug: str
    phone: str
    email: str
    payment: Payment


def producer_info(producer: Producer) -> ProducerInfo:
    return ProducerInfo(
        pk=producer.pk,
        name=producer.name,
        slug=producer.slug,
        phone=producer.contact_phone,
        email=producer.contact_email,
        payment=Payment(
            accepts_cash=producer.accepts_cash,
            accepts_cheque=producer.accepts_cheque,
            cheque_payee=producer.cheque_payee,
            accepts_transfer=producer.accepts_transfer,
            iban_display=producer.iban_display,
            payment_notes=producer.payment_notes,
        ),
    )


def cycle_producers(cycle: Cycle) -> QuerySet[Producer]:
    """Producers taking part in ``cycle`` (chosen for it, or with an offer in it), by name."""
    return Producer.objects.taking_part_in(cycle)


@dataclass(frozen=True)
class Member:
    """A household as documents name it: full name (or e-mail when there is none) and contacts."""

    pk: int
    name: str
    email: str
    phone: str


def _fold(text: str) -> str:
    """Accents and case ignored, so that « Émile » sorts with the E's, as people expect."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def member_sort_key(member: Member) -> tuple[str, str]:
    """By name (the full name, else the e-mail), then e-mail."""
    return (_fold(member.name), member.email.casefold())


@dataclass(frozen=True)
class Item:
    """One line of one member's order, as documents show it."""

    offer_id: int
    name: str
    unit_label: str
    quantity: int
    amount_cents: int
    estimated: bool  # variable weight: the amount is an estimate until the actual weight is known
    estimated_weight_grams: int | None


# The columns every per-line query reads (values() rows: no model instances for thousands of lines).
LINE_FIELDS = (
    "order__user_id",
    "order__user__full_name",
    "order__user__email",
    "order__user__phone",
    "offer_id",
    "offer__producer_id",
    "offer__name",
    "offer__unit_label",
    "offer__variable_weight",
    "offer__estimated_weight_grams",
    "quantity",
    "total_cents",
)


def _lines(**filters: Any) -> list[dict[str, Any]]:
    """Order lines with a quantity, by product name: one query."""
    rows = OrderLine.objects.filter(quantity__gt=0, **filters).values(*LINE_FIELDS)
    return list(rows.order_by("offer__category", "offer__name", "offer_id"))


def _member(row: Mapping[str, Any]) -> Member:
    email = row["order__user__email"]
    name = row["order__user__full_name"] or email
    return Member(row["order__user_id"], name, email, row["order__user__phone"])


def _item(row: Mapping[str, Any]) -> Item:
    grams = row["offer__estimated_weight_grams"] if row["offer__variable_weight"] else None
    return Item(
        offer_id=row["offer_id"],
        name=row["offer__name"],
        unit_label=row["offer__unit_label"],
        quantity=row["quantity"],
        amount_cents=row["total_cents"],
        estimated=row["offer__variable_weight"],
        estimated_weight_grams=estimated_grams(row["quantity"], grams),
    )


# --- Purchase order ---------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseOrderRow:
    offer_id: int
    name: str
    unit_label: str
    price_cents: int  # per sale unit, or per kg for a variable-weight product
    quantity: int
    amount_cents: int
    cartons: Cartons | None
    estimated: bool
    estimated_weight_grams: int | None


@dataclass(frozen=True)
class PurchaseOrder:
    header: DocumentHeader
    producer: ProducerInfo
    rows: list[PurchaseOrderRow]

    @property
    def total_cents(self) -> int:
        return sum(row.amount_cents for row in self.rows)

    @property
    def is_estimate(self) -> bool:
        return any(row.estimated for row in self.rows)


def purchase_order(cycle: Cycle, producer: Producer) -> PurchaseOrder:
    """What ``producer`` brings to ``cycle``'s distribution: per product ordered, the total quantity,
    cartons, and the sum of the line totals. One query (plus the group for the header)."""
    totals = (
        OrderLine.objects.filter(offer__cycle=cycle, offer__producer=producer, quantity__gt=0)
        .values(
            "offer_id",
            "offer__name",
            "offer__unit_label",
            "offer__price_cents",
            "offer__carton_size",
            "offer__variable_weight",
            "offer__estimated_weight_grams",
        )
        .annotate(quantity=Sum("quantity"), amount=Sum("total_cents"))
        .order_by("offer__category", "offer__name", "offer_id")
    )
    return PurchaseOrder(document_header(cycle), producer_info(producer), [_po_row(t) for t in totals])


def _po_row(total: Mapping[str, Any]) -> PurchaseOrderRow:
    variable = total["offer__variable_weight"]
    return PurchaseOrderRow(
        offer_id=total["offer_id"],
        name=total["offer__name"],
        unit_label=total["offer__unit_label"],
        price_cents=total["offer__price_cents"],
        quantity=total["quantity"],
        amount_cents=total["amount"],
        cartons=cartons_of(total["quantity"], total["offer__carton_size"]),
        estimated=variable,
        estimated_weight_grams=estimated_grams(
            total["quantity"], total["offer__estimated_weight_grams"] if variable else None
        ),
    )


# --- Distribution list -----------------------------------------------------------------


class _ItemsTotal:
    """Amount and estimate flag of a list of items: sums of persisted line totals, never recomputed."""

    items: list[Item]

    @property
    def amount_cents(self) -> int:
        return sum(item.amount_cents for item in self.items)

    @property
    def is_estimate(self) -> bool:
        return any(item.estimated for item in self.items)


@dataclass(frozen=True)
class DistributionRow(_ItemsTotal):
    """What the producer hands one member, and collects from them."""

    member: Member
    items: list[Item]


@dataclass(frozen=True)
class DistributionList:
    header: DocumentHeader
    producer: ProducerInfo
    rows: list[DistributionRow]

    @property
    def total_cents(self) -> int:
        return sum(row.amount_cents for row in self.rows)


def distribution_list(cycle: Cycle, producer: Producer) -> DistributionList:
    """One row per member who ordered from ``producer``, sorted by name: one query."""
    by_member: dict[int, DistributionRow] = {}
    for row in _lines(offer__cycle=cycle, offer__producer=producer):
        member_row = by_member.setdefault(row["order__user_id"], DistributionRow(_member(row), []))
        member_row.items.append(_item(row))
    rows = sorted(by_member.values(), key=lambda r: member_sort_key(r.member))
    return DistributionList(document_header(cycle), producer_info(producer), rows)


# --- Member slips ------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipPart(_ItemsTotal):
    producer: ProducerInfo
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class MemberSlip:
    """A member's basket for distribution day: items and amount per producer, and how to pay each."""

    header: DocumentHeader
    member: Member
    parts: list[SlipPart]

    @property
    def total_cents(self) -> int:
        return sum(part.amount_cents for part in self.parts)

    @property
    def is_estimate(self) -> bool:
        return any(part.is_estimate for part in self.parts)


@dataclass(frozen=True)
class MemberSlips:
    header: DocumentHeader
    slips: list[MemberSlip]


def _producers_by_pk(cycle: Cycle) -> dict[int, ProducerInfo]:
    return {p.pk: producer_info(p) for p in cycle_producers(cycle)}


def _slips(
    header: DocumentHeader, lines: Iterable[dict[str, Any]], producers: dict[int, ProducerInfo]
) -> list[MemberSlip]:
    """Slips of the members in ``lines``, by member name; producers by name within a slip."""
    members: dict[int, Member] = {}
    parts: dict[int, dict[int, SlipPart]] = {}
    for row in lines:
        member_pk, producer_pk = row["order__user_id"], row["offer__producer_id"]
        members.setdefault(member_pk, _member(row))
        part = parts.setdefault(member_pk, {}).setdefault(producer_pk, SlipPart(producers[producer_pk]))
        part.items.append(_item(row))
    slips = [
        MemberSlip(header, member, sorted(parts[pk].values(), key=lambda p: _fold(p.producer.name)))
        for pk, member in members.items()
    ]
    return sorted(slips, key=lambda slip: member_sort_key(slip.member))


def member_slips(cycle: Cycle) -> MemberSlips:
    """Every slip of ``cycle`` (members with something to collect), by member name: two queries."""
    header = document_header(cycle)
    return MemberSlips(header, _slips(header, _lines(order__cycle=cycle), _producers_by_pk(cycle)))


def member_slip(cycle: Cycle, order: Order) -> MemberSlip:
    """The slip of one order of ``cycle`` (its user loaded, or one more query); empty parts if nothing."""
    header = document_header(cycle)
    slips = _slips(header, _lines(order=order, order__cycle=cycle), _producers_by_pk(cycle))
    if slips:
        return slips[0]
    user = order.user
    return MemberSlip(header, Member(user.pk, user.full_name or user.email, user.email, user.phone), [])


# --- Who-ordered-where matrix --------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    member: Member
    amounts: list[int | None]  # aligned with Matrix.producers; None: nothing ordered there

    @property
    def total_cents(self) -> int:
        return sum(amount or 0 for amount in self.amounts)


@dataclass(frozen=True)
class Matrix:
    """Members x producers with what each member owes each producer, for the welcome desk."""

    header: DocumentHeader
    producers: list[ProducerInfo]  # only those with something to hand out
    rows: list[MatrixRow]

    @property
    def producer_totals(self) -> list[int]:
        return [sum(row.amounts[i] or 0 for row in self.rows) for i in range(len(self.producers))]

    @property
    def total_cents(self) -> int:
        return sum(row.total_cents for row in self.rows)


def matrix(cycle: Cycle) -> Matrix:
    """Amount due per member and producer (sums of persisted line totals): two queries."""
    cells = (
        OrderLine.objects.filter(order__cycle=cycle, quantity__gt=0)
        .values(
            "order__user_id",
            "order__user__full_name",
            "order__user__email",
            "order__user__phone",
            "offer__producer_id",
        )
        .annotate(amount=Sum("total_cents"))
        .order_by()
    )
    members: dict[int, Member] = {}
    due: dict[tuple[int, int], int] = {}
    for cell in cells:
        members.setdefault(cell["order__user_id"], _member(cell))
        due[cell["order__user_id"], cell["offer__producer_id"]] = cell["amount"]
    used = {producer_pk for _member_pk, producer_pk in due}
    producers = [p for p in _producers_by_pk(cycle).values() if p.pk in used]
    rows = [
        MatrixRow(member, [due.get((member.pk, p.pk)) for p in producers])
        for member in sorted(members.values(), key=member_sort_key)
    ]
    return Matrix(document_header(cycle), producers, rows)


# --- Cycle summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProducerTurnover:
    producer: ProducerInfo
    baskets: int  # members who ordered something from this producer
    amount_cents: int
    estimated: bool


@dataclass(frozen=True)
class CartonRow:
    producer_name: str
    offer_id: int
    name: str
    unit_label: str
    quantity: int
    cartons: Cartons


@dataclass(frozen=True)
class CycleSummary:
    header: DocumentHeader
    producers: list[ProducerTurnover]  # every producer of the cycle, by name, even with no order
    baskets: int  # orders with at least one line to hand out
    cartons: list[CartonRow]

    @property
    def total_cents(self) -> int:
        return sum(p.amount_cents for p in self.producers)

    @property
    def is_estimate(self) -> bool:
        return any(p.estimated for p in self.producers)


def cycle_summary(cycle: Cycle) -> CycleSummary:
    """Turnover per producer, number of baskets, cartons per product: four queries."""
    lines = OrderLine.objects.filter(order__cycle=cycle, quantity__gt=0)
    per_producer = {
        row["offer__producer_id"]: row
        for row in lines.values("offer__producer_id")
        .annotate(
            amount=Sum("total_cents"),
            baskets=Count("order_id", distinct=True),
            estimated=Count("pk", filter=Q(offer__variable_weight=True)),
        )
        .order_by()
    }
    baskets = lines.aggregate(n=Count("order_id", distinct=True))["n"]
    turnover = [_turnover(info, per_producer.get(info.pk)) for info in _producers_by_pk(cycle).values()]
    return CycleSummary(document_header(cycle), turnover, baskets, _carton_rows(cycle))


def _turnover(info: ProducerInfo, row: Mapping[str, Any] | None) -> ProducerTurnover:
    if row is None:
        return ProducerTurnover(info, 0, 0, False)
    return ProducerTurnover(info, row["baskets"], row["amount"], bool(row["estimated"]))


def _carton_rows(cycle: Cycle) -> list[CartonRow]:
    offers = (
        Offer.objects.filter(cycle=cycle, carton_size__isnull=False, lines__quantity__gt=0)
        .values("pk", "name", "unit_label", "carton_size", "producer__name")
        .annotate(quantity=Sum("lines__quantity"))
        .order_by("producer__name", "category", "name", "pk")
    )
    rows = []
    for offer in offers:
        cartons = cartons_of(offer["quantity"], offer["carton_size"])
        assert cartons is not None  # carton_size is not null here
        rows.append(
            CartonRow(
                offer["producer__name"],
                offer["pk"],
                offer["name"],
                offer["unit_label"],
                offer["quantity"],
                cartons,
            )
        )
    return rows
