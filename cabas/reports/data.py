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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from django.db.models import QuerySet, Sum

from cabas.catalog.models import Producer
from cabas.cycles.baskets import (
    Basket,
    Item,
    Member,
    ProducerPart,
    basket,
    baskets,
    item_sort_key,
    producer_sort_key,
    slip_numbers,
    total_due,
)
from cabas.cycles.models import Cycle, Offer, Order, Phase
from cabas.lib.quantities import estimated_grams

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


def _producer_infos(parts: Iterable[ProducerPart]) -> dict[int, ProducerInfo]:
    """The producers of ``parts``, by pk, in the baskets' order of producers."""
    producers = {part.producer.pk: part.producer for part in parts}
    ordered = sorted(producers.values(), key=producer_sort_key)
    return {producer.pk: producer_info(producer) for producer in ordered}


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
    total_cents: int  # what the members owe the producer, from their baskets

    @property
    def is_estimate(self) -> bool:
        return any(row.estimated for row in self.rows)


def purchase_order(cycle: Cycle, producer: Producer) -> PurchaseOrder:
    """What ``producer`` brings to ``cycle``'s distribution: per product ordered, the total quantity,
    cartons, and the sum of the line totals, from the baskets. Three queries (plus the group)."""
    taken = baskets(cycle, producer=producer)
    per_offer: dict[int, list[Item]] = {}
    for item in sorted((i for b in taken for part in b.parts for i in part.items), key=item_sort_key):
        per_offer.setdefault(item.offer_id, []).append(item)
    cartons = dict(Offer.objects.filter(pk__in=per_offer).values_list("pk", "carton_size"))
    rows = [_po_row(items, cartons[pk]) for pk, items in per_offer.items()]
    return PurchaseOrder(document_header(cycle), producer_info(producer), rows, total_due(taken, producer.pk))


def _po_row(items: list[Item], carton_size: int | None) -> PurchaseOrderRow:
    first, quantity = items[0], sum(item.quantity for item in items)
    return PurchaseOrderRow(
        offer_id=first.offer_id,
        name=first.name,
        unit_label=first.unit_label,
        price_cents=first.price_cents,
        quantity=quantity,
        amount_cents=sum(item.total_cents for item in items),  # the persisted line totals of one product
        cartons=cartons_of(quantity, carton_size),
        estimated=first.variable_weight,
        estimated_weight_grams=estimated_grams(
            quantity, first.grams_per_piece if first.variable_weight else None
        ),
    )


# --- Distribution list -----------------------------------------------------------------


@dataclass(frozen=True)
class DistributionRow:
    """What the producer hands one member, and collects from them (the member's part of that producer)."""

    member: Member
    part: ProducerPart

    @property
    def items(self) -> tuple[Item, ...]:
        return self.part.items

    @property
    def amount_cents(self) -> int:
        return self.part.total_cents

    @property
    def is_estimate(self) -> bool:
        return self.part.is_estimate


@dataclass(frozen=True)
class DistributionList:
    header: DocumentHeader
    producer: ProducerInfo
    rows: list[DistributionRow]
    total_cents: int


def distribution_list(cycle: Cycle, producer: Producer) -> DistributionList:
    """One row per member who ordered from ``producer``, sorted by name: two queries."""
    taken = baskets(cycle, producer=producer)
    rows = [DistributionRow(b.member, part) for b in taken for part in b.parts]
    return DistributionList(document_header(cycle), producer_info(producer), rows, total_due(taken))


# --- Member slips ------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipPart:
    """A basket's part of one producer, with how that producer wants to be paid."""

    producer: ProducerInfo
    part: ProducerPart

    @property
    def items(self) -> tuple[Item, ...]:
        return self.part.items

    @property
    def amount_cents(self) -> int:
        return self.part.total_cents

    @property
    def is_estimate(self) -> bool:
        return self.part.is_estimate


@dataclass(frozen=True)
class MemberSlip:
    """A member's basket for distribution day: items and amount per producer, and how to pay each."""

    header: DocumentHeader
    basket: Basket
    parts: list[SlipPart]
    number: int = 0  # the slip number (``baskets.slip_numbers``), the one the day's pages show

    @property
    def member(self) -> Member:
        return self.basket.member

    @property
    def total_cents(self) -> int:
        return self.basket.total_cents

    @property
    def is_estimate(self) -> bool:
        return self.basket.is_estimate


@dataclass(frozen=True)
class MemberSlips:
    header: DocumentHeader
    slips: list[MemberSlip]


def _slips(header: DocumentHeader, taken: list[Basket], numbers: dict[int, int]) -> list[MemberSlip]:
    """Slips of ``taken``, in the baskets' order (members, then producers within a slip, by name)."""
    infos = _producer_infos(part for b in taken for part in b.parts)
    return [
        MemberSlip(
            header, b, [SlipPart(infos[p.producer.pk], p) for p in b.parts], numbers.get(b.order_id, 0)
        )
        for b in taken
    ]


def member_slips(cycle: Cycle) -> MemberSlips:
    """Every slip of ``cycle`` (members with something to collect), in the order of their numbers
    (the pile the desk looks numbers up in; lists of people sort by surname): three queries."""
    header = document_header(cycle)
    numbers = slip_numbers(cycle)
    taken = sorted(baskets(cycle), key=lambda b: numbers.get(b.order_id, 0))
    return MemberSlips(header, _slips(header, taken, numbers))


def member_slip(cycle: Cycle, order: Order) -> MemberSlip:
    """The slip of one order of ``cycle`` (its user loaded, or one more query); empty parts if nothing."""
    (slip,) = _slips(document_header(cycle), [basket(order)], slip_numbers(cycle))
    return slip


# --- Who-ordered-where matrix --------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    member: Member
    amounts: list[int | None]  # aligned with Matrix.producers; None: nothing ordered there
    total_cents: int


@dataclass(frozen=True)
class Matrix:
    """Members x producers with what each member owes each producer, for the welcome desk."""

    header: DocumentHeader
    producers: list[ProducerInfo]  # only those with something to hand out
    rows: list[MatrixRow]
    producer_totals: list[int]  # aligned with producers
    total_cents: int


def matrix(cycle: Cycle) -> Matrix:
    """Amount due per member and producer, from the baskets: two queries (plus the group)."""
    taken = baskets(cycle)
    producers = list(_producer_infos(part for b in taken for part in b.parts).values())
    rows = [MatrixRow(b.member, [_due_or_none(b, p.pk) for p in producers], b.total_cents) for b in taken]
    totals = [total_due(taken, p.pk) for p in producers]
    return Matrix(document_header(cycle), producers, rows, totals, total_due(taken))


def _due_or_none(basket_: Basket, producer_id: int) -> int | None:
    part = basket_.part(producer_id)
    return part.total_cents if part else None


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
    total_cents: int

    @property
    def is_estimate(self) -> bool:
        return any(p.estimated for p in self.producers)


def cycle_summary(cycle: Cycle) -> CycleSummary:
    """Turnover per producer (from the baskets), number of baskets, cartons per product: four queries."""
    taken = baskets(cycle)
    producers = sorted(cycle_producers(cycle), key=producer_sort_key)
    turnover = [_turnover(producer_info(p), taken) for p in producers]
    return CycleSummary(document_header(cycle), turnover, len(taken), _carton_rows(cycle), total_due(taken))


def _turnover(info: ProducerInfo, taken: list[Basket]) -> ProducerTurnover:
    parts = [part for b in taken if (part := b.part(info.pk)) is not None]
    estimated = any(part.is_estimate for part in parts)
    return ProducerTurnover(info, len(parts), total_due(taken, info.pk), estimated)


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
