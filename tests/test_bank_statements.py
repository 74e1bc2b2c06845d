"""Reading bank statements: one fixture per bank layout and format, amounts to the cent, bad files refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from cabas.bank.matching import BASKET_REFERENCE, TOPUP_REFERENCE, fingerprints
from cabas.bank.statements import Format, StatementError, StatementLine, read_statement

FIXTURES = Path(__file__).parent / "statements"
LAYOUTS = {
    "credit_agricole.csv": Format.CSV,
    "bnp_paribas.csv": Format.CSV,
    "societe_generale.csv": Format.CSV,
    "banque_postale.csv": Format.CSV,
    "credit_mutuel.csv": Format.CSV,
    "caisse_epargne.csv": Format.CSV,
    "statement.ofx": Format.OFX,
    "statement.camt053.xml": Format.CAMT,
}


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_layout_reads_the_same_three_operations(name: str) -> None:
    statement = read_statement((FIXTURES / name).read_bytes())
    assert statement.format == LAYOUTS[name]
    assert [(line.date, line.amount_cents) for line in statement.lines] == [
        (date(2026, 12, 2), 123456),
        (date(2026, 12, 3), -4510),
        (date(2026, 12, 4), 2005),
    ]
    assert "CABAS-12-3" in statement.lines[0].label
    assert "DUPONT" in statement.lines[2].label


def test_latin1_and_bom_are_both_read() -> None:
    latin = (FIXTURES / "credit_agricole.csv").read_bytes()
    assert b"\xe9" in latin  # « Libellé » in Windows-1252
    assert (FIXTURES / "credit_mutuel.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_statement(latin).lines[0].amount_cents == 123456


def test_bank_ids_are_kept_from_ofx_and_camt() -> None:
    assert read_statement((FIXTURES / "statement.ofx").read_bytes()).lines[0].bank_id == "2026120200001"
    assert read_statement((FIXTURES / "statement.camt053.xml").read_bytes()).lines[1].bank_id == "REF-0002"


def test_amount_formats() -> None:
    text = (
        "Date;Libellé;Montant\n"
        "01/12/2026;A;1 234,56\n02/12/2026;B;-0,01\n03/12/2026;C;+1.234,50 €\n04/12/2026;D;7\n"
    )
    cents = [line.amount_cents for line in read_statement(text.encode()).lines]
    assert cents == [123456, -1, 123450, 700]


def test_footer_and_blank_lines_are_skipped() -> None:
    text = "Date;Libellé;Débit;Crédit\n01/12/2026;A;;10,00\n\nSolde au 05/12/2026;;;1 000,00\n"
    assert len(read_statement(text.encode("cp1252")).lines) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello;world\n1;2\n", "not a bank statement"),
        ("Date;Libellé;Montant\n01/12/2026;A;12,555\n".encode(), "Line 2"),
        ("Date;Libellé;Montant\n01/12/2026;A;douze\n".encode(), "Line 2"),
        (b"Date;Label;Montant\n", "no operation"),
        ("Date;Libellé;Montant\n01/12/2026;A;1 000 000,01\n".encode(), "million"),
        (b"OFXHEADER:100\n<OFX><STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261202<TRNAMT>12.50", "cut short"),
        (b"OFXHEADER:100\n<OFX><STMTTRN><DTPOSTED>2026<TRNAMT>1</STMTTRN></OFX>", "Operation 1"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Document/>', "DTD"),
        (b'<?xml version="1.0"?><Document><Other/></Document>', "not a CAMT.053"),
        (b'<?xml version="1.0"?><Document><BkToCstmrStmt><Ntry>', "damaged"),
        (
            b'<?xml version="1.0"?><Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="USD">1.00</Amt>'
            b"<CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry></Stmt>"
            b"</BkToCstmrStmt></Document>",
            "in euros",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with translation.override("en"), pytest.raises(StatementError, match=message):
        read_statement(data)


def test_the_refusal_speaks_french() -> None:
    with (
        translation.override("fr"),
        pytest.raises(StatementError, match="Ligne 2\u00a0: le montant est illisible"),
    ):
        read_statement("Date;Libellé;Montant\n01/12/2026;A;12,555\n".encode())


def test_fingerprints_are_stable_and_tell_identical_lines_apart() -> None:
    twice = [StatementLine(date(2026, 12, 1), 2000, "VIR DUPONT")] * 2
    first, second = fingerprints(twice), fingerprints(list(twice))
    assert first == second and first[0] != first[1]


@pytest.mark.parametrize(
    ("label", "found"),
    [
        ("VIR MARIE CABAS-12-3", ("12", "3")),
        ("vir marie cabas 12 3 merci", ("12", "3")),
        ("CABAS.12.03", ("12", "03")),
        ("CABAS-12", None),
        ("CABAS123", None),
    ],
)
def test_basket_references_survive_what_banks_do_to_them(label: str, found: tuple[str, str] | None) -> None:
    match = BASKET_REFERENCE.search(label)
    assert (match.groups() if match else None) == found


def test_topup_reference_is_not_a_basket_reference() -> None:
    assert BASKET_REFERENCE.search("CABAS-P42") is None
    match = TOPUP_REFERENCE.search("VIR CABAS P 42")
    assert match is not None and match.group(1) == "42"
