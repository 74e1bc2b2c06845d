"""Documents of a cycle: figures checked to the cent against the persisted lines, in every format.

PDFs are read back as text with pypdf, XLSX with openpyxl, CSV with csv. The
expected amounts are always sums of ``OrderLine.total_cents`` as stored, never
recomputed from prices.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from pypdf import PdfReader

from cabas.accounts import services as accounts
from cabas.accounts.models import User
from cabas.catalog.models import Producer, Product, Supply
from cabas.cycles.models import Cycle, Offer, Order, OrderLine
from cabas.lib.money import format_cents
from cabas.reports import data, documents, generation
from cabas.reports.models import Dispatch, DocumentSet, Kind, StoredDocument
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer
from tests.scene import Delivery

A = "saint-orens"


# --- Reading documents back ----------------------------------------------------------------


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text, with no-break spaces and runs of white space made single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return [_squash(page.extract_text()) for page in reader.pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def fr(text: str, **values: object) -> str:
    """A label as the documents print it: in the group's language (French), whatever the catalogue holds."""
    with translation.override("fr"):
        label = gettext(text)
    return _squash(label % values if values else label)


def euros(cents: int) -> str:
    """An amount as the French documents print it (spaces normalised like ``pdf_pages``)."""
    return _squash(format_cents(cents, "fr"))


def xlsx_rows(content: bytes, sheet: int = 0) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def table_after(rows: list[list[Any]], first_header: str) -> tuple[list[Any], list[list[Any]]]:
    """The header row starting with ``first_header`` and the rows under it."""
    index = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    return rows[index], rows[index + 1 :]


def cents(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for French Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


# --- A small closed cycle with every kind of line ------------------------------------------------


# Members of the delivery by surname, as the documents list them (accents ignored).
SORTED_MEMBERS = [
    "Bernadette Bénéficiaire",
    "Émile Essai",
    "Mehdi Member",
    "Marie Membre",
    "Théo Trésorier",
]
# The slips' numbers (and the pile of slips) follow the whole name, first name first: frozen.
SLIP_ORDER = [
    "Bernadette Bénéficiaire",
    "Émile Essai",
    "Marie Membre",
    "Mehdi Member",
    "Théo Trésorier",
]


def assert_in_order(text: str, names: list[str]) -> None:
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions), names


# --- Data layer ------------------------------------------------------------------------


class TestData:
    def test_purchase_order(self, delivery: Delivery) -> None:
        po = data.purchase_order(delivery.cycle, delivery.dairy)
        rows = {row.name: row for row in po.rows}
        assert rows["Tomme"].quantity == 6000
        assert rows["Tomme"].amount_cents == delivery.due(offer=delivery.tomme)
        assert rows["Tomme"].estimated and rows["Tomme"].estimated_weight_grams == 4500
        assert rows["Yaourt"].cartons == data.Cartons(12000, 1, 1000)
        assert rows["Yaourt"].cartons.missing == 11000
        assert po.total_cents == delivery.due(offer__producer=delivery.dairy)
        assert not po.header.provisional

    def test_lines_of_a_fair_share_that_gave_nothing_are_left_out(self, delivery: Delivery) -> None:
        OrderLine.objects.filter(offer=delivery.bread, order__user=delivery.treasurer).update(
            quantity=0, total_cents=0
        )
        listing = data.distribution_list(delivery.cycle, delivery.bakery)
        assert "Théo Trésorier" not in [row.member.name for row in listing.rows]

    def test_distribution_list_sorted_with_estimated_weights(self, delivery: Delivery) -> None:
        listing = data.distribution_list(delivery.cycle, delivery.dairy)
        assert [row.member.name for row in listing.rows] == [
            "Bernadette Bénéficiaire",
            "Émile Essai",
            "Mehdi Member",
            "Marie Membre",
        ]
        marie = listing.rows[3]
        assert marie.member.phone == "06 12 34 56 78"
        (tomme,) = marie.items
        assert (tomme.quantity, tomme.estimated_weight_grams) == (1000, 750)
        assert marie.amount_cents == delivery.due(order__user=delivery.member, offer__producer=delivery.dairy)
        assert listing.total_cents == delivery.due(offer__producer=delivery.dairy)

    def test_estimated_grams_round_half_up(self) -> None:
        assert data.estimated_grams(1500, 333) == 500  # 499.5 g
        assert data.estimated_grams(1000, None) is None

    def test_member_slip(self, delivery: Delivery) -> None:
        order = Order.objects.select_related("user").get(cycle=delivery.cycle, user=delivery.member)
        slip = data.member_slip(delivery.cycle, order)
        assert [part.producer.name for part in slip.parts] == ["Ferme de la Bergerie", "Fournil du Lauragais"]
        bakery = slip.parts[1]
        assert bakery.producer.payment.cheque_payee == "EARL Fournil"
        assert bakery.producer.payment.iban_display == "FR76 1234 5678 9012 3456 7890 189"
        assert bakery.amount_cents == delivery.due(order=order, offer__producer=delivery.bakery)
        assert slip.total_cents == order.total_cents()

    def test_matrix(self, delivery: Delivery) -> None:
        grid = data.matrix(delivery.cycle)
        assert [p.name for p in grid.producers] == ["Ferme de la Bergerie", "Fournil du Lauragais"]
        assert [row.member.name for row in grid.rows] == SORTED_MEMBERS
        emile = grid.rows[1]
        assert emile.amounts == [delivery.due(order__user=delivery.emile), None]
        assert grid.producer_totals == [
            delivery.due(offer__producer=delivery.dairy),
            delivery.due(offer__producer=delivery.bakery),
        ]
        assert grid.total_cents == delivery.due()

    def test_cycle_summary(self, delivery: Delivery) -> None:
        summary = data.cycle_summary(delivery.cycle)
        assert summary.baskets == 5
        turnover = {p.producer.name: p for p in summary.producers}
        assert turnover["Fournil du Lauragais"].amount_cents == delivery.due(offer__producer=delivery.bakery)
        assert turnover["Fournil du Lauragais"].baskets == 4
        assert turnover["Ferme de la Bergerie"].estimated
        assert summary.total_cents == delivery.due()
        assert [(c.name, c.cartons.full, c.cartons.remainder) for c in summary.cartons] == [
            ("Yaourt", 1, 1000),
            ("Baguette", 1, 4000),
        ]


