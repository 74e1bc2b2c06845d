"""Importing a whole group from Solalim: the sample database made by Solalim itself, on both
databases, checked to the cent against its summary; and a small Solalim-shaped database built
here by SQL for the oddities a real one has."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cabas.accounts.models import BuyingGroup, JoinRequest, Membership, User
from cabas.catalog.models import Producer, ProducerAccount, Product
from cabas.cycles.models import Cycle, Offer, Order, OrderLine, Phase
from cabas.imports import applying, source
from cabas.imports.models import ImportedRecord, SolalimImport
from cabas.imports.solalim import build_plan
from cabas.lib.money import format_cents

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "solalim"
SAMPLE = SHARED / "solalim-sample.sqlite3"
PASSWORD = "bench-pass-2024"
PBKDF2 = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def sample_path() -> Path:
    # CI copies the shared folder beside the clone: a missing sample is a failure, not a skip.
    assert SAMPLE.is_file(), f"The Solalim sample is missing: {SAMPLE}"
    return SAMPLE


def cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker):
    """The sample imported once for the module: the dry run's report, then the real import."""
    data = source.read(str(sample_path()))
    with django_db_blocker.unblock():
        dry = build_plan(data, origin="solalim").report()
        stored = applying.apply(build_plan(data, origin="solalim"), source=str(SAMPLE))
        yield {"data": data, "dry": dry, "stored": stored}
        call_command("flush", interactive=False, verbosity=0)


def expected_purchases(data: source.Solalim) -> dict[tuple[int, str], int]:
    """Per delivery and buyer's e-mail, the cents Solalim's purchases come to (each line rounded)."""
    products = {p["id"]: p for p in data.products}
    emails = {u["id"]: (u["email"] or u["username"]).lower() for u in data.users}
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for purchase in data.purchases:
        product = products[purchase["product_id"]]
        totals[(product["delivery_id"], emails[purchase["user_id"]])] += cents(
            purchase["quantity"] * product["price"]
        )
    return totals


def cabas_lines_by_delivery() -> dict[tuple[int, str], int]:
    """The same figures read back from Cabas: lines of the offers made from each delivery's products."""
    offer_product = {
        pk: int(key[1:].split(":")[0])
        for key, pk in ImportedRecord.objects.filter(kind="offer").values_list("key", "object_id")
    }
    totals: dict[tuple[int, str], int] = defaultdict(int)
    delivery_of = {}
    for line in OrderLine.objects.values("offer_id", "order__user__email", "total_cents"):
        delivery_of.setdefault(line["offer_id"], offer_product[line["offer_id"]])
        totals[(delivery_of[line["offer_id"]], line["order__user__email"])] += line["total_cents"]
    return totals


@pytest.mark.django_db
def test_every_delivery_and_member_total_matches_to_the_cent(sample) -> None:
    summary = json.loads((SHARED / "summary.json").read_text())
    data = sample["data"]
    delivery_of_product = {p["id"]: p["delivery_id"] for p in data.products}
    by_product = cabas_lines_by_delivery()
    per_delivery: dict[int, dict[str, int]] = defaultdict(lambda: {"total": 0, "lines": 0})
    buyers: dict[int, set[str]] = defaultdict(set)
    for (product_id, email), total in by_product.items():
        delivery = delivery_of_product[product_id]
        per_delivery[delivery]["total"] += total
        buyers[delivery].add(email)
    names = {d["id"]: d["name"] for d in data.deliveries}
    for row in summary["per_delivery"]:
        delivery = next(pk for pk, name in names.items() if name == row["delivery"])
        if row["state"] == "A":  # a delivery in preparation takes no orders: its purchase is left out
            assert delivery not in per_delivery
            continue
        assert per_delivery[delivery]["total"] == row["total_cents"], row["delivery"]
        assert len(buyers[delivery]) == row["buyers"], row["delivery"]
    # Every member's total in every delivery, against Solalim's purchases.
    expected = expected_purchases(data)
    got: dict[tuple[int, str], int] = defaultdict(int)
    for (product_id, email), total in by_product.items():
        got[(delivery_of_product[product_id], email)] += total
    states = {d["id"]: d["state"] for d in data.deliveries}
    assert got == {key: total for key, total in expected.items() if states[key[0]] != "A"}


