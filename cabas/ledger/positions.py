"""Reading the ledger back: who still owes whom, and what moved, per cycle.

Every page about money after the day reads here (the treasurer's settlement
board, a member's « Mes paiements », a producer's statement, the books, the
reminders), so a figure shown in two places is the same figure. Each reader
runs **one** aggregate query over the ledger's lines, grouped by cycle,
account, household, producer, kind and method, whatever the number of
households, and folds it in Python. The books' journal (``journal``) lists every entry
with its lines in one query too.

A reversal counts under the kind of the entry it reverses (a handover
reversed after a weighing lowers « handed over », not « corrections »), so the
figures by kind stay true after corrections.

Signs follow ``models``: on the household account a debit (+) is owed by the
household; on the producer account a credit (−) is owed to the producer.
Positions show both as positive figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, User
from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle
from cabas.ledger.models import Account, EntryKind, Line
from cabas.lib.money import format_cents

# Kinds on a household's account that are the household paying (or being paid for).
PAYMENT_KINDS = frozenset(
    {
        EntryKind.STAND_PAYMENT,
        EntryKind.DESK_PAYMENT,
        EntryKind.BANK_TRANSFER,
        EntryKind.TOPUP,
        EntryKind.PREPAID_DEBIT,
    }
)


@dataclass
class HouseholdPart:
    """What one household and one producer (or no producer: the household's credit) have between them."""

    handed_cents: int = 0  # goods handed over, net of corrections
    paid_cents: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, method) -> cents paid
    subsidy_cents: int = 0  # covered by the solidarity fund
    writeoff_cents: int = 0  # given up by the association
    refund_cents: int = 0  # given back to the household
    owed_cents: int = 0  # the household account's balance: still owed (negative: credit)

    @property
    def paid_total_cents(self) -> int:
        return sum(self.paid_cents.values())


@dataclass
class HouseholdPosition:
    household_id: int
    parts: dict[int | None, HouseholdPart] = field(default_factory=dict)  # producer id (None: no producer)

    def part(self, producer_id: int | None) -> HouseholdPart:
        return self.parts.setdefault(producer_id, HouseholdPart())

    @property
    def owed_cents(self) -> int:
        """What the household still owes in all (negative: the association owes it)."""
        return sum(part.owed_cents for part in self.parts.values())

    @property
    def handed_cents(self) -> int:
        return sum(part.handed_cents for part in self.parts.values())

    @property
    def paid_cents(self) -> int:
        return sum(part.paid_total_cents for part in self.parts.values())

    def owed_by_producer(self) -> dict[int, int]:
        """Producer id -> what is still owed for that producer's goods (only what is owed)."""
        return {
            pid: part.owed_cents
            for pid, part in self.parts.items()
            if pid is not None and part.owed_cents > 0
        }

    @property
    def credit_cents(self) -> int:
        """Money paid that no producer's part took (to refund, or to allocate)."""
        return -self.parts[None].owed_cents if None in self.parts and self.parts[None].owed_cents < 0 else 0


@dataclass
class ProducerPosition:
    producer_id: int
    due_cents: int = 0  # goods handed over, net of corrections
    stand_cents: dict[str, int] = field(default_factory=dict)  # method -> received at the stand
    association_paid_cents: int = 0  # what the association has paid the producer
    owed_cents: int = 0  # the producer account's balance: still owed to the producer, in all
    members_owe_cents: int = 0  # of which households still owe

    @property
    def stand_total_cents(self) -> int:
        return sum(self.stand_cents.values())

    @property
    def association_owes_cents(self) -> int:
        """Collected by the association (desk, transfers, the fund, write-offs) and not yet paid over."""
        return self.owed_cents - self.members_owe_cents


