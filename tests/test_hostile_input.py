"""Crafted input: never a 500, never a change after a refusal, never an absurd quantity.

First the findings of an outside probe, one test each; then a property-based
test that posts hostile values into every field of every form of every POST
URL of the app, as every role of the cast.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cabas.catalog.models import SaleUnit
from cabas.cycles.models import Cycle, Offer, OrderLine
from cabas.reports.models import DocumentSet
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer

A = "saint-orens"
SUPERSCRIPT_TWO = "\u00b2"  # a digit to ``str.isdigit``, not to ``int``


@pytest.fixture
def shop(cast: Cast) -> Cast:
    cast.cycle = make_cycle(cast.group_a)  # type: ignore[attr-defined]
    cast.bread = make_offer(cast.cycle, cast.bakery, "Pain complet", price_cents=520)  # type: ignore[attr-defined]
    cast.flour = make_offer(  # type: ignore[attr-defined]
        cast.cycle, cast.bakery, "Farine en vrac", price_cents=190, unit=SaleUnit.KG, quantity_step=500
    )
    return cast


def _order_url(cast: Cast) -> str:
    return reverse("order", args=[A, cast.cycle.pk])  # type: ignore[attr-defined]


def _line_url(cast: Cast, offer: Offer) -> str:
    return reverse("order_line", args=[A, cast.cycle.pk, offer.pk])  # type: ignore[attr-defined]


def _lines() -> list[tuple[int, int]]:
    return list(OrderLine.objects.order_by("pk").values_list("offer_id", "requested"))


class TestBasketFields:
    @pytest.mark.parametrize("expected", [SUPERSCRIPT_TWO, "9" * 5000, "-1", "1e3"])
    def test_a_damaged_expected_quantity_is_refused(self, shop: Cast, client_for, expected: str) -> None:
        client = client_for(shop.member)
        bread = shop.bread  # type: ignore[attr-defined]
        response = client.post(_order_url(shop), {f"q-{bread.pk}": "2", f"e-{bread.pk}": expected})
        assert response.status_code == 200
        assert "rechargez la page" in response.content.decode()
        assert _lines() == []

    @pytest.mark.parametrize("field", ["q", "take", "t"])
    def test_thirty_digits_are_refused_with_the_maximum(self, shop: Cast, client_for, field: str) -> None:
        client = client_for(shop.member2)  # English
        bread = shop.bread  # type: ignore[attr-defined]
        Offer.objects.filter(pk=bread.pk).update(carton_size=6000)  # so that it has a "t-" box
        data = {f"q-{bread.pk}": "1", f"{field}-{bread.pk}": "9" * 30}
        response = client.post(_line_url(shop, bread), data, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert _lines() == []
        assert "At most 99 per order line" in response.content.decode()

    @pytest.mark.parametrize("text", [SUPERSCRIPT_TWO, "\u0663", "\uff11", "1" + SUPERSCRIPT_TWO])
    def test_unicode_digits_are_not_numbers(self, shop: Cast, client_for, text: str) -> None:
        client = client_for(shop.member2)
        bread = shop.bread  # type: ignore[attr-defined]
        response = client.post(_order_url(shop), {f"q-{bread.pk}": text})
        assert response.status_code == 200
        assert "Enter a number" in response.content.decode()
        assert _lines() == []

    def test_a_basket_of_two_million_units_is_refused(self, shop: Cast, client_for) -> None:
        client = client_for(shop.member2)
        bread = shop.bread  # type: ignore[attr-defined]
        for quantity in ("2147483", "2147484", "100"):
            response = client.post(_order_url(shop), {f"q-{bread.pk}": quantity})
            assert response.status_code == 200
            assert "At most 99 per order line" in response.content.decode()
        assert _lines() == []
        response = client.post(_order_url(shop), {f"q-{bread.pk}": "99"})
        assert response.status_code == 302
        assert _lines() == [(bread.pk, 99_000)]

    def test_the_maximum_follows_the_step(self, shop: Cast, client_for) -> None:
        client = client_for(shop.member2)
        flour = shop.flour  # type: ignore[attr-defined]
        response = client.post(_order_url(shop), {f"q-{flour.pk}": "99.5"})
        assert "At most 99 per order line" in response.content.decode()
        assert client.post(_order_url(shop), {f"q-{flour.pk}": "99"}).status_code == 302

    def test_the_maximum_is_a_group_setting(self, shop: Cast, client_for) -> None:
        shop.group_a.max_line_units = 5
        shop.group_a.save()
        client = client_for(shop.member2)
        bread = shop.bread  # type: ignore[attr-defined]
        response = client.post(_order_url(shop), {f"q-{bread.pk}": "6"})
        assert "At most 5 per order line" in response.content.decode()
        assert client.post(_order_url(shop), {f"q-{bread.pk}": "5"}).status_code == 302

    def test_the_extra_for_a_carton_counts_in_the_maximum(self, shop: Cast, client_for) -> None:
        shop.group_a.max_line_units = 10
        shop.group_a.save()
        wine = make_offer(shop.cycle, shop.bakery, "Cidre", unit=SaleUnit.BOTTLE)  # type: ignore[attr-defined]
        Offer.objects.filter(pk=wine.pk).update(carton_size=6000)
        client = client_for(shop.member2)
        response = client.post(_order_url(shop), {f"q-{wine.pk}": "6", f"t-{wine.pk}": "5"})
        assert "At most 10 per order line" in response.content.decode()
        assert _lines() == []
        assert client.post(_order_url(shop), {f"q-{wine.pk}": "6", f"t-{wine.pk}": "4"}).status_code == 302

    def test_a_coordinator_has_the_same_maximum(self, shop: Cast, client_for) -> None:
        client = client_for(shop.coordinator)
        bread = shop.bread  # type: ignore[attr-defined]
        url = reverse("manage_order", args=[A, shop.cycle.pk, shop.member.pk])  # type: ignore[attr-defined]
        response = client.post(url, {f"q-{bread.pk}": "1000"})
        assert response.status_code == 200
        assert _lines() == []

    @pytest.mark.parametrize("member", [SUPERSCRIPT_TWO, "9" * 30, "abc"])
    def test_a_damaged_member_field_is_404(self, shop: Cast, client_for, member: str) -> None:
        client = client_for(shop.coordinator)
        bread = shop.bread  # type: ignore[attr-defined]
        response = client.post(_line_url(shop, bread), {f"q-{bread.pk}": "1", "member": member})
        assert response.status_code == 404
        assert _lines() == []

    def test_a_nul_character_in_the_reason_is_harmless(self, shop: Cast, client_for) -> None:
        client = client_for(shop.coordinator)
        bread = shop.bread  # type: ignore[attr-defined]
        url = reverse("manage_order", args=[A, shop.cycle.pk, shop.member.pk])  # type: ignore[attr-defined]
        response = client.post(url, {f"q-{bread.pk}": "1", "reason": "a\x00b"})
        assert response.status_code == 302
        assert _lines() == [(bread.pk, 1000)]


class TestNext:
    @pytest.mark.parametrize(
        "next_url", ["bogus", "//evil.example/", "https://evil.example/", "/\\evil.example"]
    )
    def test_a_line_change_without_htmx_stays_on_the_site(
        self, shop: Cast, client_for, next_url: str
    ) -> None:
        client = client_for(shop.member)
        bread = shop.bread  # type: ignore[attr-defined]
        response = client.post(_line_url(shop, bread), {f"q-{bread.pk}": "1", "next": next_url})
        assert response.status_code == 302
        assert response["Location"] == _order_url(shop)
        assert _lines() == [(bread.pk, 1000)]

    def test_a_local_next_is_followed(self, shop: Cast, client_for) -> None:
        client = client_for(shop.member)
        bread = shop.bread  # type: ignore[attr-defined]
        local = _order_url(shop) + "#offer-1"
        response = client.post(_line_url(shop, bread), {f"q-{bread.pk}": "1", "next": local})
        assert response["Location"] == local


class TestLineCeiling:
    def test_the_database_refuses_a_line_above_the_ceiling(self, shop: Cast) -> None:
        from cabas.cycles.models import Order
        from cabas.lib.quantities import MAX_LINE_QUANTITY

        order = Order.objects.create(cycle=shop.cycle, user=shop.member)  # type: ignore[attr-defined]
        bread = shop.bread  # type: ignore[attr-defined]
        fields = {"order": order, "offer": bread, "total_cents": 1}
        for quantity, tolerance in ((MAX_LINE_QUANTITY + 1000, 0), (1000, MAX_LINE_QUANTITY + 1000)):
            with pytest.raises(IntegrityError), transaction.atomic():
                OrderLine.objects.create(quantity=quantity, requested=quantity, tolerance=tolerance, **fields)
        OrderLine.objects.create(quantity=MAX_LINE_QUANTITY, requested=MAX_LINE_QUANTITY, **fields)

    def test_the_group_setting_cannot_pass_the_ceiling(self, shop: Cast, client_for) -> None:
        client = client_for(shop.coordinator)
        url = reverse("manage_settings", args=[A])
        data = {"name": shop.group_a.name, "reminder_hours": "48", "requires_approval": "on"}
        for bad in ("0", "1001", "9" * 30, SUPERSCRIPT_TWO, "-5"):
            response = client.post(url, {**data, "max_line_units": bad})
            assert response.status_code == 200
        shop.group_a.refresh_from_db()
        assert shop.group_a.max_line_units == 99
        assert client.post(url, {**data, "max_line_units": "20"}).status_code == 302
        shop.group_a.refresh_from_db()
        assert shop.group_a.max_line_units == 20

    def test_a_variable_weight_line_that_would_overflow_is_refused(self, shop: Cast, client_for) -> None:
        ham = make_offer(  # type: ignore[attr-defined]
            shop.cycle, shop.bakery, "Jambon entier", price_cents=1_000_000, estimated_weight_grams=100_000
        )
        shop.group_a.max_line_units = 1000
        shop.group_a.save()
        client = client_for(shop.member2)
        response = client.post(_order_url(shop), {f"q-{ham.pk}": "1000"})
        assert response.status_code == 200
        assert "too large an amount" in response.content.decode()
        assert _lines() == []


class TestCoordinatorFields:
    def test_slips_per_sheet_of_five_thousand_digits(self, shop: Cast, client_for) -> None:
        client = client_for(shop.coordinator)
        url = reverse("reports_generate", args=[A, shop.cycle.pk])  # type: ignore[attr-defined]
        for value in ("9" * 5000, SUPERSCRIPT_TWO, "-1"):
            response = client.post(url, {"slips_per_sheet": value})
            assert response.status_code == 302
        assert not DocumentSet.objects.exists()

    @pytest.mark.parametrize("value", ["9" * 30, "9223372036854775808", SUPERSCRIPT_TWO])
    def test_send_documents_to_absurd_producer_ids(self, shop: Cast, client_for, value: str) -> None:
        DocumentSet.objects.create(cycle=shop.cycle)  # type: ignore[attr-defined]
        client = client_for(shop.coordinator)
        url = reverse("reports_send", args=[A, shop.cycle.pk])  # type: ignore[attr-defined]
        assert client.post(url, {"producer": [value]}).status_code == 302

    @pytest.mark.parametrize("value", ["9" * 30, "9223372036854775808", SUPERSCRIPT_TWO, "-1"])
    def test_a_new_cycle_with_absurd_producer_ids(self, shop: Cast, client_for, value: str) -> None:
        client = client_for(shop.coordinator)
        before = Cycle.objects.count()
        data = {
            "name": "Cabas de juillet",
            "opens_at": "2031-07-01T10:00",
            "closes_at": "2031-07-05T10:00",
            "distribution_date": "2031-07-08",
            "distribution_start": "17:00",
            "distribution_end": "19:00",
            "distribution_place": "Salle",
            "producers": [value],
        }
        response = client.post(reverse("manage_cycle_new", args=[A]), data)
        assert response.status_code == 200
        assert Cycle.objects.count() == before

    @pytest.mark.parametrize("copy", [SUPERSCRIPT_TWO, "9" * 30])
    def test_copy_of_an_absurd_cycle(self, shop: Cast, client_for, copy: str) -> None:
        client = client_for(shop.coordinator)
        response = client.get(reverse("manage_cycle_new", args=[A]), {"copy": copy})
        assert response.status_code in (200, 404)

    @pytest.mark.parametrize("key", [f"n-{SUPERSCRIPT_TWO}", f"e-{SUPERSCRIPT_TWO}", f"p-{SUPERSCRIPT_TWO}"])
    def test_carton_fields_with_unicode_digits(self, cast: Cast, client_for, key: str) -> None:
        cycle = make_cycle(cast.group_a, phase="closed")
        wine = make_offer(cycle, cast.bakery, "Cidre", unit=SaleUnit.BOTTLE)
        Offer.objects.filter(pk=wine.pk).update(carton_size=6000)
        client = client_for(cast.coordinator)
        url = reverse("manage_carton_accept", args=[A, cycle.pk, wine.pk])
        for value in ("1", SUPERSCRIPT_TWO, "9" * 5000):
            response = client.post(url, {"action": "hand", key: value})
            assert response.status_code in (200, 302)
