"""Reading a bank statement: CSV of the big French banks, OFX, CAMT.053.

``read_statement`` takes the file's bytes and returns its lines: the date,
the amount in integer cents (positive: money in; negative: money out), the
label (every text column the bank gives, joined: the reference a member typed
is somewhere in it) and the bank's own id for the line when it has one.

A file that is not a statement we can read raises ``StatementError`` with a
message for the treasurer; a line whose amount or date cannot be read stops
the whole file (a statement read half is worse than one refused).

CSV: French banks export ``;``-separated files, dates ``dd/mm/yyyy``, amounts
``1 234,56``, in Latin-1 (Windows-1252) or UTF-8 with a BOM, often with a few
lines about the account before the header. The header is found by its names:
a date column, and either one signed amount column (``Montant``) or a debit
and a credit column. That covers Crédit Agricole, BNP Paribas, Société
Générale, La Banque Postale, Crédit Mutuel / CIC and Caisse d'Épargne.

OFX (1.x SGML or 2.x XML): only the transactions (``STMTTRN``) are read, with
a tolerant reader of our own: the banks' exports often break the strict
schema a full OFX library validates, and four fields are all we need.

CAMT.053 (ISO 20022 XML): read with the standard library; a document that
declares a DTD or entities is refused before parsing (a statement never has
one), so nothing can expand or fetch.
"""

from __future__ import annotations

import csv
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from cabas.lib.money import parse_cents

MAX_BYTES = 5_000_000
MAX_LINES = 5000
LABEL_LENGTH = 500
MAX_AMOUNT_CENTS = 100_000_000  # a million euros: beyond, the file is not a buying group's


class Format:
    CSV = "csv"
    OFX = "ofx"
    CAMT = "camt053"


class StatementError(ValueError):
    """The file cannot be read as a statement; the message is for the person."""


@dataclass(frozen=True)
class StatementLine:
    date: date
    amount_cents: int  # money in: positive; money out: negative
    label: str
    bank_id: str = ""


@dataclass(frozen=True)
class Statement:
    format: str
    lines: list[StatementLine]


def read_statement(data: bytes) -> Statement:
    """The lines of a statement file, whatever its format (see the module's docstring)."""
    if not data.strip():
        raise StatementError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise StatementError(_("The file is too big for a bank statement (5 MB at most)."))
    text = _decode(data)
    head = text.lstrip()[:2000].upper()
    if head.startswith("OFXHEADER") or "<OFX>" in head:
        statement = Statement(Format.OFX, read_ofx(text))
    elif head.startswith(("<?XML", "<DOCUMENT")):
        statement = Statement(Format.CAMT, read_camt(text))
    else:
        statement = Statement(Format.CSV, read_csv(text))
    if not statement.lines:
        raise StatementError(_("The file holds no operation."))
    if any(abs(line.amount_cents) > MAX_AMOUNT_CENTS for line in statement.lines):
        raise StatementError(
            _("An operation of more than a million euros: this is not the association's statement.")
        )
    if len(statement.lines) > MAX_LINES:
        raise StatementError(_("The file holds more than 5000 operations: import a shorter period."))
    return statement


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: how header names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("\u2019", "'").replace("_", " ").split())


def _label(*parts: str) -> str:
    return " ".join(" ".join(part.split()) for part in parts if part and part.strip())[:LABEL_LENGTH]


# --- CSV ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    date: int
    amount: int | None
    debit: int | None
    credit: int | None
    labels: tuple[int, ...]
    bank_id: int | None


LABEL_WORDS = ("libelle", "detail", "reference", "information", "motif", "nature")
ID_NAMES = ("numero d'operation", "numero operation", "n operation", "n d'operation")


def _columns(row: list[str]) -> _Columns | None:
    """The columns of a header row, or None if ``row`` is not one."""
    names = [_plain(cell) for cell in row]
    dates = [i for i, n in enumerate(names) if n.startswith("date") and "valeur" not in n]
    amounts = [i for i, n in enumerate(names) if n.startswith("montant") and "franc" not in n]
    debits = [i for i, n in enumerate(names) if n.startswith("debit")]
    credits = [i for i, n in enumerate(names) if n.startswith("credit")]
    if not dates or not (amounts or (debits and credits)):
        return None
    ids = [i for i, n in enumerate(names) if n in ID_NAMES]
    labels = tuple(i for i, n in enumerate(names) if any(word in n for word in LABEL_WORDS) and i not in ids)
    return _Columns(
        date=dates[0],
        amount=amounts[0] if amounts else None,
        debit=debits[0] if debits else None,
        credit=credits[0] if credits else None,
        labels=labels,
        bank_id=ids[0] if ids else None,
    )