@dataclass
class Positions:
    """The money of one cycle (or of every cycle a reader asked for), as it stands in the ledger."""

    households: dict[int, HouseholdPosition] = field(default_factory=dict)
    producers: dict[int, ProducerPosition] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # raw sums of lines by account
    by_kind: dict[tuple[str, str, str], int] = field(
        default_factory=lambda: defaultdict(int)
    )  # (account, kind, method)

    def household(self, household_id: int) -> HouseholdPosition:
        return self.households.setdefault(household_id, HouseholdPosition(household_id))

    def producer(self, producer_id: int) -> ProducerPosition:
        return self.producers.setdefault(producer_id, ProducerPosition(producer_id))

    @property
    def desk_cents(self) -> int:
        """Money the desk collected and still holds (not yet deposited nor paid out)."""
        return self.accounts[Account.DESK]

    @property
    def bank_cents(self) -> int:
        return self.accounts[Account.BANK]

    @property
    def fund_cents(self) -> int:
        """What the solidarity fund holds (credit-normal, shown positive)."""
        return -self.accounts[Account.FUND]

    @property
    def writeoff_cents(self) -> int:
        return self.accounts[Account.WRITEOFF]

    def households_owing(self) -> list[HouseholdPosition]:
        return [position for position in self.households.values() if position.owed_cents > 0]

    def households_in_credit(self) -> list[HouseholdPosition]:
        return [position for position in self.households.values() if position.owed_cents < 0]

    @property
    def members_owe_cents(self) -> int:
        return sum(position.owed_cents for position in self.households_owing())

    @property
    def association_owes_cents(self) -> int:
        return sum(position.association_owes_cents for position in self.producers.values())

    @property
    def balanced(self) -> bool:
        """Nobody owes anybody: every household's and every producer's account is at zero."""
        return all(position.owed_cents == 0 for position in self.households.values()) and all(
            position.owed_cents == 0 for position in self.producers.values()
        )

    @property
    def total_cents(self) -> int:
        """The sum of every line: zero, always (each entry balances), except on a cycle whose baskets
        were paid from prepaid accounts: that entry's other half is the prepaid account, outside
        any cycle (``services.prepaid_debit``); over a whole group it is zero again."""
        return sum(self.accounts.values())


def _rows(lines: Any) -> Iterable[dict[str, Any]]:
    return (
        lines.annotate(kind=Coalesce(F("entry__reverses__kind"), F("entry__kind")), method=F("entry__method"))
        .values("cycle_id", "account", "household_id", "producer_id", "kind", "method")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )


def fold(rows: Iterable[Mapping[str, Any]]) -> dict[int | None, Positions]:
    """Positions per cycle id from grouped rows (see ``_rows``)."""
    result: dict[int | None, Positions] = {}
    for row in rows:
        cents = int(row["total"] or 0)
        if not cents:
            continue
        positions = result.setdefault(row["cycle_id"], Positions())
        account, kind, method = row["account"], row["kind"], row["method"] or ""
        positions.accounts[account] += cents
        positions.by_kind[(account, kind, method)] += cents
        if account == Account.HOUSEHOLD:
            _household_line(positions, row["household_id"], row["producer_id"], kind, method, cents)
        elif account == Account.PRODUCER:
            _producer_line(positions.producer(row["producer_id"]), kind, method, cents)
    for positions in result.values():
        for household in positions.households.values():
            for producer_id, part in household.parts.items():
                if producer_id is not None:
                    positions.producer(producer_id).members_owe_cents += part.owed_cents
    return result


def _household_line(
    positions: Positions, household_id: int, producer_id: int | None, kind: str, method: str, cents: int
) -> None:
    part = positions.household(household_id).part(producer_id)
    part.owed_cents += cents
    if kind == EntryKind.HANDOVER:
        part.handed_cents += cents
    elif kind in PAYMENT_KINDS:
        part.paid_cents[(kind, method)] = part.paid_cents.get((kind, method), 0) - cents
    elif kind == EntryKind.SUBSIDY:
        part.subsidy_cents -= cents
    elif kind == EntryKind.WRITEOFF:
        part.writeoff_cents -= cents
    elif kind == EntryKind.REFUND:
        part.refund_cents += cents


def _producer_line(position: ProducerPosition, kind: str, method: str, cents: int) -> None:
    position.owed_cents -= cents
    if kind == EntryKind.HANDOVER:
        position.due_cents -= cents
    elif kind == EntryKind.STAND_PAYMENT:
        position.stand_cents[method] = position.stand_cents.get(method, 0) + cents
    elif kind == EntryKind.PRODUCER_PAYMENT:
        position.association_paid_cents += cents


# --- Readers ---------------------------------------------------------------------------------


def cycle_positions(cycle: Cycle) -> Positions:
    """Everything about one cycle's money: one query."""
    return fold(_rows(Line.objects.filter(group_id=cycle.group_id, cycle=cycle))).get(cycle.pk) or Positions()


def group_positions(group: BuyingGroup, cycles: Iterable[Cycle] | None = None) -> dict[int | None, Positions]:
    """Per cycle id (None: money outside any cycle), for a group: one query."""
    lines = Line.objects.filter(group=group)
    if cycles is not None:
        lines = lines.filter(cycle__in=list(cycles))
    return fold(_rows(lines))


