"""The documents after the distribution day, from the day as it stands (``distribution.state``).

Like ``data``, each function returns plain dataclasses built with a fixed
number of queries whatever the number of households: ``load_day`` (the baskets
and the journal folded), plus one query for the journal's shortages and
decisions on baskets nobody collected (who decided, the free-text reasons).

Figures, and what they agree with:

* *due*: a part's persisted total (after weighings and shortages), as every
  screen of the day shows it;
* *handed over*: the persisted totals of the lines handed over, plus every line
  of a basket « charged anyway » (its entry is posted without a handover): what
  the ledger's handover entries add up to for that producer;
* *paid at the stand*, per method, from the journal's payments (each with its
  ledger entry);
* *paid at the desk*: the desk payments' shares for that producer, what the
  association now owes it; the producer's own report shows « réglé à
  l'accueil » per household, never that household's amount;
* *still owed* (« reste dû »): due − paid at the stand − paid at the desk,
  whether the goods were handed over yet or not. A payment at the desk keeps its
  share: if a weighing then raised the amount, the difference is still owed by
  the household (a complement, paid at the desk), never by the association;
* *paid, not handed over*: what was paid for goods not handed over yet (or
  left on the table), min(paid, due) − handed over when positive.

The household's account in the ledger holds what it received minus what it
paid: its balance for a producer is *still owed* − (*due* − *handed over*).

Cancelled events count for nothing (``state.fold_journal``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from cabas.catalog.models import Producer
from cabas.cycles.baskets import Member, member_sort_key, producer_sort_key
from cabas.cycles.models import Cycle
from cabas.distribution.models import Event, EventKind, ShortReason, Uncollected
from cabas.distribution.state import Day, Household, Payment, Stand, load_day, not_collected
from cabas.ledger.models import Method
from cabas.reports.data import DocumentHeader, ProducerInfo, document_header, producer_info

# The order of the payment methods in every table.
METHODS = (Method.CASH, Method.CHEQUE, Method.TRANSFER, Method.CARD)


def day_started(cycle: Cycle) -> bool:
    """Something was recorded on the day (or the day is over): its documents make sense (one query)."""
    return cycle.day_started()


# --- What one household received and paid at one stand ---------------------------------------


@dataclass(frozen=True)
class DayItem:
    name: str
    unit_label: str
    quantity: int  # thousandths delivered (after a shortage)
    grams: int | None  # the actual weight, once weighed
    variable_weight: bool
    amount_cents: int  # the persisted line total
    handed: bool


@dataclass(frozen=True)
class StandPayment:
    method: str  # a ``Method`` value
    amount_cents: int
    details: dict[str, str]
    conflict: bool


@dataclass(frozen=True)
class StandRow:
    """One household at one producer's stand."""

    number: int  # the slip number
    member: Member
    items: tuple[DayItem, ...]
    due_cents: int
    handed_cents: int
    payments: tuple[StandPayment, ...]
    paid_cents: int  # at the stand
    at_desk: bool  # « réglé à l'accueil »
    desk_cents: int  # never printed on the producer's own report
    served: bool

    @property
    def owed_cents(self) -> int:
        """What the household still owes for its part, handed over or not (negative only if
        it paid more than the part's amount)."""
        return self.due_cents - self.paid_cents - self.desk_cents

    @property
    def paid_not_handed_cents(self) -> int:
        """Paid for goods not handed over (yet): never shown as a negative debt."""
        return max(min(self.paid_cents + self.desk_cents, self.due_cents) - self.handed_cents, 0)

    @property
    def complement(self) -> bool:
        """Paid at the desk, then the amount grew: the rest is to pay at the desk too."""
        return self.at_desk and self.owed_cents > 0


@dataclass(frozen=True)
class Shortage:
    number: int
    member: Member
    producer_name: str
    product: str
    unit_label: str
    quantity: int  # thousandths not delivered
    reason: str  # a ``ShortReason`` value
    note: str


@dataclass(frozen=True)
class Cheque:
    number: int  # the slip number of the household that paid
    member: Member
    cheque_number: str
    bank: str
    drawer: str
    amount_cents: int


@dataclass(frozen=True)
class MethodTotals:
    """Money per method, aligned with ``METHODS``, and how many payments of each."""

    cents: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_cents(self) -> int:
        return sum(self.cents.values())

    def of(self, method: str) -> int:
        return self.cents.get(method, 0)


def _method_totals(payments: Iterable[StandPayment | Payment]) -> MethodTotals:
    cents: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for payment in payments:
        cents[payment.method] += payment.amount_cents
        counts[payment.method] += 1
    return MethodTotals(dict(cents), dict(counts))


