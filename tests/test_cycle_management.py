"""Coordinators set up cycles: dates, producers, offers, prices, quotas, withdrawals, publication."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cabas.catalog.models import Producer, Product
from cabas.cycles import services
from cabas.cycles.models import Allocation, ChangeKind, Cycle, Offer, OrderChange, OrderLine, Phase
from cabas.cycles.ordering import LineChange, save_basket
from tests.cast import Cast
from tests.scene import Catalogue

A = "saint-orens"


def make_product(producer: Producer, name: str, **fields: object) -> Product:
    values: dict[str, object] = {"category": "bread", "unit": "piece", "price_cents": 450, **fields}
    return Product.objects.create(producer=producer, name=name, **values)


def cycle_fields(**changes: Any) -> dict[str, Any]:
    """An open window (opened yesterday, closes in five days), distribution a week from now."""
    now = timezone.now()
    return {
        "name": "Cabas de mars",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=5),
        "distribution_date": timezone.localdate(now) + timedelta(days=7),
        "distribution_start": time(17),
        "distribution_end": time(19, 30),
        "distribution_place": "Salle des fêtes",
        "message": "",
        **changes,
    }


def new_cycle(cast: Cast, *, published: bool = True, **changes: Any) -> Cycle:
    cycle = services.create_cycle(
        group=cast.group_a,
        fields=cycle_fields(**changes),
        producers=[cast.bakery, cast.dairy],
        by=cast.coordinator,
    )
    if published:
        cycle = services.publish(cycle=cycle, by=cast.coordinator)
    return cycle


def offer(cycle: Cycle, product: Product) -> Offer:
    return cycle.offers.get(product=product)


def order(cycle: Cycle, member, offer_: Offer, quantity: int) -> None:
    result = save_basket(cycle=cycle, member=member, changes=[LineChange(offer_.pk, quantity)], by=member)
    assert result.ok, result


def line(offer_: Offer, member) -> OrderLine:
    return OrderLine.objects.get(offer=offer_, order__user=member)


def form_codes(response) -> dict[str, list[str | None]]:
    """The error codes of the page's form, by field (language-independent)."""
    return {
        field: [e.code for e in errors] for field, errors in response.context["form"].errors.as_data().items()
    }


def update(offer_: Offer, by, **changes: Any) -> Offer:
    values = {
        "price_cents": offer_.price_cents,
        "quota": offer_.quota,
        "member_cap": offer_.member_cap,
        "allocation": offer_.allocation,
        **changes,
    }
    return services.update_offer(offer=offer_, by=by, **values)


# --- Services -------------------------------------------------------------------------


class TestCreateAndSync:
    def test_new_cycle_offers_the_active_products_at_frozen_prices(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue, published=False)
        assert cycle.phase() == Phase.DRAFT
        assert cycle.published_at is None
        assert set(cycle.offers.values_list("product__name", flat=True)) == {
            "Pain complet",
            "Brioche",
            "Tomme",
        }
        bread = offer(cycle, catalogue.bread)
        assert (bread.price_cents, bread.quantity_step, bread.min_quantity, bread.unit_label) == (
            520,
            500,
            500,
            "kg",
        )
        assert offer(cycle, catalogue.brioche).unit_label == catalogue.brioche.unit_label()
        tomme = offer(cycle, catalogue.tomme)
        assert (tomme.variable_weight, tomme.estimated_weight_grams, tomme.category) == (True, 750, "dairy")
        assert (tomme.quota, tomme.remaining, tomme.allocation) == (None, None, Allocation.FIRST_COME)
        Product.objects.filter(pk=catalogue.bread.pk).update(price_cents=999)
        assert services.sync_offers(cycle=cycle) == 0
        assert offer(cycle, catalogue.bread).price_cents == 520  # frozen

    def test_sync_adds_new_products_only(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue, published=False)
        make_product(catalogue.bakery, "Fougasse")
        assert services.sync_offers(cycle=cycle) == 1
        assert services.sync_offers(cycle=cycle) == 0
        assert cycle.offers.count() == 4

    @pytest.mark.parametrize("count", [20, 200])
    def test_sync_query_count_does_not_grow_with_products(self, cast: Cast, count: int) -> None:
        Product.objects.bulk_create(
            Product(
                producer=cast.bakery, name=f"Pain {i}", category="bread", unit="piece", price_cents=300 + i
            )
            for i in range(count)
        )
        cycle = Cycle.objects.create(group=cast.group_a, **cycle_fields())
        cycle.producers.set([cast.bakery])
        with CaptureQueriesContext(connection) as queries:
            assert services.sync_offers(cycle=cycle) == count
        # Whatever the number of products: the same handful of queries (checked for 20 and 200).
        assert len(queries) == 6, [q["sql"] for q in queries]

    def test_removing_a_producer_deletes_its_untouched_offers(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue, published=False)
        services.update_cycle(
            cycle=cycle, fields=cycle_fields(), producers=[catalogue.bakery], by=catalogue.coordinator
        )
        assert set(cycle.offers.values_list("producer", flat=True)) == {catalogue.bakery.pk}

    def test_a_producer_with_orders_cannot_leave(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue, opens_at=timezone.now() + timedelta(days=1))
        assert cycle.phase() == Phase.SCHEDULED
        # A coordinator took a phone order before opening.
        result = save_basket(
            cycle=cycle,
            member=catalogue.member,
            changes=[LineChange(offer(cycle, catalogue.tomme).pk, 1000)],
            by=catalogue.coordinator,
        )
        assert result.ok
        with pytest.raises(services.CycleError):
            services.update_cycle(
                cycle=cycle,
                fields=cycle_fields(opens_at=cycle.opens_at),
                producers=[catalogue.bakery],
                by=catalogue.coordinator,
            )
        assert cycle.producers.count() == 2
        assert cycle.offers.filter(producer=catalogue.dairy).count() == 1

    def test_producers_of_other_groups_are_refused(self, catalogue: Catalogue) -> None:
        stranger = Producer.objects.create(name="Ailleurs", slug="ailleurs")
        with pytest.raises(services.CycleError):
            services.create_cycle(
                group=catalogue.group_a, fields=cycle_fields(), producers=[stranger], by=catalogue.coordinator
            )
        assert not Cycle.objects.exists()

    def test_incoherent_dates_are_refused(self, catalogue: Catalogue) -> None:
        fields = cycle_fields()
        with pytest.raises(services.CycleError):
            services.create_cycle(
                group=catalogue.group_a,
                fields={**fields, "closes_at": fields["opens_at"]},
                producers=[catalogue.bakery],
                by=catalogue.coordinator,
            )
        assert not Cycle.objects.exists()


