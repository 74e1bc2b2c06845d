"""From ledger lines to the accountant's codes: which account, which journal.

Every export of the books (``journal``) and the yearly summary name accounts
through ``Chart``, so a code set by the treasurers shows the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cabas.books.models import SUBACCOUNT_DIGITS, AccountCodes
from cabas.ledger.models import Account, EntryKind
from cabas.ledger.positions import JournalEntry, JournalLine


@dataclass(frozen=True)
class Booked:
    """A line as the books show it: the general account and, for a member or producer, the auxiliary one."""

    code: str
    label: str
    aux_code: str = ""
    aux_label: str = ""


class Chart:
    def __init__(self, codes: AccountCodes) -> None:
        """Made in the language of the document: labels are read once, then every line reuses them."""
        self.codes = codes
        self._labels = self._read_labels()

    def labels(self) -> dict[str, str]:
        """Each general account's label, by code."""
        return self._labels

    def _read_labels(self) -> dict[str, str]:
        c = self.codes
        return {
            c.household_code: _("Members (households)"),
            c.producer_code: _("Producers"),
            c.bank_code: _("Bank"),
            c.cash_code: _("Cash (welcome desk)"),
            c.writeoff_code: _("Amounts written off"),
            c.gifts_code: _("Contributions to the solidarity fund"),
            c.help_code: _("Help granted by the solidarity fund"),
        }

    def sub(self, code: str, number: int) -> str:
        return f"{code}{number:0{SUBACCOUNT_DIGITS}d}"

    def book(self, line: JournalLine, counts_as: str) -> Booked:
        """The accounts of one line; ``counts_as``: its entry's kind (for a reversal, the kind reversed)."""
        c = self.codes
        labels = self._labels
        if line.account == Account.HOUSEHOLD and line.household_id is not None:
            return self._third(
                c.household_code, c.household_subaccounts, line.household_id, line.household_name
            )
        if line.account == Account.PRODUCER and line.producer_id is not None:
            return self._third(c.producer_code, c.producer_subaccounts, line.producer_id, line.producer_name)
        code = {
            Account.BANK: c.bank_code,
            Account.DESK: c.cash_code,
            Account.WRITEOFF: c.writeoff_code,
        }.get(Account(line.account))
        if code is None:  # the fund: help granted is an expense, every other movement a gift
            code = c.help_code if counts_as == EntryKind.SUBSIDY else c.gifts_code
        return Booked(code, labels[code])

    def _third(self, code: str, subaccounts: bool, number: int, name: str) -> Booked:
        aux = self.sub(code, number)
        label = self._labels[code]
        return Booked(aux if subaccounts else code, f"{label} · {name}" if subaccounts else label, aux, name)

    def journal_code(self, entry: JournalEntry) -> tuple[str, str]:
        """(code, label) of the journal an entry goes to: bank, cash or miscellaneous."""
        accounts = {line.account for line in entry.lines}
        if Account.BANK in accounts:
            return self.codes.bank_journal, _("Bank journal")
        if Account.DESK in accounts:
            return self.codes.cash_journal, _("Cash journal")
        return self.codes.misc_journal, _("Miscellaneous operations")
