"""The scene tests play in: producers, products, cycles and offers, built through the app's services.

Everything here goes through ``cabas.accounts.services``, ``cabas.catalog.services``
and ``cabas.cycles.services``, as a coordinator would, so that a test never
starts from a state the app itself could not reach. Two things only are set by
hand, and only here:

- the **clock** of a cycle (``set_phase``): its window is moved so that it is
  open, closed or finalised *now*, as time passing would; and
- ``at(when)``, which moves ``timezone.now`` itself for the length of a block
  (used to configure an offer as a coordinator would have before opening).

``shop(cast)`` is the shared scene of the ordering tests (``Shop``, typed);
``catalogue(cast)`` the shared products of the catalogue tests (``Catalogue``).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from unittest import mock

from django.utils import timezone

from cabas.accounts import services as accounts
from cabas.accounts.models import BuyingGroup, JoinRequest, User
from cabas.catalog import services as catalog
from cabas.catalog.models import (
    CatalogImport,
    Category,
    Producer,
    ProducerAccount,
    ProducerInvitation,
    Product,
    SaleUnit,
)
from cabas.cycles import services as cycles
from cabas.cycles.allocation import allocate
from cabas.cycles.models import Allocation, Cycle, Offer, Order, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.distribution.models import DayTeamMember
from cabas.reports.models import DocumentSet, Kind, StoredDocument
from tests.cast import Cast

_names = itertools.count(1)

# --- The clock ---------------------------------------------------------------------------------


@contextmanager
def at(when: datetime) -> Iterator[datetime]:
    """``timezone.now()`` is ``when`` inside the block (for the app's code as for the test's)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield when


PHASES = ("open", "closed", "finalised")


def window(phase: str, now: datetime | None = None) -> dict[str, Any]:
    """The stamps that put a published cycle in ``phase`` at ``now``: open for two more days, or
    closed an hour ago (and finalised five minutes ago)."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}, not {phase!r}")
    now = now or timezone.now()
    if phase == "open":
        opens_at, closes_at = now - timedelta(days=2), now + timedelta(days=2)
    else:
        opens_at, closes_at = now - timedelta(days=4), now - timedelta(hours=1)
    return {
        "opens_at": opens_at,
        "closes_at": closes_at,
        "published_at": opens_at - timedelta(days=1),
        "finalised_at": now - timedelta(minutes=5) if phase == "finalised" else None,
    }


def set_phase(cycle: Cycle, phase: str, **stamps: Any) -> Cycle:
    """Move ``cycle``'s clock so that it is in ``phase`` now (``stamps`` override any stamp);
    the object is refreshed. The one place tests move a cycle through time."""
    Cycle.objects.filter(pk=cycle.pk).update(**{**window(phase), **stamps})
    cycle.refresh_from_db()
    return cycle


# --- People and producers ----------------------------------------------------------------------


def coordinator_of(group: BuyingGroup) -> User:
    membership = group.memberships.current().filter(is_coordinator=True).select_related("user").first()
    assert membership is not None, f"{group} has no coordinator"
    return membership.user


def members(group: BuyingGroup, count: int, prefix: str = "membre") -> list[User]:
    """``count`` members of ``group`` (the fast password hasher of conftest keeps this quick)."""
    made = []
    for index in range(count):
        user = accounts.create_user(email=f"{prefix}{index}@example.org", full_name=f"Membre {index}")
        accounts.add_member(group=group, user=user)
        made.append(user)
    return made


def producer(group: BuyingGroup, name: str = "Jardins de la Saune", **fields: Any) -> Producer:
    """A producer ``group`` creates and manages (and which supplies it)."""
    return catalog.create_producer(group=group, fields={"speciality": "Légumes", "name": name, **fields})


def product(producer: Producer, name: str, **fields: Any) -> Product:
    """A catalogue product (a loaf at 4,50 € unless told otherwise); ``is_active=False`` archives it."""
    active = fields.pop("is_active", True)
    values = {"category": Category.BREAD, "unit": SaleUnit.PIECE, "price_cents": 450, **fields}
    made = catalog.create_product(producer=producer, fields={"name": name, **values})
    if not active:
        catalog.archive_product(product=made)
    return made


# --- Cycles and offers -------------------------------------------------------------------------


def cycle(
    group: BuyingGroup,
    *,
    phase: str = "open",
    name: str = "Cabas de juin",
    producers: Iterable[Producer] = (),
    **fields: Any,
) -> Cycle:
    """A published cycle of ``group`` that is ``open`` now, ``closed`` (deadline passed) or
    ``finalised``, distributed in five days; ``producers``' active products are on offer."""
    now = timezone.now()
    values = {
        "name": name,
        "opens_at": now - timedelta(days=2),
        "closes_at": now + timedelta(days=2),
        "distribution_date": (now + timedelta(days=5)).date(),
        "distribution_start": time(17, 30),
        "distribution_end": time(19, 30),
        "distribution_place": "Salle des fêtes",
        **fields,
    }
    made = cycles.create_cycle(group=group, fields=values, producers=producers, by=coordinator_of(group))
    return set_phase(made, phase, **{k: v for k, v in fields.items() if k in window(phase)})


