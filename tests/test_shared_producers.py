"""A producer shared by two groups: who manages it, and what each group sees through it.

The dairy (« Ferme de la Bergerie ») was created by group A and has no account
of its own: A's coordinators keep its data. Group B links it to offer its
products; linking grants B nothing over the dairy's data, its invitations, or
anything of A's cycles, and A keeps managing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cabas.catalog import services
from cabas.catalog.models import (
    CatalogImport,
    Producer,
    ProducerAccount,
    ProducerInvitation,
    Product,
    Supply,
)
from cabas.cycles.models import Cycle, Offer, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer


@dataclass
class Shared:
    cast: Cast
    cycle_a: Cycle  # A's cycle with the dairy: Marie ordered a tomme
    cycle_b: Cycle  # B's cycle with the dairy: Martin ordered a tomme
    tomme: Offer  # in A's cycle
    tomme_b: Offer  # the same product, in B's cycle
    dairy_import: CatalogImport


def _order(cycle: Cycle, member, offer: Offer) -> None:
    result = save_basket(cycle=cycle, member=member, changes=[LineChange(offer.pk, 1000)], by=member)
    assert result.ok, result


@pytest.fixture
def shared(cast: Cast, client_for: Callable[..., Client]) -> Shared:
    cycle_a = make_cycle(cast.group_a, name="Cabas de Saint-Orens")
    tomme = make_offer(cycle_a, cast.dairy, "Tomme", price_cents=2400)
    _order(cycle_a, cast.member, tomme)
    # B links the dairy through its page, and offers the same tomme in its own cycle.
    response = client_for(cast.coordinator_b).post(
        reverse("manage_producer_link", args=["balma", "bergerie"])
    )
    assert response.status_code == 302
    assert Supply.objects.filter(producer=cast.dairy, group=cast.group_b, ended_at=None).exists()
    cycle_b = make_cycle(cast.group_b, name="Panier de Balma")
    cycle_b.producers.add(cast.dairy)
    tomme_b = Offer.objects.create(
        cycle=cycle_b,
        product=tomme.product,
        producer=cast.dairy,
        name="Tomme",
        category=tomme.category,
        unit_label=tomme.unit_label,
        price_cents=2400,
        quantity_step=1000,
        min_quantity=1000,
    )
    _order(cycle_b, cast.member_b, tomme_b)
    dairy_import = CatalogImport.objects.create(producer=cast.dairy, filename="x.csv", error_count=1)
    return Shared(cast, cycle_a, cycle_b, tomme, tomme_b, dairy_import)


def snapshot() -> tuple[object, ...]:
    return (
        list(Producer.objects.order_by("pk").values_list("pk", "name", "iban", "managing_group")),
        list(Product.objects.order_by("pk").values_list("pk", "name", "price_cents", "is_active")),
        list(ProducerAccount.objects.order_by("pk").values_list("pk", "producer", "user")),
        list(ProducerInvitation.objects.order_by("pk").values_list("pk", "accepted_at")),
        list(CatalogImport.objects.order_by("pk").values_list("pk", "applied_at")),
        list(Supply.objects.order_by("pk").values_list("pk", "ended_at")),
        list(OrderLine.objects.order_by("pk").values_list("pk", "quantity")),
    )


def dairy_urls(shared: Shared, cycle: Cycle) -> list[str]:
    """Every page and document of the dairy's own area, with ``cycle`` for the order pages."""
    product = shared.tomme.product_id
    return [
        reverse("producer_dashboard", args=["bergerie"]),
        reverse("producer_edit", args=["bergerie"]),
        reverse("product_new", args=["bergerie"]),
        reverse("product_edit", args=["bergerie", product]),
        reverse("catalog_export", args=["bergerie", "csv"]),
        reverse("catalog_import", args=["bergerie"]),
        reverse("catalog_import_preview", args=["bergerie", shared.dairy_import.pk]),
        reverse("producer_cycle_orders", args=["bergerie", cycle.pk]),
        *(
            reverse("producer_report_purchase_order", args=["bergerie", cycle.pk, fmt])
            for fmt in ("pdf", "xlsx", "csv")
        ),
        *(
            reverse("producer_report_distribution_list", args=["bergerie", cycle.pk, fmt])
            for fmt in ("pdf", "xlsx")
        ),
    ]


EDITS = {
    "producer_edit": {"name": "Piraté", "iban": "FR7630006000011234567890189", "accepts_cash": "on"},
    "product_new": {"name": "Piraté", "category": "dairy", "unit": "piece", "price_cents": "1"},
    "product_edit": {"name": "Piraté", "category": "dairy", "unit": "piece", "price_cents": "1"},
    "product_price": {"price_cents": "1"},
    "product_archive": {},
    "catalog_import_confirm": {},
}