def household_positions(household: User, group: BuyingGroup | None = None) -> dict[int | None, Positions]:
    """A household's own account, per cycle id: one query. Only its own lines are read."""
    lines = Line.objects.filter(account=Account.HOUSEHOLD, household=household)
    if group is not None:
        lines = lines.filter(group=group)
    return fold(_rows(lines))


def producer_positions(producer: Producer, group: BuyingGroup | None = None) -> dict[int | None, Positions]:
    """A producer's account and the households' lines about its goods, per cycle id: one query.

    Never a ``fund`` line: the producer sees what households and the
    association still owe it, not how the association was paid.
    """
    lines = Line.objects.filter(producer=producer).filter(
        Q(account=Account.PRODUCER) | Q(account=Account.HOUSEHOLD)
    )
    if group is not None:
        lines = lines.filter(group=group)
    return fold(_rows(lines))


def allocate(owed_by_producer: Mapping[Any, int], amount_cents: int) -> tuple[dict[Any, int], int]:
    """Split a payment over what is owed per producer, in the mapping's order: (shares, left over).

    Each producer's part is paid in full before the next; what is left beyond
    everything owed is returned as the household's credit. No cent is lost:
    ``sum(shares) + left == amount_cents``.
    """
    shares: dict[Any, int] = {}
    left = amount_cents
    for producer, owed in owed_by_producer.items():
        if left <= 0:
            break
        if owed <= 0:
            continue
        share = min(owed, left)
        shares[producer] = share
        left -= share
    return shares, left


def outstanding(money: Positions, *, limit: int = 6) -> list[str]:
    """What keeps ``money`` from balancing, one sentence each, for the person about to settle.

    Households that owe, households in credit, producers the association still owes,
    largest first; at most ``limit`` sentences and one that says how many more.
    Two queries (the names), none when it balances.
    """
    owing = [(h.owed_cents, h.household_id) for h in money.households.values() if h.owed_cents]
    producers = [(p.owed_cents, p.producer_id) for p in money.producers.values() if p.owed_cents]
    people = dict(User.objects.filter(pk__in=[pk for _cents, pk in owing]).values_list("pk", "full_name"))
    farms = dict(Producer.objects.filter(pk__in=[pk for _cents, pk in producers]).values_list("pk", "name"))
    sentences: list[tuple[int, str]] = []
    for cents, pk in owing:
        name = people.get(pk) or _("household #%(id)s") % {"id": pk}
        if cents > 0:
            text = _("%(name)s still owes %(amount)s.") % {"name": name, "amount": format_cents(cents)}
        else:
            text = _("%(name)s has a credit of %(amount)s to refund.") % {
                "name": name,
                "amount": format_cents(-cents),
            }
        sentences.append((abs(cents), text))
    for cents, pk in producers:
        values = {"name": farms.get(pk, ""), "amount": format_cents(abs(cents))}
        if cents > 0:
            text = _("%(name)s is still owed %(amount)s.") % values
        else:
            text = _("%(name)s received %(amount)s too much.") % values
        sentences.append((abs(cents), text))
    sentences.sort(key=lambda item: -item[0])
    shown = [text for _cents, text in sentences[:limit]]
    if len(sentences) > limit:
        shown.append(_("And %(count)s more.") % {"count": len(sentences) - limit})
    return shown


def household_balances(group: BuyingGroup, households: Iterable[User] | None = None) -> dict[int, int]:
    """Household id -> its account's balance in the group over every cycle, as the household sees it
    (positive: credit it holds, prepaid groups; negative: it owes). Households without lines are
    left out. One query."""
    lines = Line.objects.filter(group=group, account=Account.HOUSEHOLD)
    if households is not None:
        lines = lines.filter(household__in=[h.pk for h in households])
    rows = lines.values("household_id").annotate(total=Sum("amount_cents")).order_by()
    return {row["household_id"]: -int(row["total"] or 0) for row in rows if row["total"]}


def group_positions_before(group: BuyingGroup, before: datetime) -> Positions:
    """Every account of a group as it stood just before ``before``, all cycles together: one query.

    The books' balances at the end of a year read here (``before``: the first
    instant of the next year).
    """
    lines = Line.objects.filter(group=group, entry__created_at__lt=before)
    return fold({**row, "cycle_id": None} for row in _rows(lines)).get(None) or Positions()


# --- The journal: every entry with its lines ------------------------------------------------


@dataclass(frozen=True)
class JournalLine:
    account: str
    amount_cents: int  # debit +, credit −
    household_id: int | None
    household_name: str
    producer_id: int | None
    producer_name: str


