"""The demo data command: the right people in the right groups, and safe to run again."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from cabas.accounts import services
from cabas.accounts.models import BuyingGroup, JoinRequest, Membership, Role, User
from cabas.announcements.models import Announcement
from cabas.catalog import validation
from cabas.catalog.models import (
    MEASURED_UNITS,
    Category,
    PriceChange,
    Producer,
    ProducerAccount,
    Product,
    SaleUnit,
    Supply,
    VatRate,
)
from cabas.cycles.models import (
    Cycle,
    Offer,
    Order,
    OrderChange,
    OrderLine,
    Phase,
)
from cabas.demo import catalogues, cycles, data, seeding
from cabas.distribution.models import Event
from cabas.ledger.models import Entry, Line

pytestmark = pytest.mark.django_db

# Named people of Saint-Orens who are households too: coordination, tresorerie,
# membre and the two extra coordinators (producteur is a producer only).
NAMED_HOUSEHOLDS_A = 5
NAMED_HOUSEHOLDS_B = 2  # balma (coordinator) and membre.balma


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """The command hashes its one password with whatever hasher is configured; keep tests fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def group(slug: str) -> BuyingGroup:
    return BuyingGroup.objects.get(slug=slug)


def households(slug: str) -> int:
    return Membership.objects.current().with_role(Role.MEMBER).filter(group__slug=slug).count()


