"""The solidarity fund in the books: contributions and help under the group's own account codes,
to the cent, in the FEC, the plain journal and the year's balances (corrections included)."""

from __future__ import annotations

from django.utils import timezone

from cabas.books import journal
from cabas.books.models import AccountCodes
from cabas.books.summary import balances
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, Method
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle

FEC = journal.FEC_COLUMNS


def _fund_books(cast: Cast) -> tuple[journal.Period, AccountCodes]:
    group = cast.group_a
    codes = AccountCodes.objects.create(group=group, gifts_code="756", help_code="6571", cash_code="531")
    cycle = make_cycle(group, phase="finalised")

    def context(key: str) -> ledger.Context:
        return ledger.Context(group=group, by=cast.treasurer, cycle=cycle, key=key)

    ledger.contribution(
        context("c1"), amount_cents=1234, into=Account.DESK, method=Method.CASH, household=cast.member2
    )
    ledger.contribution(context("c2"), amount_cents=5001, into=Account.BANK, method=Method.TRANSFER)
    ledger.subsidy(context("s1"), household=cast.beneficiary, shares={cast.bakery: 567, cast.dairy: 233})
    ledger.subsidy(context("s2"), household=cast.member, shares={cast.bakery: 101})
    ledger.reverse(context("r1"), entry=Entry.objects.get(key="s2"))  # help taken back
    ledger.reverse(context("r2"), entry=Entry.objects.get(key="c2"))  # a gift recorded twice
    return journal.Period(group, year=timezone.localdate().year), codes


def _sum(rows: list[list], code: str, column: str) -> int:
    return sum(int(row[FEC.index(column)]) for row in rows if row[FEC.index("CompteNum")] == code)


def test_the_fec_books_the_fund_under_the_groups_codes_to_the_cent(cast: Cast) -> None:
    period, codes = _fund_books(cast)
    rows = journal.fec_rows(period, codes)
    # Contributions: credited to 756, their reversal debited to 756.
    assert _sum(rows, "756", "Credit") == 1234 + 5001
    assert _sum(rows, "756", "Debit") == 5001
    # Help granted: debited to 6571, the help taken back credited to 6571.
    assert _sum(rows, "6571", "Debit") == 567 + 233 + 101
    assert _sum(rows, "6571", "Credit") == 101
    assert _sum(rows, "531", "Debit") == 1234  # the gift at the desk, in the cash account the group set
    assert not [row for row in rows if row[FEC.index("CompteNum")] in ("754", "657", "530")]
    labels = {row[FEC.index("CompteNum")]: row[FEC.index("CompteLib")] for row in rows}
    assert labels["756"] == "Dons à la caisse de solidarité"
    assert labels["6571"] == "Aides accordées par la caisse de solidarité"
    assert sum(int(r[FEC.index("Debit")]) for r in rows) == sum(int(r[FEC.index("Credit")]) for r in rows)
    text = journal.write_fec(rows).decode()
    assert "\t756\t" in text and "\t0,00\t12,34\t" in text and "\t6571\t" in text and "\t8,00\t0,00\t" in text


def test_the_plain_journal_and_the_years_balances_agree(cast: Cast) -> None:
    period, codes = _fund_books(cast)
    table = journal.plain_table(period, codes)
    fund_rows = [row for row in table.rows if str(row[3]).startswith(("756 ", "6571 "))]
    assert sum(row[5] or 0 for row in fund_rows if str(row[3]).startswith("6571")) == 901
    assert sum(row[6] or 0 for row in fund_rows if str(row[3]).startswith("756")) == 6235
    year = balances(cast.group_a, codes, period.year or 0)
    # Income is a credit (negative), expense a debit: the fund holds what income less expense leaves.
    assert year["756"] == -1234 and year["6571"] == 800
    assert -year["756"] - year["6571"] == ledger.balance(cast.group_a, Account.FUND) == 434
