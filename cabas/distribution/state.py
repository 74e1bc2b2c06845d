"""The day as it stands: derived from the baskets and the journal, never stored.

Every screen of the day reads it: a producer's stand (``Day.stand``), the
welcome desk and the coordinators' live view (``Day.households``), a member's
own day (``Day.household``). The amounts come from ``cabas.cycles.baskets``
(the persisted line totals, which a weighing or a shortage has already
changed through the one write path for lines); what was paid comes from the
journal's payment events, whose ledger entries say the same.

Slip numbers are the baskets' positions in the one member order
(``baskets.slip_numbers``), as printed on the slips.

``load_day`` runs a fixed number of queries whatever the number of households.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q

from cabas.catalog.models import Producer
from cabas.cycles.baskets import (
    LINE_FIELDS,
    Basket,
    Item,
    Member,
    ProducerPart,
    baskets,
    baskets_of,
    item_sort_key,
    line_item,
    member_sort_key,
    producer_sort_key,
    slip_numbers,
)
from cabas.cycles.models import Cycle, Order, OrderLine
from cabas.distribution.models import Event, EventKind, ShortReason
from cabas.ledger.fund_positions import contributions_paid
from cabas.ledger.positions import help_granted


@dataclass(frozen=True)
class LineView:
    item: Item
    handed: bool
    grams: int | None  # the actual weight, once weighed
    short: int  # thousandths not delivered
    short_reason: str

    @property
    def line_id(self) -> int:
        return self.item.line_id

    @property
    def awaits_weight(self) -> bool:
        return self.item.variable_weight and self.grams is None and self.item.quantity > 0

    @property
    def done(self) -> bool:
        return self.handed or self.item.quantity == 0

    @property
    def not_delivered(self) -> bool:
        """Nothing of the line was delivered: it stays on the day's pages, struck through, at 0 €."""
        return self.item.quantity == 0

    @property
    def short_reason_label(self) -> str:
        return str(ShortReason(self.short_reason).label) if self.short_reason in ShortReason.values else ""


@dataclass(frozen=True)
class Payment:
    event_id: int
    amount_cents: int
    method: str
    details: dict[str, Any]
    by: str
    at: datetime
    conflict: bool
    producer_id: int | None
    shares: dict[int, int]  # desk payments: producer id -> cents


@dataclass(frozen=True)
class Stand:
    """One household at one producer's stand."""

    number: int
    order_id: int
    member: Member
    producer: Producer
    lines: tuple[LineView, ...]
    due_cents: int  # the part's total, as persisted
    paid_cents: int  # paid at this stand
    desk_cents: int  # covered by a payment at the welcome desk
    payments: tuple[Payment, ...]
    prepaid: bool = False  # a prepaid group: the part is debited from the household's account
    # What the solidarity fund covers of this part; it counts in ``desk_cents`` once the household
    # has paid its share at the desk (``fund_applied``). Only the household's own page and
    # ``Household.to_collect_cents`` read it: no other screen shows it.
    fund_cents: int = 0
    fund_applied: bool = False

    @property
    def fund_pending_cents(self) -> int:
        return 0 if self.fund_applied else self.fund_cents

    @property
    def account_cents(self) -> int:
        """Prepaid groups: what the household's account pays of this part (its handover debits the
        account), so nothing is asked for it at the stand or the desk."""
        return max(self.due_cents - self.paid_cents - self.desk_cents, 0) if self.prepaid else 0

    @property
    def paid_by_account(self) -> bool:
        return self.account_cents > 0

    @property
    def left_cents(self) -> int:
        """What is still to pay for this part (negative: paid too much)."""
        return self.due_cents - self.paid_cents - self.desk_cents - self.account_cents

    @property
    def paid_at_desk(self) -> bool:
        return self.desk_cents > 0

    @property
    def complement_cents(self) -> int:
        """Paid at the desk, then the amount grew (a weighing after the payment): the difference,
        to pay at the desk too. The desk's share stays what it collected."""
        return max(self.left_cents, 0) if self.paid_at_desk else 0

    @property
    def weighed(self) -> bool:
        return any(line.grams is not None for line in self.lines)

    @property
    def served(self) -> bool:
        return all(line.done for line in self.lines)

    @property
    def settled(self) -> bool:
        return self.left_cents <= 0


