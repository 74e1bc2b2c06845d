"""Catalogue pages: the number of queries does not grow with producers or products.

Measured with 25 producers x 40 products (the model group) and with ten times that.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cabas.catalog.models import Producer, ProducerAccount, Product, Supply
from tests.cast import Cast


def queries(client: Client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(context)


def add_producers(cast: Cast, count: int, products_each: int, start: int) -> None:
    producers = Producer.objects.bulk_create(
        Producer(name=f"Ferme {start + i}", slug=f"ferme-{start + i}", speciality="Légumes")
        for i in range(count)
    )
    Supply.objects.bulk_create(Supply(producer=p, group=cast.group_a) for p in producers)
    Product.objects.bulk_create(
        Product(
            producer=producer,
            name=f"Produit {n}",
            category="vegetables" if n % 2 else "honey",
            unit="jar" if n % 3 else "piece",
            content=500 if n % 3 else None,
            content_unit="g" if n % 3 else "",
            price_cents=100 + n,
            variable_weight=n % 3 == 0 and n % 2 == 0,
            estimated_weight_grams=1200 if n % 3 == 0 and n % 2 == 0 else None,
            carton_size=6000 if n % 5 == 0 else None,
        )
        for producer in producers
        for n in range(products_each)
    )


def add_products(producer: Producer, count: int, start: int) -> None:
    Product.objects.bulk_create(
        Product(
            producer=producer, name=f"Pain {start + n}", category="bread", unit="piece", price_cents=300 + n
        )
        for n in range(count)
    )


def test_group_pages_with_ten_times_more_producers(cast: Cast, client_for) -> None:
    member, coordinator = client_for(cast.member), Client()
    coordinator.force_login(cast.coordinator)
    pages = [
        (member, "/g/saint-orens/catalogue/", {}),
        (member, "/g/saint-orens/catalogue/", {"q": "Produit 1", "category": "honey"}),
        (member, "/g/saint-orens/catalogue/", {"page": "3"}),
        (member, "/g/saint-orens/", {}),
        (coordinator, "/g/saint-orens/manage/producers/", {}),
    ]
    add_producers(cast, 25, 40, start=0)
    small = [queries(client, url, **params) for client, url, params in pages]
    add_producers(cast, 225, 40, start=1000)
    assert Product.objects.count() == 250 * 40
    large = [queries(client, url, **params) for client, url, params in pages]
    assert small == large


def test_producer_pages_with_ten_times_more_products(cast: Cast, client_for) -> None:
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    producer, member = Client(), client_for(cast.member)
    producer.force_login(cast.producer_user)
    pages = [
        (producer, "/producers/fournil/", {}),
        (producer, "/producers/fournil/", {"status": "all", "category": "bread", "q": "Pain"}),
        (member, "/g/saint-orens/producers/fournil/", {}),
    ]
    add_products(cast.bakery, 40, start=0)
    small = [queries(client, url, **params) for client, url, params in pages]
    add_products(cast.bakery, 360, start=1000)
    large = [queries(client, url, **params) for client, url, params in pages]
    assert small == large
