"""The order page of a large cycle: one section at a time, the truth about what was saved, caps said early."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cabas.catalog.models import Category, Producer, Product, SaleUnit
from cabas.cycles import services as cycles
from cabas.cycles.models import Cycle, Offer, OrderLine
from cabas.cycles.order_page import WHOLE_CYCLE_UP_TO
from cabas.cycles.ordering import LineChange, save_basket
from tests import scene
from tests.cast import Cast

A = "saint-orens"


@dataclass
class Big:
    cast: Cast
    cycle: Cycle
    gardener: Producer
    first: Offer  # the bakery's first loaf
    pates: Offer  # « Pâtes fraîches », the gardener's


def _bulk_products(producer: Producer, count: int, category: str, prefix: str) -> None:
    Product.objects.bulk_create(
        Product(
            producer=producer,
            name=f"{prefix} {index:03d}",
            category=category,
            unit=SaleUnit.PIECE,
            price_cents=100 + index,
        )
        for index in range(count)
    )


def big_cycle(cast: Cast, per_producer: int) -> Big:
    made = scene.cycle(cast.group_a)
    gardener = scene.producer(cast.group_a)
    _bulk_products(cast.bakery, per_producer, Category.BREAD, "Pain")
    _bulk_products(gardener, per_producer, Category.VEGETABLES, "Légume")
    scene.product(gardener, "Pâtes fraîches", category=Category.OTHER)
    made.producers.add(cast.bakery, gardener)
    cycles.sync_offers(cycle=made)
    return Big(
        cast=cast,
        cycle=made,
        gardener=gardener,
        first=made.offers.get(name="Pain 000"),
        pates=made.offers.get(name="Pâtes fraîches"),
    )


@pytest.fixture
def big(cast: Cast) -> Big:
    return big_cycle(cast, WHOLE_CYCLE_UP_TO)


def page_url(big: Big, query: str = "") -> str:
    return reverse("order", args=[A, big.cycle.pk]) + (f"?{query}" if query else "")


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="offer-(\d+)"', html)


class TestSections:
    def test_the_page_opens_on_the_basket_and_the_lists_not_the_catalogue(self, big: Big, client_for) -> None:
        html = client_for(big.cast.member).get(page_url(big)).text
        assert rows(html) == []
        assert (
            f'href="?producer={big.gardener.pk}"' in html and f'href="?producer={big.cast.bakery.pk}"' in html
        )
        assert 'href="?category=bread"' in html and 'href="?category=vegetables"' in html
        assert 'href="?view=basket"' in html
        assert len(html.encode()) < 60_000

    def test_a_producer_section_shows_its_offers_only(self, big: Big, client_for) -> None:
        html = client_for(big.cast.member).get(page_url(big, f"producer={big.gardener.pk}")).text
        shown = rows(html)
        assert len(shown) == WHOLE_CYCLE_UP_TO + 1
        assert str(big.first.pk) not in shown and str(big.pates.pk) in shown
        # The form carries the section, so that a +/- without JavaScript comes back to it.
        assert f'name="section" value="producer={big.gardener.pk}"' in html

    def test_a_category_and_a_search_accents_ignored(self, big: Big, client_for) -> None:
        client = client_for(big.cast.member)
        assert len(rows(client.get(page_url(big, "category=bread")).text)) == WHOLE_CYCLE_UP_TO
        found = client.get(page_url(big, "q=pates")).text
        assert rows(found) == [str(big.pates.pk)]
        assert rows(client.get(page_url(big, "q=zzz")).text) == []

    def test_the_basket_section_shows_what_is_in_it(self, big: Big, client_for) -> None:
        save_basket(
            cycle=big.cycle,
            member=big.cast.member,
            changes=[LineChange(big.pates.pk, 2000)],
            by=big.cast.member,
        )
        html = client_for(big.cast.member).get(page_url(big, "view=basket")).text
        assert rows(html) == [str(big.pates.pk)]

    @pytest.mark.parametrize("query", ["producer=abc", "producer=99999", "category=nope", "q=" + "x" * 500])
    def test_odd_queries_show_a_page_not_an_error(self, big: Big, client_for, query: str) -> None:
        assert client_for(big.cast.member).get(page_url(big, query)).status_code == 200

    def test_queries_do_not_grow_with_the_catalogue(self, cast: Cast, client_for) -> None:
        counts = []
        for size in (WHOLE_CYCLE_UP_TO, 3 * WHOLE_CYCLE_UP_TO):
            big = big_cycle(cast, size) if not counts else _grow(cast, size)
            client = client_for(cast.member)
            for query in ("", f"producer={big.gardener.pk}"):
                client.get(page_url(big, query))  # warm the session
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(page_url(big, query)).status_code == 200
                counts.append(len(queries))
        assert counts[:2] == counts[2:]

    def test_a_small_cycle_shows_everything_at_once(self, shop, client_for) -> None:
        html = client_for(shop.member).get(reverse("order", args=[A, shop.cycle.pk])).text
        assert len(rows(html)) == 3
        assert 'href="?view=basket"' not in html


def _grow(cast: Cast, size: int) -> Big:
    cycle = Cycle.objects.get(group=cast.group_a)
    gardener = Producer.objects.get(name="Jardins de la Saune")
    _bulk_products(cast.bakery, size, Category.BREAD, "Brioche")
    _bulk_products(gardener, size, Category.VEGETABLES, "Courge")
    cycles.sync_offers(cycle=cycle)
    return Big(
        cast, cycle, gardener, cycle.offers.get(name="Pain 000"), cycle.offers.get(name="Pâtes fraîches")
    )


class TestWithoutJavaScript:
    def test_a_plus_comes_back_to_the_same_product(self, big: Big, client_for) -> None:
        data = {
            f"e-{big.pates.pk}": "0",
            f"q-{big.pates.pk}": "",
            f"take-{big.pates.pk}": "1",
            "section": f"producer={big.gardener.pk}",
        }
        response = client_for(big.cast.member).post(page_url(big), data)
        assert response.status_code == 302
        assert response["Location"] == page_url(big, f"producer={big.gardener.pk}") + f"#offer-{big.pates.pk}"
        assert OrderLine.objects.get(offer=big.pates, order__user=big.cast.member).requested == 1000

    def test_a_crafted_section_cannot_redirect_elsewhere(self, big: Big, client_for) -> None:
        data = {f"e-{big.pates.pk}": "0", f"take-{big.pates.pk}": "1", "section": "//evil.example/?x"}
        response = client_for(big.cast.member).post(page_url(big), data)
        assert response["Location"] == page_url(big) + f"#offer-{big.pates.pk}"


class TestTheTruthAboutSaving:
    def test_a_refused_confirmation_says_what_is_saved_and_lists_the_lines_in_trouble(
        self, shop, client_for
    ) -> None:
        member = shop.member
        save_basket(cycle=shop.cycle, member=member, changes=[LineChange(shop.bread.pk, 2000)], by=member)
        data = {
            f"e-{shop.bread.pk}": "2000",
            f"q-{shop.bread.pk}": "2",
            f"e-{shop.brioche.pk}": "0",
            f"q-{shop.brioche.pk}": "9",  # only 3 in all
            "confirm": "1",
        }
        with translation.override("fr"):
            response = client_for(member).post(reverse("order", args=[A, shop.cycle.pk]), data)
        html = response.text
        problems = html[
            html.index('id="basket-problems"') : html.index("</div>", html.index('id="basket-problems"'))
        ]
        assert "Rien de ce que vous avez envoyé avec ce bouton n’a été enregistré" in problems
        assert "10,40\u00a0€" in problems and "non confirmé" in problems
        assert f'href="#offer-{shop.brioche.pk}"' in problems
        assert f'name="q-{shop.brioche.pk}" value="9"' in html  # what was typed is kept
        assert not OrderLine.objects.filter(offer=shop.brioche).exists()
        assert OrderLine.objects.get(offer=shop.bread).requested == 2000

    def test_copy_previous_is_refused_on_a_basket_that_holds_something(self, shop, client_for) -> None:
        member = shop.member
        previous = scene.cycle(shop.group_a, phase="finalised", name="Cabas de mai")
        Cycle.objects.filter(pk=previous.pk).update(
            distribution_date=shop.cycle.distribution_date.replace(year=2020)
        )
        save_basket(cycle=shop.cycle, member=member, changes=[LineChange(shop.bread.pk, 1000)], by=member)
        page = client_for(member).get(reverse("order", args=[A, shop.cycle.pk])).text
        assert reverse("order_copy_previous", args=[A, shop.cycle.pk]) not in page
        before = list(OrderLine.objects.filter(order__user=member).values_list("offer_id", "requested"))
        response = client_for(member).post(reverse("order_copy_previous", args=[A, shop.cycle.pk]))
        assert response.status_code == 302
        assert (
            list(OrderLine.objects.filter(order__user=member).values_list("offer_id", "requested")) == before
        )


class TestSaidBeforeTrying:
    def test_cap_and_sold_out_are_shown_and_plus_is_disabled(self, cast: Cast, client_for) -> None:
        made = scene.cycle(cast.group_a)
        capped = scene.offer(made, cast.bakery, "Galette", member_cap=2000)
        gone = scene.offer(made, cast.bakery, "Kouign", quota=1000)
        save_basket(cycle=made, member=cast.member2, changes=[LineChange(gone.pk, 1000)], by=cast.member2)
        save_basket(cycle=made, member=cast.member, changes=[LineChange(capped.pk, 2000)], by=cast.member)
        with translation.override("fr"):
            html = client_for(cast.member).get(reverse("order", args=[A, made.pk])).text
        assert "au plus 2 par foyer" in html
        assert re.search(rf'id="plus-{capped.pk}"[^>]* disabled', html)
        assert re.search(rf'id="plus-{gone.pk}"[^>]* disabled', html)
        assert "Épuisé" in html


class TestLanding:
    def test_a_member_lands_on_the_open_cycle(self, shop, client_for) -> None:
        html = client_for(shop.member).get(reverse("home")).text
        assert reverse("order", args=[A, shop.cycle.pk]) in html

    def test_someone_outside_the_group_does_not(self, shop, client_for) -> None:
        html = client_for(shop.member_b).get(reverse("home")).text
        assert reverse("order", args=[A, shop.cycle.pk]) not in html
