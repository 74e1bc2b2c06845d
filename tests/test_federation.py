"""``seed_demo --groups N``: a federation of groups of the demo's size on one instance, and its indexes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from cabas.accounts.models import BuyingGroup, Membership, Role, User
from cabas.catalog.models import Producer, Product
from cabas.cycles.cartons import lines_query
from cabas.cycles.forms import CycleForm
from cabas.cycles.models import Cycle, Offer, Order, OrderLine
from cabas.demo.federation import group_slug

pytestmark = pytest.mark.django_db

SMALL = {"households": 12, "producers": 3}


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (User, BuyingGroup, Membership, Producer, Product, Cycle, Offer, Order, OrderLine)
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_and_groups_of_its_size_apart_from_each_other_once():
    """One seeding for every check: the demo's seeding is what costs (the federation's part is bulk)."""
    output = run(groups=3, **SMALL)

    assert "Fédération / federation : 2 groupes en plus" in output
    assert BuyingGroup.objects.count() == 2 + 2  # Saint-Orens, Balma, and groups 2 and 3
    other = BuyingGroup.objects.get(slug=group_slug(2))
    assert other.memberships.current().with_role(Role.MEMBER).count() == 12 + 1  # and its coordinator
    coordinator = other.memberships.current().with_role(Role.COORDINATOR).get().user
    assert coordinator.email.startswith("coordination.g2@")
    producers = Producer.objects.supplying(other)
    assert producers.count() == 3
    assert all(producer.managing_group_id == other.pk for producer in producers)
    assert Product.objects.on_sale_in(other).count() >= 3 * 13
    # The demo's three cycles, with baskets in the group's own offers, amounts from the offer.
    assert other.cycles.count() == 3
    orders = Order.objects.filter(cycle__group=other, submitted_at__isnull=False)
    assert orders.count() > 0
    lines = OrderLine.objects.filter(order__in=orders).select_related("offer")
    assert all(line.offer.cycle.group_id == other.pk for line in lines)
    assert all(line.total_cents == line.offer.line_total(line.quantity) for line in lines)
    # Nobody in two groups of the federation, no producer supplying two.
    federation = BuyingGroup.objects.filter(slug__startswith="federation-")
    members = Membership.objects.current().filter(group__in=federation)
    assert not members.filter(user__memberships__group__slug="saint-orens").exists()
    assert members.values("user").distinct().count() == members.count()
    supplied = Producer.objects.filter(supplies__group__in=federation).annotate(n=Count("supplies"))
    assert all(producer.n == 1 for producer in supplied)
    # A second run adds nothing.
    before = counts()
    run(groups=3, **SMALL)
    assert counts() == before


def test_migrations_match_the_models():
    """Every index and constraint the models declare is in a migration (``makemigrations --check``)."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_a_cycles_reads_start_from_the_cycle_not_from_every_group(client):
    """The query shapes the federation bench found growing with the number of groups stay per cycle.

    With 100 groups, the producers of a cycle joined every offer of the instance
    (130 ms), the cycle form's producers every group's producers (17 ms), the
    home page's member counts every membership (40 ms), and the carton lines
    hashed every order (36 ms). Each now reads from the cycle's (or
    the page's) own rows, on their index.
    """
    run(**SMALL)
    cycle = Cycle.objects.filter(group__slug="saint-orens").exclude(offers=None).first()
    assert cycle is not None

    producers = str(Producer.objects.taking_part_in(cycle).query)
    assert producers.count("IN (SELECT") == 2
    assert "JOIN" not in producers.split("IN (SELECT")[0]  # the producers alone, no join across cycles

    choices = str(CycleForm(group=cycle.group, cycle=cycle).fields["producers"].queryset.query)
    assert choices.count("IN (SELECT") == 2
    assert "JOIN" not in choices.split("IN (SELECT")[0]

    lines = str(lines_query(list(cycle.offers.all())).query)
    assert '"cycles_order"."cycle_id" IN' in lines

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    groups = [q["sql"] for q in queries if 'FROM "accounts_buyinggroup"' in q["sql"]]
    assert groups
    assert not any('JOIN "accounts_membership"' in sql for sql in groups)


@pytest.mark.parametrize("groups", [0, -1])
def test_refuses_no_group(groups):
    with pytest.raises(CommandError):
        run(groups=groups, **SMALL)
