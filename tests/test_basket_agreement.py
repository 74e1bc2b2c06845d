"""Every screen, e-mail and document shows, to the cent, what ``amounts_due`` says a member owes.

One closed cycle, three French households, three producers (one whose name starts
with an accent), a variable-weight cheese, honey sold by the half kilo and prices
that round. The order page (and its htmx answer), the history, the recap and
confirmation e-mails, the slips, the distribution lists, the matrix and the
purchase orders are rendered for it and read back.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from cabas.accounts.models import User
from cabas.catalog.models import Producer
from cabas.cycles import tasks
from cabas.cycles.baskets import amounts_due, assemble, fold, producer_sort_key
from cabas.cycles.models import Cycle, Offer, Order
from cabas.cycles.ordering import LineChange, save_basket
from cabas.lib.money import format_cents, line_total_cents
from cabas.reports import data, documents
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer, make_producer
from tests.test_cycle_emails import close

A = "saint-orens"
MONEY = r"-?\d[\d\u202f]*,\d\d\u00a0€"


def money(cents: int) -> str:
    return format_cents(cents, "fr")


def fr(text: str) -> str:
    with translation.override("fr"):
        return gettext(text)


def csv_cents(text: str) -> int:
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    return int(Decimal(cleaned) * 100)


def cell_cents(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@dataclass
class Scene:
    cast: Cast
    cycle: Cycle
    producers: list[Producer]
    members: list[User]
    orders: dict[int, int]  # user pk -> order pk
    due: dict[int, dict[int, int]]
    htmx: str  # the +/- answer of Marie's last change

    def owed(self, user: User) -> dict[int, int]:
        return self.due[self.orders[user.pk]]


def _order(cycle: Cycle, member: User, quantities: dict[Offer, int]) -> None:
    changes = [LineChange(offer.pk, quantity) for offer, quantity in quantities.items()]
    assert save_basket(cycle=cycle, member=member, changes=changes, by=member).ok


@pytest.fixture
def scene(cast: Cast, client_for) -> Scene:
    cycle = make_cycle(cast.group_a, name="Cabas de juillet")
    breeders = make_producer(cast.group_a, "Éleveurs du Gers")
    bread = make_offer(cycle, cast.bakery, "Pain au levain", price_cents=455)
    baguette = make_offer(cycle, cast.bakery, "Baguette", price_cents=115)
    tomme = make_offer(cycle, cast.dairy, "Tomme", price_cents=2390, estimated_weight_grams=750)  # 17,925 €
    honey = make_offer(cycle, breeders, "Miel", price_cents=333, quantity_step=500)  # 1,665 € the half kg
    chicken = make_offer(cycle, breeders, "Poulet", price_cents=1295)
    marie, bernadette, theo = cast.member, cast.beneficiary, cast.treasurer
    _order(cycle, marie, {bread: 3000, tomme: 1000, honey: 1500})
    _order(cycle, bernadette, {baguette: 7000, tomme: 2000, honey: 500})
    _order(cycle, theo, {bread: 1000, chicken: 2000})
    htmx = client_for(marie).post(
        reverse("order_line", args=[A, cycle.pk, chicken.pk]),
        {f"q-{chicken.pk}": "1", f"e-{chicken.pk}": "0"},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 200
    close(cycle)
    cycle = Cycle.objects.select_related("group").get(pk=cycle.pk)
    orders = dict(Order.objects.filter(cycle=cycle).values_list("user_id", "pk"))
    producers = [cast.bakery, cast.dairy, breeders]
    return Scene(cast, cycle, producers, [marie, bernadette, theo], orders, amounts_due(cycle), htmx.text)


def test_amounts_due_are_the_persisted_line_totals(scene: Scene) -> None:
    marie = scene.owed(scene.cast.member)
    assert marie == {
        scene.cast.bakery.pk: 1365,  # 3 x 4,55
        scene.cast.dairy.pk: 1793,  # 17,925 rounded half up, once
        scene.producers[2].pk: 500 + 1295,  # 1,5 kg x 3,33 = 4,995 -> 5,00; one chicken
    }
    assert scene.owed(scene.cast.beneficiary)[scene.producers[2].pk] == 167  # 1,665 -> 1,67


def test_order_page_and_its_htmx_answer(scene: Scene, client_for) -> None:
    for member in scene.members:
        owed = scene.owed(member)
        page = client_for(member).get(reverse("order", args=[A, scene.cycle.pk])).text
        footers = dict(re.findall(r'id="producer-total-(\d+)" class="amount">([^<]*)</td>', page))
        assert {int(pk): text for pk, text in footers.items()} == {pk: money(c) for pk, c in owed.items()}
        to_pay = [(name.strip(), amount) for name, amount in re.findall(rf"<h3>([^<]+): ({MONEY})", page)]
        expected = sorted((p for p in scene.producers if p.pk in owed), key=producer_sort_key)
        assert to_pay == [(p.name, money(owed[p.pk])) for p in expected]
        total = re.search(r'id="basket-total"[^>]*><strong>([^<]*)</strong>', page)
        assert total and total.group(1).endswith(money(sum(owed.values())))
    marie = scene.owed(scene.cast.member)
    breeders = scene.producers[2].pk
    assert f'id="producer-total-{breeders}" class="amount" hx-swap-oob="true">{money(marie[breeders])}<' in (
        scene.htmx
    )
    assert re.search(rf'id="basket-total"[^>]*><strong>[^<]*{money(sum(marie.values()))}<', scene.htmx)


def test_the_producers_come_in_one_order_accents_ignored(scene: Scene, client_for) -> None:
    page = client_for(scene.cast.member).get(reverse("order", args=[A, scene.cycle.pk])).text
    names = [name.strip() for name in re.findall(r"<h3>([^<]+): ", page)]
    assert names == ["Éleveurs du Gers", "Ferme de la Bergerie", "Fournil du Lauragais"]
    assert [p.name for p in data.matrix(scene.cycle).producers] == names
    assert [p.producer.name for p in data.member_slips(scene.cycle).slips[1].parts] == names  # Marie


def test_history(scene: Scene, client_for) -> None:
    for member in scene.members:
        owed = scene.owed(member)
        page = client_for(member).get(reverse("order_history", args=[A])).text
        rows = re.findall(r'<tr><td>([^<]+)</td><td class="amount">([^<]+)</td></tr>', page)
        names = {p.pk: p.name for p in scene.producers}
        assert sorted(rows) == sorted((names[pk], money(c)) for pk, c in owed.items())
        assert f"<strong>{money(sum(owed.values()))}</strong>" in page


def _amounts_after(label: str, body: str) -> list[str]:
    return re.findall(rf"{re.escape(label)} ({MONEY})", body)


def test_recap_and_confirmation_emails(scene: Scene) -> None:
    mail.outbox.clear()
    tasks.send_recap.enqueue(scene.cycle.pk)
    for member in scene.members:
        tasks.send_confirmation.enqueue(scene.orders[member.pk])
    for member in scene.members:
        owed = scene.owed(member)
        ordered = sorted((p for p in scene.producers if p.pk in owed), key=producer_sort_key)
        mails = [m for m in mail.outbox if m.to == [member.email]]
        assert len(mails) == 2
        for message in mails:
            per_producer = _amounts_after(fr("To pay to this producer:"), message.body)
            assert per_producer == [money(owed[p.pk]) for p in ordered]
            assert _amounts_after(fr("Total:"), message.body) == [money(sum(owed.values()))]
        (recap,) = [m for m in mails if "closed" in m.body or "clos" in m.body]
        for producer in ordered:
            assert re.search(rf"^{re.escape(producer.name)}: {money(owed[producer.pk])}", recap.body, re.M)


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What each PDF is printed from: the data handed to its layout (the printing itself is skipped)."""
    pages: list[dict[str, Any]] = []
    writer = PdfWriter()
    writer.add_blank_page(10, 10)
    blank = io.BytesIO()
    writer.write(blank)

    def capture(layout: str, data_: dict[str, Any]) -> bytes:
        pages.append(data_)
        return blank.getvalue()

    monkeypatch.setattr(documents, "render_pdf", capture)
    return pages