class TestCopy:
    def test_copy_keeps_settings_and_reads_prices_again(self, catalogue: Catalogue) -> None:
        source = new_cycle(catalogue, published=False)
        update(offer(source, catalogue.bread), catalogue.coordinator, quota=20_000, member_cap=3000)
        update(
            offer(source, catalogue.tomme),
            catalogue.coordinator,
            quota=10_000,
            allocation=Allocation.FAIR_SHARE,
        )
        Product.objects.filter(pk=catalogue.bread.pk).update(price_cents=560)
        Product.objects.filter(pk=catalogue.brioche.pk).update(is_active=False)
        make_product(catalogue.bakery, "Fougasse")

        with translation.override("en"):  # French once the catalogue is compiled: « (copie) »
            copy = services.copy_cycle(source=source, by=catalogue.coordinator)

        assert copy.phase() == Phase.DRAFT
        assert (copy.group, copy.copied_from, copy.created_by) == (
            catalogue.group_a,
            source,
            catalogue.coordinator,
        )
        assert copy.name == "Cabas de mars (copy)"
        assert copy.opens_at == source.opens_at + timedelta(weeks=8)
        assert copy.distribution_date == source.distribution_date + timedelta(weeks=8)
        assert timezone.localtime(copy.closes_at).time() == timezone.localtime(source.closes_at).time()
        assert set(copy.producers.all()) == {catalogue.bakery, catalogue.dairy}
        assert set(copy.offers.values_list("name", flat=True)) == {"Pain complet", "Tomme", "Fougasse"}
        bread = offer(copy, catalogue.bread)
        assert (bread.price_cents, bread.quota, bread.remaining, bread.member_cap) == (
            560,
            20_000,
            20_000,
            3000,
        )
        tomme = offer(copy, catalogue.tomme)
        assert (tomme.quota, tomme.allocation) == (10_000, Allocation.FAIR_SHARE)

    def test_an_old_cycle_is_copied_into_the_future(self, catalogue: Catalogue) -> None:
        now = timezone.now()
        source = Cycle.objects.create(
            group=catalogue.group_a,
            **cycle_fields(
                opens_at=now - timedelta(days=200),
                closes_at=now - timedelta(days=190),
                distribution_date=timezone.localdate(now) - timedelta(days=188),
            ),
        )
        source.producers.set([catalogue.bakery])
        copy = services.copy_cycle(source=source, by=catalogue.coordinator)
        assert copy.closes_at > now
        # In steps of 8 weeks of wall-clock time (summer time does not move 20:00 to 21:00).
        shift = timezone.localtime(copy.closes_at).replace(tzinfo=None) - timezone.localtime(
            source.closes_at
        ).replace(tzinfo=None)
        assert shift % timedelta(weeks=8) == timedelta(0)