@dataclass(frozen=True)
class JournalEntry:
    pk: int
    created_at: datetime
    cycle_id: int | None
    cycle_name: str
    kind: str  # as posted (a reversal says « reversal »)
    counts_as: str  # the kind it counts under (a reversal: the kind it reverses)
    method: str
    memo: str
    source: str
    reverses_id: int | None
    by: str
    lines: tuple[JournalLine, ...]


_JOURNAL_FIELDS = (
    "entry_id",
    "entry__created_at",
    "entry__cycle_id",
    "entry__cycle__name",
    "entry__kind",
    "entry__reverses_id",
    "entry__reverses__kind",
    "entry__method",
    "entry__memo",
    "entry__source",
    "entry__created_by__full_name",
    "entry__created_by__email",
    "entry__created_by__deleted_at",
    "account",
    "amount_cents",
    "household_id",
    "household__full_name",
    "household__email",
    "household__deleted_at",
    "producer_id",
    "producer__name",
)


def journal(
    group: BuyingGroup,
    *,
    cycle: Cycle | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[JournalEntry]:
    """The group's sealed entries with their lines, oldest first: one query, whatever their number.

    ``cycle`` keeps one cycle's entries; ``start`` (included) and ``end``
    (excluded) keep those posted in a period (a year of the books).
    """
    lines = Line.objects.filter(group=group, entry__sealed=True)
    if cycle is not None:
        lines = lines.filter(cycle=cycle)
    if start is not None:
        lines = lines.filter(entry__created_at__gte=start)
    if end is not None:
        lines = lines.filter(entry__created_at__lt=end)
    rows = lines.order_by("entry__created_at", "entry_id", "pk").values(*_JOURNAL_FIELDS)
    entries: list[JournalEntry] = []
    pending: list[dict[str, Any]] = []
    for row in rows:
        if pending and pending[0]["entry_id"] != row["entry_id"]:
            entries.append(_journal_entry(pending))
            pending = []
        pending.append(row)
    if pending:
        entries.append(_journal_entry(pending))
    return entries


def _name(full_name: str | None, email: str | None, deleted_at: datetime | None) -> str:
    if not email:
        return ""
    return User(full_name=full_name or "", email=email, deleted_at=deleted_at).display_name


def _journal_entry(rows: list[dict[str, Any]]) -> JournalEntry:
    first = rows[0]
    return JournalEntry(
        pk=first["entry_id"],
        created_at=first["entry__created_at"],
        cycle_id=first["entry__cycle_id"],
        cycle_name=first["entry__cycle__name"] or "",
        kind=first["entry__kind"],
        counts_as=first["entry__reverses__kind"] or first["entry__kind"],
        method=first["entry__method"] or "",
        memo=first["entry__memo"] or "",
        source=first["entry__source"] or "",
        reverses_id=first["entry__reverses_id"],
        by=_name(
            first["entry__created_by__full_name"],
            first["entry__created_by__email"],
            first["entry__created_by__deleted_at"],
        ),
        lines=tuple(
            JournalLine(
                account=row["account"],
                amount_cents=row["amount_cents"],
                household_id=row["household_id"],
                household_name=_name(
                    row["household__full_name"], row["household__email"], row["household__deleted_at"]
                ),
                producer_id=row["producer_id"],
                producer_name=row["producer__name"] or "",
            )
            for row in rows
        ),
    )


def prepaid_pools(group: BuyingGroup) -> dict[int, int]:
    """Household id -> the credit its prepaid account holds outside any cycle (top-ups, less the
    baskets already paid from it), as a positive figure. One query."""
    rows = (
        Line.objects.filter(group=group, account=Account.HOUSEHOLD, cycle__isnull=True)
        .values("household_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    return {row["household_id"]: -int(row["total"]) for row in rows if row["total"] and row["total"] < 0}


def help_granted(cycle: Cycle, household: User | None = None) -> dict[tuple[int, int | None], int]:
    """What the solidarity fund covers of each household's basket in ``cycle``, per producer:
    ``{(household_id, producer_id): cents}``. One query. Only the committee's pages and the
    amount asked at the desk read it; nothing a producer or another member sees does."""
    lines = Line.objects.filter(
        Q(entry__kind=EntryKind.SUBSIDY) | Q(entry__reverses__kind=EntryKind.SUBSIDY),
        group_id=cycle.group_id,
        cycle=cycle,
        account=Account.HOUSEHOLD,
    )
    if household is not None:
        lines = lines.filter(household=household)
    rows = lines.values_list("household_id", "producer_id").annotate(total=Sum("amount_cents")).order_by()
    return {(h, p): -total for h, p, total in rows if total}