@dataclass(frozen=True)
class Household:
    """One household's day across every stand, as the desk and the member see it."""

    number: int
    order_id: int
    member: Member
    arrived: bool
    stands: tuple[Stand, ...]
    desk_payments: tuple[Payment, ...]
    uncollected: str  # the coordinators' decision for a basket nobody came for
    # The household's promise to the solidarity fund (``cycles.contribution``) and what it has
    # paid toward it (the fund's ledger): the desk asks for the rest with the basket.
    promised_cents: int = 0
    contributed_cents: int = 0

    @property
    def contribution_left_cents(self) -> int:
        """What the household promised the fund and has not paid yet."""
        return max(self.promised_cents - self.contributed_cents, 0)

    @property
    def due_cents(self) -> int:
        return sum(stand.due_cents for stand in self.stands)

    @property
    def left_cents(self) -> int:
        """What to collect from the household now: each part's remainder, never a credit."""
        return sum(max(stand.left_cents, 0) for stand in self.stands)

    @property
    def to_collect_cents(self) -> int:
        """What the welcome desk asks of the household now: the one figure the desk shows.

        What is left, less what the solidarity fund covers for a household it helps,
        so a beneficiary is asked only for its share, like any household paying there; plus what
        it promised the fund and has not paid yet.
        """
        return self.basket_to_collect_cents + self.contribution_left_cents

    @property
    def basket_to_collect_cents(self) -> int:
        """Of ``to_collect_cents``, what is for the producers' parts."""
        return sum(max(stand.left_cents - stand.fund_pending_cents, 0) for stand in self.stands)

    @property
    def fund_cents(self) -> int:
        """What the solidarity fund covers of the basket (the household's own page only)."""
        return sum(stand.fund_cents for stand in self.stands)

    @property
    def paid_cents(self) -> int:
        """Paid at the stands and at the desk for the basket's parts."""
        return sum(stand.paid_cents + stand.desk_cents for stand in self.stands)

    @property
    def desk_settled_cents(self) -> int:
        """What the welcome desk settled of the basket: the parts its payments covered, the fund's
        share included. The same figure whether the household was helped or paid it all, so the
        desk's and the coordinators' screens show this, never the cash taken (``desk_payments``)."""
        return sum(stand.desk_cents for stand in self.stands) if self.desk_payments else 0

    @property
    def desk_method(self) -> str:
        """The method of the household's largest payment at the desk ("" if none)."""
        if not self.desk_payments:
            return ""
        return max(self.desk_payments, key=lambda p: (p.amount_cents, -p.event_id)).method

    @property
    def complement_cents(self) -> int:
        """Part of ``left_cents``: what the amounts grew by after a payment at the desk."""
        return sum(stand.complement_cents for stand in self.stands)

    @property
    def complement_weighed(self) -> bool:
        """The complement comes from a weighing after the payment (the desk says why)."""
        return any(stand.weighed for stand in self.stands if stand.complement_cents)

    @property
    def served(self) -> bool:
        return all(stand.served for stand in self.stands)

    @property
    def started(self) -> bool:
        return self.arrived

    @property
    def not_collected(self) -> bool:
        """A basket to decide on at the end of the day: the coordinators decided on it already,
        or something of it is still to hand over (and it is not « charged anyway »)."""
        return bool(self.uncollected) or not self.served