# --- Documents, format by format ------------------------------------------------------------


class TestPurchaseOrder:
    def test_pdf(self, delivery: Delivery) -> None:
        document = documents.purchase_order_document(delivery.cycle, delivery.bakery, "pdf")
        assert document.content_type == "application/pdf"
        assert document.filename.endswith(".pdf") and "fournil" in document.filename
        (page,) = pdf_pages(document.content)
        assert "Cabas de Saint-Orens" in page and "Cabas de juin" in page
        assert f"{fr('page')} 1 / 1" in page
        for offer in (delivery.bread, delivery.baguette):
            assert f"{offer.name}" in page
            assert euros(delivery.due(offer=offer)) in page
        assert "1 × 6 + 4" in page  # 10 baguettes: a carton of 6 and 4 left over
        assert euros(delivery.due(offer__producer=delivery.bakery)) in page
        assert "Tomme" not in page

    def test_pdf_variable_weight(self, delivery: Delivery) -> None:
        document = documents.purchase_order_document(delivery.cycle, delivery.dairy, "pdf")
        (page,) = pdf_pages(document.content)
        assert "4,5 kg" in page  # 6 tommes of about 750 g
        assert f"≈ {euros(delivery.due(offer=delivery.tomme))}" in page

    def test_xlsx(self, delivery: Delivery) -> None:
        document = documents.purchase_order_document(delivery.cycle, delivery.dairy, "xlsx")
        rows = xlsx_rows(document.content)
        assert rows[0][0] == "Cabas de Saint-Orens"
        header, body = table_after(rows, fr("Product"))
        by_name = {row[0]: dict(zip(header, row, strict=True)) for row in body}
        tomme, yoghurt = by_name["Tomme"], by_name["Yaourt"]
        assert cents(tomme[fr("Amount (€)")]) == delivery.due(offer=delivery.tomme)
        assert tomme[fr("Quantity")] == 6 and tomme[fr("Estimated weight (kg)")] == 4.5
        assert (
            yoghurt[fr("Carton size")],
            yoghurt[fr("Full cartons")],
            yoghurt[fr("Left over (incomplete carton)")],
        ) == (12, 1, 1)
        assert cents(by_name[fr("Total")][fr("Amount (€)")]) == delivery.due(offer__producer=delivery.dairy)
        sheet = openpyxl.load_workbook(io.BytesIO(document.content)).worksheets[0]
        first = next(row[0].row for row in sheet.iter_rows() if row[0].value == fr("Product"))
        column = header.index(fr("Amount (€)"))
        amounts = [row[column] for row in sheet.iter_rows(min_row=first + 1)]
        assert {cell.number_format for cell in amounts} == {'#,##0.00 "€"'}  # euros, typed numbers
        assert all(isinstance(cell.value, int | float) for cell in amounts)

    def test_csv(self, delivery: Delivery) -> None:
        document = documents.purchase_order_document(delivery.cycle, delivery.bakery, "csv")
        rows = csv_rows(document.content)
        header = rows[0]
        by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
        assert by_name["Pain complet"][fr("Amount (€)")] == euros(
            delivery.due(offer=delivery.bread)
        ).removesuffix(" €")
        assert by_name["Pain complet"][fr("Unit price (€, per kg if variable weight)")] == "5,20"
        assert by_name["Baguette"][fr("Quantity")] == "10"
        euros_, cents_ = divmod(delivery.due(offer__producer=delivery.bakery), 100)
        assert by_name[fr("Total")][fr("Amount (€)")] == f"{euros_},{cents_:02d}"


