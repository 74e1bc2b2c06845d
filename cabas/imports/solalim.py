"""Turning a Solalim database into Cabas rows: the plan of an import, computed without writing.

The mapping (the README's « Venir de Solalim » says it for people):

* a network becomes a buying group; a network with subgroups becomes one group
  per subgroup (each its own members, cycles and baskets; the network's
  producers supply them all), plus one for the network's members in no subgroup;
* a user becomes a person with the same e-mail, name, phone and password hash;
* a membership keeps its dates; buyer → member, producer → producer, network
  staff → coordinator of every group of the network, subgroup staff →
  coordinator of their own; a pending candidate becomes a join request;
* a producer's account becomes a producer (with that account to manage it);
* Solalim keeps products per delivery: one catalogue product per producer and
  name (its latest delivery gives the catalogue values), one offer per
  delivery's product, with that delivery's price frozen;
* the deliveries of one distribution date become one cycle per group, and a
  member's purchases there one basket: preparation → draft, open → open,
  admins only → closed, frozen → finalised, terminated → distributed.

Every row carries a key naming its Solalim source, so a second run finds what
the first created (``ImportedRecord``) and updates it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, User
from cabas.catalog.models import Category, ContentUnit, Producer, Product, SaleUnit
from cabas.cycles.models import Phase
from cabas.imports.models import ImportedRecord
from cabas.imports.notes import ODDITY, SKIPPED, note
from cabas.imports.source import Row, Solalim
from cabas.lib.money import line_total_cents
from cabas.lib.quantities import ONE, format_quantity

# Solalim's delivery states, in order, and the Cabas phase each becomes.
STATE_PHASES = {
    "A": Phase.DRAFT,
    "B": Phase.OPEN,
    "C": Phase.CLOSED,
    "D": Phase.FINALISED,
    "E": Phase.DISTRIBUTED,
}
STATE_ORDER = "ABCDE"
# Solalim knows no distribution hours.
DISTRIBUTION_START, DISTRIBUTION_END = time(18, 0), time(20, 0)
ORDER_WINDOW = timedelta(days=14)

UNITS = {
    "kg": SaleUnit.KG,
    "kilo": SaleUnit.KG,
    "l": SaleUnit.LITRE,
    "litre": SaleUnit.LITRE,
    "pièce": SaleUnit.PIECE,
    "piece": SaleUnit.PIECE,
    "unité": SaleUnit.PIECE,
    "unite": SaleUnit.PIECE,
    "1": SaleUnit.PIECE,
    "": SaleUnit.PIECE,
    "bouteille": SaleUnit.BOTTLE,
    "pot": SaleUnit.JAR,
    "bocal": SaleUnit.JAR,
    "sachet": SaleUnit.BAG,
    "sac": SaleUnit.BAG,
    "paquet": SaleUnit.PACK,
    "boîte": SaleUnit.BOX,
    "boite": SaleUnit.BOX,
    "barquette": SaleUnit.BOX,
    "botte": SaleUnit.BUNCH,
    "bouquet": SaleUnit.BUNCH,
}
SIZED_UNIT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(g|kg|ml|cl|l)$")
SIZE_FACTORS = {"g": (1, ContentUnit.GRAM), "kg": (1000, ContentUnit.GRAM), "ml": (1, ContentUnit.MILLILITRE)}
SIZE_FACTORS |= {"cl": (10, ContentUnit.MILLILITRE), "l": (1000, ContentUnit.MILLILITRE)}
# A first guess of a producer's category from its name; coordinators refine it.
CATEGORY_WORDS = [
    ("boulang", Category.BREAD),
    ("pain", Category.BREAD),
    ("farine", Category.FLOUR),
    ("fromag", Category.DAIRY),
    ("lait", Category.DAIRY),
    ("oeuf", Category.DAIRY),
    ("œuf", Category.DAIRY),
    ("volaille", Category.POULTRY),
    ("élevage", Category.MEAT),
    ("viande", Category.MEAT),
    ("verger", Category.FRUIT),
    ("fruit", Category.FRUIT),
    ("maraîch", Category.VEGETABLES),
    ("légume", Category.VEGETABLES),
    ("miel", Category.HONEY),
    ("bière", Category.DRINKS),
    ("brasserie", Category.DRINKS),
    ("vin", Category.DRINKS),
    ("huile", Category.OIL),
]
KINDS = (
    "group",
    "user",
    "membership",
    "joinrequest",
    "producer",
    "product",
    "cycle",
    "offer",
    "order",
    "line",
)


@dataclass(frozen=True)
class Ref:
    """A foreign key to a row of this plan, resolved to a primary key when written."""

    kind: str
    key: str


@dataclass
class Plan:
    """Rows to write, by kind and key, with what the import noticed on the way."""

    origin: str
    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {k: {} for k in KINDS})
    links: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {} for k in KINDS})
    # People who already had a Cabas account, found by e-mail: linked, never changed.
    existing_users: dict[str, int] = field(default_factory=dict)
    producer_accounts: set[tuple[str, str]] = field(default_factory=set)  # (producer key, user key)
    supplies: set[tuple[str, str]] = field(default_factory=set)  # (producer key, group key)
    # People whose address Solalim had as their e-mail (it mailed them there): verified in Cabas too.
    verified: set[str] = field(default_factory=set)
    cycle_producers: set[tuple[str, str]] = field(default_factory=set)  # (cycle key, producer key)
    notes: list[dict[str, Any]] = field(default_factory=list)
    source: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # cycle key → cents

    def counts(self) -> dict[str, dict[str, int]]:
        """How many rows of each kind the import writes: in all, new, already imported."""
        result = {}
        for kind in KINDS:
            keys = self.rows[kind].keys()
            existing = sum(1 for key in keys if key in self.links[kind])
            if kind == "user":
                existing += len(self.existing_users)
            result[kind] = {"total": len(keys) + (len(self.existing_users) if kind == "user" else 0)}
            result[kind] |= {"new": result[kind]["total"] - existing, "existing": existing}
        return result

    def report(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "source": self.source,
            "counts": self.counts(),
            "groups": sorted(row["name"] for row in self.rows["group"].values()),
            "notes": self.notes,
        }


def build_plan(data: Solalim, *, origin: str, now: datetime | None = None) -> Plan:
    """Everything the import of ``data`` would write, read from the source and Cabas, writing nothing."""
    plan = Plan(origin=origin)
    for record in ImportedRecord.objects.filter(origin=origin).values_list("kind", "key", "object_id"):
        plan.links.setdefault(record[0], {})[record[1]] = record[2]
    _Planner(data, plan, now or timezone.now()).run()
    return plan


def cents(price: Decimal) -> int:
    return int((price * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def thousandths(quantity: Decimal) -> int:
    return int((quantity * ONE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))


class _Planner:
    def __init__(self, data: Solalim, plan: Plan, now: datetime) -> None:
        self.data, self.plan, self.now = data, plan, now
        self.users = {u["id"]: u for u in data.users}
        self.profiles = {p["user_id"]: p for p in data.profiles}
        self.networks = {n["id"]: n for n in data.networks}
        self.subgroups = {s["id"]: s for s in data.subgroups}
        self.deliveries = {d["id"]: d for d in data.deliveries}
        self.products = {p["id"]: p for p in data.products}
        self.user_key: dict[int, str] = {}
        self.group_names: dict[str, str] = {}
        self.slugs: set[str] = set()
        self.home: dict[tuple[int, int], str] = {}  # (network, user) → group key of their basket
        self.current: dict[tuple[str, str], str] = {}  # (user key, group key) → membership key
        self.skipped_products: set[int] = set()
        self.offer_keys: dict[tuple[int, str], str] = {}
        self.members: set[tuple[str, str]] = set()  # (user key, group key), past memberships too
        self.catalogue_key: dict[int, str] = {}  # Solalim product → catalogue product key
        self.offer_rows: dict[int, dict[str, Any]] = {}
        self.days: dict[int, date] = {}
        self.ordered: dict[str, int] = defaultdict(int)

    def note(self, level: str, code: str, **params: Any) -> None:
        self.plan.notes.append(note(level, code, **params))

    def run(self) -> None:
        d = self.data
        self.plan.source = {
            "networks": len(d.networks),
            "subgroups": len(d.subgroups),
            "users": len(d.users),
            "deliveries": len(d.deliveries),
            "products": len(d.products),
            "purchases": len(d.purchases),
        }
        self.plan_users()
        self.plan_groups()
        self.plan_memberships()
        self.plan_producers()
        self.plan_catalogue()
        self.plan_cycles()
        self.plan_lines()
        self.check_coordinators()

    # --- People ---------------------------------------------------------------------

    def name_of(self, user: Row) -> str:
        profile = self.profiles.get(user["id"], {})
        full = f"{user.get('first_name') or ''} {user.get('last_name') or ''}".strip()
        return (full or profile.get("pseudonym") or user["username"])[:150]

    def plan_users(self) -> None:
        used = self._users_in_use()
        by_email: dict[str, str] = {}
        existing = {
            e.lower(): pk
            for pk, e in User.objects.filter(
                email__in=[(u["email"] or u["username"]).strip().lower() for u in self.data.users]
            ).values_list("pk", "email")
        }
        for user in self.data.users:
            email = self.email_of(user, used)
            if email is None:
                continue
            key = by_email.get(email)
            if key is not None:
                self.note(ODDITY, "duplicate_email", user=self.name_of(user), email=email)
                self.user_key[user["id"]] = key
                continue
            key = by_email[email] = self.user_key[user["id"]] = f"u{user['id']}"
            if user.get("is_superuser"):
                self.note(ODDITY, "superuser", email=email)
            if key not in self.plan.links["user"] and email in existing:
                self.plan.existing_users[key] = existing[email]
                self.note(ODDITY, "existing_account", email=email)
                continue
            self.plan.rows["user"][key] = self.user_row(user, email)
            if (user.get("email") or "").strip().lower() == email:
                self.plan.verified.add(key)

    def _users_in_use(self) -> set[int]:
        used = {m["user_id"] for m in self.data.memberships}
        used |= {p["user_id"] for p in self.data.purchases if p["user_id"] is not None}
        return used | {d["producer_id"] for d in self.data.deliveries if d["producer_id"] is not None}

    def email_of(self, user: Row, used: set[int]) -> str | None:
        email = (user.get("email") or "").strip().lower()
        if email:
            return email
        name = self.name_of(user)
        username = (user.get("username") or "").strip().lower()
        try:
            validate_email(username)
        except ValidationError:
            if user["id"] not in used:
                self.note(SKIPPED, "user_without_email", user=name)
                return None
            email = f"solalim-{user['id']}@{slugify(self.plan.origin) or 'solalim'}.invalid"
            self.note(ODDITY, "no_email_placeholder", user=name, email=email)
            return email
        self.note(ODDITY, "no_email_username", user=name, email=username)
        return username

    def user_row(self, user: Row, email: str) -> dict[str, Any]:
        password = user.get("password") or "!"
        if not password.startswith("!"):
            try:
                identify_hasher(password)
            except ValueError:
                self.note(ODDITY, "unknown_hasher", email=email)
        phone = (self.profiles.get(user["id"], {}).get("phone") or "").strip()[:30]
        return {
            "email": email,
            "full_name": self.name_of(user),
            "phone": phone,
            "password": password,
            "is_active": bool(user.get("is_active", True)),
            "date_joined": user.get("date_joined") or self.now,
        }

    # --- Groups and memberships -----------------------------------------------------

    def group_key(self, network_id: int, subgroup_id: int | None) -> str:
        has_subgroups = any(s["network_id"] == network_id for s in self.data.subgroups)
        if subgroup_id is None or not has_subgroups:
            return f"n{network_id}"
        return f"n{network_id}s{subgroup_id}"

    def plan_groups(self) -> None:
        """Where each member's baskets go: the group of their latest membership in the network."""
        latest: dict[tuple[int, int], Row] = {}
        for m in sorted(self.data.memberships, key=lambda m: (m["valid_until"] is None, m["valid_from"])):
            latest[(m["network_id"], m["user_id"])] = m
        for (network_id, user_id), m in latest.items():
            self.home[(network_id, user_id)] = self.group_key(network_id, m["subgroup_id"])
        wanted = {
            f"n{n}s{s['id']}" for n in self.networks for s in self.data.subgroups if s["network_id"] == n
        }
        wanted |= {
            key
            for (network_id, user), key in self.home.items()
            if key == f"n{network_id}" and not self._staff_only(latest[(network_id, user)])
        }
        # Someone who bought without any membership shops in the network's own group.
        for purchase in self.data.purchases:
            product = self.products.get(purchase["product_id"])
            if product is not None and purchase["user_id"] is not None:
                network_id = self.deliveries[product["delivery_id"]]["network_id"]
                wanted.add(self.home.setdefault((network_id, purchase["user_id"]), f"n{network_id}"))
        wanted |= {
            f"n{n}" for n in self.networks if not any(s["network_id"] == n for s in self.data.subgroups)
        }
        for key in sorted(wanted):
            self.add_group(key)

    @staticmethod
    def _staff_only(m: Row) -> bool:
        return m["is_staff"] and not (m["is_buyer"] or m["is_producer"])

    def add_group(self, key: str) -> None:
        if key in self.plan.rows["group"]:
            return
        network_id, _, subgroup = key[1:].partition("s")
        network = self.networks[int(network_id)]
        name, slug = network["name"], network.get("slug") or slugify(network["name"])
        if subgroup:
            sub = self.subgroups[int(subgroup)]
            name, slug = f"{name} — {sub['name']}", f"{slug}-{sub.get('slug') or slugify(sub['name'])}"
        self.group_names[key] = name
        description = strip_tags(network.get("short_description") or network.get("description") or "").strip()
        self.plan.rows["group"][key] = {
            "name": name[:120],
            "description": description,
            "requires_approval": not network.get("auto_validate", False),
            "is_active": bool(network.get("active", True)),
            "slug": self.unique_slug(key, slugify(slug)[:60] or "groupe", BuyingGroup),
        }

    def unique_slug(self, key: str, base: str, model: type[BuyingGroup] | type[Producer]) -> str:
        kind = "group" if model is BuyingGroup else "producer"
        if key in self.plan.links[kind]:
            return self._kept_slug(kind, key, model)
        slug, n = base, 1
        while slug in self.slugs or model.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base[:55]}-{n}"
        self.slugs.add(slug)
        return slug

    def _kept_slug(self, kind: str, key: str, model: type[BuyingGroup] | type[Producer]) -> str:
        """A second run keeps the address the first gave (people may have bookmarked it)."""
        slug = model.objects.filter(pk=self.plan.links[kind][key]).values_list("slug", flat=True).first()
        return slug or f"{kind}-{key}"

    def groups_of(self, network_id: int) -> list[str]:
        return sorted(
            k for k in self.plan.rows["group"] if k == f"n{network_id}" or k.startswith(f"n{network_id}s")
        )

    def plan_memberships(self) -> None:
        for m in self.data.memberships:
            user = self.users.get(m["user_id"])
            ukey = self.user_key.get(m["user_id"])
            if user is None or ukey is None:
                continue
            own = self.group_key(m["network_id"], m["subgroup_id"])
            if m["is_candidate"]:
                self.plan_candidate(m, ukey, own)
                continue
            roles: dict[str, set[str]] = defaultdict(set)
            if m["is_buyer"]:
                roles[own].add("is_member")
            if m["is_producer"]:
                roles[own].add("is_producer")
            if m["is_subgroup_staff"] or m["is_staff"]:
                roles[own].add("is_coordinator")
            if m["is_staff"]:
                for key in self.groups_of(m["network_id"]):
                    roles[key].add("is_coordinator")
            if not any(roles.values()):
                group = self.group_names.get(own, own)
                self.note(SKIPPED, "membership_without_role", user=self.name_of(user), group=group)
            for gkey, flags in roles.items():
                if flags and gkey in self.plan.rows["group"]:
                    self.add_membership(m, ukey, gkey, flags)

    def plan_candidate(self, m: Row, ukey: str, gkey: str) -> None:
        if gkey not in self.plan.rows["group"]:
            return
        if m["valid_until"] is not None:
            user = self.name_of(self.users[m["user_id"]])
            self.note(SKIPPED, "former_candidate", user=user, group=self.group_names[gkey])
            return
        self.plan.rows["joinrequest"][f"j{m['id']}:{gkey}"] = {
            "user_id": Ref("user", ukey),
            "group_id": Ref("group", gkey),
            "created_at": m["valid_from"],
        }

    def add_membership(self, m: Row, ukey: str, gkey: str, flags: set[str]) -> None:
        started, ended = m["valid_from"], m["valid_until"]
        self.members.add((ukey, gkey))
        user_name = self.name_of(self.users[m["user_id"]])
        if ended is not None and ended < started:
            self.note(
                ODDITY,
                "ended_before_start",
                user=user_name,
                group=self.group_names[gkey],
                ended=formats.date_format(timezone.localtime(ended), "SHORT_DATE_FORMAT"),
                started=formats.date_format(timezone.localtime(started), "SHORT_DATE_FORMAT"),
            )
            started = ended
        if ended is None and (ukey, gkey) in self.current:
            row = self.plan.rows["membership"][self.current[(ukey, gkey)]]
            # Network staff are coordinators everywhere: only other roles make a real second membership.
            if flags != {"is_coordinator"} and not flags <= {k for k, v in row.items() if v is True}:
                self.note(ODDITY, "merged_memberships", user=user_name, group=self.group_names[gkey])
            for flag in flags:
                row[flag] = True
            return
        key = f"m{m['id']}:{gkey}"
        self.plan.rows["membership"][key] = {
            "user_id": Ref("user", ukey),
            "group_id": Ref("group", gkey),
            "is_member": "is_member" in flags,
            "is_producer": "is_producer" in flags,
            "is_coordinator": "is_coordinator" in flags,
            "is_treasurer": False,
            "started_at": started,
            "ended_at": ended,
        }
        if ended is None:
            self.current[(ukey, gkey)] = key

    def check_coordinators(self) -> None:
        for gkey, name in self.group_names.items():
            if not any(
                row["group_id"] == Ref("group", gkey) and row["is_coordinator"] and row["ended_at"] is None
                for row in self.plan.rows["membership"].values()
            ):
                self.note(ODDITY, "no_coordinator", group=name)

    # --- Producers and their catalogues ---------------------------------------------

    def producer_key(self, delivery: Row) -> str:
        user_id = delivery["producer_id"]
        if user_id is not None and user_id in self.users and user_id in self.user_key:
            return f"p{user_id}"
        return f"pd{delivery['id']}"

    def plan_producers(self) -> None:
        producer_users = {m["user_id"] for m in self.data.memberships if m["is_producer"]}
        producer_users |= {d["producer_id"] for d in self.data.deliveries if d["producer_id"] is not None}
        for user_id in sorted(producer_users):
            user, ukey = self.users.get(user_id), self.user_key.get(user_id)
            if user is None or ukey is None:
                continue
            networks = [m["network_id"] for m in self.data.memberships if m["user_id"] == user_id]
            networks += [d["network_id"] for d in self.data.deliveries if d["producer_id"] == user_id]
            self.add_producer(f"p{user_id}", self.name_of(user), user, networks[0] if networks else None)
            self.plan.producer_accounts.add((f"p{user_id}", ukey))
        for m in self.data.memberships:
            if m["is_producer"] and f"p{m['user_id']}" in self.plan.rows["producer"]:
                for gkey in self.groups_of(m["network_id"]):
                    self.plan.supplies.add((f"p{m['user_id']}", gkey))
        for delivery in self.data.deliveries:
            pkey = self.producer_key(delivery)
            if pkey.startswith("pd"):
                self.note(ODDITY, "no_producer", delivery=delivery["name"])
                self.add_producer(pkey, delivery["name"], None, delivery["network_id"])
            for gkey in self.groups_of(delivery["network_id"]):
                self.plan.supplies.add((pkey, gkey))

    def add_producer(self, key: str, name: str, user: Row | None, network_id: int | None) -> None:
        groups = self.groups_of(network_id) if network_id is not None else []
        first_group = groups[0] if groups else None
        self.plan.rows["producer"][key] = {
            "name": name[:120],
            "slug": self.unique_slug(key, slugify(name)[:70] or "producteur", Producer),
            "contact_email": self.plan.rows["user"]
            .get(self.user_key.get(user["id"], ""), {})
            .get("email", "")
            if user
            else "",
            "contact_phone": (self.profiles.get(user["id"], {}).get("phone") or "")[:30] if user else "",
            "managing_group_id": Ref("group", first_group) if first_group else None,
        }

    def category_of(self, producer_name: str) -> str:
        lowered = producer_name.lower()
        return next((category for word, category in CATEGORY_WORDS if word in lowered), Category.OTHER)

    def unit_of(self, product: Row) -> tuple[str, int | None, str]:
        text = (product.get("unit") or "").strip().lower()
        if text in UNITS:
            return UNITS[text], None, ""
        sized = SIZED_UNIT.match(text)
        if sized:
            factor, content_unit = SIZE_FACTORS[sized.group(2)]
            size = int(Decimal(sized.group(1).replace(",", ".")) * factor)
            if size > 0:
                return SaleUnit.PIECE, size, content_unit
        self.note(ODDITY, "unknown_unit", unit=product.get("unit") or "", product=product["name"])
        return SaleUnit.PIECE, None, ""

    def delivery_day(self, delivery: Row) -> date:
        day = delivery.get("distribution_date") or delivery.get("freeze_date")
        if day is None:
            day = timezone.localdate(delivery["creation_date"])
            self.note(ODDITY, "no_distribution_date", delivery=delivery["name"])
        return day

    def plan_catalogue(self) -> None:
        """Catalogue products, from the oldest delivery to the latest (the latest gives the values)."""
        self.days = {d["id"]: self.delivery_day(d) for d in self.data.deliveries}
        latest_delivery: dict[str, int] = {}
        for delivery in sorted(self.data.deliveries, key=lambda d: (self.days[d["id"]], d["id"])):
            latest_delivery[self.producer_key(delivery)] = delivery["id"]
        by_delivery: dict[int, list[Row]] = defaultdict(list)
        for product in self.data.products:
            by_delivery[product["delivery_id"]].append(product)
        self.product_names: dict[int, str] = {}
        for delivery in sorted(self.data.deliveries, key=lambda d: (self.days[d["id"]], d["id"])):
            pkey = self.producer_key(delivery)
            names: set[str] = set()
            for product in sorted(by_delivery[delivery["id"]], key=lambda p: p["id"]):
                self.plan_product(delivery, product, pkey, names, latest_delivery[pkey] == delivery["id"])

    def plan_product(self, delivery: Row, product: Row, pkey: str, names: set[str], latest: bool) -> None:
        purchases = (
            sum(1 for p in self.data.purchases if p["product_id"] == product["id"])
            if product["price"] <= 0
            else 0
        )
        if product["price"] <= 0:
            self.skipped_products.add(product["id"])
            self.note(
                SKIPPED,
                "zero_price_product",
                product=product["name"],
                delivery=delivery["name"],
                count=purchases,
            )
            return
        name = (product["name"] or "").strip()[:100] or "?"
        if name.lower() in names:
            renamed = f"{name} ({product.get('unit') or product['id']})"
            self.note(ODDITY, "renamed_product", delivery=delivery["name"], product=name, name=renamed)
            name = renamed
        names.add(name.lower())
        self.product_names[product["id"]] = name
        step = thousandths(product["quantum"] or Decimal(0))
        if step <= 0:
            self.note(ODDITY, "bad_step", product=name, delivery=delivery["name"])
            step = ONE
        carton = thousandths(Decimal(product["quantity_per_package"] or 0))
        if carton and carton % step:
            self.note(ODDITY, "carton_off_step", product=name, delivery=delivery["name"])
            carton = 0
        unit, content, content_unit = self.unit_of(product)
        key = f"{pkey}:{name.lower()}"
        row = {
            "producer_id": Ref("producer", pkey),
            "name": name,
            "description": strip_tags(product.get("description") or "").strip()[:2000],
            "category": self.category_of(self.plan.rows["producer"][pkey]["name"]),
            "unit": unit,
            "content": content,
            "content_unit": content_unit,
            "price_cents": cents(product["price"]),
            "quantity_step": step,
            "min_quantity": step,
            "carton_size": carton or None,
            "is_active": latest,
        }
        if latest or key not in self.plan.rows["product"]:
            self.plan.rows["product"][key] = row
        self.catalogue_key[product["id"]] = key
        limit = product["quantity_limit"]
        self.offer_rows[product["id"]] = row | {
            "quota": None if limit is None else thousandths(Decimal(limit))
        }

    # --- Cycles, offers, baskets ----------------------------------------------------

    def plan_cycles(self) -> None:
        by_day: dict[tuple[str, date], list[Row]] = defaultdict(list)
        for delivery in self.data.deliveries:
            for gkey in self.groups_of(delivery["network_id"]):
                by_day[(gkey, self.days[delivery["id"]])].append(delivery)
        for (gkey, day), deliveries in sorted(by_day.items()):
            ckey = f"{gkey}:{day.isoformat()}"
            self.plan.rows["cycle"][ckey] = self.cycle_row(gkey, day, deliveries)
            for delivery in deliveries:
                self.plan.cycle_producers.add((ckey, self.producer_key(delivery)))
                for product in self.data.products:
                    if product["delivery_id"] == delivery["id"] and product["id"] in self.catalogue_key:
                        self.add_offer(ckey, gkey, delivery, product)

    def add_offer(self, ckey: str, gkey: str, delivery: Row, product: Row) -> None:
        source = self.offer_rows[product["id"]]
        okey = f"o{product['id']}:{gkey}"
        self.offer_keys[(product["id"], gkey)] = okey
        self.plan.rows["offer"][okey] = {
            "cycle_id": Ref("cycle", ckey),
            "product_id": Ref("product", self.catalogue_key[product["id"]]),
            "producer_id": source["producer_id"],
            "name": source["name"],
            "category": source["category"],
            "unit_label": Product(**{k: source[k] for k in ("unit", "content", "content_unit")}).unit_label(),
            "price_cents": source["price_cents"],
            "quantity_step": source["quantity_step"],
            "min_quantity": source["min_quantity"],
            "carton_size": source["carton_size"],
            "quota": source["quota"],
            "remaining": source["quota"],
        }

    def cycle_row(self, gkey: str, day: date, deliveries: list[Row]) -> dict[str, Any]:
        state = min(
            (d["state"] for d in deliveries), key=lambda s: STATE_ORDER.index(s) if s in STATE_ORDER else 0
        )
        phase = STATE_PHASES.get(state, Phase.DRAFT)
        if len({d["state"] for d in deliveries}) > 1:
            self.note(
                ODDITY, "mixed_states", date=day.isoformat(), group=self.group_names[gkey], phase=phase.label
            )
        freeze = max((d["freeze_date"] for d in deliveries if d.get("freeze_date")), default=None)
        closes = local_midnight(freeze + timedelta(days=1)) if freeze else local_midnight(day)
        if phase in {Phase.CLOSED, Phase.FINALISED, Phase.DISTRIBUTED}:
            closes = min(closes, self.now)
        created = min(d["creation_date"] for d in deliveries)
        opens = min(created, closes - ORDER_WINDOW)
        if phase == Phase.OPEN:
            opens = min(created, self.now, closes - timedelta(hours=1))
        names = [d["name"] for d in deliveries]
        name = (
            names[0]
            if len(names) == 1
            else _("Distribution of %(date)s") % {"date": formats.date_format(day, "DATE_FORMAT")}
        )
        row: dict[str, Any] = {
            "group_id": Ref("group", gkey),
            "name": name[:120],
            "opens_at": opens,
            "closes_at": closes,
            "distribution_date": day,
            "distribution_start": DISTRIBUTION_START,
            "distribution_end": DISTRIBUTION_END,
            "distribution_place": self.group_names[gkey][:200],
            "published_at": None if phase == Phase.DRAFT else opens,
            "finalised_at": None,
            "distributed_at": None,
            "created_at": created,
        }
        done = datetime.combine(day, DISTRIBUTION_END, tzinfo=ZoneInfo(settings.TIME_ZONE))
        if phase in {Phase.FINALISED, Phase.DISTRIBUTED}:
            row["finalised_at"] = closes
        if phase == Phase.DISTRIBUTED:
            row["distributed_at"] = max(closes, min(done, self.now))
        # The clock must not announce, remind or recap history: members knew it in Solalim.
        if phase != Phase.DRAFT:
            row["announced_at"] = min(self.now, max(opens, closes - ORDER_WINDOW))
        if phase not in {Phase.DRAFT, Phase.OPEN}:
            row |= {"reminded_at": closes, "recap_sent_at": closes, "allocated_at": closes}
        return row

    def plan_lines(self) -> None:
        counts: dict[tuple[str, int], int] = defaultdict(int)
        for purchase in self.data.purchases:
            self.plan_line(purchase, counts)
        for (code, delivery_id), count in sorted(counts.items()):
            self.note(SKIPPED, code, delivery=self.deliveries[delivery_id]["name"], count=count)
        for okey, ordered in self.ordered.items():
            offer = self.plan.rows["offer"][okey]
            if offer["quota"] is not None:
                if ordered > offer["quota"]:
                    self.note(
                        ODDITY,
                        "quota_exceeded",
                        product=offer["name"],
                        delivery=self.plan.rows["cycle"][offer["cycle_id"].key]["name"],
                    )
                offer["remaining"] = max(0, offer["quota"] - ordered)

    def plan_line(self, purchase: Row, counts: dict[tuple[str, int], int]) -> None:
        product = self.products.get(purchase["product_id"])
        if product is None or product["id"] in self.skipped_products:
            return
        delivery = self.deliveries[product["delivery_id"]]
        ukey = self.user_key.get(purchase["user_id"]) if purchase["user_id"] is not None else None
        quantity = thousandths(purchase["quantity"] or Decimal(0))
        if ukey is None:
            counts[("purchase_without_buyer", delivery["id"])] += 1
            return
        if delivery["state"] == "A":
            counts[("purchase_in_preparation", delivery["id"])] += 1
            return
        if quantity <= 0:
            counts[("zero_quantity", delivery["id"])] += 1
            return
        gkey = self.buyer_group(delivery["network_id"], purchase["user_id"], ukey)
        okey = self.offer_keys[(product["id"], gkey)]
        offer = self.plan.rows["offer"][okey]
        if quantity % offer["quantity_step"]:
            self.note(
                ODDITY,
                "off_step",
                user=self.name_of(self.users[purchase["user_id"]]),
                quantity=format_quantity(quantity),
                product=offer["name"],
                delivery=delivery["name"],
                step=format_quantity(offer["quantity_step"]),
            )
        ckey = offer["cycle_id"].key
        order_key = f"{ckey}:{ukey}"
        order = self.plan.rows["order"].setdefault(
            order_key,
            {
                "cycle_id": Ref("cycle", ckey),
                "user_id": Ref("user", ukey),
                "created_at": purchase["created"],
                "submitted_at": purchase["modified"],
            },
        )
        order["created_at"] = min(order["created_at"], purchase["created"])
        order["submitted_at"] = max(order["submitted_at"], purchase["modified"])
        line = self.plan.rows["line"].setdefault(
            f"{okey}:{ukey}",
            {"order_id": Ref("order", order_key), "offer_id": Ref("offer", okey), "quantity": 0},
        )
        # Two Solalim accounts with one address are one person in Cabas: their purchases add up.
        line["quantity"] += quantity
        line["requested"] = line["quantity"]
        line["total_cents"] = line_total_cents(offer["price_cents"], line["quantity"])
        self.ordered[okey] += quantity
        self.plan.totals[ckey] = self.plan.totals.get(ckey, 0) + line_total_cents(
            offer["price_cents"], quantity
        )

    def buyer_group(self, network_id: int, user_id: int, ukey: str) -> str:
        gkey = self.home[(network_id, user_id)]
        if (ukey, gkey) not in self.members:
            self.note(
                ODDITY, "unknown_buyer", user=self.name_of(self.users[user_id]), group=self.group_names[gkey]
            )
            self.members.add((ukey, gkey))
            self.current[(ukey, gkey)] = key = f"b{user_id}:{gkey}"
            self.plan.rows["membership"][key] = {
                "user_id": Ref("user", ukey),
                "group_id": Ref("group", gkey),
                "is_member": True,
                "is_producer": False,
                "is_coordinator": False,
                "is_treasurer": False,
                "started_at": self.now,
                "ended_at": None,
            }
        return gkey