def edit_urls(shared: Shared) -> dict[str, str]:
    product = shared.tomme.product_id
    return {
        "producer_edit": reverse("producer_edit", args=["bergerie"]),
        "product_new": reverse("product_new", args=["bergerie"]),
        "product_edit": reverse("product_edit", args=["bergerie", product]),
        "product_price": reverse("product_price", args=["bergerie", product]),
        "product_archive": reverse("product_archive", args=["bergerie", product]),
        "catalog_import_confirm": reverse(
            "catalog_import_confirm", args=["bergerie", shared.dairy_import.pk]
        ),
    }


def test_linking_a_producer_grants_nothing_over_it(shared: Shared, client_for) -> None:
    """The whole scenario: B links A's dairy, then tries to read A's orders, edit, invite itself."""
    cast = shared.cast
    client = client_for(cast.coordinator_b)
    before = snapshot()
    # Read A's cycle through the dairy, download its documents: refused (the dairy's area as a whole).
    for url in dairy_urls(shared, shared.cycle_a):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Marie" not in response.content.decode(errors="replace"), url
    # Edit the dairy or its products: refused, nothing written.
    for name, url in edit_urls(shared).items():
        assert client.post(url, EDITS[name]).status_code == 403, name
    # Invite himself as the dairy's manager: refused, no invitation, no e-mail.
    invite = reverse("manage_producer_invite", args=["balma", "bergerie"])
    assert client.post(invite, {"email": cast.coordinator_b.email}).status_code == 403
    assert snapshot() == before
    assert not mail.outbox
    # A still manages its dairy, and reads its own cycle through it.
    client = client_for(cast.coordinator)
    assert client.get(reverse("producer_dashboard", args=["bergerie"])).status_code == 200
    page = client.get(reverse("producer_cycle_orders", args=["bergerie", shared.cycle_a.pk]))
    assert page.status_code == 200
    assert "Marie Membre" in page.text


def test_the_linking_group_offers_and_ends_its_own_supply(shared: Shared, client_for) -> None:
    cast = shared.cast
    client = client_for(cast.coordinator_b)
    assert "Tomme" in client.get(reverse("group_catalogue", args=["balma"])).text
    # Its own cycle's orders of the dairy: through the group's pages, as for any producer.
    orders = client.get(reverse("manage_cycle_orders", args=["balma", shared.cycle_b.pk]))
    assert "Martin Membre" in orders.text
    assert client.post(reverse("manage_producer_end", args=["balma", "bergerie"])).status_code == 302
    assert not Supply.objects.filter(producer=cast.dairy, group=cast.group_b, ended_at=None).exists()
    cast.dairy.refresh_from_db()
    assert cast.dairy.managing_group == cast.group_a
    assert Supply.objects.filter(producer=cast.dairy, group=cast.group_a, ended_at=None).exists()


def test_the_producers_page_says_who_manages(shared: Shared, client_for) -> None:
    page = client_for(shared.cast.coordinator_b).get(reverse("manage_producers", args=["balma"])).text
    assert "géré par Cabas de Saint-Orens" in page
    assert f'href="{reverse("producer_dashboard", args=["bergerie"])}"' not in page
    assert reverse("manage_producer_invite", args=["balma", "bergerie"]) not in page
    assert reverse("manage_producer_end", args=["balma", "bergerie"]) in page
    # The bakery (created by A too) is shown the same way in B; in A, both are A's to edit.
    assert f'href="{reverse("producer_dashboard", args=["fournil"])}"' not in page
    page = client_for(shared.cast.coordinator).get(reverse("manage_producers", args=["saint-orens"])).text
    assert f'href="{reverse("producer_dashboard", args=["bergerie"])}"' in page
    assert reverse("manage_producer_invite", args=["saint-orens", "bergerie"]) in page
    assert "géré par" not in page
    dashboard = client_for(shared.cast.coordinator).get(reverse("producer_dashboard", args=["bergerie"]))
    assert "les référents de Cabas de Saint-Orens" in dashboard.text


def test_the_managing_coordinator_sees_only_their_own_groups_cycles(shared: Shared, client_for) -> None:
    """A manages the dairy, yet B's cycle with it is none of A's business."""
    client = client_for(shared.cast.coordinator)
    dashboard = client.get(reverse("producer_dashboard", args=["bergerie"])).text
    assert reverse("producer_cycle_orders", args=["bergerie", shared.cycle_a.pk]) in dashboard
    assert reverse("producer_cycle_orders", args=["bergerie", shared.cycle_b.pk]) not in dashboard
    for url in dairy_urls(shared, shared.cycle_b)[-6:]:
        assert client.get(url).status_code == 404, url
    for url in dairy_urls(shared, shared.cycle_a)[-6:]:
        assert client.get(url).status_code == 200, url