class TestDistributionList:
    def test_pdf(self, delivery: Delivery) -> None:
        document = documents.distribution_list_document(delivery.cycle, delivery.dairy, "pdf")
        text = " ".join(pdf_pages(document.content))
        assert_in_order(text, ["Bernadette Bénéficiaire", "Émile Essai", "Mehdi Member", "Marie Membre"])
        assert "06 12 34 56 78" in text
        assert "0,75 kg" in text and "1,5 kg" in text and "2,25 kg" in text  # 1, 2 and 3 tommes
        for member in (delivery.member, delivery.member2, delivery.beneficiary, delivery.emile):
            assert euros(delivery.due(order__user=member, offer__producer=delivery.dairy)) in text
        assert fr("Actual weight") in text and fr("Handed over") in text
        assert euros(delivery.due(offer__producer=delivery.dairy)) in text
        assert f"{fr('page')} 1 / 1" in text

    def test_xlsx(self, delivery: Delivery) -> None:
        document = documents.distribution_list_document(delivery.cycle, delivery.dairy, "xlsx")
        header, body = table_after(xlsx_rows(document.content), fr("Member"))
        rows = [dict(zip(header, row, strict=True)) for row in body]
        members = [row[fr("Member")] for row in rows if row[fr("Handed over")] == "☐"]
        assert members == ["Bernadette Bénéficiaire", "Émile Essai", "Mehdi Member", "Marie Membre"]
        mehdi = [row for row in rows if row[fr("Member")] == "Mehdi Member"]
        assert [
            (r[fr("Product")], r[fr("Estimated weight (kg)")], r[fr("Actual weight (kg)")]) for r in mehdi
        ] == [
            ("Tomme", 1.5, None),
            ("Yaourt", None, None),
        ]
        due = delivery.due(order__user=delivery.member2, offer__producer=delivery.dairy)
        assert (
            cents(mehdi[0][fr("Amount to collect (€)")]) == due
            and mehdi[1][fr("Amount to collect (€)")] is None
        )
        assert sum(cents(r[fr("Line amount (€)")]) for r in mehdi) == due
        assert cents(rows[-1][fr("Amount to collect (€)")]) == delivery.due(offer__producer=delivery.dairy)

    def test_no_csv(self, delivery: Delivery) -> None:
        with pytest.raises(documents.UnknownFormat):
            documents.distribution_list_document(delivery.cycle, delivery.dairy, "csv")


class TestSlips:
    def test_one_per_page_with_payment_instructions(self, delivery: Delivery) -> None:
        pages = pdf_pages(documents.slips_document(delivery.cycle).content)
        assert len(pages) == 5
        for number, (page, name) in enumerate(zip(pages, SLIP_ORDER, strict=True), start=1):
            assert fr("Slip %(number)s / %(total)s", number=number, total=5) in page
            assert name in page and "Cabas de Saint-Orens" in page
        marie = pages[2]
        order = Order.objects.get(cycle=delivery.cycle, user=delivery.member)
        assert euros(delivery.due(order=order, offer__producer=delivery.bakery)) in marie
        assert euros(delivery.due(order=order, offer__producer=delivery.dairy)) in marie
        assert euros(order.total_cents()) in marie
        assert fr("cheque payable to %(payee)s", payee="EARL Fournil") in marie
        assert "FR76 1234 5678 9012 3456 7890 189" in marie
        assert "Paiement à la ferme possible" in marie
        assert fr("Delivered") in marie and "0,75 kg" in marie

    def test_several_per_sheet(self, delivery: Delivery) -> None:
        pages = pdf_pages(documents.slips_document(delivery.cycle, per_sheet=2).content)
        assert len(pages) == 3
        assert "Bernadette Bénéficiaire" in pages[0] and "Émile Essai" in pages[0]
        assert fr("Slip %(number)s / %(total)s", number=5, total=5) in pages[2]

    @pytest.mark.parametrize(("per_sheet", "sheets"), [(1, 5), (2, 3)])
    def test_printed_in_parts_then_joined(
        self, delivery: Delivery, monkeypatch: pytest.MonkeyPatch, per_sheet: int, sheets: int
    ) -> None:
        """Slips are printed a few at a time to bound memory; the joined file reads as one."""
        monkeypatch.setattr(documents, "SLIPS_PER_PRINT", 3)
        pages = pdf_pages(documents.slips_document(delivery.cycle, per_sheet=per_sheet).content)
        assert len(pages) == sheets
        text = " ".join(pages)
        assert_in_order(text, SLIP_ORDER)
        for number in range(1, 6):
            assert fr("Slip %(number)s / %(total)s", number=number, total=5) in text
        # Parts hold whole sheets: with 2 per sheet a part is 2 slips, never a sheet split in two.
        if per_sheet == 2:
            assert "Bernadette Bénéficiaire" in pages[0] and "Émile Essai" in pages[0]
            assert "Marie Membre" in pages[1] and "Mehdi Member" in pages[1]

    def test_members_own_slip(self, delivery: Delivery) -> None:
        order = Order.objects.select_related("user").get(cycle=delivery.cycle, user=delivery.member2)
        (page,) = pdf_pages(documents.member_slip_document(delivery.cycle, order).content)
        assert "Mehdi Member" in page and "Marie Membre" not in page
        assert euros(order.total_cents()) in page


