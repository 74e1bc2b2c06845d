"""The treasurer's settlement board of one cycle: read from the ledger's positions, never recomputed.

Per producer: what was due, what it received at its stand by method, what the
association owes it for the desk's payments (and transfers, the fund,
write-offs) and has paid it, what households still owe it. Per household:
what it still owes and to whom, or the credit to refund. The money the desk
and the bank hold, the desk's cheques, the treasury's entries and their
corrections, who a reminder would go to.

``load_board`` runs a fixed number of queries whatever the number of
households and producers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from cabas.accounts.models import User
from cabas.catalog.models import Producer
from cabas.cycles.baskets import payment_reference, slip_numbers
from cabas.cycles.models import Cycle, Order, Phase
from cabas.distribution.models import Event, EventKind
from cabas.ledger.models import Account, Entry, EntryKind, Method
from cabas.ledger.positions import (
    HouseholdPosition,
    Positions,
    ProducerPosition,
    cycle_positions,
    outstanding,
)
from cabas.settlement.models import Reminder
from cabas.settlement.services import REMIND_EVERY, to_remind

# The kinds of entry the treasury posts after the day (listed on the board with their corrections).
TREASURY_KINDS = (
    EntryKind.BANK_TRANSFER,
    EntryKind.PRODUCER_PAYMENT,
    EntryKind.DEPOSIT,
    EntryKind.WRITEOFF,
    EntryKind.REFUND,
)
STAND_METHODS = (Method.CASH, Method.CHEQUE, Method.CARD, Method.TRANSFER)


@dataclass(frozen=True)
class ProducerRow:
    producer: Producer
    position: ProducerPosition

    @property
    def stand_by_method(self) -> list[int]:
        return [self.position.stand_cents.get(method, 0) for method in STAND_METHODS]


@dataclass(frozen=True)
class Part:
    producer: Producer
    owed_cents: int


@dataclass(frozen=True)
class HouseholdRow:
    household: User
    number: int | None
    position: HouseholdPosition
    parts: list[Part]  # producers still owed by the household
    reminded_at: datetime | None
    reference: str  # what the household gives with a transfer

    @property
    def writeoff_cents(self) -> int:
        return sum(part.writeoff_cents for part in self.position.parts.values())

    @property
    def subsidy_cents(self) -> int:
        return sum(part.subsidy_cents for part in self.position.parts.values())


@dataclass(frozen=True)
class Cheque:
    household: str
    number: str
    bank: str
    drawer: str
    amount_cents: int


@dataclass
class Board:
    cycle: Cycle
    money: Positions
    producers: list[ProducerRow]
    households: list[HouseholdRow]
    entries: list[Entry]  # the treasury's entries and every correction, newest first
    payments: list[Entry]  # the day's payments (to correct one)
    cheques: list[Cheque]  # received at the desk
    to_remind: list[HouseholdRow]
    outstanding: list[str] = field(default_factory=list)

    @property
    def phase(self) -> Phase:
        return self.cycle.phase()

    @property
    def settled(self) -> bool:
        return self.cycle.settled_at is not None

    @property
    def open_for_actions(self) -> bool:
        return self.phase == Phase.DISTRIBUTED

    @property
    def due_cents(self) -> int:
        return sum(row.position.due_cents for row in self.producers)

    @property
    def stand_cents(self) -> int:
        return sum(row.position.stand_total_cents for row in self.producers)

    @property
    def stand_by_method(self) -> list[int]:
        return [
            sum(row.stand_by_method[index] for row in self.producers) for index in range(len(STAND_METHODS))
        ]

    @property
    def association_paid_cents(self) -> int:
        return sum(row.position.association_paid_cents for row in self.producers)

    @property
    def credit_cents(self) -> int:
        return sum(-position.owed_cents for position in self.money.households_in_credit())

    @property
    def owing(self) -> list[HouseholdRow]:
        return [row for row in self.households if row.position.owed_cents > 0]

    @property
    def in_credit(self) -> list[HouseholdRow]:
        return [row for row in self.households if row.position.owed_cents < 0]

    @property
    def cheques_cents(self) -> int:
        return sum(cheque.amount_cents for cheque in self.cheques)

    @property
    def deposited_cheques_cents(self) -> int:
        return -self.money.by_kind.get((Account.DESK, EntryKind.DEPOSIT, Method.CHEQUE), 0)

    @property
    def cheques_to_deposit_cents(self) -> int:
        return max(min(self.cheques_cents - self.deposited_cheques_cents, self.money.desk_cents), 0)

    @property
    def corrections(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.kind == EntryKind.REVERSAL or entry.corrects_id]

    @property
    def producers_owed(self) -> list[ProducerRow]:
        return [row for row in self.producers if row.position.association_owes_cents > 0]


def household_numbers(cycle: Cycle) -> dict[int, int]:
    """Each household's slip number on ``cycle`` (user id -> number); two queries."""
    numbers = slip_numbers(cycle)
    orders = Order.objects.filter(cycle=cycle, pk__in=list(numbers)).values_list("pk", "user_id")
    return {user_id: numbers[pk] for pk, user_id in orders}