def read_csv(text: str) -> list[StatementLine]:
    rows = list(csv.reader(text.splitlines(), delimiter=";" if ";" in text else ","))
    for index, row in enumerate(rows):
        columns = _columns(row)
        if columns is not None:
            return [
                line
                for n, r in enumerate(rows[index + 1 :], start=index + 2)
                if (line := _csv_line(r, columns, n))
            ]
    raise StatementError(
        _(
            "This file is not a bank statement we can read: we look for a header line with a date "
            "column and either an amount column or debit and credit columns (CSV separated by « ; »), "
            "an OFX file or a CAMT.053 file."
        )
    )


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _csv_line(row: list[str], columns: _Columns, number: int) -> StatementLine | None:
    """One operation, or None for a row that is not one (a blank line, a balance at the end)."""
    day = _french_date(_cell(row, columns.date))
    if day is None:
        return None
    try:
        if columns.amount is not None and _cell(row, columns.amount):
            cents = _french_amount(_cell(row, columns.amount))
        else:
            debit, credit = _cell(row, columns.debit), _cell(row, columns.credit)
            cents = abs(_french_amount(credit)) if credit else -abs(_french_amount(debit)) if debit else 0
    except ValueError:
        raise StatementError(_("Line %(number)s: the amount cannot be read.") % {"number": number}) from None
    if cents == 0:
        return None
    label = _label(*(_cell(row, i) for i in columns.labels))
    return StatementLine(day, cents, label, _cell(row, columns.bank_id)[:100])


def _french_date(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


def _french_amount(text: str) -> int:
    """``1 234,56`` / ``-1234,56`` / ``+12,50 €`` / ``1.234,56`` into cents (ValueError otherwise)."""
    cleaned = text.replace("EUR", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "")
    return parse_cents(cleaned)


# --- OFX ---------------------------------------------------------------------------------------

_TRANSACTION = re.compile(r"<STMTTRN>(.*?)</STMTTRN>", re.IGNORECASE | re.DOTALL)
_FIELD = re.compile(r"<([A-Z0-9.]+)>([^<\r\n]*)", re.IGNORECASE)


def read_ofx(text: str) -> list[StatementLine]:
    blocks = _TRANSACTION.findall(text)
    if not blocks and "<STMTTRN>" in text.upper():
        raise StatementError(_("This OFX file is cut short: an operation has no end."))
    return [_ofx_line(block, number) for number, block in enumerate(blocks, start=1)]


def _ofx_line(block: str, number: int) -> StatementLine:
    fields = {tag.upper(): value.strip() for tag, value in _FIELD.findall(block)}
    try:
        day = datetime.strptime(fields.get("DTPOSTED", "")[:8], "%Y%m%d").date()  # noqa: DTZ007
        cents = parse_cents(fields.get("TRNAMT", ""))
    except ValueError:
        raise StatementError(
            _("Operation %(number)s: its date or amount cannot be read.") % {"number": number}
        ) from None
    return StatementLine(
        day, cents, _label(fields.get("NAME", ""), fields.get("MEMO", "")), fields.get("FITID", "")[:100]
    )


# --- CAMT.053 ----------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: ET.Element, path: str) -> ET.Element | None:
    """The first descendant along ``path`` (local names, ``/``-separated), whatever the namespace."""
    current: ET.Element | None = element
    for name in path.split("/"):
        if current is None:
            return None
        current = next((child for child in current if _local(child.tag) == name), None)
    return current


def _text(element: ET.Element, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def read_camt(text: str) -> list[StatementLine]:
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise StatementError(_("This XML file declares a DTD: a bank statement never does."))
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError:
        raise StatementError(_("This XML file is damaged: it cannot be read.")) from None
    if not any(_local(e.tag) == "BkToCstmrStmt" for e in root.iter()):
        raise StatementError(_("This XML file is not a CAMT.053 bank statement."))
    entries = [e for e in root.iter() if _local(e.tag) == "Ntry"]
    return [_camt_line(entry, number) for number, entry in enumerate(entries, start=1)]


def _camt_line(entry: ET.Element, number: int) -> StatementLine:
    amount = _find(entry, "Amt")
    try:
        if amount is None or amount.get("Ccy", "EUR") != "EUR":
            raise ValueError
        cents = parse_cents(amount.text or "")
        when = _text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm")[:10] or _text(entry, "ValDt/Dt")
        day = date.fromisoformat(when)
    except ValueError:
        raise StatementError(
            _("Operation %(number)s: its date or amount (in euros) cannot be read.") % {"number": number}
        ) from None
    if cents < 0 or _text(entry, "CdtDbtInd") not in ("CRDT", "DBIT"):
        raise StatementError(
            _("Operation %(number)s: it says neither credit nor debit.") % {"number": number}
        )
    if _text(entry, "CdtDbtInd") == "DBIT":
        cents = -cents
    details = _find(entry, "NtryDtls/TxDtls")
    parts = [_text(entry, "AddtlNtryInf")]
    if details is not None:
        parts += [_text(details, "RltdPties/Dbtr/Nm")]
        parts += [(e.text or "") for e in details.iter() if _local(e.tag) in ("Ustrd", "Ref")]
    bank_id = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    if not bank_id and details is not None:
        bank_id = _text(details, "Refs/AcctSvcrRef") or _text(details, "Refs/EndToEndId")
    return StatementLine(day, cents, _label(*parts), bank_id[:100])