class TestMatrix:
    def test_pdf(self, delivery: Delivery) -> None:
        text = " ".join(pdf_pages(documents.matrix_document(delivery.cycle, "pdf").content))
        assert_in_order(text, SORTED_MEMBERS)
        assert "06 12 34 56 78" in text and "marie@example.org" in text
        for member in (delivery.member, delivery.member2, delivery.emile):
            assert euros(delivery.due(order__user=member)) in text
        assert euros(delivery.due()) in text
        assert f"{fr('page')} 1 / 1" in text

    def test_xlsx_and_csv_agree_with_the_lines(self, delivery: Delivery) -> None:
        expected: dict[tuple[str, str], int] = defaultdict(int)
        for line in OrderLine.objects.filter(order__cycle=delivery.cycle).select_related(
            "order__user", "offer__producer"
        ):
            expected[line.order.user.full_name, line.offer.producer.name] += line.total_cents
        header, body = table_after(
            xlsx_rows(documents.matrix_document(delivery.cycle, "xlsx").content), fr("Member")
        )
        assert header[:3] == [fr("Member"), fr("Phone"), fr("E-mail")]
        assert header[3:5] == ["Ferme de la Bergerie", "Fournil du Lauragais"]
        found = {
            (row[0], producer): cents(value)
            for row in body[:-1]
            for producer, value in zip(header[3:5], row[3:5], strict=True)
            if value is not None
        }
        assert found == dict(expected)
        assert cents(body[-1][-1]) == delivery.due()
        rows = csv_rows(documents.matrix_document(delivery.cycle, "csv").content)
        emile = next(row for row in rows if row[0] == "Émile Essai")
        assert emile[3:] == [
            euros(delivery.due(order__user=delivery.emile)).removesuffix(" €"),
            "",
            emile[-1],
        ]
        assert rows[-1][0] == "Total"

    def test_many_producers_split_into_parts(self, delivery: Delivery) -> None:
        grid = data.matrix(delivery.cycle)
        producers = [grid.producers[0]] * 25
        rows = [data.MatrixRow(r.member, [1] * 25, 25) for r in grid.rows]
        wide = data.Matrix(grid.header, producers, rows, [len(rows)] * 25, 25 * len(rows))
        parts = documents.matrix_parts(wide)
        assert [len(part["producers"]) for part in parts] == [9, 9, 7]
        assert all(len(row["amounts"]) == len(part["producers"]) for part in parts for row in part["rows"])

    def test_printed_in_parts_then_joined(self, delivery: Delivery, monkeypatch: pytest.MonkeyPatch) -> None:
        """Members are printed a few at a time to bound memory; the joined file reads as one."""
        monkeypatch.setattr(documents, "MATRIX_ROWS_PER_PRINT", 2)
        pages = pdf_pages(documents.matrix_document(delivery.cycle, "pdf").content)
        assert len(pages) == 3  # 5 members, 2 per print
        text = " ".join(pages)
        assert_in_order(text, SORTED_MEMBERS)
        for first, last in ((1, 2), (3, 4), (5, 5)):
            assert fr("Members %(first)s to %(last)s of %(total)s", first=first, last=last, total=5) in text
        intro = fr(
            "Amounts due to each producer. Welcome desk: find the member, "
            "send them to the producers listed on their row."
        )
        assert text.count(intro[:30]) == 1  # the intro, once
        assert (
            euros(delivery.due()) in pages[2] and euros(delivery.due()) not in pages[0]
        )  # the total, at the end
        assert f"{fr('page')} 1 /" not in text  # no page numbers that could not count across prints


class TestSummary:
    def test_pdf(self, delivery: Delivery) -> None:
        (page,) = pdf_pages(documents.summary_document(delivery.cycle, "pdf").content)
        with translation.override("fr"):
            baskets = ngettext("%(counter)s basket", "%(counter)s baskets", 5) % {"counter": 5}
        assert baskets in page
        assert euros(delivery.due(offer__producer=delivery.bakery)) in page
        assert euros(delivery.due()) in page
        assert "Baguette" in page and "Yaourt" in page

    def test_xlsx(self, delivery: Delivery) -> None:
        content = documents.summary_document(delivery.cycle, "xlsx").content
        _header, body = table_after(xlsx_rows(content, 0), fr("Producer"))
        turnover = {row[0]: cents(row[2]) for row in body}
        assert turnover == {
            "Ferme de la Bergerie": delivery.due(offer__producer=delivery.dairy),
            "Fournil du Lauragais": delivery.due(offer__producer=delivery.bakery),
            fr("Total"): delivery.due(),
        }
        _header, body = table_after(xlsx_rows(content, 1), fr("Producer"))
        assert [row[1] for row in body] == ["Yaourt", "Baguette"]
        assert body[1][3:] == [10, 6, 1, 4, 2]


def test_documents_follow_the_groups_language_not_the_request(delivery: Delivery, settings) -> None:
    from django.utils import translation

    with translation.override("en"):
        (page,) = pdf_pages(documents.purchase_order_document(delivery.cycle, delivery.bakery, "pdf").content)
    assert euros(delivery.due(offer=delivery.bread)) in page  # French figures: 10,40 €
    assert "€10.40" not in page


def test_provisional_while_orders_are_open(delivery: Delivery) -> None:
    Cycle.objects.filter(pk=delivery.cycle.pk).update(closes_at=timezone.now() + timedelta(days=1))
    cycle = Cycle.objects.select_related("group").get(pk=delivery.cycle.pk)
    (page,) = pdf_pages(documents.purchase_order_document(cycle, delivery.bakery, "pdf").content)
    assert fr("Provisional: orders are still open, these figures may change.") in page


# Names as people type them: Typst markup or code in them must print as it is.
HOSTILE = '#read("/etc/passwd") *bold* _it_ $x^2$ <label> @ref \\ [a] ] // c /* d \\" #{1+1} `raw` ~'


