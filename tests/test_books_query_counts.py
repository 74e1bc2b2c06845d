"""The books' pages and exports run a number of queries that does not grow with households or entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cabas.accounts import services as accounts
from cabas.accounts.models import Role
from cabas.ledger import services as ledger
from cabas.ledger.models import Method
from tests.books_fixtures import Books, books_scene, context
from tests.cast import Cast
from tests.test_query_counts import queries


@pytest.fixture
def books(cast: Cast) -> Books:
    return books_scene(cast)


def add_households(books: Books, start: int, count: int) -> None:
    """``count`` more households, each handed bread and cheese, paying one at the stand, one at the desk."""
    scene, c = books.day, books.cast
    for number in range(start, start + count):
        user = accounts.create_user(email=f"h{number}@example.org", full_name=f"Foyer {number}")
        accounts.add_member(group=c.group_a, user=user, roles=[Role.MEMBER])
        ledger.handover(
            context(scene, f"x{number}a"), household=user, producer=c.bakery, amount_cents=300 + number
        )
        ledger.handover(
            context(scene, f"x{number}b"), household=user, producer=c.dairy, amount_cents=700 + number
        )
        ledger.stand_payment(
            context(scene, f"x{number}c"),
            household=user,
            producer=c.bakery,
            amount_cents=300,
            method=Method.CARD,
        )
        ledger.desk_payment(
            context(scene, f"x{number}d"),
            household=user,
            shares={c.dairy: 700 + number},
            method=Method.CHEQUE,
        )


def urls(books: Books) -> dict[str, tuple[object, str]]:
    cast, cycle = books.cast, books.day.cycle
    year = cycle.distribution_date.year
    a = {"slug": "saint-orens"}
    return {
        "member payments": (cast.member, reverse("member_payments", kwargs=a)),
        "producer statement": (
            cast.producer_user2,
            reverse("producer_statement", kwargs={"slug": "bergerie"}),
        ),
        "statement export": (
            cast.producer_user2,
            reverse("producer_statement_export", args=["bergerie", "saint-orens", "xlsx"]),
        ),
        "books": (cast.treasurer, reverse("books", kwargs=a)),
        "fec cycle": (
            cast.treasurer,
            reverse("books_journal_cycle", kwargs={**a, "pk": cycle.pk, "layout": "fec", "fmt": "txt"}),
        ),
        "journal year": (
            cast.treasurer,
            reverse("books_journal_year", kwargs={**a, "year": year, "layout": "journal", "fmt": "xlsx"}),
        ),
        "summary": (cast.treasurer, reverse("books_summary", kwargs={**a, "year": year})),
    }


def test_counts_do_not_grow_with_households(books: Books, client_for) -> None:
    add_households(books, 0, 2)
    small = {name: queries(client_for(user), url) for name, (user, url) in urls(books).items()}
    add_households(books, 100, 25)
    large = {name: queries(client_for(user), url) for name, (user, url) in urls(books).items()}
    assert small == large
    # The figures themselves: a handful of queries (session, person, group, the ledger's reads).
    assert large["fec cycle"] <= 7 and large["producer statement"] <= 8, large
