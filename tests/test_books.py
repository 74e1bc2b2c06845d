"""Money after the day: « Mes paiements », a producer's statement, the treasurers' books."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from cabas.books import journal
from cabas.books.models import AccountCodes
from cabas.cycles.baskets import payment_reference, slip_numbers
from cabas.ledger import positions
from tests.books_fixtures import Books, books_scene
from tests.cast import Cast


@pytest.fixture
def books(cast: Cast) -> Books:
    return books_scene(cast)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def payments_url() -> str:
    return reverse("member_payments", kwargs={"slug": "saint-orens"})


def statement_url(slug: str = "bergerie") -> str:
    return reverse("producer_statement", kwargs={"slug": slug})


# --- « Mes paiements » ----------------------------------------------------------------------


def test_a_member_sees_what_is_left_and_how_to_pay_it(books: Books, client_for) -> None:
    cast, cycle = books.cast, books.day.cycle
    html = page(client_for(cast.member), payments_url())
    assert "Mes paiements" in html
    assert "Reste à payer\u00a0: 10,83\u00a0€" in html  # 2,50 to the bakery + 8,33 to the dairy
    assert "Payé\u00a0: chèque, au stand de Fournil du Lauragais" in html
    assert "2,50\u00a0€" in html and "8,33\u00a0€" in html
    order_id = books.day.order_id(cast.member)
    reference = payment_reference(cycle.pk, slip_numbers(cycle)[order_id])
    assert reference in html
    assert "À payer à Ferme de la Bergerie" in html
    # Nobody else's money.
    for other in ("Mehdi", "Bernadette", "9,20", "11,36", "Couvert par la caisse de solidarité"):
        assert other not in html


def test_a_member_helped_by_the_fund_sees_their_own_help(books: Books, client_for) -> None:
    html = page(client_for(books.cast.beneficiary), payments_url())
    assert "Couvert par la caisse de solidarité" in html and "11,36\u00a0€" in html
    assert "chèque, à l’accueil" in html
    assert "Tout est payé" in html


def test_a_member_with_a_write_off_owes_nothing_more(books: Books, client_for) -> None:
    html = page(client_for(books.cast.member2), payments_url())  # Mehdi reads English
    assert "Written off by the association" in html and "€1.70" in html and "All paid" in html
    assert "Paid: cash, at the welcome desk" in html


def test_my_payments_only_for_households_of_the_group(books: Books, client_for) -> None:
    cast = books.cast
    page(client_for(cast.producer_user), payments_url(), 403)  # a producer account has no basket
    page(client_for(cast.member_b), payments_url(), 403)
    page(client_for(None), payments_url(), 302)
    page(client_for(cast.member), reverse("member_payments", kwargs={"slug": "nowhere"}), 404)
    # A member of B has an empty page of their own in B.
    assert "Marie" not in page(
        client_for(cast.member_b), reverse("member_payments", kwargs={"slug": "balma"})
    )
    assert client_for(cast.member).post(payments_url()).status_code == 405


def test_my_payments_linked_from_the_profile_and_the_day(books: Books, client_for) -> None:
    client = client_for(books.cast.member)
    assert payments_url() in page(client, reverse("profile"))
    day = page(client, reverse("day_member", kwargs={"slug": "saint-orens", "pk": books.day.cycle.pk}))
    assert f"{payments_url()}#cycle-{books.day.cycle.pk}" in day


# --- A producer's statement -----------------------------------------------------------------


def test_a_producer_sees_its_statement(books: Books, client_for) -> None:
    html = page(client_for(books.cast.producer_user2), statement_url())
    assert "35,76\u00a0€" in html  # due: 8,33 + 5,70 + 21,73
    assert "15,00\u00a0€" in html  # paid by the association
    assert "12,43\u00a0€" in html  # the association still owes: 20,76 − 8,33
    assert "20,76\u00a0€" in html  # still owed in all
    assert "Marie Membre" in html and "8,33\u00a0€" in html
    assert html.count("réglé à l’accueil") + html.count("réglé à l'accueil") >= 2


def test_a_producer_never_sees_a_desk_payers_amount_nor_the_fund(books: Books, client_for) -> None:
    client = client_for(books.cast.producer_user2)
    html = page(client, statement_url())
    export = page(client, reverse("producer_statement_export", args=["bergerie", "saint-orens", "csv"]))
    for text in (html, export):
        for secret in (
            "4,00",
            "10,37",
            "11,36",
            "1,70",
            "50,00",
            "solidarit",
            "Abandonné",
            "Reste non réclamé",
        ):
            assert secret not in text, secret
    # Mehdi and Bernadette show, with what was handed over, as desk payers.
    assert "Mehdi Member" in html and "5,70\u00a0€" in html and "21,73\u00a0€" in html


def test_the_producers_statement_from_the_reader_adds_up(books: Books) -> None:
    from cabas.books.statements import producer_statement

    (statement,) = producer_statement(books.cast.dairy)
    (pc,) = statement.cycles
    assert pc.due_cents - pc.stand_total_cents - pc.association_paid_cents == pc.owed_cents
    assert pc.households_owe_cents + pc.association_owes_cents == pc.owed_cents
    assert (pc.households_owe_cents, pc.association_owes_cents) == (833, 1243)


def test_statement_export_csv_and_xlsx(books: Books, client_for) -> None:
    client = client_for(books.cast.producer_user)
    response = client.get(reverse("producer_statement_export", args=["fournil", "saint-orens", "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[-1][3] == "17,70"  # handed over: 12,50 + 5,20
    assert rows[-1][5] == "10,00"  # the cheque at the stand
    assert rows[-1][-1] == "7,70"
    xlsx = client.get(reverse("producer_statement_export", args=["fournil", "saint-orens", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert any(
        isinstance(cell.value, float | int) and Decimal(str(cell.value)) == Decimal("17.7")
        for row in sheet.iter_rows()
        for cell in row
    )
    assert (
        client.get(reverse("producer_statement_export", args=["fournil", "saint-orens", "pdf"])).status_code
        == 404
    )
    # Balma: the bakery supplies it, but nothing was handed over there.
    assert (
        client.get(reverse("producer_statement_export", args=["fournil", "balma", "csv"])).status_code == 404
    )


def test_the_statement_is_the_producers_own(books: Books, client_for) -> None:
    cast = books.cast
    page(client_for(cast.producer_user), statement_url("bergerie"), 403)  # the bakery's account
    page(client_for(cast.coordinator), statement_url("bergerie"), 403)
    page(client_for(cast.member), statement_url("bergerie"), 403)
    page(client_for(None), statement_url("bergerie"), 302)
    page(client_for(cast.producer_user2), statement_url("nowhere"), 404)
    export = reverse("producer_statement_export", args=["bergerie", "saint-orens", "csv"])
    page(client_for(cast.producer_user), export, 403)
    page(
        client_for(cast.producer_user2),
        reverse("producer_statement_export", args=["bergerie", "nowhere", "csv"]),
        404,
    )
    assert client_for(cast.producer_user2).post(statement_url()).status_code == 405
    assert page(client_for(cast.site_admin), statement_url())


# --- The books ------------------------------------------------------------------------------


def books_url(name: str = "books", **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": "saint-orens", **kwargs})


def test_the_books_are_for_treasurers(books: Books, client_for) -> None:
    cast, cycle = books.cast, books.day.cycle
    urls = [
        books_url(),
        books_url("books_codes"),
        books_url("books_journal_cycle", pk=cycle.pk, layout="fec", fmt="txt"),
        books_url("books_journal_year", year=cycle.distribution_date.year, layout="journal", fmt="csv"),
    ]
    for url in urls:
        page(client_for(cast.treasurer), url)
        page(client_for(cast.site_admin), url)
        for user in (cast.coordinator, cast.member, cast.producer_user, cast.coordinator_b):
            page(client_for(user), url, 403)
        page(client_for(None), url, 302)
    treasurer = client_for(cast.treasurer)
    page(treasurer, books_url("books_journal_cycle", pk=cycle.pk, layout="fec", fmt="csv"), 404)
    page(treasurer, books_url("books_journal_cycle", pk=cycle.pk, layout="other", fmt="csv"), 404)
    page(treasurer, books_url("books_journal_year", year=1999, layout="fec", fmt="txt"), 404)
    page(treasurer, books_url("books_summary", year=3000), 404)
    other_cycle = books_scene_b_cycle(cast)
    page(treasurer, books_url("books_journal_cycle", pk=other_cycle.pk, layout="fec", fmt="txt"), 404)
    assert treasurer.post(books_url()).status_code == 405


def books_scene_b_cycle(cast: Cast):
    from tests.cycle_fixtures import make_cycle

    return make_cycle(cast.group_b, phase="finalised")


def fec_of(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert "\r\n" in text
    return [line.split("\t") for line in text.splitlines()]


def cents(text: str) -> int:
    units, decimals = text.split(",")
    assert len(decimals) == 2
    return int(units) * 100 + int(decimals)


def test_fec_export_balances_and_holds_every_entry(books: Books, client_for) -> None:
    cycle = books.day.cycle
    response = client_for(books.cast.treasurer).get(
        books_url("books_journal_cycle", pk=cycle.pk, layout="fec", fmt="txt")
    )
    rows = fec_of(response.content)
    assert rows[0] == list(journal.FEC_COLUMNS)
    assert all(len(row) == 18 for row in rows)
    body = rows[1:]
    assert (
        sum(cents(r[11]) for r in body)
        == sum(cents(r[12]) for r in body)
        == 1250 + 833 + 1000 + 520 + 570 + 920 + 170 + 2173 + 5000 + 1037 + 1136 + 1500
    )
    assert {int(r[2]) for r in body} == {entry.pk for entry in books.entries}
    for number in {r[2] for r in body}:  # each entry balances on its own
        lines = [r for r in body if r[2] == number]
        assert sum(cents(r[11]) - cents(r[12]) for r in lines) == 0
    assert all(len(r[3]) == 8 and r[3].isdigit() and r[3] == r[9] == r[15] for r in body)
    accounts = {r[4] for r in body}
    producer_sub = f"401{books.cast.dairy.pk:05d}"
    assert {"411", "512", "530", "654", "754", "657", producer_sub} <= accounts
    journals = {r[0] for r in body}
    assert journals == {"OD", "CA", "BQ"}
    marie = next(r for r in body if r[7] == "Marie Membre")
    assert marie[4] == "411" and marie[6] == f"411{books.cast.member.pk:05d}"


def test_fec_with_codes_the_treasurers_set(books: Books, client_for) -> None:
    cast = books.cast
    client = client_for(cast.treasurer)
    data = {
        "household_code": "4110",
        "household_subaccounts": "on",
        "producer_code": "401",
        "bank_code": "5121",
        "cash_code": "531",
        "writeoff_code": "658",
        "gifts_code": "7541",
        "help_code": "6571",
        "bank_journal": "BQ1",
        "cash_journal": "CA",
        "misc_journal": "OD",
    }
    response = client.post(books_url("books_codes"), data)
    assert response.status_code == 302
    response = client.post(books_url("books_codes"), data)  # a double submit: the same codes
    assert response.status_code == 302 and AccountCodes.objects.count() == 1
    codes = AccountCodes.objects.get()
    assert (codes.household_code, codes.producer_subaccounts) == ("4110", False)
    rows = fec_of(
        client.get(
            books_url(
                "books_journal_year", year=books.day.cycle.distribution_date.year, layout="fec", fmt="txt"
            )
        ).content
    )[1:]
    accounts = {r[4] for r in rows}
    assert f"4110{cast.member.pk:05d}" in accounts and "401" in accounts and "5121" in accounts
    assert {"658", "7541", "6571", "531"} <= accounts and "BQ1" in {r[0] for r in rows}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("household_code", "512", "classe 4"),
        ("bank_code", "411", "classe 5"),
        ("producer_code", "411", "déjà le code"),
        ("gifts_code", "7 54", "commence par un chiffre"),
        ("bank_journal", "banque!", "journal"),
    ],
)
def test_codes_refused_with_a_message(books: Books, client_for, field: str, value: str, message: str) -> None:
    client = client_for(books.cast.treasurer)
    data = {
        f.name: f.default for f in AccountCodes._meta.fields if f.name not in ("id", "group", "updated_at")
    }
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data[field] = value
    response = client.post(books_url("books_codes"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AccountCodes.objects.exists()


def test_plain_journal_csv_and_xlsx(books: Books, client_for) -> None:
    client = client_for(books.cast.treasurer)
    cycle = books.day.cycle
    response = client.get(books_url("books_journal_cycle", pk=cycle.pk, layout="journal", fmt="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, *body, total = rows
    assert header[:3] == ["Date", "Écriture", "Type"]
    assert total[5] == total[6] == "161,09"
    assert sum(cents(r[5]) for r in body if r[5]) == sum(cents(r[6]) for r in body if r[6]) == 16109
    assert {int(r[1]) for r in body} == {entry.pk for entry in books.entries}
    response = client.get(books_url("books_journal_cycle", pk=cycle.pk, layout="journal", fmt="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= len(body)
    fec = client.get(books_url("books_journal_cycle", pk=cycle.pk, layout="fec", fmt="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(fec.content)).active
    assert [c.value for c in sheet[1]] == list(journal.FEC_COLUMNS)


def test_year_summary_pdf_and_balances(books: Books, client_for) -> None:
    from cabas.books.summary import year_summary

    cast = books.cast
    year = books.day.cycle.distribution_date.year
    data = year_summary(cast.group_a, year, AccountCodes.of(cast.group_a))
    (row,) = data.cycles
    assert row.handed_cents == 1250 + 833 + 520 + 570 + 2173
    assert row.received_cents == {"cheque": 1000 + 1037, "cash": 920}
    assert (row.paid_producers_cents, row.writeoff_cents) == (1500, 170)
    assert sum(data.balances.values()) == 0
    assert data.balances["512"] == -1500 and data.balances["530"] == 920 + 1037 + 5000
    assert data.balances["754"] == -5000 and data.balances["657"] == 1136
    response = client_for(cast.treasurer).get(books_url("books_summary", year=year))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_journal_reader_reads_once(books: Books, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        entries = positions.journal(books.cast.group_a, cycle=books.day.cycle)
    assert [e.pk for e in entries] == [e.pk for e in books.entries]
    assert all(sum(line.amount_cents for line in e.lines) == 0 for e in entries)


def test_a_reversal_books_to_the_accounts_of_what_it_reverses(books: Books) -> None:
    from cabas.ledger import services as ledger
    from tests.books_fixtures import context

    subsidy = books.entries[10]
    reversal = ledger.reverse(context(books.day, "r1", memo="Aide attribuée par erreur"), entry=subsidy)
    group = books.cast.group_a
    rows = journal.fec_rows(journal.Period(group, cycle=books.day.cycle), AccountCodes.of(group))
    mine = [r for r in rows if r[2] == str(reversal.pk)]
    assert {(r[4], r[11], r[12]) for r in mine} == {("657", 0, 1136), ("411", 1136, 0)}
    assert f"{subsidy.pk}" in mine[0][10] and "Aide attribuée par erreur" in mine[0][10]
    assert sum(r[11] for r in rows) == sum(r[12] for r in rows)


def test_the_books_link_shows_to_treasurers_only(books: Books, client_for) -> None:
    from cabas.accounts.models import Membership

    cast = books.cast
    manage = reverse("manage_members", kwargs={"slug": "saint-orens"})
    assert books_url() not in page(client_for(cast.coordinator), manage)
    Membership.objects.filter(user=cast.coordinator, group=cast.group_a).update(is_treasurer=True)
    assert books_url() in page(client_for(cast.coordinator), manage)
    group_page = reverse("group_detail", kwargs={"slug": "saint-orens"})
    assert books_url() in page(client_for(cast.treasurer), group_page)
    assert books_url() not in page(client_for(cast.member), group_page)


def test_money_paid_beyond_what_is_owed_shows_as_credit(books: Books, client_for) -> None:
    from cabas.books.statements import member_statement
    from cabas.ledger import services as ledger
    from tests.books_fixtures import context

    cast = books.cast
    # Marie pays her 10,83 € by one transfer of 12,00 €: 1,17 € beyond.
    shares, left = positions.allocate({cast.bakery: 250, cast.dairy: 833}, 1200)
    ledger.bank_transfer(context(books.day, "t1"), household=cast.member, amount_cents=1200, shares=shares)
    (mine,) = member_statement(cast.member, cast.group_a)
    assert (mine.left_cents, mine.credit_cents, left) == (-117, 117, 117)
    assert not mine.owing and mine.reference == ""
    html = page(client_for(cast.member), payments_url())
    assert "L’association vous doit 1,17\u00a0€." in html and "par virement à l’association" in html
