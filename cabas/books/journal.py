"""The books of a group: its journal as the accountant imports it (FEC) or reads it (plain), and its year.

Everything here reads the ledger through ``cabas.ledger.positions`` (the
journal in one query, balances in one query each) and names accounts through
``chart.Chart``; nothing knows about requests. Called inside the group's
language (``translation.override``), like the other documents.

The FEC layout is the French standard journal file (« fichier des écritures
comptables », article A47 A-1 of the Livre des procédures fiscales): 18
columns, tab-separated, dates YYYYMMDD, amounts with a decimal comma and no
thousands separator, one row per line of an entry. Association accounting
software (Paheko among them) imports it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup
from cabas.books.chart import Chart
from cabas.books.models import AccountCodes
from cabas.cycles.models import Cycle
from cabas.ledger.models import EntryKind, Method
from cabas.ledger.positions import JournalEntry, journal
from cabas.lib.money import format_amount
from cabas.reports.writers import Column, Kind, Table

FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
# Characters that would break a tab-separated record.
_BREAKING = str.maketrans(dict.fromkeys("\t|\r\n", " "))


@dataclass(frozen=True)
class Period:
    """What a journal covers: one cycle, or one calendar year (in the site's time zone)."""

    group: BuyingGroup
    cycle: Cycle | None = None
    year: int | None = None

    @property
    def start(self) -> datetime | None:
        return _new_year(self.year) if self.year is not None else None

    @property
    def end(self) -> datetime | None:
        return _new_year(self.year + 1) if self.year is not None else None

    @property
    def slug(self) -> str:
        return f"cycle-{self.cycle.pk}" if self.cycle is not None else str(self.year)

    @property
    def title(self) -> str:
        if self.cycle is not None:
            return _("Journal of %(cycle)s") % {"cycle": self.cycle.name}
        return _("Journal of %(year)s") % {"year": self.year}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of ``year`` and of the next one, in the site's time zone."""
    return _new_year(year), _new_year(year + 1)


def _new_year(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())


def entries(period: Period) -> list[JournalEntry]:
    return journal(period.group, cycle=period.cycle, start=period.start, end=period.end)


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _text(text: str) -> str:
    return text.translate(_BREAKING).strip()


def kind_label(kind: str) -> str:
    return str(EntryKind(kind).label) if kind in EntryKind.values else kind


def method_label(method: str) -> str:
    return str(Method(method).label) if method in Method.values else method


def kind_text(entry: JournalEntry) -> str:
    """« Payé au stand · Chèque », « Correction (contre-passation) de l'écriture 12 »."""
    parts = [kind_label(entry.kind)]
    if entry.reverses_id is not None:
        parts.append(_("of entry %(number)s") % {"number": entry.reverses_id})
    return " · ".join([" ".join(parts), *([method_label(entry.method)] if entry.method else [])])


def wording(entry: JournalEntry) -> str:
    """« Payé au stand · Chèque · Cabas de juin · note »: what an entry is, in one line."""
    parts = [kind_text(entry), entry.cycle_name, entry.memo]
    return _text(" · ".join(part for part in parts if part))[:200]


def piece_ref(entry: JournalEntry) -> str:
    return _text(entry.source) or f"E{entry.pk}"


# --- FEC ------------------------------------------------------------------------------------


def fec_rows(period: Period, codes: AccountCodes) -> list[list[str | int]]:
    """One row per line, in the 18 FEC columns; amounts as integer cents (formatted by the writers)."""
    chart = Chart(codes)
    rows: list[list[str | int]] = []
    for entry in entries(period):
        journal_code, journal_label = chart.journal_code(entry)
        day = _day(entry.created_at).strftime("%Y%m%d")
        for line in entry.lines:
            booked = chart.book(line, entry.counts_as)
            rows.append(
                [
                    journal_code,
                    journal_label,
                    str(entry.pk),
                    day,
                    booked.code,
                    _text(booked.label),
                    booked.aux_code,
                    _text(booked.aux_label),
                    piece_ref(entry),
                    day,
                    wording(entry),
                    max(line.amount_cents, 0),
                    max(-line.amount_cents, 0),
                    "",
                    "",
                    day,
                    "",
                    "",
                ]
            )
    return rows


DEBIT, CREDIT = FEC_COLUMNS.index("Debit"), FEC_COLUMNS.index("Credit")


def write_fec(rows: Iterable[list[str | int]]) -> bytes:
    """The FEC text file: a header row, tab-separated records, CR LF, UTF-8."""
    out = io.StringIO()
    out.write("\t".join(FEC_COLUMNS) + "\r\n")
    for row in rows:
        cells = [
            format_amount(int(value), "fr") if index in (DEBIT, CREDIT) else str(value)
            for index, value in enumerate(row)
        ]
        out.write("\t".join(cells) + "\r\n")
    return out.getvalue().encode("utf-8")


def fec_table(period: Period, codes: AccountCodes) -> Table:
    """The same rows as a spreadsheet: amounts as numbers, everything else as text."""
    money = {DEBIT, CREDIT}
    columns = [
        Column(title, Kind.MONEY if i in money else Kind.TEXT, 12) for i, title in enumerate(FEC_COLUMNS)
    ]
    return Table(title="FEC", columns=columns, rows=fec_rows(period, codes))


# --- The plain journal ----------------------------------------------------------------------


def plain_table(period: Period, codes: AccountCodes) -> Table:
    """Date, entry, kind, account, household or producer, debit, credit, memo, who; and the totals."""
    chart = Chart(codes)
    columns = [
        Column(_("Date"), Kind.TEXT, 11),
        Column(_("Entry"), Kind.COUNT, 8),
        Column(_("Kind"), Kind.TEXT, 24),
        Column(_("Account"), Kind.TEXT, 28),
        Column(_("Household or producer"), Kind.TEXT, 24),
        Column(_("Debit"), Kind.MONEY, 12),
        Column(_("Credit"), Kind.MONEY, 12),
        Column(_("Note"), Kind.TEXT, 36),
        Column(_("By"), Kind.TEXT, 18),
    ]
    rows: list[list[object]] = []
    debit = credit = 0
    for entry in entries(period):
        day = _day(entry.created_at).isoformat()
        for line in entry.lines:
            booked = chart.book(line, entry.counts_as)
            rows.append(
                [
                    day,
                    entry.pk,
                    kind_text(entry),
                    f"{booked.code} {booked.label}",
                    line.household_name or line.producer_name,
                    max(line.amount_cents, 0) or None,
                    max(-line.amount_cents, 0) or None,
                    entry.memo,
                    entry.by,
                ]
            )
            debit += max(line.amount_cents, 0)
            credit += max(-line.amount_cents, 0)
    totals = [_("Total"), None, "", "", "", debit, credit, "", ""]
    caption = [period.group.name, period.title]
    return Table(
        title=_("Journal"), columns=columns, rows=rows, totals=totals, caption=caption, landscape=True
    )
