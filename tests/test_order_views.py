"""The member's order page, orders on behalf, history and the producers' view."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from cabas.accounts import services as accounts
from cabas.catalog.models import Producer, ProducerAccount, Product, Supply
from cabas.cycles.models import ChangeKind, Cycle, Offer, Order, OrderChange, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from tests import scene
from tests.cast import Cast
from tests.scene import Shop

A = "saint-orens"
IBAN = "FR7612345678901234567890189"


def url(shop: Shop, name: str = "order", **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": A, "pk": shop.cycle.pk, **kwargs})


class TestMemberOrders:
    def test_page_lists_offers_by_producer(self, shop: Shop, client_for) -> None:
        page = client_for(shop.member).get(url(shop)).text
        assert (
            page.index("Ferme de la Bergerie")
            < page.index("Tomme")
            < page.index("Fournil du Lauragais")
            < page.index("Pain complet")
        )
        assert "3 restants" in page
        assert "environ 18,00\u00a0€ la pièce" in page

    def test_save_and_confirm(self, shop: Shop, client_for, django_capture_on_commit_callbacks) -> None:
        data = {
            f"q-{shop.bread.pk}": "2",
            f"e-{shop.bread.pk}": "0",
            f"q-{shop.tomme.pk}": "1",
            f"e-{shop.tomme.pk}": "0",
            "confirm": "1",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(shop.member).post(url(shop), data)
        assert response.status_code == 302
        order = Order.objects.get(cycle=shop.cycle, user=shop.member)
        assert order.submitted_at is not None
        totals = dict(order.lines.values_list("offer__name", "total_cents"))
        assert totals == {"Pain complet": 1040, "Tomme": 1800}
        assert order.total_cents() == 2840
        (message,) = mail.outbox
        assert "28,40\u00a0€" in message.body
        assert "Fournil du Lauragais" in message.body
        page = client_for(shop.member).get(url(shop)).text
        assert "28,40\u00a0€" in page

    def test_plus_button_without_javascript_saves_without_confirming(
        self, shop: Shop, client_for, django_capture_on_commit_callbacks
    ) -> None:
        data = {f"q-{shop.bread.pk}": "", f"e-{shop.bread.pk}": "0", f"take-{shop.bread.pk}": "1"}
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(shop.member).post(url(shop), data, follow=True)
        assert "Le panier est enregistré." in response.text
        order = Order.objects.get(user=shop.member)
        assert order.total_cents() == 520
        assert order.submitted_at is None
        assert mail.outbox == []

    def test_bad_quantity_keeps_what_was_typed(self, shop: Shop, client_for) -> None:
        data = {f"q-{shop.bread.pk}": "2", f"q-{shop.tomme.pk}": "beaucoup"}
        response = client_for(shop.member).post(url(shop), data)
        assert response.status_code == 200
        assert 'value="beaucoup"' in response.text
        assert 'value="2"' in response.text
        assert not OrderLine.objects.exists()

    def test_quota_conflict_offers_the_rest(self, shop: Shop, client_for) -> None:
        save_basket(
            cycle=shop.cycle,
            member=shop.member2,
            changes=[LineChange(shop.brioche.pk, 2000)],
            by=shop.member2,
        )
        client = client_for(shop.member)
        data = {f"q-{shop.brioche.pk}": "3", f"e-{shop.brioche.pk}": "0", f"q-{shop.bread.pk}": "1"}
        response = client.post(url(shop), data)
        assert "Il ne reste que 1 pour vous." in response.text
        assert 'value="3"' in response.text  # what was typed stays
        assert (
            not Order.objects.filter(user=shop.member).exists()
            or not OrderLine.objects.filter(order__user=shop.member).exists()
        )
        response = client.post(url(shop), {**data, f"take-{shop.brioche.pk}": "1"})
        assert response.status_code == 302
        lines = dict(OrderLine.objects.filter(order__user=shop.member).values_list("offer__name", "quantity"))
        assert lines == {"Brioche": 1000, "Pain complet": 1000}
        shop.brioche.refresh_from_db()
        assert shop.brioche.remaining == 0

    def test_htmx_line_returns_the_row_and_totals(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        response = client.post(
            url(shop, "order_line", offer_pk=shop.bread.pk),
            {f"q-{shop.bread.pk}": "1", f"e-{shop.bread.pk}": "0", f"take-{shop.bread.pk}": "3"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith(f'<tr id="offer-{shop.bread.pk}"')
        assert "15,60\u00a0€" in response.text
        assert 'id="basket-total"' in response.text
        assert OrderLine.objects.get(offer=shop.bread).quantity == 3000

    def test_two_tabs_never_lose_a_change(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        client.post(url(shop), {f"q-{shop.bread.pk}": "2", f"e-{shop.bread.pk}": "0"})
        # The other tab still shows 0 and asks for 5: refused, the 2 stays, the 5 is shown back.
        response = client.post(url(shop), {f"q-{shop.bread.pk}": "5", f"e-{shop.bread.pk}": "0"})
        assert "a été modifiée ailleurs" in response.text
        assert 'value="5"' in response.text
        assert OrderLine.objects.get(offer=shop.bread).quantity == 2000
        # Saving again from that page (which now knows about the 2) applies the 5.
        client.post(url(shop), {f"q-{shop.bread.pk}": "5", f"e-{shop.bread.pk}": "2000"})
        assert OrderLine.objects.get(offer=shop.bread).quantity == 5000

    def test_double_submit_applies_once(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        data = {f"q-{shop.brioche.pk}": "2", f"e-{shop.brioche.pk}": "0"}
        client.post(url(shop), data)
        client.post(url(shop), data)
        shop.brioche.refresh_from_db()
        assert shop.brioche.remaining == 1000
        assert OrderChange.objects.filter(offer=shop.brioche).count() == 1

    def test_after_the_deadline_the_basket_is_read_only(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        client.post(url(shop), {f"q-{shop.bread.pk}": "2"})
        Cycle.objects.filter(pk=shop.cycle.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
        page = client.get(url(shop)).text
        assert f'name="q-{shop.bread.pk}"' not in page
        assert "Ce qu’il faut payer, et à qui" in page
        response = client.post(url(shop), {f"q-{shop.bread.pk}": "5"})
        assert "Les commandes de ce cycle sont closes" in response.text
        assert OrderLine.objects.get(offer=shop.bread).quantity == 2000

    def test_after_the_deadline_each_producer_says_how_to_pay(self, shop: Shop, client_for) -> None:
        """The same words as the printed slips (one template): no stray comma, the IBAN in groups."""
        Producer.objects.filter(pk=shop.bakery.pk).update(
            accepts_cash=False,
            accepts_cheque=False,
            accepts_transfer=True,
            iban="FR7612345678901234567890189",
        )
        Producer.objects.filter(pk=shop.dairy.pk).update(
            accepts_cash=True, accepts_cheque=True, cheque_payable_to="GAEC Bergerie", payment_notes="Merci"
        )
        client = client_for(shop.member)
        client.post(url(shop), {f"q-{shop.bread.pk}": "2", f"q-{shop.tomme.pk}": "1"})
        Cycle.objects.filter(pk=shop.cycle.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
        page = " ".join(client.get(url(shop)).text.split())
        assert "virement (IBAN FR76 1234 5678 9012 3456 7890 189)" in page
        assert ", virement" not in page
        assert "espèces, chèque à l’ordre de GAEC Bergerie. Merci" in page

    @pytest.mark.parametrize(
        ("fields", "sentence"),
        [
            (
                {"accepts_cash": True, "accepts_cheque": True, "cheque_payable_to": "GAEC Bergerie"},
                "espèces, chèque à l’ordre de GAEC Bergerie",
            ),
            (
                {"accepts_cash": False, "accepts_cheque": False, "accepts_transfer": True, "iban": IBAN},
                "virement (IBAN FR76 1234 5678 9012 3456 7890 189)",
            ),
            (
                {
                    "accepts_cash": True,
                    "accepts_cheque": False,
                    "payment_notes": "Paiement à la ferme possible",
                },
                "espèces. Paiement à la ferme possible",
            ),
        ],
    )
    def test_order_page_and_slip_say_how_to_pay_in_the_same_words(
        self, shop: Shop, client_for, fields: dict[str, object], sentence: str
    ) -> None:
        """One sentence (``catalog.payment``) for the page after the deadline and the printed slip."""
        Producer.objects.filter(pk=shop.dairy.pk).update(**{"accepts_transfer": False, **fields})
        client = client_for(shop.member)
        client.post(url(shop), {f"q-{shop.tomme.pk}": "1"})
        Cycle.objects.filter(pk=shop.cycle.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
        producer = Producer.objects.get(pk=shop.dairy.pk)
        with translation.override("fr"):
            assert producer.payment_sentence() == sentence
        page = " ".join(client.get(url(shop)).text.split())
        slip = client.get(reverse("member_slip", args=[A, shop.cycle.pk]))
        assert slip["Content-Type"] == "application/pdf"
        printed = " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.content)).pages).split()
        )
        assert f'<p class="muted">{sentence}</p>' in page
        assert f"Paiement : {sentence}" in printed.replace("\u00a0", " ").replace("\u202f", " ")

    def test_copy_previous_basket(self, shop: Shop, client_for) -> None:
        with scene.at(timezone.now() - timedelta(days=60)):  # closed two months ago
            old = scene.cycle(shop.group_a, phase="closed", name="Cabas d’octobre")
        old_bread = Offer.objects.create(
            cycle=old,
            product=shop.bread.product,
            producer=shop.bakery,
            name="Pain complet",
            category="bread",
            unit_label="pièce",
            price_cents=500,
        )
        OrderLine.objects.create(
            order=Order.objects.create(cycle=old, user=shop.member),
            offer=old_bread,
            quantity=4000,
            requested=4000,
            total_cents=2000,
        )
        client_for(shop.member).post(url(shop, "order_copy_previous"))
        line = OrderLine.objects.get(order__cycle=shop.cycle, order__user=shop.member)
        assert (line.offer, line.quantity, line.total_cents) == (shop.bread, 4000, 2080)  # today's price
        history = client_for(shop.member).get(reverse("order_history", args=[A])).text
        assert "Cabas d’octobre" in history and "20,00\u00a0€" in history and "20,80\u00a0€" in history

    def test_draft_cycle_is_404_for_members(self, shop: Shop, client_for) -> None:
        Cycle.objects.filter(pk=shop.cycle.pk).update(published_at=None)
        assert client_for(shop.member).get(url(shop)).status_code == 404

    def test_other_group_cannot_see_or_order(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member_b)
        assert client.get(url(shop)).status_code == 403
        assert client.post(url(shop), {f"q-{shop.bread.pk}": "1"}).status_code == 403
        assert client.get(reverse("order", args=["balma", shop.cycle.pk])).status_code == 404
        assert not OrderLine.objects.exists()

    def test_a_member_cannot_write_anothers_basket_with_a_form_field(self, shop: Shop, client_for) -> None:
        response = client_for(shop.member).post(
            url(shop, "order_line", offer_pk=shop.bread.pk),
            {"member": shop.member2.pk, f"q-{shop.bread.pk}": "1"},
        )
        assert response.status_code == 403
        assert not OrderLine.objects.exists()


class TestOnBehalf:
    def test_coordinator_orders_for_a_member(
        self, shop: Shop, client_for, django_capture_on_commit_callbacks
    ) -> None:
        client = client_for(shop.coordinator)
        page = client.get(url(shop, "manage_cycle_orders"), {"q": "bernadette"}).text
        assert "Bernadette Bénéficiaire" in page
        target = url(shop, "manage_order", user_pk=shop.beneficiary.pk)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                target, {"member": shop.beneficiary.pk, f"q-{shop.bread.pk}": "3", f"e-{shop.bread.pk}": "0"}
            )
        assert response.status_code == 302
        change = OrderChange.objects.get(order__user=shop.beneficiary)
        assert (change.kind, change.changed_by) == (ChangeKind.ON_BEHALF, shop.coordinator)
        assert [m.to for m in mail.outbox] == [[shop.beneficiary.email]]

    def test_adjustment_after_closing_needs_a_reason(self, shop: Shop, client_for) -> None:
        save_basket(
            cycle=shop.cycle, member=shop.member, changes=[LineChange(shop.bread.pk, 2000)], by=shop.member
        )
        Cycle.objects.filter(pk=shop.cycle.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
        client = client_for(shop.coordinator)
        target = url(shop, "manage_order", user_pk=shop.member.pk)
        data = {"member": shop.member.pk, f"q-{shop.bread.pk}": "1", f"e-{shop.bread.pk}": "2000"}
        response = client.post(target, data)
        assert "Indiquez la raison" in response.text
        assert OrderLine.objects.get(offer=shop.bread).quantity == 2000
        client.post(target, {**data, "reason": "Le boulanger manque de farine"})
        assert OrderLine.objects.get(offer=shop.bread).quantity == 1000
        change = OrderChange.objects.get(kind=ChangeKind.ADJUSTMENT)
        assert change.reason == "Le boulanger manque de farine"

    def test_members_of_other_groups_cannot_be_targeted(self, shop: Shop, client_for) -> None:
        client = client_for(shop.coordinator)
        assert client.get(url(shop, "manage_order", user_pk=shop.member_b.pk)).status_code == 404
        assert (
            client_for(shop.member).get(url(shop, "manage_order", user_pk=shop.member2.pk)).status_code == 403
        )


class TestProducerView:
    def test_producer_sees_own_products_only(self, shop: Shop, client_for) -> None:
        ProducerAccount.objects.create(producer=shop.bakery, user=shop.producer_user)
        save_basket(
            cycle=shop.cycle,
            member=shop.member,
            changes=[LineChange(shop.bread.pk, 2000), LineChange(shop.tomme.pk, 1000)],
            by=shop.member,
        )
        client = client_for(shop.producer_user)
        page = client.get(reverse("producer_cycle_orders", args=["fournil", shop.cycle.pk])).text
        assert "Pain complet" in page and "Marie Membre" in page and "10,40\u00a0€" in page
        assert "Tomme" not in page
        assert (
            client.get(reverse("producer_cycle_orders", args=["bergerie", shop.cycle.pk])).status_code == 403
        )


def test_order_page_queries_do_not_grow(cast: Cast, client_for) -> None:
    """25 producers x 20 offers, then ten times more offers and members: same number of queries."""
    cycle = scene.cycle(cast.group_a, name="Cabas de décembre", producers=[cast.bakery, cast.dairy])
    client = client_for(cast.member)

    def grow(producers: int, offers_each: int, members: int, start: int) -> None:
        made = Producer.objects.bulk_create(
            Producer(name=f"F{start + i}", slug=f"f{start + i}") for i in range(producers)
        )
        Supply.objects.bulk_create(Supply(producer=p, group=cast.group_a) for p in made)
        products = Product.objects.bulk_create(
            Product(producer=p, name=f"P{n}", category="bread", unit="piece", price_cents=100 + n)
            for p in made
            for n in range(offers_each)
        )
        offers = Offer.objects.bulk_create(
            Offer(
                cycle=cycle,
                product=pr,
                producer=pr.producer,
                name=pr.name,
                category="bread",
                unit_label="pièce",
                price_cents=pr.price_cents,
                carton_size=6000 if pr.price_cents % 2 else None,
                quota=50_000 if pr.price_cents % 3 == 0 else None,
                remaining=50_000 if pr.price_cents % 3 == 0 else None,
            )
            for pr in products
        )
        for i in range(members):
            user = accounts.create_user(email=f"m{start + i}@example.org")
            accounts.add_member(group=cast.group_a, user=user)
            save_basket(
                cycle=cycle, member=user, changes=[LineChange(o.pk, 1000) for o in offers[:5]], by=user
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("order", args=[A, cycle.pk])).status_code == 200
        return len(context)

    def line_count(step: int) -> tuple[int, int]:
        """Queries and bytes of a +/- answer (htmx) on the first offer, which every member ordered."""
        first = cycle.offers.order_by("pk").first()
        assert first is not None
        with CaptureQueriesContext(connection) as context:
            response = client.post(
                reverse("order_line", args=[A, cycle.pk, first.pk]),
                {f"q-{first.pk}": str(step), f"e-{first.pk}": str(step - 1)},
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200 and f'id="offer-{first.pk}"' in response.text
        return len(context), len(response.content)

    grow(25, 20, 5, start=0)
    save_basket(
        cycle=cycle,
        member=cast.member,
        changes=[LineChange(o.pk, 1000) for o in cycle.offers.all()[:30]],
        by=cast.member,
    )
    small = count()
    small_line, small_bytes = line_count(2)
    grow(25, 180, 45, start=1000)
    assert cycle.offers.count() == 25 * 20 + 25 * 180
    assert count() == small
    big_line, big_bytes = line_count(3)
    assert big_line == small_line
    # The answer is one row and two totals, not the page: its size does not follow the cycle's.
    assert big_bytes < small_bytes + 200


def test_minus_at_the_minimum_empties_the_line(cast: Cast, client_for) -> None:
    """Step 0,5 and minimum 1: "−" from 1 asks for 0, not for an amount the member may not order."""
    cycle = scene.cycle(cast.group_a, name="Cabas de décembre", producers=[cast.bakery, cast.dairy])
    oil = scene.offer(
        cycle, cast.bakery, "Huile de colza en vrac", price_cents=400, quantity_step=500, min_quantity=1000
    )
    client = client_for(cast.member)
    line_url = reverse("order_line", kwargs={"slug": A, "pk": cycle.pk, "offer_pk": oil.pk})
    response = client.post(
        line_url,
        {f"q-{oil.pk}": "", f"e-{oil.pk}": "0", f"take-{oil.pk}": "1"},
        headers={"HX-Request": "true"},
    )
    assert f'name="take-{oil.pk}" value="0"' in response.text  # the − button
    client.post(
        line_url,
        {f"q-{oil.pk}": "1", f"e-{oil.pk}": "1000", f"take-{oil.pk}": "0"},
        headers={"HX-Request": "true"},
    )
    assert not OrderLine.objects.filter(offer=oil).exists()