def _money_in(text: str) -> str | None:
    found = re.search(MONEY, text)
    return found.group(0) if found else None


def test_slips(scene: Scene, printed: list[dict[str, Any]]) -> None:
    slips = data.member_slips(scene.cycle).slips
    for slip in slips:
        owed = scene.due[scene.orders[slip.member.pk]]
        assert {part.producer.pk: part.amount_cents for part in slip.parts} == owed
        assert slip.total_cents == sum(owed.values())
    documents.slips_document(scene.cycle, "pdf")
    sections = [section for page in printed for section in page["slips"]]
    assert len(sections) == len(slips)
    for slip, section in zip(slips, sections, strict=True):
        owed = scene.due[scene.orders[slip.member.pk]]
        totals = [_money_in(part["total"][1]) for part in section["parts"]]
        assert totals == [money(owed[part.producer.pk]) for part in slip.parts]
        assert _money_in(section["grand_total"]) == money(sum(owed.values()))


def test_distribution_lists_and_purchase_orders(scene: Scene, printed: list[dict[str, Any]]) -> None:
    names = {user.pk: user.full_name for user in scene.members}
    for producer in scene.producers:
        expected = {
            user_pk: scene.due[order_pk][producer.pk]
            for user_pk, order_pk in scene.orders.items()
            if producer.pk in scene.due[order_pk]
        }
        listing = data.distribution_list(scene.cycle, producer)
        assert {row.member.pk: row.amount_cents for row in listing.rows} == expected
        assert listing.total_cents == sum(expected.values())
        assert data.purchase_order(scene.cycle, producer).total_cents == sum(expected.values())
        sheet = openpyxl.load_workbook(
            io.BytesIO(documents.distribution_list_document(scene.cycle, producer, "xlsx").content)
        ).worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        header = next(row for row in rows if row and row[0] == fr("Member"))
        column = header.index(fr("Amount to collect (€)"))
        found = {row[0]: cell_cents(row[column]) for row in rows[rows.index(header) + 1 :] if row[column]}
        total = found.pop(fr("Total"))
        assert found == {names[pk]: cents for pk, cents in expected.items()}
        assert total == sum(expected.values())
        printed.clear()
        documents.distribution_list_document(scene.cycle, producer, "pdf")
        per_member = [_money_in(member["amount"]) for member in printed[0]["members"]]
        assert per_member == [money(row.amount_cents) for row in listing.rows]


