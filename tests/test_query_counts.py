"""List pages run a number of queries that does not grow with the data."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cabas.accounts import services
from cabas.accounts.models import Role, User
from cabas.catalog.models import Producer, Supply
from tests.cast import Cast


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def grows(cast: Cast, client: Client, url: str, add: Callable[[int], None]) -> tuple[int, int]:
    add(3)
    small = queries(client, url)
    add(60)
    return small, queries(client, url)


def new_users(start: int, count: int) -> list[User]:
    return [
        services.create_user(email=f"p{start + i}@example.org", full_name=f"P {start + i}")
        for i in range(count)
    ]


def test_members_list_and_directory(cast: Cast, client_for) -> None:
    client = client_for(cast.coordinator)
    counter = iter(range(0, 10_000, 100))

    def add(count: int) -> None:
        for user in new_users(next(counter), count):
            services.add_member(group=cast.group_a, user=user, roles=[Role.MEMBER, Role.PRODUCER])

    small, large = grows(cast, client, "/g/saint-orens/manage/members/", add)
    assert small == large
    small, large = grows(cast, client, "/g/saint-orens/members/", add)
    assert small == large
    small, large = grows(cast, client, "/g/saint-orens/manage/members/?q=P&role=producer", add)
    assert small == large


def test_join_requests_page(cast: Cast, client_for) -> None:
    client = client_for(cast.coordinator)
    counter = iter(range(0, 10_000, 100))

    def add(count: int) -> None:
        for user in new_users(next(counter), count):
            join_request = services.request_to_join(group=cast.group_a, user=user, message="Bonjour")
            if user.pk % 2:
                services.refuse_join_request(join_request=join_request, by=cast.coordinator)

    small, large = grows(cast, client, "/g/saint-orens/manage/requests/", add)
    assert small == large


def test_home_and_group_page(cast: Cast, client_for) -> None:
    client = client_for(cast.member)
    counter = iter(range(0, 10_000, 100))

    def add_groups(count: int) -> None:
        start = next(counter)
        for i in range(count):
            services.create_group(
                name=f"Groupe {start + i}", slug=f"g{start + i}", coordinator=cast.coordinator
            )

    small, large = grows(cast, client, "/", add_groups)
    assert small == large

    def add_producers(count: int) -> None:
        start = next(counter)
        for i in range(count):
            producer = Producer.objects.create(name=f"Ferme {start + i}", slug=f"f{start + i}")
            Supply.objects.create(producer=producer, group=cast.group_a)

    small, large = grows(cast, client, "/g/saint-orens/", add_producers)
    assert small == large


def test_profile_with_many_memberships(cast: Cast, client_for) -> None:
    client = client_for(cast.outsider)
    counter = iter(range(0, 10_000, 100))

    def add(count: int) -> None:
        start = next(counter)
        for i in range(count):
            group = services.create_group(
                name=f"G {start + i}", slug=f"h{start + i}", coordinator=cast.coordinator
            )
            services.add_member(group=group, user=cast.outsider)

    small, large = grows(cast, client, "/account/", add)
    assert small == large


def test_baskets_of_a_cycle(cast: Cast) -> None:
    """``baskets(cycle)``: two queries (lines, then their producers), however many orders and products."""
    from cabas.cycles.baskets import baskets
    from cabas.cycles.ordering import LineChange, save_basket
    from tests.cycle_fixtures import make_cycle, make_members, make_offer, make_producer

    cycle = make_cycle(cast.group_a)
    counter = iter(range(0, 10_000, 100))

    def add(count: int) -> None:
        start = next(counter)
        producer = make_producer(cast.group_a, f"Producteur {start}")
        offers = [make_offer(cycle, producer, price_cents=333 + i) for i in range(3)]
        for member in make_members(cast.group_a, count, prefix=f"b{start}-"):
            changes = [LineChange(offer.pk, 2000) for offer in offers]
            assert save_basket(cycle=cycle, member=member, changes=changes, by=member).ok

    def measure() -> int:
        with CaptureQueriesContext(connection) as context:
            baskets(cycle)
        return len(context)

    add(3)
    small = measure()
    add(30)
    assert small == measure() == 2
    assert len(baskets(cycle)) == 33