def offer(
    cycle: Cycle,
    producer: Producer,
    name: str | None = None,
    *,
    price_cents: int = 350,
    unit: str = SaleUnit.PIECE,
    category: str = Category.OTHER,
    quantity_step: int = 1000,
    min_quantity: int | None = None,
    quota: int | None = None,
    member_cap: int | None = None,
    allocation: str = Allocation.FIRST_COME,
    estimated_weight_grams: int | None = None,
    carton_size: int | None = None,
) -> Offer:
    """A catalogue product of ``producer`` and its offer in ``cycle``, as a coordinator sets it up:
    the producer joins the cycle, its new product is offered, then quota, cap and allocation are set
    (at a moment before opening, when all of them may still change). A piece weight makes it a
    variable-weight product."""
    name = name or f"Produit {next(_names)}"
    variable = estimated_weight_grams is not None
    made = product(
        producer,
        name,
        category=category,
        unit=SaleUnit.PIECE if variable else unit,
        price_cents=price_cents,
        quantity_step=quantity_step,
        min_quantity=quantity_step if min_quantity is None else min_quantity,
        variable_weight=variable,
        estimated_weight_grams=estimated_weight_grams,
        carton_size=carton_size,
    )
    cycle.producers.add(producer)
    cycles.sync_offers(cycle=cycle)
    on_sale = cycle.offers.get(product=made)
    if (quota, member_cap, allocation) != (None, None, Allocation.FIRST_COME):
        with at(min(timezone.now(), cycle.opens_at - timedelta(minutes=1))):
            on_sale = cycles.update_offer(
                offer=on_sale,
                price_cents=price_cents,
                quota=quota,
                member_cap=member_cap,
                allocation=allocation,
                by=coordinator_of(cycle.group),
            )
    return Offer.objects.get(pk=on_sale.pk)


# --- The shared scenes -------------------------------------------------------------------------


def _scene_fields(cast: Cast) -> dict[str, Any]:
    """The fields of a cast (or of a scene), to build a scene that extends it."""
    return {field.name: getattr(cast, field.name) for field in dataclasses.fields(cast)}


@dataclass
class Shop(Cast):
    """The cast, and an open cycle of group A with three offers."""

    cycle: Cycle
    bread: Offer  # bakery, 5,20 € the loaf
    brioche: Offer  # bakery, 6,50 €, 3 in all (first come)
    tomme: Offer  # dairy, variable weight: 24,00 €/kg, pieces of about 750 g


def shop(cast: Cast) -> Shop:
    made = cycle(cast.group_a)
    return Shop(
        **_scene_fields(cast),
        cycle=made,
        bread=offer(made, cast.bakery, "Pain complet", price_cents=520, category=Category.BREAD),
        brioche=offer(made, cast.bakery, "Brioche", price_cents=650, category=Category.SWEETS, quota=3000),
        tomme=offer(
            made, cast.dairy, "Tomme", price_cents=2400, category=Category.DAIRY, estimated_weight_grams=750
        ),
    )