def entries(cycle: Cycle) -> QuerySet[Entry]:
    """The cycle's entries other than handovers, with their amount, household and producer: one query."""
    return (
        Entry.objects.filter(cycle=cycle)
        .exclude(kind=EntryKind.HANDOVER)
        .exclude(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.HANDOVER)
        .select_related("created_by", "reverses")
        .annotate(
            amount=Sum("lines__amount_cents", filter=Q(lines__amount_cents__gt=0)),
            household_name=Max("lines__household__full_name"),
            household_email=Max("lines__household__email"),
            producer_name=Max("lines__producer__name"),
            reversed_id=Max("reversed_by__pk"),
        )
        .order_by("-created_at", "-pk")
    )


def desk_cheques(cycle: Cycle) -> list[Cheque]:
    """The cheques received at the welcome desk on the day (not cancelled since): one query."""
    events = (
        Event.objects.filter(cycle=cycle, kind=EventKind.DESK_PAID, method=Method.CHEQUE)
        .exclude(corrections__kind=EventKind.CANCELLED)
        .select_related("order__user")
        .order_by("pk")
    )
    return [
        Cheque(
            household=event.order.user.display_name,
            number=str(event.details.get("number", "")),
            bank=str(event.details.get("bank", "")),
            drawer=str(event.details.get("drawer", "")) or event.order.user.display_name,
            amount_cents=event.amount_cents or 0,
        )
        for event in events
    ]


def load_board(cycle: Cycle, now: datetime | None = None) -> Board:
    now = now or timezone.now()
    money = cycle_positions(cycle)
    users = User.objects.in_bulk(list(money.households))
    producer_ids = set(money.producers) | {pid for h in money.households.values() for pid in h.parts if pid}
    producers = Producer.objects.in_bulk(list(producer_ids))
    numbers = household_numbers(cycle)
    reminders = {r.household_id: r for r in Reminder.objects.filter(cycle=cycle)}
    rows = [
        HouseholdRow(
            household=users[pk],
            number=numbers.get(pk),
            position=position,
            parts=sorted(
                (Part(producers[pid], cents) for pid, cents in position.owed_by_producer().items()),
                key=lambda part: part.producer.name,
            ),
            reminded_at=reminders[pk].sent_at if pk in reminders else None,
            reference=payment_reference(cycle.pk, numbers[pk]) if pk in numbers else "",
        )
        for pk, position in money.households.items()
    ]
    rows.sort(key=lambda row: (row.position.owed_cents <= 0, row.number or 10**9, row.household.display_name))
    all_entries = list(entries(cycle))
    due = set(to_remind(money, reminders, now))
    return Board(
        cycle=cycle,
        money=money,
        producers=sorted(
            (ProducerRow(producers[pk], position) for pk, position in money.producers.items()),
            key=lambda row: row.producer.name,
        ),
        households=rows,
        entries=[
            e
            for e in all_entries
            if e.kind in TREASURY_KINDS or e.kind == EntryKind.REVERSAL or e.corrects_id
        ],
        payments=[e for e in all_entries if e.kind in (EntryKind.STAND_PAYMENT, EntryKind.DESK_PAYMENT)],
        cheques=desk_cheques(cycle),
        to_remind=[row for row in rows if row.household.pk in due],
        outstanding=outstanding(money) if not money.balanced else [],
    )


def remind_every_days() -> int:
    return REMIND_EVERY.days