def row_counts() -> dict[str, int]:
    models = (
        User,
        EmailAddress,
        BuyingGroup,
        Membership,
        JoinRequest,
        Producer,
        Supply,
        ProducerAccount,
        Product,
        PriceChange,
        Cycle,
        Offer,
        Order,
        OrderLine,
        OrderChange,
        Event,
        Entry,
        Line,
        Announcement,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_default_size_is_the_real_group_near_toulouse():
    output = run()

    saint_orens, balma = group("saint-orens"), group("balma")
    assert households("saint-orens") == 400 + NAMED_HOUSEHOLDS_A
    assert Producer.objects.supplying(saint_orens).count() == 25
    assert households("balma") == 20 + NAMED_HOUSEHOLDS_B
    assert Producer.objects.supplying(balma).count() == 3
    assert "405 foyers / households, 25 producteurs / producers" in output
    products = Product.objects.on_sale_in(saint_orens).count()
    assert 25 * 13 <= products <= 25 * 24
    assert f"{products} produits en vente / products on sale" in output


def test_groups_are_described_in_french():
    run(households=3, producers=2)

    saint_orens, balma = group("saint-orens"), group("balma")
    assert saint_orens.name == "Cabas de Saint-Orens"
    assert saint_orens.requires_approval is True
    assert "samedi" in saint_orens.distribution_info
    assert saint_orens.description
    assert saint_orens.contact_email
    assert balma.name == "Panier de Balma"
    assert balma.requires_approval is False


def test_overrides_set_the_counts():
    run(households=30, producers=16)

    assert households("saint-orens") == 30 + NAMED_HOUSEHOLDS_A
    assert Producer.objects.supplying(group("saint-orens")).count() == 16


@pytest.mark.parametrize(
    ("email", "slug", "roles"),
    [
        ("coordination", "saint-orens", [Role.MEMBER, Role.COORDINATOR]),
        ("tresorerie", "saint-orens", [Role.MEMBER, Role.TREASURER]),
        ("membre", "saint-orens", [Role.MEMBER]),
        ("producteur", "saint-orens", [Role.PRODUCER]),
        ("balma", "balma", [Role.MEMBER, Role.COORDINATOR]),
        ("membre.balma", "balma", [Role.MEMBER]),
    ],
)
def test_fixed_logins_hold_their_roles(email, slug, roles):
    run(households=3, producers=2)

    user = User.objects.get(email=f"{email}@{data.DOMAIN}")
    memberships = list(Membership.objects.current().filter(user=user))
    assert [(m.group.slug, m.roles) for m in memberships] == [(slug, roles)]


def test_admin_and_visitor():
    run(households=3, producers=2)

    admin = User.objects.get(email=f"admin@{data.DOMAIN}")
    visitor = User.objects.get(email=f"visiteur@{data.DOMAIN}")
    assert admin.is_superuser
    assert admin.is_staff
    assert not visitor.is_superuser
    assert not visitor.memberships.exists()


def test_saint_orens_has_three_coordinators_and_a_treasurer():
    run(households=3, producers=2)

    current = Membership.objects.current().filter(group__slug="saint-orens")
    assert current.with_role(Role.COORDINATOR).count() == 3
    assert current.with_role(Role.TREASURER).count() == 1


@pytest.mark.parametrize("login", data.LOGINS, ids=lambda login: login.email.split("@")[0])
def test_every_fixed_login_can_log_in(client, login):
    run(households=3, producers=2)

    user = User.objects.get(email=login.email)
    assert user.full_name == login.full_name
    assert EmailAddress.objects.filter(user=user, email=login.email, primary=True, verified=True).exists()
    assert client.login(email=login.email, password=data.PASSWORD)


def test_generated_people_share_the_password_and_are_verified():
    run(households=10, producers=2)

    crowd = User.objects.filter(email__regex=r"\.\d+@")
    assert crowd.count() == 10
    assert all(user.check_password(data.PASSWORD) for user in crowd)
    assert EmailAddress.objects.filter(user__in=crowd, verified=True, primary=True).count() == 10


def test_generated_people_look_real_and_unique():
    run(households=400, producers=2)

    crowd = User.objects.filter(memberships__group__slug="saint-orens", email__regex=r"\.\d+@")
    names = list(crowd.values_list("full_name", flat=True))
    assert len(names) == 400
    assert len(set(names)) == 400
    assert all(" " in name for name in names)
    emails = crowd.values_list("email", flat=True)
    assert all(re.fullmatch(r"[a-z-]+\.[a-z-]+\.\d+@demo\.cabas\.localhost", email) for email in emails)
    phones = [phone for phone in crowd.values_list("phone", flat=True) if phone]
    assert 100 < len(phones) < 400
    assert all(phone[:2] in {"06", "07"} and len(phone) == 14 for phone in phones)


def test_emails_are_unique_case_insensitively():
    run(households=50, producers=2)

    duplicates = User.objects.values(low=Lower("email")).annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    assert User.objects.filter(email__endswith=f"@{data.DOMAIN}").count() == User.objects.count()


def test_the_two_groups_share_no_membership():
    run(households=30, producers=3)

    in_a = set(Membership.objects.filter(group__slug="saint-orens").values_list("user_id", flat=True))
    in_b = set(Membership.objects.filter(group__slug="balma").values_list("user_id", flat=True))
    assert in_a
    assert in_b
    assert not in_a & in_b


def test_every_producer_supplies_a_group():
    run(households=3, producers=30)

    assert Producer.objects.count() == 30 + 3
    assert not Producer.objects.filter(supplies__isnull=True).exists()
    assert Supply.objects.filter(ended_at__isnull=True).count() == 33
    balma_producers = set(Producer.objects.supplying(group("balma")))
    assert not balma_producers & set(Producer.objects.supplying(group("saint-orens")))


def test_producers_cycle_through_the_product_ranges():
    specs = seeding.producer_specs(28)

    assert len({spec.slug for spec in specs}) == 28
    assert len({spec.name for spec in specs}) == 28
    ranges = data.PRODUCT_RANGES
    for index, spec in enumerate(specs):
        assert spec.speciality in ranges[index % len(ranges)].specialities
        assert spec.town in data.TOWNS


def test_pending_join_requests_wait_for_a_coordinator():
    run(households=3, producers=2)

    pending = JoinRequest.objects.pending().filter(group__slug="saint-orens")
    assert pending.count() == seeding.Sizes().join_requests
    assert pending.exclude(message="").exists()
    members = Membership.objects.current().filter(group__slug="saint-orens").values("user_id")
    assert not pending.filter(user_id__in=members).exists()


def test_the_demo_group_has_news_for_its_members():
    run(households=10, producers=5)
    news = Announcement.objects.shown().filter(group__slug="saint-orens")
    assert news.count() == 3
    assert not news.filter(emailed_at__isnull=False).exists()  # a demo e-mails nobody


def test_running_twice_changes_nothing():
    run(households=30, producers=16)
    before = row_counts()

    run(households=30, producers=16)

    assert row_counts() == before


def test_a_larger_run_adds_only_what_is_missing():
    run(households=10, producers=5)
    first_emails = set(User.objects.values_list("email", flat=True))

    run(households=25, producers=20)

    assert households("saint-orens") == 25 + NAMED_HOUSEHOLDS_A
    assert Producer.objects.supplying(group("saint-orens")).count() == 20
    assert first_emails <= set(User.objects.values_list("email", flat=True))


def test_a_decided_request_is_not_asked_again():
    run(households=3, producers=2)
    coordinator = User.objects.get(email=f"coordination@{data.DOMAIN}")
    request = JoinRequest.objects.pending().filter(group__slug="saint-orens").first()
    services.approve_join_request(join_request=request, by=coordinator)

    run(households=3, producers=2)

    assert not JoinRequest.objects.pending().filter(user=request.user).exists()
    assert Membership.objects.current().filter(user=request.user).count() == 1


def test_existing_rows_are_left_as_they_are():
    run(households=3, producers=2)
    membre = User.objects.get(email=f"membre@{data.DOMAIN}")
    services.update_profile(user=membre, full_name="Marie D.", phone="", language="en")

    run(households=3, producers=2)

    membre.refresh_from_db()
    assert membre.full_name == "Marie D."


def test_output_lists_the_logins_and_the_password():
    output = run(households=3, producers=2)

    for login in data.LOGINS:
        assert login.email in output
    assert data.PASSWORD in output
    bakery = Producer.objects.get(accounts__user__email=data.PRODUCER_LOGIN_EMAIL)
    assert f"gère / manages « {bakery.name} »" in output
    assert len(output.splitlines()) < 20


def test_quiet_with_verbosity_zero():
    assert run(households=3, producers=2, verbosity=0) == ""


@pytest.mark.parametrize("options", [{"size": 0}, {"households": -1}, {"producers": -2}])
def test_refuses_nonsense_sizes(options):
    with pytest.raises(CommandError):
        run(**options)
    assert not BuyingGroup.objects.exists()


def test_elision():
    assert seeding.elide("Huilerie de Encastel") == "Huilerie d'Encastel"
    assert seeding.elide("Les Pains de Auterive") == "Les Pains d'Auterive"
    assert seeding.elide("Moulin de Montbrun") == "Moulin de Montbrun"


# --- Producers' details and catalogues ------------------------------------------------


def iban_is_valid(iban: str) -> bool:
    """ISO 13616, written independently of the seeder: move the country and check digits last, mod 97."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def product_data(product: Product) -> dict:
    fields = ("name", *Product.UNIT_FIELDS, "quantity_step", "min_quantity", "carton_size")
    return {
        **{field: getattr(product, field) for field in fields},
        "variable_weight": product.variable_weight,
        "estimated_weight_grams": product.estimated_weight_grams,
    }


def test_every_producer_has_about_twenty_products():
    run(households=3, producers=30)

    counts = dict(Producer.objects.annotate(n=Count("products")).values_list("slug", "n"))
    assert len(counts) == 30 + 3
    assert all(15 <= n <= 24 for n in counts.values()), counts
    assert len(set(counts.values())) > 4  # they vary
    assert 18 <= sum(counts.values()) / len(counts) <= 22


def test_every_seeded_product_follows_the_catalogue_rules():
    run(households=3, producers=len(data.PRODUCT_RANGES))

    products = list(Product.objects.all())
    assert len(products) > 300
    for product in products:
        errors = validation.product_errors(
            product_data(product), producer_id=product.producer_id, exclude_pk=product.pk
        )
        assert errors == {}, (product.producer.name, product.name, errors)
        product.full_clean()  # choices, lengths and the database constraints


@pytest.mark.parametrize("key", sorted(catalogues.CATALOGUES))
def test_every_catalogue_item_follows_the_catalogue_rules(key):
    """All items, not only those the seeded producers happened to draw."""
    kind = catalogues.CATALOGUES[key]
    rng = seeding.random.Random(0)
    for text in kind.products:
        product = seeding._product_spec(text, kind, "AB", rng).product(producer_id=0, now=timezone.now())
        assert validation.product_errors(product_data(product), producer_id=0) == {}, text.name
        product.clean_fields(exclude=["producer"])  # choices and lengths


def test_products_fit_their_units():
    run(households=3, producers=len(data.PRODUCT_RANGES))

    products = Product.objects.all()
    assert not products.filter(unit__in=list(MEASURED_UNITS), content__isnull=False).exists()
    assert not products.filter(content__isnull=False, content_unit="").exists()
    variable = products.filter(variable_weight=True)
    assert variable.count() >= 10
    assert all(p.unit == SaleUnit.PIECE and p.estimated_weight_grams > 0 for p in variable)
    chicken = Product.objects.get(name="Poulet fermier entier")
    assert chicken.variable_weight
    assert 1300 <= chicken.price_cents <= 1700  # per kg
    assert 1500 <= chicken.estimated_weight_grams <= 2200
    cartons = products.filter(carton_size__isnull=False)
    assert cartons.count() >= 20
    assert {6000, 12000, 24000} <= set(cartons.values_list("carton_size", flat=True))
    assert products.filter(unit=SaleUnit.KG, quantity_step=500).exists()  # by the half kilo
    assert products.filter(min_quantity__gt=F("quantity_step")).exists()


def test_prices_and_vat_look_french():
    run(households=3, producers=len(data.PRODUCT_RANGES))

    products = Product.objects.all()
    assert all(20 <= price <= 6000 for price in products.values_list("price_cents", flat=True))
    assert not products.filter(category=Category.COSMETICS).exclude(vat_rate=VatRate.STANDARD).exists()
    wine = Producer.objects.filter(products__name="Rouge tradition 75 cl").get()
    assert wine.products.filter(vat_rate=VatRate.STANDARD).count() > wine.products.count() // 2
    for category in (Category.BREAD, Category.FLOUR, Category.MEAT, Category.POULTRY, Category.HONEY):
        assert not products.filter(category=category).exclude(vat_rate=VatRate.REDUCED).exists(), category
    bread = Product.objects.get(name="Pain complet 1 kg")
    assert bread.category == Category.BREAD
    assert 470 <= bread.price_cents <= 570
    assert products.filter(labels__contains="AB").count() > products.count() // 2
    assert products.filter(labels__contains="Nature & Progrès").exists()
    assert products.exclude(description="").count() > products.count() // 4


def test_a_few_products_are_archived():
    run(households=3, producers=20)

    for producer in Producer.objects.all():
        archived = producer.products.filter(is_active=False)
        assert 1 <= archived.count() <= 2, producer
        assert not archived.filter(archived_at__isnull=True).exists()
    assert not Product.objects.filter(is_active=True, archived_at__isnull=False).exists()
    assert PriceChange.objects.exists()
    assert not PriceChange.objects.filter(product__is_active=False).exists()


def test_producers_have_contact_and_payment_details():
    run(households=3, producers=50)

    producers = list(Producer.objects.all())
    for producer in producers:
        producer.full_clean()
        assert re.fullmatch(r"(31|81|32|11|82)\d{3}", producer.postcode), producer.postcode
        assert producer.address
        assert producer.farming_practice
        assert producer.contact_email.endswith(f"@{data.DOMAIN}")
        assert re.fullmatch(r"0[5-7]( \d\d){4}", producer.contact_phone), producer.contact_phone
        assert producer.accepts_cash or producer.accepts_cheque or producer.accepts_transfer
        assert bool(producer.cheque_payable_to) == producer.accepts_cheque
        assert bool(producer.iban) == producer.accepts_transfer
        if producer.iban:
            assert re.fullmatch(r"FR\d{25}", producer.iban), producer.iban
            assert iban_is_valid(producer.iban), producer.iban
    assert sum(p.accepts_cheque for p in producers) > len(producers) * 0.75
    assert sum(p.accepts_cash for p in producers) > len(producers) * 0.75
    assert 5 <= sum(p.accepts_transfer for p in producers) < len(producers) // 2
    payees = [p.cheque_payable_to for p in producers]
    assert any(payee.startswith("EARL ") for payee in payees)
    assert any(payee.startswith("GAEC ") for payee in payees)
    assert sum("AB" in p.labels for p in producers) > len(producers) // 2
    assert any("Nature & Progrès" in p.labels for p in producers)
    assert any(p.payment_notes for p in producers)


def test_generated_ibans_pass_mod_97():
    rng = seeding.random.Random(1)
    ibans = {seeding.french_iban(rng) for _ in range(500)}
    assert len(ibans) == 500
    assert all(len(iban) == 27 and iban_is_valid(iban) for iban in ibans)


def test_iban_and_rib_keys_match_published_examples():
    # The French IBAN of the ISO 13616 / ECBS examples: FR76 3000 6000 0112 3456 7890 189.
    assert seeding.rib_key("30006", "00001", "12345678901") == "89"
    assert seeding.iban_check_digits("FR", "30006000011234567890189") == "76"
    assert seeding.iban_check_digits("FR", "20041010050500013M02606") == "14"


def test_producer_login_manages_the_bakery(client):
    run(households=3, producers=5)

    user = User.objects.get(email=data.PRODUCER_LOGIN_EMAIL)
    bakery = Producer.objects.managed_by(user).get()
    assert bakery.slug == seeding.producer_specs(1)[0].slug
    assert bakery in Producer.objects.supplying(group("saint-orens"))
    assert bakery.products.filter(category=Category.BREAD).count() >= 10
    assert ProducerAccount.objects.count() == 1  # the others stay managed by the coordinators

    client.login(email=data.PRODUCER_LOGIN_EMAIL, password=data.PASSWORD)
    response = client.get("/producers/", follow=True)
    assert response.redirect_chain[-1][0] == bakery.get_absolute_url()
    assert response.status_code == 200
    assert bakery.products.filter(is_active=True).first().name in response.content.decode()


def test_catalogue_of_a_producer_does_not_depend_on_the_size():
    small, large = seeding.producer_specs(3), seeding.producer_specs(40)

    assert small == large[:3]
    assert seeding.catalogue(small[2]) == seeding.catalogue(large[2])


def test_a_larger_run_adds_only_the_new_producers_catalogues():
    run(households=3, producers=5)
    bakery = Producer.objects.get(accounts__isnull=False)
    renamed = bakery.products.filter(is_active=True).first()
    original_name = renamed.name
    renamed.name = "Pain renommé par le boulanger"
    renamed.save()
    bakery.products.filter(is_active=False).delete()
    before = set(Product.objects.values_list("id", flat=True))
    kept = bakery.products.count()

    run(households=3, producers=20)

    assert before <= set(Product.objects.values_list("id", flat=True))
    assert bakery.products.count() == kept  # the baker's changes survive
    assert not bakery.products.filter(name=original_name).exists()
    added = Product.objects.exclude(id__in=before)
    assert added.values("producer").distinct().count() == 15
    assert not Producer.objects.filter(products__isnull=True).exists()


def test_the_catalogue_tables_are_consistent():
    keys = {product_range.key for product_range in data.PRODUCT_RANGES}
    keys |= {text.range_key for text in data.BALMA_PRODUCERS}
    assert keys <= set(catalogues.CATALOGUES)
    for key, kind in catalogues.CATALOGUES.items():
        names = [text.name.lower() for text in kind.products]
        assert len(names) == len(set(names)), key
        assert len(kind.products) >= seeding.PRODUCTS_PER_PRODUCER[0], key
        assert set(kind.staples) <= {text.name for text in kind.products}, key
        assert len(kind.staples) <= seeding.PRODUCTS_PER_PRODUCER[0] - 2, key
    assert set(data.TOWNS) <= set(data.TOWN_POSTCODES)
    assert {text.town for text in data.BALMA_PRODUCERS} <= set(data.TOWN_POSTCODES)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("500 g", (500, "g")),
        ("1 kg", (1000, "g")),
        ("75 cl", (750, "ml")),
        ("1,5 l", (1500, "ml")),
        ("", (None, "")),
    ],
)
def test_parse_size(size, expected):
    assert seeding.parse_size(size) == expected


# --- Cycles and baskets ----------------------------------------------------------------------

# Enough households for 150 baskets a cycle, and the real number of producers.
CYCLE_SIZE = {"households": 200, "producers": 25}


def demo_cycles() -> dict[Phase, Cycle]:
    """The distributed, closed and open cycles (the one in the middle of its day: ``day_cycle``;
    those whose day was played for their money: ``settlement_cycles``)."""
    rows = (
        Cycle.objects.filter(group__slug="saint-orens")
        .exclude(finalised_at__isnull=False, distributed_at=None)
        .exclude(pk__in=[cycle.pk for cycle in settlement_cycles()])
        .exclude(pk__in=[cycle.pk for cycle in history_cycles()])
        .exclude(published_at__isnull=True)  # the next cycle, a draft (``next_cycle``)
    )
    by_phase = {cycle.phase(): cycle for cycle in rows}
    assert len(by_phase) == rows.count() == 3
    return by_phase


def settlement_cycles() -> list[Cycle]:
    """The cycle waiting for its settlement and the settled one (their day played to the end)."""
    played = Event.objects.values("cycle")
    return list(
        Cycle.objects.filter(group__slug="saint-orens", distributed_at__isnull=False, pk__in=played)
        .select_related("group")
        .order_by("distribution_date")
    )


def history_cycles() -> list[Cycle]:
    """The two years of older cycles, settled long ago without a day played (statistics only)."""
    played = Event.objects.values("cycle")
    return list(
        Cycle.objects.filter(group__slug="saint-orens", settled_at__isnull=False)
        .exclude(pk__in=played)
        .order_by("distribution_date")
    )


def day_cycle() -> Cycle:
    return Cycle.objects.select_related("group").get(
        group__slug="saint-orens", finalised_at__isnull=False, distributed_at=None
    )


def first_come_sold(offer: Offer) -> int:
    return offer.lines.aggregate(sold=Sum("quantity"))["sold"] or 0


def test_the_same_seed_gives_the_same_baskets():
    def baskets() -> list[tuple]:
        lines = OrderLine.objects.filter(order__cycle__group__slug="saint-orens")
        return sorted(
            lines.values_list(
                "order__cycle__name", "order__user__email", "offer__product__name", "quantity", "requested"
            )
        )

    with transaction.atomic():
        run(households=60, producers=10)
        first = baskets()
        transaction.set_rollback(True)
    assert not Cycle.objects.exists()

    run(households=60, producers=10)
    assert baskets() == first
    assert len(first) > 300


def test_small_groups_get_cycles_too():
    run(households=3, producers=2)

    for cycle in demo_cycles().values():
        assert 1 <= cycle.orders.count() <= 3 + NAMED_HOUSEHOLDS_A
        assert all(order.lines.exists() for order in cycle.orders.all())


def test_no_cycle_without_products_until_there_are():
    run(households=3, producers=0)
    assert not Cycle.objects.exists()

    run(households=3, producers=2)
    assert len(demo_cycles()) == 3


@pytest.mark.parametrize(
    ("days", "names"),
    [
        (
            (date(2026, 9, 26), date(2026, 12, 5), date(2026, 12, 12)),
            ["Cabas de septembre", "Cabas du 5 décembre", "Cabas du 12 décembre"],
        ),
        (
            (date(2026, 2, 7), date(2026, 4, 4), date(2026, 4, 18)),
            ["Cabas de février", "Cabas du 4 avril", "Cabas du 18 avril"],
        ),
        (
            (date(2026, 6, 6), date(2026, 8, 1), date(2026, 10, 10)),
            ["Cabas de juin", "Cabas d'août", "Cabas d'octobre"],
        ),
        ((date(2026, 3, 1), date(2026, 3, 7)), ["Cabas du 1er mars", "Cabas du 7 mars"]),
    ],
)
def test_cycle_names_follow_the_distribution_month(days, names):
    assert cycles.cycle_names(days) == names
    assert all(cycles.is_demo_name(name) for name in names)


def test_coordinators_names_are_not_demo_names():
    for name in ("Cabas de Noël", "Cabas de mars (copie)", "Cabas spécial", "cabas de mars"):
        assert not cycles.is_demo_name(name)


@pytest.mark.parametrize("offset", range(7))
def test_distributions_fall_on_saturdays(offset):
    day = date(2026, 11, 23) + timedelta(days=offset)
    assert cycles.nearest_saturday(day).weekday() == 5
    assert abs((cycles.nearest_saturday(day) - day).days) <= 3
    assert 0 <= (cycles.next_saturday(day) - day).days <= 6
    assert cycles.next_saturday(day).weekday() == 5


def test_open_cycle_is_open_whatever_the_hour():
    base = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for hour in (0, 7, 8, 12, 20, 23):
        now = base + timedelta(hours=hour, minutes=30)
        plans = {plan.key: plan for plan in cycles.cycle_plans(now, 150)}
        assert plans["open"].opens_at <= now < plans["open"].closes_at
        assert plans["closed"].closes_at <= now
        assert plans["past"].distributed_at <= now
        assert timezone.localdate(plans["closed"].closes_at) <= plans["closed"].distribution_date


def test_the_task_worker_has_nothing_to_send_at_start(django_capture_on_commit_callbacks, mailoutbox):
    """Every e-mail the seeded story would have sent was sent long ago: the demo's fake
    addresses get nothing when ``bin/demo`` starts its worker."""
    with django_capture_on_commit_callbacks(execute=True):
        run(households=30, producers=4)
    assert [message.subject for message in mailoutbox] == []