def test_hostile_names_print_as_typed(delivery: Delivery) -> None:
    User.objects.filter(pk=delivery.emile.pk).update(full_name=f"Émile {HOSTILE}")
    Offer.objects.filter(pk=delivery.bread.pk).update(name=f"Pain {HOSTILE}", unit_label="pièce $ #")
    Producer.objects.filter(pk=delivery.bakery.pk).update(payment_notes=f"Notes {HOSTILE}")
    expected = _squash(HOSTILE)
    slips = " ".join(pdf_pages(documents.slips_document(delivery.cycle).content))
    assert f"Émile {expected}" in slips and f"Pain {expected}" in slips and f"Notes {expected}" in slips
    assert "(pièce $ #)" in slips
    order = Order.objects.get(cycle=delivery.cycle, user=delivery.member)
    assert f"Pain {expected}" in " ".join(
        pdf_pages(documents.member_slip_document(delivery.cycle, order).content)
    )
    (page,) = pdf_pages(documents.purchase_order_document(delivery.cycle, delivery.bakery, "pdf").content)
    assert f"Pain {expected}" in page and "root:" not in page
    listing = pdf_pages(documents.distribution_list_document(delivery.cycle, delivery.dairy, "pdf").content)
    matrix = pdf_pages(documents.matrix_document(delivery.cycle, "pdf").content)
    for pages in (listing, matrix):  # narrow columns: the name wraps, maybe inside a word
        assert f"Émile {expected}".replace(" ", "") in "".join(pages).replace(" ", "")


def test_typst_literals() -> None:
    from cabas.reports.pdf import typst_string, typst_value

    assert typst_string('a"b\\c\n\x01') == '"a\\"b\\\\c\\n\\u{1}"'
    assert (
        typst_value({"a": [1, None, True], "b": {}, "c": ("x",)})
        == '(a: (1, none, true, ), b: (:), c: ("x", ),)'
    )
    for key in ("none", "Name", "a-b", "1a"):
        with pytest.raises(ValueError, match="Layout keys"):
            typst_value({key: 1})
    with pytest.raises(TypeError):
        typst_value(1.5)


# --- Views and permissions -----------------------------------------------------------------

# Spreadsheets only: a generation of the delivery without PDFs takes a few hundredths of a second.
FAST_PER_CYCLE = ((Kind.MATRIX, (documents.XLSX, documents.CSV)), (Kind.SUMMARY, (documents.XLSX,)))
FAST_PER_PRODUCER = (
    (Kind.PURCHASE_ORDER, (documents.XLSX, documents.CSV)),
    (Kind.DISTRIBUTION_LIST, (documents.XLSX,)),
)