def _desk_settled(day: Day) -> MethodTotals:
    cents: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for household in day.households:
        if household.desk_payments:
            cents[household.desk_method] += household.desk_settled_cents
            counts[household.desk_method] += 1
    return MethodTotals(dict(cents), dict(counts))


# --- A producer's day report -----------------------------------------------------------------


@dataclass(frozen=True)
class ProducerDay:
    header: DocumentHeader
    producer: ProducerInfo
    rows: list[StandRow]  # by slip number
    shortages: list[Shortage]
    cheques: list[Cheque]
    methods: MethodTotals

    @property
    def due_cents(self) -> int:
        return sum(row.due_cents for row in self.rows)

    @property
    def handed_cents(self) -> int:
        return sum(row.handed_cents for row in self.rows)

    @property
    def paid_cents(self) -> int:
        return sum(row.paid_cents for row in self.rows)

    @property
    def desk_count(self) -> int:
        return sum(1 for row in self.rows if row.at_desk)

    @property
    def desk_cents(self) -> int:
        """What the association owes the producer for the baskets paid at the welcome desk."""
        return sum(row.desk_cents for row in self.rows)

    @property
    def owed_cents(self) -> int:
        return sum(row.owed_cents for row in self.rows)

    @property
    def paid_not_handed_cents(self) -> int:
        return sum(row.paid_not_handed_cents for row in self.rows)

    @property
    def served(self) -> int:
        return sum(1 for row in self.rows if row.served)

    @property
    def cheque_total_cents(self) -> int:
        return sum(cheque.amount_cents for cheque in self.cheques)


def _row(stand: Stand, charged: bool) -> StandRow:
    items = tuple(
        DayItem(
            name=line.item.name,
            unit_label=line.item.unit_label,
            quantity=line.item.quantity,
            grams=line.grams,
            variable_weight=line.item.variable_weight,
            amount_cents=line.item.total_cents,
            handed=line.handed,
        )
        for line in stand.lines
    )
    handed = sum(item.amount_cents for item in items if item.handed or charged)
    payments = tuple(
        StandPayment(p.method, p.amount_cents, {k: str(v) for k, v in p.details.items()}, p.conflict)
        for p in stand.payments
    )
    return StandRow(
        number=stand.number,
        member=stand.member,
        items=items,
        due_cents=stand.due_cents,
        handed_cents=handed,
        payments=payments,
        paid_cents=stand.paid_cents,
        at_desk=stand.paid_at_desk,
        desk_cents=stand.desk_cents,
        served=stand.served,
    )


def _charged(household: Household) -> bool:
    return household.uncollected == Uncollected.CHARGED


def _cheques(rows: list[StandRow]) -> list[Cheque]:
    return [
        Cheque(
            number=row.number,
            member=row.member,
            cheque_number=payment.details.get("number", ""),
            bank=payment.details.get("bank", ""),
            drawer=payment.details.get("drawer", "") or row.member.name,
            amount_cents=payment.amount_cents,
        )
        for row in rows
        for payment in row.payments
        if payment.method == Method.CHEQUE
    ]


def producer_day(cycle: Cycle, producer: Producer) -> ProducerDay:
    """``producer``'s day: each household served, what it received and paid, shortages, cheques."""
    day = load_day(cycle, producer=producer)
    charged = {h.order_id for h in day.households if _charged(h)}
    rows = [_row(stand, stand.order_id in charged) for stand in day.stand(producer.pk)]
    numbers = {h.order_id: (h.number, h.member) for h in day.households}
    shortages, _decided = _journal_notes(cycle, numbers, producer)
    return ProducerDay(
        header=document_header(cycle),
        producer=producer_info(producer),
        rows=rows,
        shortages=shortages,
        cheques=_cheques(rows),
        methods=_method_totals(p for row in rows for p in row.payments),
    )


# --- The cycle's day summary -----------------------------------------------------------------


@dataclass(frozen=True)
class ProducerFigures:
    producer: ProducerInfo
    households: int
    served: int
    due_cents: int
    handed_cents: int
    methods: MethodTotals  # paid at the stand
    desk_cents: int  # paid at the desk: what the association owes the producer
    owed_cents: int  # still owed by households
    paid_not_handed_cents: int  # paid for goods not handed over (yet)

    @property
    def paid_cents(self) -> int:
        return self.methods.total_cents


@dataclass(frozen=True)
class NotCollected:
    number: int
    member: Member
    due_cents: int  # what is left to pay for the basket
    decision: str  # an ``Uncollected`` value, or "" while nobody decided
    decided_by: str