def test_matrix(scene: Scene, printed: list[dict[str, Any]]) -> None:
    grid = data.matrix(scene.cycle)
    for row in grid.rows:
        owed = scene.due[scene.orders[row.member.pk]]
        cells = {p.pk: a for p, a in zip(grid.producers, row.amounts, strict=True) if a is not None}
        assert cells == owed and row.total_cents == sum(owed.values())
    assert grid.total_cents == sum(sum(owed.values()) for owed in scene.due.values())
    rows = csv_rows(documents.matrix_document(scene.cycle, "csv").content)
    header = next(row for row in rows if row and row[0] == fr("Member"))
    by_name = {user.full_name: scene.owed(user) for user in scene.members}
    for row in rows[rows.index(header) + 1 : -1]:
        owed = by_name[row[0]]
        cells = {p.pk: csv_cents(row[3 + i]) for i, p in enumerate(grid.producers) if row[3 + i]}
        assert cells == owed and csv_cents(row[-1]) == sum(owed.values())
    documents.matrix_document(scene.cycle, "pdf")
    for row in grid.rows:
        owed = scene.due[scene.orders[row.member.pk]]
        (printed_row,) = [cells for cells in printed[0]["parts"][0]["rows"] if cells[0] == row.member.name]
        amounts = [amount for amount in printed_row[2:] if amount]
        expected = [money(owed[p.pk]) for p in grid.producers if p.pk in owed]
        assert amounts == [*expected, money(sum(owed.values()))]


# --- Property: parts add up to the basket, and to the persisted lines ----------------------------


@st.composite
def line_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Counted line rows of a few orders and producers, totals rounded once as the write path does."""
    rows = []
    for offer_id in range(draw(st.integers(1, 12))):
        price, grams = draw(st.integers(1, 99_999)), draw(st.none() | st.integers(1, 5000))
        for order_id in draw(st.sets(st.integers(1, 5), min_size=1, max_size=5)):
            quantity = draw(st.integers(1, 50_000))
            rows.append(
                {
                    "id": len(rows) + 1,
                    "order_id": order_id,
                    "order__user_id": order_id,
                    "order__user__full_name": f"Membre {order_id}",
                    "order__user__email": f"m{order_id}@example.org",
                    "order__user__phone": "",
                    "offer_id": offer_id,
                    "offer__producer_id": offer_id % 4 + 1,
                    "offer__name": f"Produit {offer_id}",
                    "offer__unit_label": "pièce",
                    "offer__category": "other",
                    "offer__price_cents": price,
                    "offer__variable_weight": grams is not None,
                    "offer__estimated_weight_grams": grams,
                    "quantity": quantity,
                    "requested": quantity,
                    "total_cents": line_total_cents(price, quantity, grams_per_piece=grams),
                }
            )
    return rows


PRODUCERS = {pk: Producer(pk=pk, name=name) for pk, name in enumerate(["Zoé", "émile", "Éric", "adèle"], 1)}


@settings(max_examples=200, deadline=None)
@given(line_rows())
def test_parts_sum_to_the_basket_and_to_the_persisted_lines(rows: list[dict[str, Any]]) -> None:
    built = assemble(rows, PRODUCERS)
    assert set(built) == {row["order_id"] for row in rows}
    for order_id, basket_ in built.items():
        mine = [row for row in rows if row["order_id"] == order_id]
        assert sum(part.total_cents for part in basket_.parts) == basket_.total_cents
        assert basket_.total_cents == sum(row["total_cents"] for row in mine)
        for part in basket_.parts:
            lines = [row["total_cents"] for row in mine if row["offer__producer_id"] == part.producer.pk]
            assert part.total_cents == sum(lines) == sum(item.total_cents for item in part.items)
        names = [fold(part.producer.name) for part in basket_.parts]
        assert names == sorted(names)