@pytest.fixture
def fast_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generate only the spreadsheet formats (PDFs cost about 0.3 s a page)."""
    monkeypatch.setattr(generation, "PER_CYCLE", FAST_PER_CYCLE)
    monkeypatch.setattr(generation, "PER_PRODUCER", FAST_PER_PRODUCER)


def generate_through_the_page(
    delivery: Delivery, client: Client, run_commit: Callable[..., Any]
) -> list[StoredDocument]:
    """Ask for the documents as a coordinator does; the task runs at the commit. The files served."""
    with run_commit(execute=True):
        response = client.post(
            reverse("reports_generate", args=[A, delivery.cycle.pk]), {"slips_per_sheet": "1"}
        )
    assert response.status_code == 302
    doc_set = DocumentSet.objects.get(cycle=delivery.cycle)
    assert doc_set.status == "ready"
    return list(
        StoredDocument.objects.filter(document_set=doc_set, generation=doc_set.ready).select_related(
            "producer"
        )
    )


def coordinator_urls(delivery: Delivery, files: list[StoredDocument]) -> list[tuple[str, StoredDocument]]:
    """The download address of every stored document of the delivery."""
    return [
        (reverse("reports_file", args=[A, delivery.cycle.pk, document.pk, document.filename]), document)
        for document in files
    ]


def producer_url(
    name: str, delivery: Delivery, producer: str = "fournil", fmt: str = "pdf", **kwargs: Any
) -> str:
    return reverse(name, kwargs={"slug": producer, "pk": delivery.cycle.pk, "fmt": fmt, **kwargs})


def assert_is_what_it_claims(content: bytes, document: StoredDocument, delivery: Delivery) -> None:
    """A PDF, workbook or CSV that reads back, of the group, and of its own producer only."""
    producers = {delivery.bakery.pk: "Pain complet", delivery.dairy.pk: "Tomme"}
    if document.fmt == "pdf":
        assert content.startswith(b"%PDF")
        text = " ".join(pdf_pages(content))
    elif document.fmt == "xlsx":
        assert content.startswith(b"PK\x03\x04")
        text = " ".join(str(cell) for row in xlsx_rows(content) for cell in row if cell is not None)
    else:
        text = " ".join(" ".join(row) for row in csv_rows(content))
    if document.fmt != "csv":  # a CSV is the bare table, without title
        assert "Cabas de Saint-Orens" in text, document
        assert document.producer is None or document.producer.name in text, document
    if document.producer_id is not None:
        for pk, product in producers.items():
            assert (product in text) == (pk == document.producer_id), (document, product)


class TestViews:
    def test_coordinator_generates_then_downloads_every_document(
        self,
        delivery: Delivery,
        client_for: Callable[..., Client],
        django_capture_on_commit_callbacks: Callable[..., Any],
    ) -> None:
        client = client_for(delivery.coordinator)
        files = generate_through_the_page(delivery, client, django_capture_on_commit_callbacks)
        # Every format of every document exists: once for the cycle, once per producer.
        per_producer = {"purchase_order", "distribution_list"}
        assert sorted((f.kind, f.fmt, f.producer.slug if f.producer else "") for f in files) == sorted(
            (kind, fmt, producer)
            for kind, formats in documents.FORMATS.items()
            for fmt in formats
            for producer in (("fournil", "bergerie") if kind in per_producer else ("",))
        )
        page = client.get(reverse("reports_cycle", args=[A, delivery.cycle.pk])).text
        assert euros(delivery.due(offer__producer=delivery.bakery)).replace(" ", "\u00a0") in page
        for url, document in coordinator_urls(delivery, files):
            assert f'href="{url}"' in page, url
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Type"] == documents.CONTENT_TYPES[document.fmt]
            assert response["Content-Disposition"].endswith(f'.{document.fmt}"')
            assert "no-store" in response["Cache-Control"]
            assert response.content == bytes(document.content)
            assert_is_what_it_claims(response.content, document, delivery)

    def test_unknown_file_or_format_is_404(
        self,
        delivery: Delivery,
        fast_formats: None,
        client_for: Callable[..., Client],
        django_capture_on_commit_callbacks: Callable[..., Any],
    ) -> None:
        client = client_for(delivery.coordinator)
        document = generate_through_the_page(delivery, client, django_capture_on_commit_callbacks)[0]
        cycle = [A, delivery.cycle.pk]
        assert (
            client.get(reverse("reports_file", args=[*cycle, document.pk, "autre-nom.csv"])).status_code
            == 404
        )
        unknown = client.get(reverse("reports_file", args=[*cycle, document.pk + 1000, document.filename]))
        assert unknown.status_code == 302 and unknown["Location"] == reverse("reports_cycle", args=cycle)
        assert (
            client.get(reverse("reports_file", args=[*cycle, document.pk, document.filename])).status_code
            == 200
        )
        client_for(delivery.producer_user)
        assert (
            client.get(producer_url("producer_report_purchase_order", delivery, fmt="odt")).status_code == 404
        )
        assert (
            client.get(producer_url("producer_report_distribution_list", delivery, fmt="csv")).status_code
            == 404
        )

    def test_get_only(
        self,
        delivery: Delivery,
        fast_formats: None,
        client_for: Callable[..., Client],
        django_capture_on_commit_callbacks: Callable[..., Any],
    ) -> None:
        client = client_for(delivery.coordinator)
        files = generate_through_the_page(delivery, client, django_capture_on_commit_callbacks)
        url, _document = coordinator_urls(delivery, files)[0]
        assert client.post(url).status_code == 405
        assert client.post(reverse("reports_cycle", args=[A, delivery.cycle.pk])).status_code == 405
        assert client.post(reverse("reports_status", args=[A, delivery.cycle.pk])).status_code == 405

    def test_nobody_else_gets_the_coordinator_documents(
        self,
        delivery: Delivery,
        fast_formats: None,
        client_for: Callable[..., Client],
        django_capture_on_commit_callbacks: Callable[..., Any],
    ) -> None:
        cast = delivery
        files = generate_through_the_page(
            delivery, client_for(cast.coordinator), django_capture_on_commit_callbacks
        )
        Producer.objects.filter(pk=cast.bakery.pk).update(contact_email="fournil@example.org")
        cycle = [A, delivery.cycle.pk]
        urls = [
            reverse("reports_cycle", args=cycle),
            reverse("reports_status", args=cycle),
            *(url for url, _document in coordinator_urls(delivery, files)),
        ]
        writes = [
            (reverse("reports_generate", args=cycle), {"slips_per_sheet": "2"}),
            (reverse("reports_send", args=cycle), {"producer": [str(cast.bakery.pk)]}),
        ]
        for user, status in (
            (cast.member, 403),
            (cast.member_b, 403),
            (cast.coordinator_b, 403),
            (cast.producer_user, 403),
            (None, 302),
        ):
            client = client_for(user)
            for url in urls:
                assert client.get(url).status_code == status, (user, url)
            for url, form in writes:
                with django_capture_on_commit_callbacks(execute=True):
                    assert client.post(url, form).status_code == status, (user, url)
        doc_set = DocumentSet.objects.get()
        assert (doc_set.requested, doc_set.slips_per_sheet) == (1, 1)
        assert not Dispatch.objects.exists()
        # B's coordinator with B's address and A's cycle finds nothing.
        client = client_for(cast.coordinator_b)
        balma = ["balma", delivery.cycle.pk]
        assert client.get(reverse("reports_cycle", args=balma)).status_code == 404
        assert client.get(reverse("reports_status", args=balma)).status_code == 404
        document = files[0]
        assert (
            client.get(reverse("reports_file", args=[*balma, document.pk, document.filename])).status_code
            == 404
        )
        assert client.post(reverse("reports_generate", args=balma)).status_code == 404
        assert DocumentSet.objects.get().requested == 1

    def test_producer_outside_the_cycle_has_no_documents(
        self,
        delivery: Delivery,
        fast_formats: None,
        client_for: Callable[..., Client],
        django_capture_on_commit_callbacks: Callable[..., Any],
    ) -> None:
        ruche = Producer.objects.create(
            name="Ruche d'à côté", slug="ruche", contact_email="ruche@example.org"
        )
        client = client_for(delivery.coordinator)
        files = generate_through_the_page(delivery, client, django_capture_on_commit_callbacks)
        assert {f.producer_id for f in files} == {None, delivery.bakery.pk, delivery.dairy.pk}
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("reports_send", args=[A, delivery.cycle.pk]), {"producer": [str(ruche.pk)]})
        assert not Dispatch.objects.exists()

    def test_producer_downloads_only_their_own(
        self, delivery: Delivery, client_for: Callable[..., Client]
    ) -> None:
        client = client_for(delivery.producer_user)
        for name, kind in (
            ("producer_report_purchase_order", "purchase_order"),
            ("producer_report_distribution_list", "distribution_list"),
        ):
            for fmt in documents.FORMATS[kind]:
                response = client.get(producer_url(name, delivery, fmt=fmt))
                assert response.status_code == 200, (name, fmt)
            assert client.get(producer_url(name, delivery, producer="bergerie")).status_code == 403
        (page,) = pdf_pages(client.get(producer_url("producer_report_purchase_order", delivery)).content)
        assert "Pain complet" in page and "Tomme" not in page
        text = " ".join(
            pdf_pages(client.get(producer_url("producer_report_distribution_list", delivery)).content)
        )
        assert "Marie Membre" in text and "Émile Essai" not in text  # Émile bought only cheese

    def test_producer_gets_nothing_of_a_cycle_they_are_not_in(
        self, delivery: Delivery, client_for: Callable[..., Client]
    ) -> None:
        other = make_cycle(delivery.group_a, name="Cabas sans pain")
        make_offer(other, delivery.dairy, "Chèvre frais")
        client = client_for(delivery.producer_user)
        url = reverse("producer_report_purchase_order", args=["fournil", other.pk, "pdf"])
        assert client.get(url).status_code == 404
        Cycle.objects.filter(pk=delivery.cycle.pk).update(
            published_at=None
        )  # a draft is nobody's business yet
        assert client.get(producer_url("producer_report_purchase_order", delivery)).status_code == 404

    def test_member_gets_only_their_own_slip(
        self, delivery: Delivery, client_for: Callable[..., Client]
    ) -> None:
        url = reverse("member_slip", args=[A, delivery.cycle.pk])
        response = client_for(delivery.member).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        (page,) = pdf_pages(response.content)
        assert "Marie Membre" in page
        assert all(name not in page for name in SORTED_MEMBERS if name != "Marie Membre")
        order = Order.objects.get(cycle=delivery.cycle, user=delivery.member)
        assert euros(order.total_cents()) in page
        newcomer = accounts.create_user(email="nouveau@example.org", full_name="Nina Nouvelle")
        accounts.add_member(group=delivery.group_a, user=newcomer)
        assert client_for(newcomer).get(url).status_code == 404  # no order, no slip
        assert client_for(delivery.member_b).get(url).status_code == 403
        assert client_for(delivery.producer_user).get(url).status_code == 403  # a producer has no basket
        assert client_for(None).get(url).status_code == 302
        assert client_for(delivery.member).post(url).status_code == 405

    def test_member_slip_of_a_draft_is_404(
        self, delivery: Delivery, client_for: Callable[..., Client]
    ) -> None:
        Cycle.objects.filter(pk=delivery.cycle.pk).update(published_at=None)
        url = reverse("member_slip", args=[A, delivery.cycle.pk])
        assert client_for(delivery.member).get(url).status_code == 404


# --- Query counts: constant whatever the number of orders ---------------------------------------


@dataclass
class Big:
    cycle: Cycle
    producers: list[Producer]
    offers: list[Offer]
    made: int = 0


def _big_cycle(cast: Cast, producers: int = 25, offers_each: int = 4) -> Big:
    cycle = make_cycle(cast.group_a, phase="closed", name="Grand cabas")
    made = Producer.objects.bulk_create(
        Producer(name=f"Ferme {n:02d}", slug=f"ferme-{n}", cheque_payable_to=f"GAEC {n}")
        for n in range(producers)
    )
    Supply.objects.bulk_create(Supply(producer=p, group=cast.group_a) for p in made)
    cycle.producers.set(made)
    products = Product.objects.bulk_create(
        Product(
            producer=p,
            name=f"Produit {p.pk}-{n}",
            category="other",
            unit="piece",
            price_cents=150 + 37 * n,
            variable_weight=n == 0,
            estimated_weight_grams=850 if n == 0 else None,
        )
        for p in made
        for n in range(offers_each)
    )
    offers = Offer.objects.bulk_create(
        Offer(
            cycle=cycle,
            product=pr,
            producer=pr.producer,
            name=pr.name,
            category="other",
            unit_label="pièce",
            price_cents=pr.price_cents,
            variable_weight=pr.variable_weight,
            estimated_weight_grams=pr.estimated_weight_grams,
            carton_size=6000 if pr.price_cents % 2 else None,
        )
        for pr in products
    )
    return Big(Cycle.objects.select_related("group").get(pk=cycle.pk), made, offers)


def _grow(big: Big, count: int) -> None:
    """``count`` more households with six lines each, totals from ``Offer.line_total`` (as saved)."""
    start = big.made
    users = User.objects.bulk_create(
        User(
            email=f"foyer{start + i}@example.org", full_name=f"Foyer {start + i:05d}", phone="06 00 00 00 00"
        )
        for i in range(count)
    )
    orders = Order.objects.bulk_create(Order(cycle=big.cycle, user=user) for user in users)
    lines = []
    for i, order in enumerate(orders, start=start):
        for k in range(6):
            offer = big.offers[(i * 7 + k * 13) % len(big.offers)]
            quantity = (1 + (i + k) % 3) * 1000
            lines.append(
                OrderLine(
                    order=order,
                    offer=offer,
                    quantity=quantity,
                    requested=quantity,
                    total_cents=offer.line_total(quantity),
                )
            )
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    big.made += count


def _query_counts(big: Big, client: Client) -> dict[str, int]:
    """Queries of every data function, of spreadsheet documents and of the index page."""
    producer = big.producers[3]
    order_pk = Order.objects.filter(cycle=big.cycle).order_by("pk").values_list("pk", flat=True).first()
    calls: dict[str, Callable[[Cycle], object]] = {
        "purchase_order": lambda c: data.purchase_order(c, producer),
        "distribution_list": lambda c: data.distribution_list(c, producer),
        "member_slips": data.member_slips,
        "matrix": data.matrix,
        "cycle_summary": data.cycle_summary,
        "distribution_list.xlsx": lambda c: documents.distribution_list_document(c, producer, "xlsx"),
        "matrix.csv": lambda c: documents.matrix_document(c, "csv"),
        "summary.xlsx": lambda c: documents.summary_document(c, "xlsx"),
    }
    counts = {}
    for name, call in calls.items():
        cycle = Cycle.objects.select_related("group").get(pk=big.cycle.pk)
        with CaptureQueriesContext(connection) as context:
            call(cycle)
        counts[name] = len(context)
    cycle = Cycle.objects.select_related("group").get(pk=big.cycle.pk)
    order = Order.objects.select_related("user").get(pk=order_pk)
    with CaptureQueriesContext(connection) as context:
        data.member_slip(cycle, order)
    counts["member_slip"] = len(context)
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("reports_cycle", args=[A, big.cycle.pk])).status_code == 200
    counts["index page"] = len(context)
    return counts


def test_query_counts_do_not_grow_with_orders(cast: Cast, client_for: Callable[..., Client]) -> None:
    big = _big_cycle(cast)
    client = client_for(cast.coordinator)
    _grow(big, 150)
    small = _query_counts(big, client)
    _grow(big, 1350)
    assert Order.objects.filter(cycle=big.cycle).count() == 1500
    assert _query_counts(big, client) == small
    data_functions = ("purchase_order", "distribution_list", "member_slips", "matrix", "cycle_summary")
    assert all(small[name] <= 4 for name in (*data_functions, "member_slip")), small


def test_documents_of_a_150_order_cycle_add_up(cast: Cast) -> None:
    """A real-sized cycle (150 orders, 25 producers): every producer's spreadsheets, a few PDFs.

    Every PDF of such a cycle takes about 40 s of CPU (some 350 pages): that is for the
    background generation, not for this suite; the PDFs are checked in detail above.
    """
    big = _big_cycle(cast)
    _grow(big, 150)
    cycle = big.cycle
    total = OrderLine.objects.filter(order__cycle=cycle).aggregate(t=Sum("total_cents"))["t"]
    due_per_producer = []
    for producer in big.producers:
        po = xlsx_rows(documents.purchase_order_document(cycle, producer, "xlsx").content)
        listing = xlsx_rows(documents.distribution_list_document(cycle, producer, "xlsx").content)
        po_total = cents(table_after(po, fr("Product"))[1][-1][8])
        assert cents(table_after(listing, fr("Member"))[1][-1][8]) == po_total
        csv_total = csv_rows(documents.purchase_order_document(cycle, producer, "csv").content)[-1][8]
        assert cents(csv_total.replace(",", ".")) == po_total
        due_per_producer.append(po_total)
    assert sum(due_per_producer) == total
    for producer in big.producers[:2]:
        (page, *_rest) = pdf_pages(documents.purchase_order_document(cycle, producer, "pdf").content)
        assert producer.name in page
        text = " ".join(pdf_pages(documents.distribution_list_document(cycle, producer, "pdf").content))
        assert euros(due_per_producer[big.producers.index(producer)]) in text
    matrix_pages = pdf_pages(documents.matrix_document(cycle, "pdf").content)
    assert euros(total) in " ".join(matrix_pages)
    assert all(big.producers[24].name not in page for page in matrix_pages[:2])  # 25 producers: 3 parts
    assert cents(csv_rows(documents.matrix_document(cycle, "csv").content)[-1][-1].replace(",", ".")) == total
    summary = xlsx_rows(documents.summary_document(cycle, "xlsx").content)
    assert cents(table_after(summary, fr("Producer"))[1][-1][2]) == total
    assert euros(total) in pdf_pages(documents.summary_document(cycle, "pdf").content)[0]