@dataclass(frozen=True)
class DaySummary:
    header: DocumentHeader
    producers: list[ProducerFigures]  # by name, those with a household to serve
    shortages: list[Shortage]
    not_collected: list[NotCollected]
    # What the welcome desk settled, per method: the baskets' amounts and how many households, the
    # same whether the fund helps a household or not (never the till's takings: treasurers only).
    desk: MethodTotals
    households: int
    served: int
    conflicts: int

    def total(self, attribute: str) -> int:
        return sum(getattr(figures, attribute) for figures in self.producers)

    def method_total(self, method: str) -> int:
        return sum(figures.methods.of(method) for figures in self.producers)


def _figures(info: ProducerInfo, rows: list[StandRow]) -> ProducerFigures:
    return ProducerFigures(
        producer=info,
        households=len(rows),
        served=sum(1 for row in rows if row.served),
        due_cents=sum(row.due_cents for row in rows),
        handed_cents=sum(row.handed_cents for row in rows),
        methods=_method_totals(p for row in rows for p in row.payments),
        desk_cents=sum(row.desk_cents for row in rows),
        owed_cents=sum(row.owed_cents for row in rows),
        paid_not_handed_cents=sum(row.paid_not_handed_cents for row in rows),
    )


def _not_collected(day: Day, decided_by: dict[int, str]) -> list[NotCollected]:
    """The baskets not (fully) collected, as the live view lists them (``state.not_collected``),
    with what is left to pay for each."""
    return [
        NotCollected(h.number, h.member, h.left_cents, h.uncollected, decided_by.get(h.order_id, ""))
        for h in not_collected(day)
    ]


def day_summary(cycle: Cycle) -> DaySummary:
    """Per producer: due, handed over, paid by method, paid at the desk, still owed; the day's loose ends."""
    day = load_day(cycle)
    per_producer: dict[int, list[StandRow]] = defaultdict(list)
    producers: dict[int, Producer] = {}
    for household in day.households:
        for stand in household.stands:
            producers[stand.producer.pk] = stand.producer
            per_producer[stand.producer.pk].append(_row(stand, _charged(household)))
    ordered = sorted(producers.values(), key=producer_sort_key)
    numbers = {h.order_id: (h.number, h.member) for h in day.households}
    shortages, decided_by = _journal_notes(cycle, numbers)
    return DaySummary(
        header=document_header(cycle),
        producers=[_figures(producer_info(p), per_producer[p.pk]) for p in ordered],
        shortages=shortages,
        not_collected=_not_collected(day, decided_by),
        desk=_desk_settled(day),
        households=len(day.households),
        served=sum(1 for h in day.households if h.served),
        conflicts=len(day.conflicts),
    )


# --- Shortages and decisions, from the journal ------------------------------------------------


def _journal_notes(
    cycle: Cycle, numbers: dict[int, tuple[int, Member]], producer: Producer | None = None
) -> tuple[list[Shortage], dict[int, str]]:
    """Shortages not cancelled (with the product's name, even for a line left at zero), and who
    took the last decision on each basket nobody collected. One query."""
    cancelled = Event.objects.filter(corrects=OuterRef("pk"), kind=EventKind.CANCELLED)
    events = Event.objects.filter(cycle=cycle, kind__in=(EventKind.SHORT, EventKind.UNCOLLECTED))
    if producer is not None:
        events = events.filter(kind=EventKind.SHORT, producer=producer)
    rows = (
        events.annotate(cancelled=Exists(cancelled))
        .filter(cancelled=False)
        .values(
            "kind",
            "order_id",
            "quantity",
            "reason",
            "note",
            "line__offer__name",
            "line__offer__unit_label",
            "producer__name",
            "by__full_name",
            "by__email",
        )
        .order_by("pk")
    )
    shortages, decided_by = [], {}
    for row in rows:
        number, member = numbers.get(row["order_id"], (0, Member(0, "", "", "")))
        if row["kind"] == EventKind.UNCOLLECTED:
            decided_by[row["order_id"]] = row["by__full_name"] or row["by__email"] or ""
            continue
        shortages.append(
            Shortage(
                number=number,
                member=member,
                producer_name=row["producer__name"] or "",
                product=row["line__offer__name"] or "",
                unit_label=row["line__offer__unit_label"] or "",
                quantity=row["quantity"] or 0,
                reason=row["reason"] if row["reason"] in ShortReason.values else ShortReason.OTHER,
                note=row["note"],
            )
        )
    shortages.sort(key=lambda s: (s.producer_name.casefold(), s.number, *member_sort_key(s.member)))
    return shortages, decided_by
