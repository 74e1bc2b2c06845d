"""The year in the books, on paper: per cycle what moved, and the accounts' balances at year end.

Figures come from ``cabas.ledger.positions`` (three queries whatever the
number of households: the year's cycles, and the balances before and after
the year); the Typst layout (``templates/reports/books_summary.typ``) only
places them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup
from cabas.books.chart import Chart
from cabas.books.journal import year_bounds
from cabas.books.models import AccountCodes
from cabas.cycles.models import Cycle
from cabas.ledger.models import Account, EntryKind, Method
from cabas.ledger.positions import PAYMENT_KINDS, Positions, group_positions, group_positions_before
from cabas.reports.prints import Data, money

METHODS = (Method.CASH, Method.CHEQUE, Method.CARD, Method.TRANSFER)


@dataclass(frozen=True)
class CycleYear:
    name: str
    distribution_date: date
    handed_cents: int
    received_cents: dict[str, int]  # method -> received from households (stands, desk, transfers)
    paid_producers_cents: int  # paid by the association to producers
    writeoff_cents: int

    @property
    def received_total_cents(self) -> int:
        return sum(self.received_cents.values())


@dataclass
class YearSummary:
    group: BuyingGroup
    year: int
    cycles: list[CycleYear]
    balances: dict[str, int] = field(default_factory=dict)  # account code -> balance (debit +)


def cycle_year(cycle: Cycle, money_of: Positions) -> CycleYear:
    received: dict[str, int] = defaultdict(int)
    for (account, kind, method), cents in money_of.by_kind.items():
        if account == Account.HOUSEHOLD and kind in PAYMENT_KINDS:
            received[method or Method.TRANSFER] -= cents
    paid = sum(p.association_paid_cents for p in money_of.producers.values())
    handed = sum(h.handed_cents for h in money_of.households.values())
    return CycleYear(
        cycle.name, cycle.distribution_date, handed, dict(received), paid, money_of.writeoff_cents
    )


def year_summary(group: BuyingGroup, year: int, codes: AccountCodes) -> YearSummary:
    cycles = list(
        Cycle.objects.filter(group=group, distribution_date__year=year).order_by("distribution_date")
    )
    money = group_positions(group, cycles)
    rows = [cycle_year(cycle, money[cycle.pk]) for cycle in cycles if cycle.pk in money]
    return YearSummary(group, year, rows, balances(group, codes, year))


def balances(group: BuyingGroup, codes: AccountCodes, year: int) -> dict[str, int]:
    """Each general account's balance: third parties, bank and cash at year end; income and
    expenses (write-offs, the fund's gifts and help) over the year."""
    start, end = year_bounds(year)
    before, after = group_positions_before(group, start), group_positions_before(group, end)
    result = {
        codes.household_code: after.accounts[Account.HOUSEHOLD],
        codes.producer_code: after.accounts[Account.PRODUCER],
        codes.bank_code: after.accounts[Account.BANK],
        codes.cash_code: after.accounts[Account.DESK],
        codes.writeoff_code: after.accounts[Account.WRITEOFF] - before.accounts[Account.WRITEOFF],
        codes.gifts_code: 0,
        codes.help_code: 0,
    }
    for positions, sign in ((after, 1), (before, -1)):
        for (account, kind, _method), cents in positions.by_kind.items():
            if account == Account.FUND:
                code = codes.help_code if kind == EntryKind.SUBSIDY else codes.gifts_code
                result[code] += sign * cents
    return result


# --- The printed page -----------------------------------------------------------------------


def summary_print(data: YearSummary, codes: AccountCodes) -> Data:
    title = _("Books of %(year)s") % {"year": data.year}
    now = timezone.localtime()
    labels = Chart(codes).labels()
    totals = [
        sum(getattr(row, name) for row in data.cycles)
        for name in ("handed_cents", "paid_producers_cents", "writeoff_cents")
    ]
    by_method = {m: sum(row.received_cents.get(m, 0) for row in data.cycles) for m in METHODS}
    return {
        "lang": (translation.get_language() or "fr")[:2],
        "title": title,
        "show_title": True,
        "group": data.group.name,
        "header": title,
        "provisional": None,
        "printed": _("Printed on %(date)s at %(time)s")
        % {"date": date_format(now, "SHORT_DATE_FORMAT"), "time": date_format(now, "H:i")},
        "page": _("page"),
        "cycles_title": _("Cycles of the year"),
        "cycles_columns": [
            _("Cycle"),
            _("Handed over"),
            *[str(m.label) for m in METHODS],
            _("Received in all"),
            _("Paid to producers by the association"),
            _("Written off"),
        ],
        "cycles": [
            [
                f"{row.name} ({date_format(row.distribution_date, 'SHORT_DATE_FORMAT')})",
                money(row.handed_cents),
                *[money(row.received_cents.get(m, 0)) for m in METHODS],
                money(row.received_total_cents),
                money(row.paid_producers_cents),
                money(row.writeoff_cents),
            ]
            for row in data.cycles
        ],
        "cycles_empty": _("No cycle was distributed this year."),
        "cycles_total": [
            _("Total"),
            money(totals[0]),
            *[money(by_method[m]) for m in METHODS],
            money(sum(by_method.values())),
            money(totals[1]),
            money(totals[2]),
        ],
        "balances_title": _("Balances of the accounts"),
        "balances_note": _(
            "Members, producers, bank and cash: at the end of the year. "
            "Write-offs and the solidarity fund: over the year. Debit balances are positive."
        ),
        "balances_columns": [_("Account"), _("Label"), _("Debit"), _("Credit")],
        "balances": [
            [code, labels[code], money(cents) if cents > 0 else "", money(-cents) if cents < 0 else ""]
            for code, cents in data.balances.items()
        ],
    }