@dataclass
class Day:
    cycle: Cycle
    households: list[Household]
    conflicts: list[Payment] = field(default_factory=list)

    def household(self, order_id: int) -> Household | None:
        return next((h for h in self.households if h.order_id == order_id), None)

    def stand(self, producer_id: int) -> list[Stand]:
        """The households that ordered from ``producer_id``, by slip number."""
        return [s for h in self.households for s in h.stands if s.producer.pk == producer_id]


def not_collected(day: Day) -> list[Household]:
    """The baskets not (fully) collected, decided on or not: the one list the live view and the
    day's summary show."""
    return [h for h in day.households if h.not_collected]


@dataclass
class _Journal:
    """The journal folded: the latest state of each line, payments, arrivals, decisions."""

    handed: set[int] = field(default_factory=set)
    grams: dict[int, int] = field(default_factory=dict)
    short: dict[int, tuple[int, str]] = field(default_factory=dict)
    arrived: set[int] = field(default_factory=set)
    stand_payments: dict[tuple[int, int], list[Payment]] = field(default_factory=lambda: defaultdict(list))
    desk_payments: dict[int, list[Payment]] = field(default_factory=lambda: defaultdict(list))
    uncollected: dict[int, str] = field(default_factory=dict)
    conflicts: list[Payment] = field(default_factory=list)


_EVENT_FIELDS = (
    "pk",
    "order_id",
    "producer_id",
    "line_id",
    "kind",
    "quantity",
    "grams",
    "amount_cents",
    "method",
    "reason",
    "details",
    "corrects_id",
    "conflict",
    "happened_at",
    "by__full_name",
    "by__email",
)


def fold_journal(rows: list[dict[str, Any]]) -> _Journal:
    """Replay the journal (rows in id order): a cancelled event counts for nothing."""
    cancelled = {row["corrects_id"] for row in rows if row["kind"] == EventKind.CANCELLED}
    resolved = {row["corrects_id"] for row in rows if row["kind"] == EventKind.RESOLVED}
    journal = _Journal()
    for row in rows:
        if row["pk"] in cancelled:
            continue
        kind, line = row["kind"], row["line_id"]
        if kind == EventKind.ARRIVED:
            journal.arrived.add(row["order_id"])
        elif kind == EventKind.HANDED:
            journal.handed.add(line)
        elif kind == EventKind.WEIGHED:
            journal.grams[line] = row["grams"]
        elif kind == EventKind.SHORT:
            journal.short[line] = (row["quantity"] or 0, row["reason"])
        elif kind == EventKind.UNCOLLECTED:
            journal.uncollected[row["order_id"]] = row["reason"]
        elif kind in (EventKind.PAID, EventKind.DESK_PAID):
            payment = _payment(row)
            if kind == EventKind.PAID:
                journal.stand_payments[row["order_id"], row["producer_id"]].append(payment)
            else:
                journal.desk_payments[row["order_id"]].append(payment)
            if payment.conflict and row["pk"] not in resolved:
                journal.conflicts.append(payment)
    return journal


def _payment(row: dict[str, Any]) -> Payment:
    details = row["details"] or {}
    shares = {int(pk): int(cents) for pk, cents in details.get("shares", {}).items()}
    return Payment(
        event_id=row["pk"],
        amount_cents=row["amount_cents"] or 0,
        method=row["method"],
        details=details,
        by=row["by__full_name"] or row["by__email"] or "",
        at=row["happened_at"],
        conflict=row["conflict"],
        producer_id=row["producer_id"],
        shares=shares,
    )


def journal_rows(cycle: Cycle, **filters: Any) -> list[dict[str, Any]]:
    return list(Event.objects.filter(cycle=cycle, **filters).values(*_EVENT_FIELDS).order_by("pk"))