class TestUpdateOffer:
    def test_before_opening_everything_may_change(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue, published=False)
        bread = update(
            offer(cycle, catalogue.bread),
            catalogue.coordinator,
            price_cents=500,
            quota=10_000,
            member_cap=2000,
        )
        bread.refresh_from_db()
        assert (bread.price_cents, bread.quota, bread.remaining, bread.member_cap) == (
            500,
            10_000,
            10_000,
            2000,
        )
        update(bread, catalogue.coordinator, allocation=Allocation.FAIR_SHARE)
        bread.refresh_from_db()
        assert bread.allocation == Allocation.FAIR_SHARE

    def test_a_quota_takes_account_of_what_is_sold(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        order(cycle, catalogue.member, bread, 1500)
        order(cycle, catalogue.member2, bread, 1000)
        update(bread, catalogue.coordinator, quota=5000)
        bread.refresh_from_db()
        assert (bread.quota, bread.remaining) == (5000, 2500)
        update(bread, catalogue.coordinator, quota=4000)
        bread.refresh_from_db()
        assert bread.remaining == 1500

    def test_a_quota_below_what_is_sold_is_refused(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        update(bread, catalogue.coordinator, quota=5000)
        order(cycle, catalogue.member, bread, 3000)
        with pytest.raises(services.CycleError, match="3 × kg"):
            update(offer(cycle, catalogue.bread), catalogue.coordinator, quota=2500)
        bread.refresh_from_db()
        assert (bread.quota, bread.remaining) == (5000, 2000)
        assert line(bread, catalogue.member).quantity == 3000  # never trimmed

    def test_a_cap_below_an_order_is_refused(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        order(cycle, catalogue.member, bread, 3000)
        with pytest.raises(services.CycleError):
            update(bread, catalogue.coordinator, member_cap=2000)
        update(bread, catalogue.coordinator, member_cap=3000)
        bread.refresh_from_db()
        assert bread.member_cap == 3000

    def test_the_allocation_cannot_switch_after_opening(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        with pytest.raises(services.CycleError):
            update(bread, catalogue.coordinator, quota=5000, allocation=Allocation.FAIR_SHARE)
        bread.refresh_from_db()
        assert (bread.quota, bread.allocation) == (None, Allocation.FIRST_COME)

    def test_a_new_price_reprices_orders_and_tells_each_member(
        self, catalogue: Catalogue, django_capture_on_commit_callbacks, settings
    ) -> None:
        settings.LANGUAGE_CODE = "en"  # reasons are stored in the site's language
        cycle = new_cycle(catalogue)
        bread, tomme = offer(cycle, catalogue.bread), offer(cycle, catalogue.tomme)
        order(cycle, catalogue.member, bread, 1500)
        order(cycle, catalogue.member, tomme, 1000)
        order(cycle, catalogue.member2, bread, 500)
        assert (line(bread, catalogue.member).total_cents, line(tomme, catalogue.member).total_cents) == (
            780,
            1800,
        )

        with django_capture_on_commit_callbacks(execute=True):
            update(bread, catalogue.coordinator, price_cents=535)
            update(tomme, catalogue.coordinator, price_cents=2550)

        # 1,5 kg at 5,35 € = 8,025 € → 8,03 €; 0,75 kg estimated at 25,50 € = 19,125 € → 19,13 €.
        assert line(bread, catalogue.member).total_cents == 803
        assert line(bread, catalogue.member2).total_cents == 268  # 2,675 € → 2,68 €
        assert line(tomme, catalogue.member).total_cents == 1913
        changes = OrderChange.objects.filter(kind=ChangeKind.PRICE).order_by("pk")
        assert [(c.order.user, c.old_total_cents, c.new_total_cents) for c in changes] == [
            (catalogue.member, 780, 803),
            (catalogue.member2, 260, 268),
            (catalogue.member, 1800, 1913),
        ]
        assert changes[0].reason == "New price: €5.35 instead of €5.20"
        assert changes[0].changed_by == catalogue.coordinator
        assert all(c.notified_at for c in changes)
        # One e-mail per member (Marie's tells both changes), sent after commit.
        assert sorted(m.to[0] for m in mail.outbox) == ["marie@example.org", "mehdi@example.org"]
        assert "5,35" in mail.outbox[0].body or "5.35" in mail.outbox[0].body

    def test_a_finalised_cycle_cannot_change(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue)
        Cycle.objects.filter(pk=cycle.pk).update(finalised_at=timezone.now())
        with pytest.raises(services.CycleError):
            update(offer(cycle, catalogue.bread), catalogue.coordinator, price_cents=600)


class TestWithdraw:
    def test_withdrawal_zeroes_lines_gives_quota_back_and_tells_members(
        self, catalogue: Catalogue, django_capture_on_commit_callbacks
    ) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        update(bread, catalogue.coordinator, quota=5000)
        order(cycle, catalogue.member, bread, 1500)
        order(cycle, catalogue.member2, bread, 1000)
        order(cycle, catalogue.member, offer(cycle, catalogue.tomme), 1000)

        with django_capture_on_commit_callbacks(execute=True):
            touched = services.withdraw_offer(offer=bread, reason="Four en panne", by=catalogue.coordinator)

        assert touched == 2
        bread.refresh_from_db()
        assert bread.withdrawn_at is not None
        assert bread.remaining == 5000
        assert list(
            OrderLine.objects.filter(offer=bread).values_list("quantity", "requested", "total_cents")
        ) == [
            (0, 0, 0),
            (0, 0, 0),
        ]
        assert (
            line(offer(cycle, catalogue.tomme), catalogue.member).quantity == 1000
        )  # the rest of the basket stays
        changes = OrderChange.objects.filter(kind=ChangeKind.WITHDRAWAL)
        assert {(c.order.user, c.old_quantity, c.new_quantity, c.reason) for c in changes} == {
            (catalogue.member, 1500, 0, "Four en panne"),
            (catalogue.member2, 1000, 0, "Four en panne"),
        }
        assert sorted(m.to[0] for m in mail.outbox) == ["marie@example.org", "mehdi@example.org"]
        assert "Four en panne" in mail.outbox[0].body

        with django_capture_on_commit_callbacks(execute=True):
            assert services.withdraw_offer(offer=bread, reason="encore", by=catalogue.coordinator) == 0
        assert OrderChange.objects.filter(kind=ChangeKind.WITHDRAWAL).count() == 2
        assert len(mail.outbox) == 2

    def test_a_reason_is_needed_after_opening(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        with pytest.raises(services.CycleError):
            services.withdraw_offer(offer=bread, reason="  ", by=catalogue.coordinator)
        bread.refresh_from_db()
        assert bread.withdrawn_at is None

    def test_a_draft_offer_is_withdrawn_without_reason(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue, published=False)
        assert (
            services.withdraw_offer(
                offer=offer(cycle, catalogue.brioche), reason="", by=catalogue.coordinator
            )
            == 0
        )
        assert offer(cycle, catalogue.brioche).withdrawn_at is not None


class TestPublish:
    def test_publish_schedules_then_unpublish(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue, published=False, opens_at=timezone.now() + timedelta(days=1))
        cycle = services.publish(cycle=cycle, by=catalogue.coordinator)
        assert cycle.phase() == Phase.SCHEDULED
        first = cycle.published_at
        assert (
            services.publish(cycle=cycle, by=catalogue.coordinator).published_at == first
        )  # twice: no change
        cycle = services.unpublish(cycle=cycle, by=catalogue.coordinator)
        assert cycle.phase() == Phase.DRAFT

    def test_an_open_cycle_cannot_go_back_to_draft(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue)
        assert cycle.phase() == Phase.OPEN
        with pytest.raises(services.CycleError):
            services.unpublish(cycle=cycle, by=catalogue.coordinator)
        cycle.refresh_from_db()
        assert cycle.published_at is not None

    def test_refused_without_offers_or_after_the_deadline(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue, published=False)
        cycle.offers.update(withdrawn_at=timezone.now())
        with pytest.raises(services.CycleError):
            services.publish(cycle=cycle, by=catalogue.coordinator)
        late = new_cycle(
            catalogue,
            published=False,
            opens_at=timezone.now() - timedelta(days=3),
            closes_at=timezone.now() - timedelta(days=1),
        )
        with pytest.raises(services.CycleError):
            services.publish(cycle=late, by=catalogue.coordinator)
        assert not Cycle.objects.published().exists()

    def test_after_opening_only_distribution_and_message_change(self, catalogue: Catalogue) -> None:
        cycle = new_cycle(catalogue)
        fields = {key: getattr(cycle, key) for key in services.CYCLE_FIELDS}
        with pytest.raises(services.CycleError):
            services.update_cycle(
                cycle=cycle,
                fields={**fields, "name": "Autre"},
                producers=[catalogue.bakery, catalogue.dairy],
                by=catalogue.coordinator,
            )
        with pytest.raises(services.CycleError):
            services.update_cycle(
                cycle=cycle, fields=fields, producers=[catalogue.bakery], by=catalogue.coordinator
            )
        services.update_cycle(
            cycle=cycle,
            fields={**fields, "message": "Apportez vos sacs", "distribution_place": "Halle"},
            producers=[catalogue.bakery, catalogue.dairy],
            by=catalogue.coordinator,
        )
        cycle.refresh_from_db()
        assert (cycle.name, cycle.message, cycle.distribution_place) == (
            "Cabas de mars",
            "Apportez vos sacs",
            "Halle",
        )


# --- Views -----------------------------------------------------------------------------


def post_data(cast: Cast, **changes: Any) -> dict[str, Any]:
    """What the cycle form posts: local times as a datetime-local input sends them."""
    now = timezone.localtime()
    data: dict[str, Any] = {
        "name": "Cabas d'avril",
        "opens_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT18:00"),
        "closes_at": (now + timedelta(days=9)).strftime("%Y-%m-%dT20:00"),
        "distribution_date": (now + timedelta(days=12)).strftime("%Y-%m-%d"),
        "distribution_start": "17:00",
        "distribution_end": "19:30",
        "distribution_place": "Salle des fêtes",
        "message": "Nouveau : du miel.",
        "producers": [cast.bakery.pk, cast.dairy.pk],
    }
    return {**data, **changes}


def offer_data(**changes: Any) -> dict[str, str]:
    return {"price_cents": "5,20", "quota": "", "member_cap": "", "allocation": "first_come", **changes}


class TestCycleViews:
    def test_list_shows_phase_orders_and_total(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue)
        order(cycle, catalogue.member, offer(cycle, catalogue.bread), 1500)
        order(cycle, catalogue.member2, offer(cycle, catalogue.tomme), 1000)
        new_cycle(catalogue, published=False, name="Brouillon")
        response = client_for(catalogue.coordinator).get(reverse("manage_cycles", args=[A]))
        assert response.status_code == 200
        rows = {c.name: c for c in response.context["cycles"]}
        assert (rows["Cabas de mars"].order_count, rows["Cabas de mars"].total_cents) == (2, 2580)
        assert rows["Brouillon"].order_count == 0
        assert "25,80\u00a0€" in response.text
        assert str(Phase.OPEN.label) in response.text or "Open for orders" in response.text
        assert f"?copy={response.context['last'].pk}" in response.text

    def test_list_query_count_is_constant(self, catalogue: Catalogue, client_for) -> None:
        client = client_for(catalogue.coordinator)
        url = reverse("manage_cycles", args=[A])
        new_cycle(catalogue)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for i in range(4):
            cycle = new_cycle(catalogue, name=f"Cabas {i}")
            order(cycle, catalogue.member, offer(cycle, catalogue.bread), 500)
        with CaptureQueriesContext(connection) as large:
            client.get(url)
        assert len(small) == len(large)

    def test_create(self, catalogue: Catalogue, client_for) -> None:
        client = client_for(catalogue.coordinator)
        page = client.get(reverse("manage_cycle_new", args=[A]))
        assert page.status_code == 200
        assert page.context["form"]["distribution_place"].value() == "Saint-Orens-de-Gameville"
        assert 'type="datetime-local"' in page.text
        response = client.post(reverse("manage_cycle_new", args=[A]), post_data(catalogue))
        cycle = Cycle.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("manage_cycle_offers", args=[A, cycle.pk])
        assert (cycle.name, cycle.group, cycle.created_by, cycle.published_at) == (
            "Cabas d'avril",
            catalogue.group_a,
            catalogue.coordinator,
            None,
        )
        local = timezone.localtime(cycle.opens_at)
        assert (local.hour, local.minute) == (18, 0)
        assert cycle.offers.count() == 3

    @pytest.mark.parametrize(
        ("changes", "field", "code"),
        [
            ({"closes_at": "2020-01-01T10:00"}, "closes_at", "dates"),
            ({"distribution_date": "2020-01-01"}, "distribution_date", "dates"),
            ({"distribution_end": "16:00"}, "distribution_end", "dates"),
            ({"producers": []}, "producers", "required"),
            ({"opens_at": "demain"}, "opens_at", "invalid"),
            ({"name": "   "}, "name", "required"),
        ],
    )
    def test_bad_input_creates_nothing(self, catalogue: Catalogue, client_for, changes, field, code) -> None:
        response = client_for(catalogue.coordinator).post(
            reverse("manage_cycle_new", args=[A]), post_data(catalogue, **changes)
        )
        assert response.status_code == 200
        assert code in form_codes(response)[field]
        assert not Cycle.objects.exists()

    def test_a_producer_of_another_group_is_not_a_choice(self, catalogue: Catalogue, client_for) -> None:
        stranger = Producer.objects.create(name="Ailleurs", slug="ailleurs")
        response = client_for(catalogue.coordinator).post(
            reverse("manage_cycle_new", args=[A]), post_data(catalogue, producers=[stranger.pk])
        )
        assert form_codes(response)["producers"] == ["invalid_choice"]
        assert not Cycle.objects.exists()

    def test_copy(self, catalogue: Catalogue, client_for) -> None:
        source = new_cycle(catalogue, published=False)
        update(offer(source, catalogue.bread), catalogue.coordinator, quota=20_000)
        client = client_for(catalogue.coordinator)
        url = reverse("manage_cycle_new", args=[A]) + f"?copy={source.pk}"
        page = client.get(url)
        assert page.context["form"]["name"].value().startswith("Cabas de mars (cop")
        response = client.post(url, post_data(catalogue, name="Cabas de mai"))
        assert response.status_code == 302
        copy = Cycle.objects.get(name="Cabas de mai")
        assert copy.copied_from == source
        assert offer(copy, catalogue.bread).quota == 20_000

    def test_create_sent_twice_makes_one_cycle(self, catalogue: Catalogue, client_for) -> None:
        client = client_for(catalogue.coordinator)
        url = reverse("manage_cycle_new", args=[A])
        token = client.get(url).context["form"]["submission"].value()
        first = client.post(url, post_data(catalogue, submission=token))
        second = client.post(url, post_data(catalogue, submission=token), follow=True)
        cycle = Cycle.objects.get()
        assert (
            first["Location"]
            == second.redirect_chain[-1][0]
            == reverse("manage_cycle_offers", args=[A, cycle.pk])
        )
        assert "no second one was created" in second.text or "aucun second" in second.text
        assert cycle.offers.count() == 3
        # A new form is a new token: a second cycle on purpose is still possible.
        other = client.get(url).context["form"]["submission"].value()
        assert other != token
        client.post(url, post_data(catalogue, name="Cabas de mai", submission=other))
        assert Cycle.objects.count() == 2

    def test_copy_sent_twice_makes_one_copy(self, catalogue: Catalogue, client_for) -> None:
        source = new_cycle(catalogue, published=False)
        client = client_for(catalogue.coordinator)
        url = reverse("manage_cycle_new", args=[A]) + f"?copy={source.pk}"
        token = client.get(url).context["form"]["submission"].value()
        for _ in range(2):
            assert (
                client.post(url, post_data(catalogue, name="Cabas de mai", submission=token)).status_code
                == 302
            )
        assert Cycle.objects.filter(copied_from=source).count() == 1

    def test_edit_before_opening(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue, published=False)
        client = client_for(catalogue.coordinator)
        assert client.get(reverse("manage_cycle", args=[A, cycle.pk])).status_code == 200
        response = client.post(
            reverse("manage_cycle", args=[A, cycle.pk]),
            post_data(catalogue, name="Renommé", producers=[catalogue.bakery.pk]),
        )
        assert response.status_code == 302
        cycle.refresh_from_db()
        assert cycle.name == "Renommé"
        assert set(cycle.offers.values_list("producer", flat=True)) == {catalogue.bakery.pk}

    def test_edit_after_opening_changes_only_distribution_and_message(
        self, catalogue: Catalogue, client_for
    ) -> None:
        cycle = new_cycle(catalogue)
        client = client_for(catalogue.coordinator)
        page = client.get(reverse("manage_cycle", args=[A, cycle.pk]))
        assert page.context["form"].locked
        assert page.context["form"].fields["name"].disabled
        response = client.post(
            reverse("manage_cycle", args=[A, cycle.pk]),
            post_data(catalogue, name="Pirate", producers=[catalogue.bakery.pk], message="Apportez vos sacs"),
        )
        assert response.status_code == 302
        cycle.refresh_from_db()
        assert (cycle.name, cycle.message, cycle.producers.count()) == (
            "Cabas de mars",
            "Apportez vos sacs",
            2,
        )

    def test_publish_and_unpublish(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue, published=False, opens_at=timezone.now() + timedelta(days=1))
        client = client_for(catalogue.coordinator)
        url = reverse("manage_cycle_publish", args=[A, cycle.pk])
        assert client.get(url).status_code == 405
        assert client.post(url, {"action": "publish"}).status_code == 302
        cycle.refresh_from_db()
        assert cycle.phase() == Phase.SCHEDULED
        client.post(url, {"action": "unpublish"})
        cycle.refresh_from_db()
        assert cycle.phase() == Phase.DRAFT

    def test_publish_refused_shows_why_and_changes_nothing(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue, published=False)
        cycle.offers.update(withdrawn_at=timezone.now())
        response = client_for(catalogue.coordinator).post(
            reverse("manage_cycle_publish", args=[A, cycle.pk]), {"action": "publish"}, follow=True
        )
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
        cycle.refresh_from_db()
        assert cycle.published_at is None

    def test_preview_is_the_member_page_read_only(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue, published=False)
        response = client_for(catalogue.coordinator).get(reverse("manage_cycle_preview", args=[A, cycle.pk]))
        assert response.status_code == 200
        assert response.templates[0].name == "cycles/order.html"
        assert response.context["preview"] is True
        assert "Pain complet" in response.text
        assert 'id="basket"' not in response.text
        assert Cycle.objects.get(pk=cycle.pk).published_at is None


class TestOfferViews:
    def test_offers_page_lists_by_producer_with_members(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue)
        order(cycle, catalogue.member, offer(cycle, catalogue.bread), 1500)
        order(cycle, catalogue.member2, offer(cycle, catalogue.bread), 500)
        response = client_for(catalogue.coordinator).get(reverse("manage_cycle_offers", args=[A, cycle.pk]))
        assert response.status_code == 200
        counts = {o.name: o.member_count for o in response.context["offers"]}
        assert counts == {"Pain complet": 2, "Brioche": 0, "Tomme": 0}
        assert "Fournil du Lauragais" in response.text
        assert "Ferme de la Bergerie" in response.text

    def test_offers_page_query_count_does_not_grow(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue, published=False)
        client = client_for(catalogue.coordinator)
        url = reverse("manage_cycle_offers", args=[A, cycle.pk])
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for i in range(30):
            make_product(catalogue.dairy, f"Fromage {i}")
        services.sync_offers(cycle=cycle)
        with CaptureQueriesContext(connection) as large:
            client.get(url)
        assert len(small) == len(large)

    def test_edit_offer(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue, published=False)
        bread = offer(cycle, catalogue.bread)
        client = client_for(catalogue.coordinator)
        url = reverse("manage_offer", args=[A, cycle.pk, bread.pk])
        assert client.get(url).status_code == 200
        response = client.post(
            url, offer_data(price_cents="5,40", quota="30", member_cap="2,5", allocation="fair_share")
        )
        assert response.status_code == 302
        bread.refresh_from_db()
        assert (bread.price_cents, bread.quota, bread.remaining, bread.member_cap, bread.allocation) == (
            540,
            30_000,
            30_000,
            2500,
            "fair_share",
        )

    @pytest.mark.parametrize(
        ("changes", "field", "code"),
        [
            ({"price_cents": "0"}, "price_cents", "min_value"),
            ({"price_cents": "cinq"}, "price_cents", "invalid"),
            ({"quota": "10,2"}, "quota", "step"),
            ({"member_cap": "0,3"}, "member_cap", "step"),
            ({"allocation": "fair_share"}, "quota", "fair_share"),
            ({"allocation": "lottery"}, "allocation", "invalid_choice"),
        ],
    )
    def test_bad_offer_input_changes_nothing(
        self, catalogue: Catalogue, client_for, changes, field, code
    ) -> None:
        cycle = new_cycle(catalogue, published=False)
        bread = offer(cycle, catalogue.bread)
        response = client_for(catalogue.coordinator).post(
            reverse("manage_offer", args=[A, cycle.pk, bread.pk]), offer_data(**changes)
        )
        assert response.status_code == 200
        assert code in form_codes(response)[field]
        assert Offer.objects.get(pk=bread.pk).price_cents == 520
        assert Offer.objects.get(pk=bread.pk).quota is None

    def test_cap_below_minimum_is_refused(self, catalogue: Catalogue, client_for) -> None:
        Product.objects.filter(pk=catalogue.brioche.pk).update(min_quantity=2000)
        cycle = new_cycle(catalogue, published=False)
        brioche = offer(cycle, catalogue.brioche)
        response = client_for(catalogue.coordinator).post(
            reverse("manage_offer", args=[A, cycle.pk, brioche.pk]),
            offer_data(price_cents="4,50", member_cap="1"),
        )
        assert form_codes(response)["member_cap"] == ["below_minimum"]
        assert Offer.objects.get(pk=brioche.pk).member_cap is None

    def test_lowering_the_quota_below_sales_shows_an_error(self, catalogue: Catalogue, client_for) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        update(bread, catalogue.coordinator, quota=5000)
        order(cycle, catalogue.member, bread, 3000)
        response = client_for(catalogue.coordinator).post(
            reverse("manage_offer", args=[A, cycle.pk, bread.pk]), offer_data(quota="2")
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        bread.refresh_from_db()
        assert (bread.quota, bread.remaining) == (5000, 2000)

    def test_price_change_after_opening_emails_members(
        self, catalogue: Catalogue, client_for, django_capture_on_commit_callbacks
    ) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        order(cycle, catalogue.member, bread, 1500)
        order(cycle, catalogue.member2, bread, 1000)
        client = client_for(catalogue.coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("manage_offer", args=[A, cycle.pk, bread.pk]), offer_data(price_cents="6")
            )
        assert response.status_code == 302
        assert (line(bread, catalogue.member).total_cents, line(bread, catalogue.member2).total_cents) == (
            900,
            600,
        )
        assert sorted(m.to[0] for m in mail.outbox) == ["marie@example.org", "mehdi@example.org"]

    def test_withdraw(self, catalogue: Catalogue, client_for, django_capture_on_commit_callbacks) -> None:
        cycle = new_cycle(catalogue)
        bread = offer(cycle, catalogue.bread)
        order(cycle, catalogue.member, bread, 1500)
        client = client_for(catalogue.coordinator)
        url = reverse("manage_offer_withdraw", args=[A, cycle.pk, bread.pk])
        assert client.get(url).status_code == 405
        response = client.post(url, {"reason": ""})  # required after opening
        assert response.status_code == 302
        bread.refresh_from_db()
        assert bread.withdrawn_at is None
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"reason": "Four en panne"})
        assert response["Location"] == reverse("manage_cycle_offers", args=[A, cycle.pk])
        bread.refresh_from_db()
        assert bread.withdrawn_at is not None
        assert line(bread, catalogue.member).quantity == 0
        assert [m.to[0] for m in mail.outbox] == ["marie@example.org"]
        response = client.post(url, {"reason": "x" * 301}, follow=True)
        assert [m.level_tag for m in response.context["messages"]][-1] == "error"


# --- Who may do what -------------------------------------------------------------------


@pytest.fixture
def two_cycles(catalogue: Catalogue) -> tuple[Cycle, Cycle]:
    """A cycle of each group (B's bakery also supplies group A)."""
    cycle_a = new_cycle(catalogue)
    cycle_b = services.create_cycle(
        group=catalogue.group_b,
        fields=cycle_fields(),
        producers=[catalogue.bakery],
        by=catalogue.coordinator_b,
    )
    return cycle_a, cycle_b


def urls_for(cycle: Cycle, offer_: Offer, slug: str = A) -> dict[str, tuple[str, str]]:
    """URL name -> (method, url) for every coordinator page of a cycle."""
    return {
        "manage_cycles": ("get", reverse("manage_cycles", args=[slug])),
        "manage_cycle_new": ("get", reverse("manage_cycle_new", args=[slug])),
        "manage_cycle": ("get", reverse("manage_cycle", args=[slug, cycle.pk])),
        "manage_cycle_offers": ("get", reverse("manage_cycle_offers", args=[slug, cycle.pk])),
        "manage_offer": ("get", reverse("manage_offer", args=[slug, cycle.pk, offer_.pk])),
        "manage_offer_withdraw": ("post", reverse("manage_offer_withdraw", args=[slug, cycle.pk, offer_.pk])),
        "manage_cycle_publish": ("post", reverse("manage_cycle_publish", args=[slug, cycle.pk])),
        "manage_cycle_preview": ("get", reverse("manage_cycle_preview", args=[slug, cycle.pk])),
    }


class TestPermissions:
    @pytest.mark.parametrize("who", ["member", "producer_user", "coordinator_b", "member_b", "outsider"])
    def test_only_coordinators_of_the_group(
        self, catalogue: Catalogue, two_cycles, client_for, who: str
    ) -> None:
        cycle_a, _cycle_b = two_cycles
        client = client_for(getattr(catalogue, who))
        for name, (method, url) in urls_for(cycle_a, cycle_a.offers.first()).items():
            response = getattr(client, method)(url, {"reason": "x", "action": "unpublish"})
            assert response.status_code == 403, name
        assert Offer.objects.filter(withdrawn_at__isnull=False).count() == 0
        assert Cycle.objects.get(pk=cycle_a.pk).published_at is not None

    def test_anonymous_goes_to_login(self, catalogue: Catalogue, two_cycles, client_for) -> None:
        cycle_a, _cycle_b = two_cycles
        client = client_for(None)
        for name, (method, url) in urls_for(cycle_a, cycle_a.offers.first()).items():
            response = getattr(client, method)(url)
            assert response.status_code == 302, name
            assert "/accounts/login/" in response["Location"], name

    def test_cycles_and_offers_of_another_group_are_404(
        self, catalogue: Catalogue, two_cycles, client_for
    ) -> None:
        cycle_a, cycle_b = two_cycles
        client = client_for(catalogue.coordinator)
        offer_b = cycle_b.offers.first()
        for name, (method, url) in urls_for(cycle_b, offer_b).items():
            if name in {"manage_cycles", "manage_cycle_new"}:
                continue
            response = getattr(client, method)(url, {"reason": "x"})
            assert response.status_code == 404, name
        # An offer of group B under a cycle of group A: 404 too.
        for name in ("manage_offer", "manage_offer_withdraw"):
            method, url = urls_for(cycle_a, offer_b)[name]
            assert getattr(client, method)(url, {"reason": "x"}).status_code == 404, name
        assert client.get(reverse("manage_cycle_new", args=[A]) + f"?copy={cycle_b.pk}").status_code == 404
        assert Offer.objects.filter(withdrawn_at__isnull=False).count() == 0

    def test_site_admin_may_step_in(self, catalogue: Catalogue, two_cycles, client_for) -> None:
        cycle_a, _cycle_b = two_cycles
        client = client_for(catalogue.site_admin)
        for name, (method, url) in urls_for(cycle_a, cycle_a.offers.first()).items():
            if method == "get":
                assert client.get(url).status_code == 200, name