@dataclass
class Market(Cast):
    """The cast, and an open cycle of group A with six offers of three producers."""

    cycle: Cycle
    bread: Offer  # bakery, 4,20 € the loaf
    flour: Offer  # bakery, 2,85 €/kg, by 0,5 kg, at least 1 kg
    cheese: Offer  # dairy, variable weight: 21,90 €/kg, pieces of about 350 g
    eggs: Offer  # dairy, first come: 6 boxes in all, at most 3 each
    tomatoes: Offer  # market gardener, 3,89 €/kg, by 250 g, at least 500 g
    honey: Offer  # market gardener, fair share: 2 jars in all
    gardener: Producer


def market(cast: Cast) -> Market:
    made = cycle(cast.group_a)
    gardener = producer(cast.group_a)
    return Market(
        **_scene_fields(cast),
        cycle=made,
        bread=offer(made, cast.bakery, "Pain au levain", price_cents=420, category=Category.BREAD),
        flour=offer(
            made,
            cast.bakery,
            "Farine T80",
            price_cents=285,
            unit=SaleUnit.KG,
            category=Category.FLOUR,
            quantity_step=500,
            min_quantity=1000,
        ),
        cheese=offer(
            made, cast.dairy, "Tomme", price_cents=2190, category=Category.DAIRY, estimated_weight_grams=350
        ),
        eggs=offer(made, cast.dairy, "Œufs (boîte de 6)", price_cents=330, quota=6000, member_cap=3000),
        tomatoes=offer(
            made,
            gardener,
            "Tomates",
            price_cents=389,
            unit=SaleUnit.KG,
            category=Category.VEGETABLES,
            quantity_step=250,
            min_quantity=500,
        ),
        honey=offer(
            made,
            gardener,
            "Miel de châtaignier",
            price_cents=890,
            quota=2000,
            allocation=Allocation.FAIR_SHARE,
        ),
        gardener=gardener,
    )


@dataclass
class Delivery(Cast):
    """The cast, and a cycle of group A closed a minute ago with every kind of line: five
    households, cartons, a variable weight, producers paid by cheque, transfer or at the farm."""

    cycle: Cycle
    bread: Offer  # 5,20 €
    baguette: Offer  # cartons of 6
    tomme: Offer  # variable weight, 750 g a piece
    yoghurt: Offer  # cartons of 12
    emile: User  # « Émile Essai »: sorts with the E's, not after Z

    def lines(self, **filters: Any) -> list[OrderLine]:
        return list(OrderLine.objects.filter(order__cycle=self.cycle, quantity__gt=0, **filters))

    def due(self, **filters: Any) -> int:
        """The sum of the persisted line totals matching ``filters``."""
        return sum(line.total_cents for line in self.lines(**filters))


def basket(on: Cycle, member: User, quantities: dict[Offer, int]) -> None:
    """``member`` orders ``quantities`` (thousandths) in ``on``, as on the order page."""
    changes = [LineChange(offer.pk, quantity) for offer, quantity in quantities.items()]
    result = save_basket(cycle=on, member=member, changes=changes, by=member)
    assert result.ok, result