def _stand(
    number: int,
    basket: Basket,
    part: ProducerPart,
    journal: _Journal,
    gone: tuple[Item, ...] = (),
    prepaid: bool = False,
    fund: int = 0,
) -> Stand:
    """``fund``: what the solidarity fund covers of this part. It counts as collected by the
    association once the household has paid at the desk (or if nothing else is left to pay),
    exactly as a desk payment would: the stand cannot tell the two apart."""
    producer_id = part.producer.pk
    items = sorted((*part.items, *gone), key=item_sort_key) if gone else part.items
    lines = tuple(
        LineView(
            item=item,
            handed=item.line_id in journal.handed,
            grams=journal.grams.get(item.line_id),
            short=journal.short.get(item.line_id, (0, ""))[0],
            short_reason=journal.short.get(item.line_id, (0, ""))[1],
        )
        for item in items
    )
    payments = tuple(journal.stand_payments.get((basket.order_id, producer_id), ()))
    desk = sum(p.shares.get(producer_id, 0) for p in journal.desk_payments.get(basket.order_id, ()))
    paid = sum(p.amount_cents for p in payments)
    applied = fund if journal.desk_payments.get(basket.order_id) or fund >= part.total_cents - paid else 0
    return Stand(
        number=number,
        order_id=basket.order_id,
        member=basket.member,
        producer=part.producer,
        lines=lines,
        due_cents=part.total_cents,
        paid_cents=paid,
        desk_cents=desk + applied,
        payments=payments,
        prepaid=prepaid,
        fund_cents=fund,
        fund_applied=bool(applied),
    )


def _paid_producers(journal: _Journal, order_id: int) -> set[int]:
    stand = {producer for (order, producer) in journal.stand_payments if order == order_id}
    desk = {producer for p in journal.desk_payments.get(order_id, ()) for producer in p.shares}
    return stand | desk


def _parts(
    basket: Basket, journal: _Journal, producers: dict[int, Producer], gone: set[int]
) -> list[ProducerPart]:
    """The basket's parts, plus an empty one for a producer paid for nothing left to collect,
    or whose every line is short (``gone``): the money and the lines never vanish from a screen."""
    parts = list(basket.parts)
    have = {part.producer.pk for part in parts}
    for producer_id in sorted((_paid_producers(journal, basket.order_id) | gone) - have):
        parts.append(ProducerPart(producers[producer_id], ()))
    return sorted(parts, key=lambda part: producer_sort_key(part.producer))


def build_day(
    cycle: Cycle,
    all_baskets: list[Basket],
    numbers: dict[int, int],
    journal: _Journal,
    producers: dict[int, Producer],
    gone: dict[tuple[int, int], tuple[Item, ...]] | None = None,
    fund: dict[tuple[int, int | None], int] | None = None,
    contributed: dict[int, int] | None = None,
) -> Day:
    """``gone``: the lines short to zero, by (order, producer), from ``short_lines``;
    ``contributed``: what each household paid toward its promise to the fund (household id -> cents)."""
    gone = gone or {}
    fund = fund or {}
    contributed = contributed or {}
    prepaid = cycle.group.prepaid  # the group is loaded with the cycle by every view of the day
    households = []
    for basket in all_baskets:
        number = numbers.get(basket.order_id, 0)
        mine = {producer for (order, producer) in gone if order == basket.order_id}
        parts = _parts(basket, journal, producers, mine)
        stands = tuple(
            _stand(
                number,
                basket,
                part,
                journal,
                gone.get((basket.order_id, part.producer.pk), ()),
                prepaid,
                0 if prepaid else fund.get((basket.member.pk, part.producer.pk), 0),
            )
            for part in parts
        )
        desk_payments = tuple(journal.desk_payments.get(basket.order_id, ()))
        handed = any(line.handed for stand in stands for line in stand.lines)
        households.append(
            Household(
                number=number,
                order_id=basket.order_id,
                member=basket.member,
                # Arrived: the desk said so, or it paid at the desk, or a stand handed something over.
                arrived=basket.order_id in journal.arrived or bool(desk_payments) or handed,
                stands=stands,
                desk_payments=desk_payments,
                uncollected=journal.uncollected.get(basket.order_id, ""),
                promised_cents=basket.contribution_cents,
                contributed_cents=contributed.get(basket.member.pk, 0),
            )
        )
    households.sort(key=lambda h: member_sort_key(h.member))  # by surname; the numbers are the slips'
    return Day(cycle, households, journal.conflicts)