def test_the_producers_own_account_and_the_site_admin_see_every_group(shared: Shared, client_for) -> None:
    cast = shared.cast
    for user in (cast.site_admin, cast.producer_user2):
        if user == cast.producer_user2:
            ProducerAccount.objects.create(producer=cast.dairy, user=user)
        client = client_for(user)
        for cycle, name in ((shared.cycle_a, "Marie Membre"), (shared.cycle_b, "Martin Membre")):
            page = client.get(reverse("producer_cycle_orders", args=["bergerie", cycle.pk]))
            assert name in page.text
            for url in dairy_urls(shared, cycle)[-5:]:
                assert client.get(url).status_code == 200, url


def test_once_the_producer_has_an_account_coordinators_neither_edit_nor_invite(
    shared: Shared, client_for
) -> None:
    cast = shared.cast
    ProducerAccount.objects.create(producer=cast.dairy, user=cast.producer_user2)
    client = client_for(cast.coordinator)
    assert client.get(reverse("producer_dashboard", args=["bergerie"])).status_code == 403
    invite = reverse("manage_producer_invite", args=["saint-orens", "bergerie"])
    assert client.post(invite, {"email": cast.coordinator.email}).status_code == 403
    assert not ProducerInvitation.objects.exists()


def test_an_invitation_from_a_group_that_does_not_manage_is_refused(shared: Shared, client_for) -> None:
    """One sent by B before management was recorded cannot be used to take the dairy over."""
    cast = shared.cast
    invitation = ProducerInvitation.objects.create(
        producer=cast.dairy, group=cast.group_b, email=cast.coordinator_b.email, invited_by=cast.coordinator_b
    )
    response = client_for(cast.coordinator_b).post(invitation.get_absolute_url(), follow=True)
    assert "n’est plus valable" in response.text
    assert not ProducerAccount.objects.exists()
    assert (
        client_for(cast.coordinator).get(reverse("producer_dashboard", args=["bergerie"])).status_code == 200
    )


def test_the_management_passes_on_when_the_managing_group_stops(shared: Shared, client_for) -> None:
    cast = shared.cast
    client_for(cast.coordinator).post(reverse("manage_producer_end", args=["saint-orens", "bergerie"]))
    cast.dairy.refresh_from_db()
    assert cast.dairy.managing_group == cast.group_b
    assert (
        client_for(cast.coordinator).get(reverse("producer_dashboard", args=["bergerie"])).status_code == 403
    )
    client = client_for(cast.coordinator_b)
    assert client.get(reverse("producer_dashboard", args=["bergerie"])).status_code == 200
    # B now manages the dairy, and still sees nothing of A's cycle.
    assert (
        client.get(reverse("producer_cycle_orders", args=["bergerie", shared.cycle_a.pk])).status_code == 404
    )
    # Once nobody works with it, the next group to link it takes it up.
    services.end_supply(group=cast.group_b, producer=cast.dairy)
    assert cast.dairy.managing_group is None
    services.start_supply(group=cast.group_a, producer=cast.dairy)
    assert cast.dairy.managing_group == cast.group_a


def test_a_new_producer_is_managed_by_the_group_that_creates_it(cast: Cast, client_for) -> None:
    client_for(cast.coordinator_b).post(reverse("manage_producer_new", args=["balma"]), {"name": "Rucher"})
    assert Producer.objects.get(name="Rucher").managing_group == cast.group_b


def test_existing_producers_get_the_group_of_their_earliest_current_supply(cast: Cast) -> None:
    import importlib
    from datetime import timedelta

    from django.apps import apps
    from django.utils import timezone

    from cabas.accounts import services as accounts

    migration = importlib.import_module("cabas.catalog.migrations.0003_producer_managing_group")
    group_c = accounts.create_group(name="Cabas de Lanta", slug="lanta", coordinator=cast.outsider)
    now = timezone.now()
    Producer.objects.update(managing_group=None)
    Supply.objects.all().delete()
    # The dairy: created by A, which stopped; then B, then C. The bakery: only A, ended. A third: none.
    for group, days, ended in ((cast.group_a, 30, True), (cast.group_b, 20, False), (group_c, 10, False)):
        Supply.objects.create(
            producer=cast.dairy,
            group=group,
            started_at=now - timedelta(days=days),
            ended_at=now if ended else None,
        )
    Supply.objects.create(producer=cast.bakery, group=cast.group_a, ended_at=now)
    lone = Producer.objects.create(name="Seul", slug="seul")
    migration.set_managing_groups(apps, None)
    managing = dict(Producer.objects.values_list("slug", "managing_group"))
    assert managing == {"bergerie": cast.group_b.pk, "fournil": cast.group_a.pk, lone.slug: None}