def delivery(cast: Cast) -> Delivery:
    made = cycle(cast.group_a, name="Cabas de juin")
    bread = offer(made, cast.bakery, "Pain complet", price_cents=520)
    baguette = offer(made, cast.bakery, "Baguette", price_cents=115, carton_size=6000)
    tomme = offer(made, cast.dairy, "Tomme", price_cents=2390, estimated_weight_grams=750)
    yoghurt = offer(made, cast.dairy, "Yaourt", price_cents=95, carton_size=12000)
    catalog.update_producer(
        producer=cast.bakery,
        fields={
            "cheque_payable_to": "EARL Fournil",
            "accepts_transfer": True,
            "iban": "FR7612345678901234567890189",
        },
    )
    catalog.update_producer(
        producer=cast.dairy,
        fields={
            "accepts_cheque": False,
            "payment_notes": "Paiement à la ferme possible",
            "contact_phone": "05 61 00 00 00",
        },
    )
    marie = cast.member
    accounts.update_profile(
        user=marie, full_name=marie.full_name, phone="06 12 34 56 78", language=marie.language
    )
    emile = accounts.create_user(email="emile@example.org", full_name="Émile Essai")
    accounts.add_member(group=cast.group_a, user=emile)
    basket(made, cast.member, {bread: 2000, baguette: 7000, tomme: 1000})
    basket(made, cast.member2, {baguette: 3000, tomme: 2000, yoghurt: 8000})
    basket(made, cast.beneficiary, {bread: 1000, yoghurt: 5000})
    basket(made, emile, {tomme: 3000})
    basket(made, cast.treasurer, {bread: 1000})
    set_phase(
        made,
        "closed",
        opens_at=made.opens_at,
        published_at=made.published_at,
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    return Delivery(
        **_scene_fields(cast),
        cycle=Cycle.objects.select_related("group").get(pk=made.pk),
        bread=bread,
        baguette=baguette,
        tomme=tomme,
        yoghurt=yoghurt,
        emile=emile,
    )


@dataclass
class Cellar(Cast):
    """The cast, and an open cycle of group A where wine is sold by cartons, and bread is not."""

    cycle: Cycle
    wine: Offer  # the dairy's, 8,00 € the bottle, cartons of 6, at most 5 a member
    bread: Offer  # the bakery's, no cartons


def cellar(cast: Cast) -> Cellar:
    made = cycle(cast.group_a)
    return Cellar(
        **_scene_fields(cast),
        cycle=made,
        wine=offer(made, cast.dairy, "Vin rouge", price_cents=800, member_cap=5000, carton_size=6000),
        bread=offer(made, cast.bakery, "Pain"),
    )


@dataclass
class Catalogue(Cast):
    """The cast, its producers with a few products, and nobody's order yet."""

    bread: Product  # by the half-kilo, at least 500 g
    brioche: Product  # 400 g
    tomme: Product  # variable weight, about 750 g a piece
    yoghurt: Product  # the dairy's, archived: never on sale


def catalogue(cast: Cast, *, accounts_for_producers: bool = True) -> Catalogue:
    """Bread by the half-kilo, a brioche, a variable-weight tomme, an archived yoghurt; with
    ``accounts_for_producers``, Paul keeps the bakery's catalogue and Pauline the dairy's (else
    A's coordinators do)."""
    if accounts_for_producers:
        ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
        ProducerAccount.objects.create(producer=cast.dairy, user=cast.producer_user2)
    return Catalogue(
        **_scene_fields(cast),
        bread=product(
            cast.bakery,
            "Pain complet",
            unit=SaleUnit.KG,
            price_cents=520,
            quantity_step=500,
            min_quantity=500,
        ),
        brioche=product(cast.bakery, "Brioche", category=Category.SWEETS, content=400, content_unit="g"),
        tomme=product(
            cast.dairy,
            "Tomme",
            category=Category.DAIRY,
            price_cents=2400,
            variable_weight=True,
            estimated_weight_grams=750,
        ),
        yoghurt=product(
            cast.dairy, "Yaourt nature", category=Category.DAIRY, price_cents=90, is_active=False
        ),
    )


@dataclass
class Storefront(Catalogue):
    """The catalogue, and a beekeeper who supplies only group B: never shown in group A."""

    hives: Producer  # « Rucher de Balma », a jar of honey


def storefront(cast: Cast) -> Storefront:
    hives = producer(cast.group_b, "Rucher de Balma", speciality="Miel")
    product(
        hives, "Miel de tilleul", category=Category.HONEY, unit=SaleUnit.JAR, content=500, content_unit="g"
    )
    return Storefront(**_scene_fields(catalogue(cast)), hives=hives)


# --- Every URL ---------------------------------------------------------------------------------


@dataclass
class Site(Cast):
    """The cast with something behind every URL of group A and of the bakery: a request to join,
    a catalogue kept by its producer, an import, an invitation, an open cycle with an order, a
    closed one with cartons to round, a stored document."""

    join_request: JoinRequest  # Olivier asks to join A
    bread: Product  # « Pain », the bakery's (Paul keeps its catalogue)
    catalog_import: CatalogImport  # the bakery's, with one error
    invitation: ProducerInvitation  # to manage the dairy
    cycle: Cycle  # open, bakery and dairy; Marie ordered (unless told otherwise)
    offer: Offer  # « Pain de campagne » in ``cycle``, 4,50 €, 50 in all
    closed: Cycle  # closed an hour ago, allocated; Marie and Mehdi ordered cider
    carton_offer: Offer  # « Cidre brut » in ``closed``, cartons of 6
    stored_document: StoredDocument  # a served file of ``cycle``
    order_of_member2: Order  # Mehdi's basket in ``cycle`` (a household at the bakery's stand)
    day_team_member: DayTeamMember  # Mehdi, on ``cycle``'s day team (the welcome desk)


def stored_document(of: Cycle) -> StoredDocument:
    """One served file of ``of``, as a finished generation leaves it (without rendering anything)."""
    doc_set = DocumentSet.objects.create(cycle=of, requested=1, started=1, ready=1, fingerprint="x")
    content = "\ufeffMembre;Total\r\n".encode()
    return StoredDocument.objects.create(
        document_set=doc_set,
        generation=1,
        kind=Kind.MATRIX,
        fmt="csv",
        filename="qui-a-commande-quoi.csv",
        content_type="text/csv; charset=utf-8",
        content=content,
        size=len(content),
        data_hash="x",
    )


def site(cast: Cast, *, ordered: bool = True) -> Site:
    """With ``ordered``, Marie has a basket in the open cycle (else only in the closed one)."""
    join_request = accounts.request_to_join(group=cast.group_a, user=cast.outsider)
    assert isinstance(join_request, JoinRequest)
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    bread = product(cast.bakery, "Pain")
    catalog_import = CatalogImport.objects.create(producer=cast.bakery, filename="x.csv", error_count=1)
    invitation = catalog.invite_manager(
        group=cast.group_a, producer=cast.dairy, email="x@example.org", by=cast.coordinator
    )
    made = cycle(cast.group_a, producers=[cast.dairy])
    bread_on_sale = offer(made, cast.bakery, "Pain de campagne", price_cents=450, quota=50_000)
    flour = offer(made, cast.dairy, "Farine", price_cents=190, unit=SaleUnit.KG, quantity_step=500)
    offer(made, cast.bakery, "Cidre", unit=SaleUnit.BOTTLE, carton_size=6000)
    if ordered:
        basket(made, cast.member, {bread_on_sale: 2000, flour: 1500})
    basket(made, cast.member2, {bread_on_sale: 1000})
    closed = cycle(cast.group_a, name="Cabas de mai")
    cider = offer(closed, cast.bakery, "Cidre brut", unit=SaleUnit.BOTTLE, carton_size=6000)
    for member in (cast.member, cast.member2):
        result = save_basket(
            cycle=closed, member=member, changes=[LineChange(cider.pk, 4000, tolerance=2000)], by=member
        )
        assert result.ok, result
    set_phase(closed, "closed", opens_at=closed.opens_at, published_at=closed.published_at)
    allocate(closed)  # pages of a closed cycle allocate on first sight: done beforehand
    return Site(
        **_scene_fields(cast),
        join_request=join_request,
        bread=bread,
        catalog_import=catalog_import,
        invitation=invitation,
        cycle=made,
        offer=bread_on_sale,
        closed=closed,
        carton_offer=cider,
        stored_document=stored_document(made),
        order_of_member2=Order.objects.get(cycle=made, user=cast.member2),
        day_team_member=DayTeamMember.objects.create(cycle=made, user=cast.member2),
    )