def member_household(cycle: Cycle, order: Order) -> Household | None:
    """One household's day, as ``load_day`` would show it, without loading the others:
    a fixed number of queries (what the member's page and a desk payment need)."""
    journal = fold_journal(journal_rows(cycle, order=order))
    found = baskets_of([order])[order.pk]
    producers = {part.producer.pk: part.producer for part in found.parts}
    gone = short_lines(cycle, journal, order=order)
    wanted = (_paid_producers(journal, order.pk) | {pid for _order, pid in gone}) - set(producers)
    if wanted:
        producers.update(Producer.objects.in_bulk(wanted))
    fund = help_granted(cycle, order.user)
    paid = contributions_paid(cycle, order.user) if found.contribution_cents else {}
    day = build_day(cycle, [found], slip_numbers(cycle), journal, producers, gone, fund, paid)
    return day.household(order.pk)


def load_day(cycle: Cycle, *, producer: Producer | None = None) -> Day:
    """The whole day of ``cycle`` (or one producer's stand only); a fixed number of queries.

    A basket whose every line ended short still appears while the journal holds
    something of it (a payment, an arrival): nothing recorded disappears.
    """
    found = baskets(cycle, producer=producer)
    numbers = slip_numbers(cycle)
    rows = journal_rows(cycle) if producer is None else _stand_rows(cycle, producer)
    journal = fold_journal(rows)
    known = {b.order_id for b in found}
    concerned = (row["order_id"] for row in rows if producer is None or row["producer_id"] == producer.pk)
    missing = set(concerned) - known
    if missing:
        extra = list(baskets_of(Order.objects.filter(pk__in=missing).select_related("user")).values())
        if producer is not None:  # a stand sees its own part only
            extra = [Basket(b.order_id, b.member, b.part_of(producer.pk)) for b in extra]
        found += extra
    gone = short_lines(cycle, journal, producer)
    producers = {part.producer.pk: part.producer for b in found for part in b.parts}
    wanted = {pid for b in found for pid in _paid_producers(journal, b.order_id)}
    wanted = (wanted | {pid for (_order, pid) in gone}) - set(producers)
    if wanted:
        producers.update(Producer.objects.in_bulk(wanted))
    fund = help_granted(cycle)
    paid = contributions_paid(cycle) if any(b.contribution_cents for b in found) else {}
    return build_day(cycle, found, numbers, journal, producers, gone, fund, paid)


def short_lines(
    cycle: Cycle, journal: _Journal, producer: Producer | None = None, **filters: Any
) -> dict[tuple[int, int], tuple[Item, ...]]:
    """The lines of the journal's shortages left at zero (the baskets leave them out), by
    (order, producer): one query, none when nothing was short."""
    if not journal.short:
        return {}
    if producer is not None:
        filters["offer__producer"] = producer
    rows = (
        OrderLine.objects.filter(order__cycle=cycle, pk__in=list(journal.short), quantity=0, **filters)
        .values(*LINE_FIELDS)
        .order_by()
    )
    found: dict[tuple[int, int], list[Item]] = defaultdict(list)
    for row in rows:
        found[row["order_id"], row["offer__producer_id"]].append(line_item(row))
    return {key: tuple(items) for key, items in found.items()}


def _stand_rows(cycle: Cycle, producer: Producer) -> list[dict[str, Any]]:
    """What a stand needs of the journal: its own events and the desk's (arrivals, desk payments)."""
    return list(
        Event.objects.filter(cycle=cycle)
        .filter(Q(producer=producer) | Q(producer__isnull=True))
        .values(*_EVENT_FIELDS)
        .order_by("pk")
    )