@pytest.mark.django_db
def test_counts_match_the_dry_run(sample) -> None:
    counts = sample["dry"]["counts"]
    summary = json.loads((SHARED / "summary.json").read_text())
    assert User.objects.count() == counts["user"]["total"] == summary["users"]
    assert Producer.objects.count() == counts["producer"]["total"] == 25
    assert Product.objects.count() == counts["product"]["total"]
    assert Offer.objects.count() == counts["offer"]["total"] == summary["products"] - 1  # the one priced 0
    assert OrderLine.objects.count() == counts["line"]["total"] == summary["purchases"] - 1
    assert Order.objects.count() == counts["order"]["total"]
    assert sample["stored"].report["counts"] == counts


@pytest.mark.django_db
def test_groups_roles_and_phases(sample) -> None:
    group = BuyingGroup.objects.get()
    assert group.name == "Cabas Ramonville"
    staff = Membership.objects.get(user__email="staff@bench.invalid")
    assert staff.is_coordinator and staff.is_member and not staff.is_producer
    assert not User.objects.get(email="admin@bench.invalid").is_superuser
    producer = Producer.objects.get(accounts__user__email="producer01@bench.invalid")
    assert Membership.objects.get(user__email="producer01@bench.invalid").is_producer
    assert producer.supplies.filter(group=group).exists()
    ended = Membership.objects.get(user__email="member399@bench.invalid")
    assert ended.ended_at is not None and ended.started_at <= ended.ended_at
    assert User.objects.filter(email="member400@bench.invalid").exists()
    phases = sorted(str(c.phase()) for c in Cycle.objects.all())
    assert phases == sorted(["distributed"] * 3 + ["open", "draft"])
    codes = {n["code"] for n in sample["stored"].report["notes"]}
    assert {"no_email_username", "ended_before_start", "off_step", "zero_price_product"} <= codes
    assert "purchase_in_preparation" in codes
    odd = OrderLine.objects.get(
        order__user__email="staff@bench.invalid", offer__name="Poireaux", quantity=650
    )
    assert odd.total_cents == cents(Decimal("0.65") * odd.offer.price_cents / 100)


