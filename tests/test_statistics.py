"""Statistics with charts: a group's history, a producer's sales, a member's spending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabas.accounts.models import Membership
from cabas.catalog.models import ProducerAccount
from cabas.catalog.permissions import ProducerAccess
from cabas.cycles.models import Cycle, OrderLine
from cabas.lib.money import format_cents
from cabas.reports import charts, statistics
from tests import scene
from tests.cast import Cast

A = "saint-orens"


def history(cast: Cast, count: int, start: int = 0) -> list[Cycle]:
    """``count`` closed cycles: Marie buys 2 loaves each time, Mehdi a cheese every other cycle."""
    made = []
    for index in range(start, start + count):
        cycle = scene.cycle(cast.group_a, name=f"Cabas {index}", producers=[])
        bread = scene.offer(cycle, cast.bakery, f"Pain {index}", price_cents=450, carton_size=6000)
        cheese = scene.offer(cycle, cast.dairy, f"Tomme {index}", price_cents=1235)
        scene.basket(cycle, cast.member, {bread: 2000})
        if index % 2 == 0:
            scene.basket(cycle, cast.member2, {cheese: 1000})
        made.append(scene.set_phase(cycle, "closed"))
    return made


@pytest.fixture
def past(cast: Cast) -> list[Cycle]:
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    # The households joined long before these cycles (the cast was made a moment ago).
    Membership.objects.filter(group=cast.group_a).update(started_at=timezone.now() - timedelta(days=400))
    return history(cast, 3)


def chart(charts_: list[statistics.Chart], key: str) -> statistics.Chart:
    return next(c for c in charts_ if c.key == key)


class TestGroupCharts:
    def test_turnover_is_the_sum_of_the_persisted_line_totals(self, cast, past):
        cycles = statistics.history(cast.group_a)
        built = statistics.turnover_chart(cast.group_a, cycles)
        first = built.table.rows[0]
        assert (
            first[-1] == OrderLine.objects.filter(order__cycle=past[0]).aggregate(s=Sum("total_cents"))["s"]
        )
        assert first[-1] == 900 + 1235
        assert [row[-1] for row in built.table.rows] == [2135, 900, 2135]

    def test_participation_average_households_cartons(self, cast, past):
        cycles = statistics.history(cast.group_a)
        participation = statistics.participation_chart(cast.group_a, cycles).table.rows
        households = 5  # Marie, Mehdi, Bernadette, Théo and Claire are households of A
        assert participation[1][1:3] == [1, households]
        assert participation[0][3] == statistics.percent(2, households)
        average = statistics.average_chart(cast.group_a, cycles).table.rows
        assert average[0][1:] == [2135, 2, 1068]  # 21,35 € over two baskets, rounded once
        moves = statistics.households_chart(cast.group_a, cycles).table.rows
        assert [row[1] for row in moves] == [2, 0, 0]  # new: both at the first cycle
        assert [row[2] for row in moves] == [0, 0, 0]  # Mehdi came back at the third
        cartons = statistics.cartons_chart(cast.group_a, cycles).table.rows
        assert cartons[0][1:] == [1, statistics.percent(2, 6)]

    def test_only_closed_cycles_of_the_group(self, cast, past):
        scene.cycle(cast.group_a, name="Ouvert")  # still open: not history
        scene.cycle(cast.group_b, name="Balma", phase="closed")
        assert [c.name for c in statistics.history(cast.group_a)] == ["Cabas 0", "Cabas 1", "Cabas 2"]

    def test_svg_is_accessible(self, cast, past):
        svg = statistics.turnover_chart(cast.group_a, statistics.history(cast.group_a)).svg
        assert svg.startswith("<svg") and 'role="img"' in svg
        assert "<title id=" in svg and "<desc id=" in svg and "aria-labelledby" in svg
        bars = charts.bar_chart(title="T <b>", desc="D", rows=[("Pain & co", 450)], label=format_cents)
        assert "Pain &amp; co" in bars and "<b>" not in bars  # names are escaped


class TestPages:
    def test_coordinator_sees_the_history(self, cast, past, client_for):
        client = client_for(cast.coordinator)
        page = client.get(reverse("stats_group", args=[A]))
        assert page.status_code == 200
        for key in statistics.GROUP_CHARTS:
            assert reverse("stats_group_csv", args=[A, key]) in page.text
        assert page.text.count("<svg") == len(statistics.GROUP_CHARTS)
        assert "<table" in page.text and "Cabas 2" in page.text
        csv = client.get(reverse("stats_group_csv", args=[A, "turnover"]))
        assert csv["Content-Type"].startswith("text/csv")
        text = csv.content.decode("utf-8-sig")
        assert "Cabas 0;" in text and "21,35" in text
        assert client.get(reverse("stats_group_csv", args=[A, "nothing"])).status_code == 404

    def test_refused(self, cast, past, client_for):
        assert client_for(cast.member).get(reverse("stats_group", args=[A])).status_code == 403
        assert client_for(cast.coordinator_b).get(reverse("stats_group", args=[A])).status_code == 403
        assert client_for(cast.coordinator).post(reverse("stats_group", args=[A])).status_code == 405
        assert client_for(cast.member).get(reverse("stats_producer", args=["fournil"])).status_code == 403
        assert client_for(cast.member_b).get(reverse("stats_member", args=[A])).status_code == 403

    def test_a_member_sees_only_their_own_spending(self, cast, past, client_for):
        page = client_for(cast.member2).get(reverse("stats_member", args=[A]))
        assert page.status_code == 200
        assert format_cents(1235) in page.text or "12,35" in page.text
        csv = client_for(cast.member2).get(reverse("stats_member_csv", args=[A, "producers"]))
        text = csv.content.decode("utf-8-sig")
        assert cast.dairy.name in text and cast.bakery.name not in text  # Mehdi never bought bread

    def test_a_producer_sees_its_sales_in_every_group(self, cast, past, client_for):
        balma = scene.cycle(cast.group_b, name="Balma 1", producers=[])
        loaf = scene.offer(balma, cast.bakery, "Pain de Balma", price_cents=300)
        scene.basket(balma, cast.member_b, {loaf: 3000})
        scene.set_phase(balma, "closed")
        access = ProducerAccess(cast.bakery, is_own=True)
        sales = statistics.producer_sales_chart(access).table.rows
        assert [row[-1] for row in sales] == [900, 900, 900, 900]
        assert {row[1] for row in sales} == {cast.group_a.name, cast.group_b.name}
        products = statistics.producer_products_chart(access).table.rows
        assert sum(row[2] for row in products) == 3600
        page = client_for(cast.producer_user).get(reverse("stats_producer", args=["fournil"]))
        assert page.status_code == 200 and "Balma 1" in page.text
        assert cast.dairy.name not in page.text


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "args", "who"),
    [
        ("stats_group", [A], "coordinator"),
        ("stats_member", [A], "member"),
        ("stats_producer", ["fournil"], "producer_user"),
    ],
)
def test_query_counts_do_not_grow_with_history(cast, client_for, name, args, who):
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    client = client_for(getattr(cast, who))
    history(cast, 2)
    short = count_queries(client, reverse(name, args=args))
    history(cast, 5, start=2)
    assert count_queries(client, reverse(name, args=args)) == short
