"""What a household and a producer see of the money after the day, per cycle.

Both read ``cabas.ledger.positions`` only (one query for the figures, then
one each for the names of cycles, producers or households), so « Mes
paiements », a producer's statement, the treasurers' board and the books
show the same figures.

A household sees its own account: what was handed over, what it paid, to
whom and how, what the solidarity fund covered or the association wrote off
for it, what is left and how to pay it.

A producer sees its own account as « Who sees what » allows: per household,
what was handed over and what was paid at its stand. Everything that went
through the association (a payment at the welcome desk, a transfer to the
association, the solidarity fund's help, a write-off) is the association's
business: the household shows as « réglé à l'accueil » without an amount,
and what is still owed for it counts in what the association owes. So a
household helped by the fund looks like any other desk payer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, User
from cabas.catalog.models import Producer
from cabas.catalog.payment import payment_sentence
from cabas.cycles.baskets import payment_reference, slip_numbers
from cabas.cycles.models import Cycle, Order
from cabas.ledger.models import EntryKind, Method
from cabas.ledger.positions import HouseholdPart, Positions, household_positions, producer_positions

# Kinds on a household's part that mean the association, not the producer, settles it.
THROUGH_ASSOCIATION = frozenset({EntryKind.DESK_PAYMENT, EntryKind.BANK_TRANSFER, EntryKind.TOPUP})


def method_label(method: str) -> str:
    return str(Method(method).label) if method in Method.values else ""


def through_association(part: HouseholdPart) -> bool:
    return bool(part.subsidy_cents or part.writeoff_cents) or any(
        kind in THROUGH_ASSOCIATION for kind, _method in part.paid_cents
    )


# --- A household's payments -----------------------------------------------------------------


@dataclass(frozen=True)
class Paid:
    how: str  # « chèque, au stand de Fournil du Lauragais »
    cents: int


@dataclass
class MemberPart:
    producer: Producer | None  # None: money that is no producer's (credit, a refund)
    handed_cents: int
    paid: list[Paid]
    subsidy_cents: int
    writeoff_cents: int
    refund_cents: int
    left_cents: int  # still owed for this producer's goods (negative: paid beyond)
    to_association: bool  # what is left is paid to the association, not the producer

    @property
    def credit_cents(self) -> int:
        return max(-self.left_cents, 0)

    @property
    def pay_to(self) -> str:
        if self.to_association or self.producer is None:
            return _("the association (its treasurers)")
        return self.producer.name

    @property
    def details(self) -> str:
        """How to pay what is left: the producer's own ways of being paid."""
        if self.to_association or self.producer is None:
            return ""
        return payment_sentence(self.producer)


@dataclass
class MemberCycle:
    cycle: Cycle
    parts: list[MemberPart]
    reference: str = ""  # CABAS-<cycle>-<slip number>, when something is left to pay

    @property
    def handed_cents(self) -> int:
        return sum(part.handed_cents for part in self.parts)

    @property
    def paid_cents(self) -> int:
        return sum(p.cents for part in self.parts for p in part.paid)

    @property
    def left_cents(self) -> int:
        """What the household still owes in all for the cycle (negative: the association owes it)."""
        return sum(part.left_cents for part in self.parts)

    @property
    def credit_cents(self) -> int:
        return max(-self.left_cents, 0)

    @property
    def owing(self) -> list[MemberPart]:
        return [part for part in self.parts if part.left_cents > 0]


def _how(kind: str, method: str, producer: Producer | None) -> str:
    way = method_label(method)
    if kind == EntryKind.STAND_PAYMENT and producer is not None:
        where = _("at the stand of %(producer)s") % {"producer": producer.name}
    elif kind == EntryKind.DESK_PAYMENT:
        where = _("at the welcome desk")
    elif kind == EntryKind.BANK_TRANSFER:
        where, way = _("by transfer to the association"), ""
    else:
        where, way = _("from your prepaid account"), ""
    return f"{way.lower()}, {where}" if way else where


def _member_part(producer: Producer | None, part: HouseholdPart) -> MemberPart:
    paid = [
        Paid(_how(kind, method, producer), cents)
        for (kind, method), cents in part.paid_cents.items()
        if cents
    ]
    return MemberPart(
        producer=producer,
        handed_cents=part.handed_cents,
        paid=paid,
        subsidy_cents=part.subsidy_cents,
        writeoff_cents=part.writeoff_cents,
        refund_cents=part.refund_cents,
        left_cents=part.owed_cents,
        to_association=through_association(part),
    )