@pytest.mark.django_db
def test_a_member_logs_in_with_the_old_password_and_sees_past_baskets(sample, client, settings) -> None:
    settings.PASSWORD_HASHERS = PBKDF2
    response = client.post(
        reverse("account_login"), {"login": "member001@bench.invalid", "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    user = User.objects.get(email="member001@bench.invalid")
    assert int(client.session["_auth_user_id"]) == user.pk
    page = client.get(reverse("order_history", args=[BuyingGroup.objects.get().slug])).content.decode()
    past = Order.objects.filter(user=user, cycle__distributed_at__isnull=False)
    assert past.exists()
    for order in past:
        assert format_cents(order.total_cents()) in page


@pytest.mark.django_db
def test_running_again_updates_and_duplicates_nothing(sample) -> None:
    before = {
        m: m.objects.count() for m in (User, Membership, Producer, Product, Cycle, Offer, Order, OrderLine)
    }
    out = StringIO()
    call_command("import_solalim", str(SAMPLE), stdout=out)
    assert {m: m.objects.count() for m in before} == before
    report = SolalimImport.objects.first().report
    assert all(c["new"] == 0 for c in report["counts"].values())


@pytest.mark.django_db
def test_dry_run_writes_nothing(sample) -> None:
    out = StringIO()
    lines = OrderLine.objects.count()
    imports = SolalimImport.objects.count()
    call_command("import_solalim", str(SAMPLE), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and "Livraison en préparation" in out.getvalue()
    assert (OrderLine.objects.count(), SolalimImport.objects.count()) == (lines, imports)


@pytest.mark.django_db
def test_report_page_for_the_site_admin_only(sample, client) -> None:
    url = reverse("solalim_import_report")
    assert client.get(url).status_code == 302
    client.force_login(User.objects.get(email="staff@bench.invalid"))
    assert client.get(url).status_code == 403
    client.force_login(User.objects.create_superuser("root@example.org", "x"))
    page = client.get(url).content.decode()
    assert "Cabas Ramonville" in page and "Panier offert" in page


# --- The sample, read from PostgreSQL --------------------------------------------------------

PG_TYPES = {
    "integer": "bigint",
    "bool": "boolean",
    "datetime": "timestamptz",
    "decimal": "numeric",
    "date": "date",
}


def copy_to_postgres(sqlite_path: Path, url: str) -> None:
    """Copy Solalim's tables into an empty PostgreSQL database with plain SQL."""
    import psycopg

    lite = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    with psycopg.connect(url, autocommit=True) as pg:
        for table in source.TABLES.values():
            columns = lite.execute(f'PRAGMA table_info("{table}")').fetchall()
            types = [PG_TYPES.get(c[2].split("(")[0].lower(), "text") for c in columns]
            ddl = ", ".join(f'"{c[1]}" {t}' for c, t in zip(columns, types, strict=True))
            pg.execute(f'CREATE TABLE "{table}" ({ddl})')
            rows = lite.execute(f'SELECT * FROM "{table}"').fetchall()
            casts = [bool if t == "boolean" else (lambda v: v) for t in types]
            marks = ", ".join(["%s"] * len(columns))
            with pg.cursor() as cursor:
                cursor.executemany(
                    f'INSERT INTO "{table}" VALUES ({marks})',
                    [
                        [None if v is None else cast(v) for v, cast in zip(row, casts, strict=True)]
                        for row in rows
                    ],
                )
    lite.close()


def postgres_server() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.rsplit("/", 1)[0]
    try:
        import psycopg

        psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
    except Exception:
        return None
    return "postgres://postgres@127.0.0.1:5432"


@pytest.mark.django_db
def test_the_sample_read_from_postgresql_gives_the_same_import(sample) -> None:
    server = postgres_server()
    if server is None:  # on a PostgreSQL run (CI's second) the server is there: this never skips
        pytest.skip("no PostgreSQL server to copy the sample into")
    import psycopg

    name = f"solalim_src_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        copy_to_postgres(sample_path(), f"{server}/{name}")
        from_pg = build_plan(source.read(f"{server}/{name}"), origin="solalim")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    from_sqlite = build_plan(sample["data"], origin="solalim")
    assert from_pg.report() == from_sqlite.report()
    assert from_pg.totals == from_sqlite.totals
    assert from_pg.rows["user"] == from_sqlite.rows["user"]  # password hashes included


# --- A small Solalim-shaped database with the oddities ---------------------------------------

SCHEMA = """
CREATE TABLE floreal_network (id integer PRIMARY KEY, slug varchar(50), name varchar(256),
  auto_validate bool, active bool, description text, short_description text);
CREATE TABLE floreal_networksubgroup (id integer PRIMARY KEY, slug varchar(50), name varchar(32),
  network_id integer);
CREATE TABLE auth_user (id integer PRIMARY KEY, password varchar(128), is_superuser bool,
  username varchar(150),
  first_name varchar(150), last_name varchar(150), email varchar(254), is_staff bool, is_active bool,
  date_joined timestamp);
CREATE TABLE floreal_florealuser (id integer PRIMARY KEY, user_id integer, phone varchar(20),
  pseudonym varchar(150));
CREATE TABLE floreal_networkmembership (id integer PRIMARY KEY, is_staff bool, is_subgroup_staff bool,
  is_producer bool, is_buyer bool, is_candidate bool, valid_from timestamp, valid_until timestamp,
  network_id integer, subgroup_id integer, user_id integer);
CREATE TABLE floreal_delivery (id integer PRIMARY KEY, slug varchar(50), name varchar(256), state varchar(1),
  freeze_date date, distribution_date date, network_id integer, producer_id integer, creation_date timestamp);
CREATE TABLE floreal_product (id integer PRIMARY KEY, name varchar(256), price decimal(6,2),
  quantity_per_package integer, unit varchar(256), quantity_limit integer, unit_weight decimal(6,3),
  quantum decimal(5,2), description text, delivery_id integer);
CREATE TABLE floreal_purchase (id integer PRIMARY KEY, quantity decimal(6,3), created timestamp,
  modified timestamp, product_id integer, user_id integer);
"""
T = "'2026-01-05 10:00:00'"
ROWS = f"""
INSERT INTO floreal_network VALUES
  (1, 'amap', 'AMAP du Lauragais', FALSE, TRUE, NULL, 'Deux points de retrait');
INSERT INTO floreal_networksubgroup VALUES (1, 'nord', 'Nord', 1), (2, 'sud', 'Sud', 1);
INSERT INTO auth_user VALUES
  (1, 'pbkdf2_sha256$1$x$y', FALSE, 'chef', 'Claire', 'Chef', 'chef@example.org', FALSE, TRUE, {T}),
  (2, 'pbkdf2_sha256$1$x$y', FALSE, 'nord1', 'Noé', 'Nord', 'nord@example.org', FALSE, TRUE, {T}),
  (3, 'pbkdf2_sha256$1$x$y', FALSE, 'sud1', 'Sam', 'Sud', 'sud@example.org', FALSE, TRUE, {T}),
  (4, 'pbkdf2_sha256$1$x$y', FALSE, 'twin', 'Sam', 'Bis', 'SUD@example.org', FALSE, TRUE, {T}),
  (5, 'pbkdf2_sha256$1$x$y', FALSE, 'nomail', 'Sans', 'Adresse', '', FALSE, TRUE, {T}),
  (6, 'pbkdf2_sha256$1$x$y', FALSE, 'ferme', 'Ferme', 'du Coin', 'ferme@example.org', FALSE, TRUE, {T}),
  (7, 'pbkdf2_sha256$1$x$y', FALSE, 'cand', 'Cand', 'Idate', 'cand@example.org', FALSE, TRUE, {T}),
  (8, 'md5$legacy', FALSE, 'ghost', 'Jamais', 'Là', 'ghost@example.org', FALSE, TRUE, {T}),
  (9, '!', FALSE, 'nobody', 'Per', 'Sonne', '', FALSE, TRUE, {T});
INSERT INTO floreal_florealuser VALUES (1, 2, '06 00 00 00 02', NULL);
INSERT INTO floreal_networkmembership VALUES
  (1, TRUE, FALSE, FALSE, TRUE, FALSE, {T}, NULL, 1, 1, 1),
  (2, FALSE, FALSE, FALSE, TRUE, FALSE, {T}, NULL, 1, 1, 2),
  (3, FALSE, FALSE, FALSE, TRUE, FALSE, {T}, NULL, 1, 2, 3),
  (4, FALSE, FALSE, FALSE, TRUE, FALSE, {T}, NULL, 1, 2, 4),
  (5, FALSE, FALSE, TRUE, FALSE, FALSE, {T}, NULL, 1, NULL, 6),
  (6, FALSE, FALSE, FALSE, TRUE, TRUE, {T}, NULL, 1, 2, 7),
  (7, FALSE, FALSE, FALSE, FALSE, FALSE, {T}, NULL, 1, 1, 8);
INSERT INTO floreal_delivery VALUES
  (1, 'd1', 'Légumes de mars', 'D', '2026-03-01', '2026-03-04', 1, 6, {T}),
  (2, 'd2', 'Pain de mars', 'E', '2026-03-01', '2026-03-04', 1, NULL, {T}),
  (3, 'd3', 'Légumes de mai', 'C', NULL, '2026-05-04', 1, 6, {T});
INSERT INTO floreal_product VALUES
  (1, 'Carottes', 2.35, NULL, 'kg', NULL, 1, 0.5, NULL, 1),
  (2, 'Carottes', 3.10, NULL, '500g', NULL, 0.5, 1, NULL, 1),
  (3, 'Miche', 4.05, 7, 'pièce', 10, 1, 2, NULL, 2),
  (4, 'Carottes', 2.45, NULL, 'kg', NULL, 1, 0.5, NULL, 3);
INSERT INTO floreal_purchase VALUES
  (1, 1.5, {T}, {T}, 1, 2),
  (2, 1, {T}, {T}, 2, 3),
  (3, 2, {T}, {T}, 2, 4),
  (4, 0, {T}, {T}, 1, 3),
  (5, 2, {T}, {T}, 3, NULL),
  (6, 4, {T}, {T}, 3, 5),
  (7, 12, {T}, {T}, 3, 2),
  (8, 0.75, {T}, {T}, 4, 3);
"""


@pytest.fixture
def odd_source(tmp_path) -> str:
    path = tmp_path / "odd.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA + ROWS)
    db.close()
    return str(path)


@pytest.mark.django_db
def test_oddities_of_a_generated_solalim_database(odd_source) -> None:
    out = StringIO()
    call_command("import_solalim", odd_source, "--origin", "lauragais", stdout=out)
    groups = {g.name: g for g in BuyingGroup.objects.filter(name__startswith="AMAP")}
    # One group per subgroup, and one for those in none (the producer, a buyer without membership).
    assert set(groups) == {"AMAP du Lauragais", "AMAP du Lauragais — Nord", "AMAP du Lauragais — Sud"}
    nord, sud = groups["AMAP du Lauragais — Nord"], groups["AMAP du Lauragais — Sud"]
    assert Membership.objects.get(user__email="ferme@example.org").group == groups["AMAP du Lauragais"]
    # Network staff coordinate every subgroup's group; the subgroup member only theirs.
    chef = User.objects.get(email="chef@example.org")
    assert Membership.objects.get(user=chef, group=sud).is_coordinator
    assert Membership.objects.get(user=chef, group=nord).is_member
    # Two accounts with one address are one person, their purchases added up.
    assert User.objects.filter(email="sud@example.org").count() == 1
    twin_line = OrderLine.objects.get(order__user__email="sud@example.org", offer__name="Carottes (500g)")
    assert twin_line.quantity == 3000 and twin_line.total_cents == 930
    assert twin_line.offer.unit_label == "pièce de 500 g"
    # Without an address and a usable user name: a placeholder address, history kept.
    placeholder = User.objects.get(full_name="Sans Adresse")
    assert placeholder.email.endswith("@lauragais.invalid")
    assert not User.objects.filter(full_name="Per Sonne").exists()  # no address, no role, no purchase
    assert not Membership.objects.filter(
        user__email="ghost@example.org"
    ).exists()  # a membership without role
    assert JoinRequest.objects.get(user__email="cand@example.org", group=sud).status == "pending"
    # The bread delivery has no producer left: one named after it; carton 7 does not fit a step of 2.
    bread = Producer.objects.get(name="Pain de mars")
    miche = Product.objects.get(producer=bread)
    assert (miche.quantity_step, miche.carton_size) == (2000, None)
    assert not ProducerAccount.objects.filter(producer=bread).exists()
    # One cycle per group and date; states D and E mixed → finalised (the least advanced).
    march = Cycle.objects.get(group=nord, distribution_date="2026-03-04")
    assert march.phase() == Phase.FINALISED
    assert Cycle.objects.get(group=sud, distribution_date="2026-05-04").phase() == Phase.CLOSED
    assert Order.objects.get(cycle=march, user__email="nord@example.org").total_cents() == 353 + 4860
    # The catalogue keeps the latest price; each cycle its own.
    carrots = Product.objects.get(name="Carottes", producer__name="Ferme du Coin")
    assert carrots.price_cents == 245
    offers = Offer.objects.filter(product=carrots)
    assert sorted(offers.values_list("price_cents", flat=True)) == [235] * 3 + [245] * 3  # three groups
    codes = [n["code"] for n in SolalimImport.objects.get(origin="lauragais").report["notes"]]
    for code in (
        "duplicate_email",
        "no_email_placeholder",
        "renamed_product",
        "no_producer",
        "carton_off_step",
        "mixed_states",
        "purchase_without_buyer",
        "zero_quantity",
        "membership_without_role",
        "unknown_hasher",
        "user_without_email",
        "unknown_buyer",
        "quota_exceeded",
    ):
        assert code in codes, code
    # Run again: same rows.
    lines = OrderLine.objects.count()
    call_command("import_solalim", odd_source, "--origin", "lauragais", stdout=out)
    assert OrderLine.objects.count() == lines
    assert User.objects.filter(email="sud@example.org").count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}
