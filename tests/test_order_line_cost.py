"""A +/- costs a handful of queries whatever the cycle and the basket, and says what the basket now holds."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cabas.catalog.models import Category, Product, SaleUnit
from cabas.cycles import services as cycles
from cabas.cycles.basket_form import rows_sent
from cabas.cycles.baskets import basket, totals_of_lines
from cabas.cycles.models import Order, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.lib.money import format_cents
from tests.scene import Shop

A = "saint-orens"
# A + on a plain product, as the tests count it (savepoints, no after-commit receivers): session, user,
# group, membership, cycle, offer; in the transaction the offer again (locked on PostgreSQL), the
# order, its lines, the quota's guarded update and the look at why it matched nothing (no quota), the
# line, the audit row, the order's version. Nothing after: the basket is not read again.
PLAIN_LINE_QUERIES = 16


def line_url(shop: Shop, offer_pk: int) -> str:
    return reverse("order_line", args=[A, shop.cycle.pk, offer_pk])


def _more_products(shop: Shop, count: int, start: int) -> None:
    Product.objects.bulk_create(
        Product(
            producer=shop.bakery,
            name=f"Pain {start + index:04d}",
            category=Category.BREAD,
            unit=SaleUnit.PIECE,
            price_cents=100 + index,
        )
        for index in range(count)
    )
    cycles.sync_offers(cycle=shop.cycle)


def _fill_basket(shop: Shop, count: int) -> None:
    offers = shop.cycle.offers.filter(name__startswith="Pain ").order_by("pk")[:count]
    save_basket(
        cycle=shop.cycle,
        member=shop.member,
        changes=[LineChange(offer.pk, 1000) for offer in offers],
        by=shop.member,
    )


def _htmx(client, shop: Shop, offer_pk: int, data: dict[str, str], headers: dict[str, str] | None = None):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            line_url(shop, offer_pk), data, headers={"HX-Request": "true", **(headers or {})}
        )
    assert response.status_code == 200
    return response, len(queries)


def _amounts(html: str) -> tuple[str, str]:
    """The producer's total and the basket's total the answer swaps in."""
    producer = re.search(r'id="producer-total-\d+" class="amount" hx-swap-oob="true">([^<]*)<', html)
    total = re.search(r'id="basket-total"[^>]*><strong>[^<]*?(\d[\d\u202f\u00a0.,]*\u00a0€)', html)
    assert producer and total, html
    return producer.group(1), total.group(1)


class TestQueries:
    def test_a_plus_runs_the_same_few_queries_whatever_the_cycle_and_the_basket(
        self, shop: Shop, client_for
    ) -> None:
        client = client_for(shop.member)
        counts = []
        for size, in_basket in ((10, 2), (300, 40)):
            _more_products(shop, size, start=len(counts) * 1000)
            _fill_basket(shop, in_basket)
            requested = OrderLine.objects.filter(offer=shop.bread, order__user=shop.member)
            now = requested.values_list("requested", flat=True).first() or 0
            data = {f"q-{shop.bread.pk}": "", f"e-{shop.bread.pk}": str(now), f"take-{shop.bread.pk}": "1"}
            if now:
                data[f"take-{shop.bread.pk}"] = "2"
            _response, count = _htmx(client, shop, shop.bread.pk, data)
            counts.append(count)
        assert counts == [PLAIN_LINE_QUERIES, PLAIN_LINE_QUERIES]

    def test_a_quota_is_read_once_more_as_it_stands(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        bread = shop.bread.pk
        _htmx(client, shop, bread, {f"q-{bread}": "1", f"e-{bread}": "0"})  # the first line makes the order
        response, count = _htmx(
            client,
            shop,
            shop.brioche.pk,
            {f"q-{shop.brioche.pk}": "", f"e-{shop.brioche.pk}": "0", f"take-{shop.brioche.pk}": "1"},
        )
        # The guarded update took it; the quota is read again as it stands now, for the row.
        assert count == PLAIN_LINE_QUERIES
        shop.brioche.refresh_from_db()
        assert shop.brioche.remaining == 2000
        assert re.search(r"2 (left|restants)<", response.text)

    def test_a_plus_without_javascript_reads_the_section_not_the_cycle(self, shop: Shop, client_for) -> None:
        """The whole form of a section is posted; its queries do not grow with the section or the cycle."""
        client = client_for(shop.member)
        save_basket(
            cycle=shop.cycle, member=shop.member, changes=[LineChange(shop.tomme.pk, 1000)], by=shop.member
        )
        counts = []
        for size in (10, 300):
            _more_products(shop, size, start=len(counts) * 1000)
            shown = list(shop.cycle.offers.filter(producer=shop.bakery).values_list("pk", flat=True))
            data = {f"q-{pk}": "" for pk in shown} | {f"e-{pk}": "0" for pk in shown}
            line = OrderLine.objects.filter(offer=shop.bread, order__user=shop.member).first()
            now = line.requested if line else 0
            data |= {f"q-{shop.bread.pk}": "", f"e-{shop.bread.pk}": str(now)}
            data[f"take-{shop.bread.pk}"] = str(now // 1000 + 1)
            with CaptureQueriesContext(connection) as queries:
                response = client.post(reverse("order", args=[A, shop.cycle.pk]), data)
            assert response.status_code == 302
            assert response["Location"].endswith(f"#offer-{shop.bread.pk}")
            counts.append(len(queries))
        assert counts[0] == counts[1]
        assert OrderLine.objects.get(offer=shop.bread, order__user=shop.member).requested == 2000


class TestWhatTheAnswerSays:
    """The answer adds up the lines the write left, without reading the basket again: it agrees with it."""

    def _agrees(self, html: str, shop: Shop, producer_pk: int) -> None:
        order = Order.objects.get(cycle=shop.cycle, user=shop.member)
        mine = basket(order)
        assert _amounts(html) == (format_cents(mine.due_to(producer_pk)), format_cents(mine.total_cents))
        assert ("estimate" in html.split('id="basket-total"')[1]) == mine.is_estimate or (
            "estimation" in html.split('id="basket-total"')[1]
        ) == mine.is_estimate

    def test_new_changed_and_emptied_lines(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        bread, tomme = shop.bread.pk, shop.tomme.pk
        response, _ = _htmx(client, shop, bread, {f"q-{bread}": "3", f"e-{bread}": "0"})  # a new line
        self._agrees(response.text, shop, shop.bakery.pk)
        response, _ = _htmx(
            client, shop, tomme, {f"q-{tomme}": "2", f"e-{tomme}": "0"}
        )  # by weight: estimate
        self._agrees(response.text, shop, shop.dairy.pk)
        assert 'id="basket-link"' not in response.text  # a small cycle's page has no such link
        in_section = {"HX-Current-URL": f"http://testserver/g/{A}/cycles/{shop.cycle.pk}/?producer=1"}
        response, _ = _htmx(client, shop, tomme, {f"q-{tomme}": "3", f"e-{tomme}": "2000"}, in_section)
        assert re.search(r'id="basket-link" hx-swap-oob="innerHTML">[^<]*2', response.text)
        self._agrees(response.text, shop, shop.dairy.pk)
        response, _ = _htmx(client, shop, bread, {f"q-{bread}": "1", f"e-{bread}": "3000"})  # changed
        self._agrees(response.text, shop, shop.bakery.pk)
        response, _ = _htmx(client, shop, bread, {f"q-{bread}": "", f"e-{bread}": "1000"})  # emptied
        self._agrees(response.text, shop, shop.bakery.pk)
        assert not OrderLine.objects.filter(offer=shop.bread).exists()
        assert _amounts(response.text)[0] == format_cents(0)

    def test_a_refused_line_shows_the_basket_as_stored(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        bread = shop.bread.pk
        _htmx(client, shop, bread, {f"q-{bread}": "2", f"e-{bread}": "0"})
        # Another tab still shows 0: refused, the stored 2 loaves are what the totals say.
        response, _ = _htmx(client, shop, bread, {f"q-{bread}": "5", f"e-{bread}": "0"})
        assert OrderLine.objects.get(offer=shop.bread).requested == 2000
        self._agrees(response.text, shop, shop.bakery.pk)
        assert 'value="5"' in response.text  # what was typed is kept

    @pytest.mark.parametrize("count", [0, 3])
    def test_totals_of_lines_agree_with_the_basket(self, shop: Shop, count: int) -> None:
        changes = [LineChange(shop.bread.pk, 2000), LineChange(shop.tomme.pk, 1000)][: count or None]
        if count:
            changes.append(LineChange(shop.brioche.pk, 1000))
        result = save_basket(cycle=shop.cycle, member=shop.member, changes=changes, by=shop.member)
        assert result.ok and result.lines is not None
        order = Order.objects.get(cycle=shop.cycle, user=shop.member)
        mine = basket(order)
        written = totals_of_lines(result.lines.values())
        stored = totals_of_lines(order.lines.select_related("offer"))
        for totals in (written, stored):
            assert totals.total_cents == mine.total_cents
            assert totals.is_estimate == mine.is_estimate
            assert totals.by_producer == {part.producer.pk: part.total_cents for part in mine.parts}

    def test_a_refused_save_returns_no_lines(self, shop: Shop) -> None:
        result = save_basket(
            cycle=shop.cycle, member=shop.member, changes=[LineChange(shop.brioche.pk, 9000)], by=shop.member
        )
        assert not result.ok and result.lines is None
        assert not Order.objects.filter(cycle=shop.cycle, user=shop.member, lines__isnull=False).exists()


def test_rows_sent_are_the_rows_the_member_changed() -> None:
    data = {
        "q-1": "2",  # shown 2: untouched
        "e-1": "2000",
        "q-2": "3",  # shown 2: typed
        "e-2": "2000",
        "q-3": "",  # untouched, empty
        "e-3": "0",
        "q-4": "1",
        "e-4": "1000",
        "take-4": "2",  # its + pressed
        "q-5": "1",
        "e-5": "1000",
        "t-5": "",  # a carton's extra: always read
        "q-6": "abc",  # unreadable: read, to say so
        "e-6": "0",
        "q-7": "1",  # no shown value
        "q-x": "1",
    }
    assert rows_sent(data) == {2, 4, 5, 6, 7}


def test_an_untouched_row_changed_elsewhere_does_not_stop_a_save(shop: Shop, client_for) -> None:
    """Without JavaScript the whole section is sent; a row the member did not touch is not a change."""
    client = client_for(shop.member)
    save_basket(
        cycle=shop.cycle, member=shop.member, changes=[LineChange(shop.bread.pk, 1000)], by=shop.member
    )
    # The page showed 1 loaf; meanwhile another tab makes it 2.
    save_basket(
        cycle=shop.cycle, member=shop.member, changes=[LineChange(shop.bread.pk, 2000)], by=shop.member
    )
    data = {
        f"q-{shop.bread.pk}": "1",
        f"e-{shop.bread.pk}": "1000",
        f"q-{shop.brioche.pk}": "",
        f"e-{shop.brioche.pk}": "0",
        f"take-{shop.brioche.pk}": "1",
    }
    response = client.post(reverse("order", args=[A, shop.cycle.pk]), data)
    assert response.status_code == 302
    lines = dict(OrderLine.objects.filter(order__user=shop.member).values_list("offer_id", "requested"))
    assert lines == {shop.bread.pk: 2000, shop.brioche.pk: 1000}  # the other tab's 2 kept, the brioche added