def member_statement(household: User, group: BuyingGroup) -> list[MemberCycle]:
    """The household's money in ``group``, per cycle, the latest first. Four queries, plus one per
    cycle where something is left to pay (its slip number, for the payment's reference)."""
    money = household_positions(household, group)
    cycles = Cycle.objects.filter(group=group, pk__in=[pk for pk in money if pk is not None])
    producer_ids = {pid for p in money.values() for h in p.households.values() for pid in h.parts if pid}
    producers = Producer.objects.in_bulk(producer_ids)
    result = []
    for cycle in cycles.order_by("-distribution_date", "-pk"):
        position = money[cycle.pk].households.get(household.pk)
        if position is None:
            continue
        parts = [
            _member_part(producers.get(pid) if pid else None, part)
            for pid, part in sorted(
                position.parts.items(), key=lambda item: _producer_key(producers, item[0])
            )
        ]
        result.append(MemberCycle(cycle, parts))
    _add_references(household, [mc for mc in result if mc.owing])
    return result


def _producer_key(producers: dict[int, Producer], pid: int | None) -> tuple[int, str]:
    return (1, "") if pid is None else (0, producers[pid].name.lower() if pid in producers else "")


def _add_references(household: User, owing: list[MemberCycle]) -> None:
    if not owing:
        return
    orders = dict(
        Order.objects.filter(user=household, cycle__in=[mc.cycle for mc in owing]).values_list(
            "cycle_id", "pk"
        )
    )
    for mc in owing:
        number = slip_numbers(mc.cycle).get(orders.get(mc.cycle.pk, 0))
        if number is not None:
            mc.reference = payment_reference(mc.cycle.pk, number)


# --- A producer's statement -----------------------------------------------------------------


@dataclass
class HouseholdRow:
    name: str
    handed_cents: int
    stand_cents: dict[str, int]  # method -> paid at the stand
    at_desk: bool  # settled through the association: no amount shown
    owes_cents: int | None  # None when the association settles it

    @property
    def stand_total_cents(self) -> int:
        return sum(self.stand_cents.values())


@dataclass
class ProducerCycle:
    cycle: Cycle
    due_cents: int
    stand_cents: dict[str, int]
    association_paid_cents: int
    owed_cents: int  # still owed to the producer in all
    households: list[HouseholdRow] = field(default_factory=list)

    @property
    def stand_total_cents(self) -> int:
        return sum(self.stand_cents.values())

    @property
    def households_owe_cents(self) -> int:
        return sum(row.owes_cents or 0 for row in self.households)

    @property
    def association_owes_cents(self) -> int:
        return self.owed_cents - self.households_owe_cents

    @property
    def owing(self) -> list[HouseholdRow]:
        return [row for row in self.households if row.owes_cents]


@dataclass
class GroupStatement:
    group: BuyingGroup
    cycles: list[ProducerCycle]


def _household_row(name: str, part: HouseholdPart) -> HouseholdRow:
    stand = {
        method: cents for (kind, method), cents in part.paid_cents.items() if kind == EntryKind.STAND_PAYMENT
    }
    at_desk = through_association(part)
    return HouseholdRow(name, part.handed_cents, stand, at_desk, None if at_desk else part.owed_cents)


def _producer_cycle(
    producer: Producer, cycle: Cycle, money: Positions, names: dict[int, str]
) -> ProducerCycle:
    position = money.producer(producer.pk)
    result = ProducerCycle(
        cycle,
        position.due_cents,
        dict(position.stand_cents),
        position.association_paid_cents,
        position.owed_cents,
    )
    for household_id, household in money.households.items():
        part = household.parts.get(producer.pk)
        if part is not None:
            result.households.append(_household_row(names.get(household_id, ""), part))
    result.households.sort(key=lambda row: row.name.lower())
    return result


def producer_statement(producer: Producer, group: BuyingGroup | None = None) -> list[GroupStatement]:
    """The producer's money per group and cycle, the latest cycle first: three queries."""
    money = producer_positions(producer, group)
    cycles = Cycle.objects.filter(pk__in=[pk for pk in money if pk is not None]).select_related("group")
    if group is not None:
        cycles = cycles.filter(group=group)
    household_ids = {hid for p in money.values() for hid in p.households}
    names = {user.pk: user.display_name for user in User.objects.filter(pk__in=household_ids)}
    by_group: dict[BuyingGroup, list[ProducerCycle]] = defaultdict(list)
    for cycle in cycles.order_by("-distribution_date", "-pk"):
        by_group[cycle.group].append(_producer_cycle(producer, cycle, money[cycle.pk], names))
    return [GroupStatement(g, rows) for g, rows in sorted(by_group.items(), key=lambda item: item[0].name)]
