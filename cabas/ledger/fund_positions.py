"""Reading the solidarity fund's lines of the ledger: its history for the committee's
dashboard, and the money it received for the desk, the bank and the donors' summaries.

A sibling of ``positions`` (the households' and producers' positions), split out to keep each
module readable; the same rules hold: one aggregate query per reader, integer cents, and
figures that reconcile with ``ledger.balance`` to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, User
from cabas.cycles.models import Cycle
from cabas.ledger.models import Account, EntryKind, Line

# --- The solidarity fund's history, for its committee -----------------------------------------


@dataclass
class FundPeriod:
    """The fund over one cycle (or over a month's gifts outside cycles): what came in, what went out,
    how many households it helped, and what it held at the end."""

    cycle_id: int | None
    name: str
    day: date | None  # the cycle's distribution day; for a month outside cycles, its last day with money
    in_cents: int = 0  # contributions and gifts, net of corrections
    out_cents: int = 0  # help granted, net of corrections
    helped: int = 0  # households the fund helped in this cycle
    balance_cents: int = 0  # what the fund held at the end of the period
    settled: bool = False  # the cycle is settled: its figures no longer move

    @property
    def net_cents(self) -> int:
        return self.in_cents - self.out_cents


def fund_history(group: BuyingGroup) -> list[FundPeriod]:
    """The fund cycle by cycle, oldest first: one query, whatever the number of cycles.

    Money outside any cycle (a gift recorded by the treasurer) is summed per
    month, in a period placed among the cycles by its last day. The last
    period's balance is what the fund holds (``fund_cents`` of the whole
    group): the committee's charts reconcile with the ledger to the cent.
    """
    rows = (
        Line.objects.filter(group=group)
        .filter(
            Q(account=Account.FUND)
            | Q(account=Account.HOUSEHOLD, entry__kind=EntryKind.SUBSIDY)
            | Q(account=Account.HOUSEHOLD, entry__reverses__kind=EntryKind.SUBSIDY)
        )
        .annotate(
            kind=Coalesce(F("entry__reverses__kind"), F("entry__kind")),
            day=TruncDate("entry__created_at"),
        )
        .values(
            "cycle_id",
            "cycle__name",
            "cycle__distribution_date",
            "cycle__settled_at",
            "account",
            "kind",
            "household_id",
            "day",
        )
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    periods: dict[int, FundPeriod] = {}
    loose: list[tuple[date, str, int]] = []  # (day, kind, cents) of fund lines outside any cycle
    helped: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        cents = int(row["total"] or 0)
        if row["cycle_id"] is None:
            if row["account"] == Account.FUND:
                loose.append((row["day"], row["kind"], cents))
            continue
        period = periods.setdefault(
            row["cycle_id"],
            FundPeriod(
                row["cycle_id"],
                row["cycle__name"],
                row["cycle__distribution_date"],
                settled=row["cycle__settled_at"] is not None,
            ),
        )
        if row["account"] == Account.FUND:
            _fund_line(period, row["kind"], cents)
        else:
            helped[row["cycle_id"]][row["household_id"]] -= cents
    months: dict[tuple[int, int], FundPeriod] = {}
    for day, kind, cents in loose:
        month = months.setdefault(
            (day.year, day.month),
            FundPeriod(
                None, _("Outside cycles, %(month)s") % {"month": date_format(day, "YEAR_MONTH_FORMAT")}, day
            ),
        )
        month.day = max(month.day or day, day)
        _fund_line(month, kind, cents)
    # Cycles by their day; a month's money outside cycles after the cycles of its last day.
    ordered = sorted(
        [*periods.values(), *months.values()],
        key=lambda p: (p.day or date.min, p.cycle_id is None, p.cycle_id or 0),
    )
    running = 0
    for period in ordered:
        if period.cycle_id is not None:
            period.helped = sum(1 for cents in helped[period.cycle_id].values() if cents > 0)
        running += period.net_cents
        period.balance_cents = running
    return ordered


def _fund_line(period: FundPeriod, kind: str, cents: int) -> None:
    """A fund line (credit-normal: a credit −C is money in)."""
    if kind == EntryKind.SUBSIDY:
        period.out_cents += cents
    else:
        period.in_cents -= cents


# --- The solidarity fund's money in ------------------------------------------------------------

_CONTRIBUTIONS = Q(entry__kind=EntryKind.CONTRIBUTION) | Q(entry__reverses__kind=EntryKind.CONTRIBUTION)


def contributions_paid(cycle: Cycle, household: User | None = None) -> dict[int, int]:
    """Household id -> what it has paid toward its promise to the fund on ``cycle`` (net of
    corrections), in cents. One query. The desk and the bank read it to ask only what is left."""
    lines = Line.objects.filter(_CONTRIBUTIONS, group_id=cycle.group_id, cycle=cycle, account=Account.FUND)
    if household is not None:
        lines = lines.filter(household=household)
    rows = lines.exclude(household=None).values_list("household_id").annotate(total=Sum("amount_cents"))
    return {pk: -total for pk, total in rows.order_by() if total}


@dataclass(frozen=True)
class Contribution:
    """One gift received by the fund (or the correction of one): a line of the fund's account."""

    entry_id: int
    created_at: datetime
    cycle_id: int | None
    cycle_name: str
    household_id: int | None  # the contributor, if a household of the group
    amount_cents: int  # received (negative: a correction)
    method: str
    source: str  # "gift:<id>" for a gift outside a basket


def contributions(
    group: BuyingGroup,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    household: User | None = None,
) -> list[Contribution]:
    """The fund's money in, oldest first (``start`` included, ``end`` excluded): one query.

    What each contributor sees of their own gifts and what the yearly donor summaries print.
    """
    lines = Line.objects.filter(_CONTRIBUTIONS, group=group, account=Account.FUND, entry__sealed=True)
    if start is not None:
        lines = lines.filter(entry__created_at__gte=start)
    if end is not None:
        lines = lines.filter(entry__created_at__lt=end)
    if household is not None:
        lines = lines.filter(household=household)
    rows = lines.order_by("entry__created_at", "entry_id").values_list(
        "entry_id",
        "entry__created_at",
        "cycle_id",
        "cycle__name",
        "household_id",
        "amount_cents",
        "entry__method",
        "entry__reverses__source",
        "entry__source",
    )
    return [
        Contribution(pk, at, cycle_id, cycle_name or "", hid, -cents, method or "", source or own or "")
        for pk, at, cycle_id, cycle_name, hid, cents, method, source, own in rows
    ]
