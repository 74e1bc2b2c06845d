"""Writes the demo buying groups into the database; ``seed_demo`` is its only caller.

Every step *adds what is missing* and never changes or deletes what is there,
so the command can run again at any time (after a larger ``--size``, after a
coordinator approved a demo request, on a database someone has been clicking
around in) without duplicating anyone or failing on a unique constraint.

The few named people and the groups go through the app's own services, like
real sign-ups. The crowd (hundreds of households) is written with
``bulk_create`` and one shared password hash: hashing 4,000 passwords one by
one would take about half an hour of CPU for nothing. Producers' catalogues
(about twenty products each, from ``cabas.demo.catalogues``) are bulk-created
too, and only for producers that have no product yet: a catalogue someone has
edited is never topped up or reset. Saint-Orens then gets three cycles with
their baskets (``cabas.demo.cycles``), once: a group that has its demo cycles
is left alone. With them come their volunteer shifts and a year of help
(``cabas.demo.shifts``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from dataclasses import fields as fields_of
from datetime import datetime, timedelta
from functools import cache
from itertools import batched

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cabas.accounts import services
from cabas.accounts.models import BuyingGroup, JoinRequest, Membership, Role, User
from cabas.catalog.models import (
    ContentUnit,
    PriceChange,
    Producer,
    ProducerAccount,
    Product,
    Supply,
)
from cabas.cycles.models import Cycle
from cabas.demo import data
from cabas.demo.bank import ensure_prepaid, ensure_statement
from cabas.demo.books import serve_member
from cabas.demo.catalogues import CATALOGUES, ProductText, RangeCatalogue
from cabas.demo.cycles import ensure_cycles, ensure_history, ensure_next_cycle
from cabas.demo.data import BALMA, SAINT_ORENS, GroupText, Login, ProducerText
from cabas.demo.day import ensure_day_cycle
from cabas.demo.fund import ensure_fund
from cabas.demo.news import ensure_news
from cabas.demo.settlement import ensure_settlement_cycles
from cabas.demo.shifts import ensure_shifts

# Rows per INSERT and ids per ``IN (...)``: far below SQLite's variable limit
# and PostgreSQL's comfortable statement size.
BATCH = 500
MINUTES_A_DAY = 24 * 60
# The groups, their fixed logins and their producers go back years: the demo
# cycles (the oldest two months ago) must not predate the people ordering in them.
GROUP_AGE = timedelta(days=8 * 365)
SUPPLY_AGE = timedelta(days=4 * 365)
LOGIN_AGE = timedelta(days=3 * 365)


@dataclass(frozen=True)
class Sizes:
    """How many generated rows each part of the demo gets."""

    households: int = 400
    producers: int = 25
    baskets: int = 150  # per cycle (fewer if there are fewer households)
    balma_households: int = 20
    join_requests: int = 6

    @classmethod
    def scaled(cls, size: int) -> Sizes:
        """The real group near Toulouse, times ``size``: 400 households, 25 producers, 150 baskets each."""
        return cls(households=400 * size, producers=25 * size, baskets=150 * size)


@dataclass(frozen=True)
class Pool:
    """A numbered series of generated people, kept apart from the others.

    ``tag`` makes each series' e-mails distinct (``marie.fabre.12`` vs
    ``marie.fabre.b12``); ``start`` and ``step`` pick where in the shuffled list
    of name pairs the series reads, so that the series do not share names
    either. Person *n* of a series is the same whatever the count asked for,
    which is what lets a larger ``--size`` merely add people.
    """

    tag: str
    start: int
    step: int

    def pair_index(self, number: int) -> int:
        return self.start + self.step * (number - 1)


SAINT_ORENS_POOL = Pool(tag="", start=0, step=1)  # reads the name pairs from the front
BALMA_POOL = Pool(tag="b", start=-1, step=-1)  # ... from the back
REQUEST_POOL = Pool(tag="d", start=-1001, step=-1)  # ... from the back, after Balma's share


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    phone: str
    language: str
    joined_at: datetime


@dataclass(frozen=True)
class ProducerSpec:
    """A producer as it is written, with the contact and payment details members see."""

    name: str
    slug: str
    speciality: str
    town: str
    description: str
    range_key: str
    address: str
    postcode: str
    farming_practice: str
    labels: str
    contact_email: str
    contact_phone: str
    accepts_cash: bool
    accepts_cheque: bool
    cheque_payable_to: str
    accepts_transfer: bool
    iban: str
    payment_notes: str

    def producer(self, *, managing_group: BuyingGroup | None = None) -> Producer:
        fields = {f.name: getattr(self, f.name) for f in fields_of(self) if f.name != "range_key"}
        return Producer(**fields, managing_group=managing_group)


@dataclass(frozen=True)
class PriceStep:
    """One past price change of a product: ``old`` → ``new`` cents, ``days_ago``."""

    old: int
    new: int
    days_ago: int


@dataclass(frozen=True)
class ProductSpec:
    """One product of a producer's catalogue, ready to be written."""

    name: str
    description: str
    category: str
    labels: str
    unit: str
    content: int | None
    content_unit: str
    price_cents: int
    vat_rate: int
    quantity_step: int
    min_quantity: int
    carton_size: int | None
    variable_weight: bool
    estimated_weight_grams: int | None
    created_minutes_ago: int
    archived_days_ago: int | None  # None: on sale
    price_history: tuple[PriceStep, ...] = ()

    @property
    def age_days(self) -> int:
        return self.created_minutes_ago // MINUTES_A_DAY

    def product(self, producer_id: int, now: datetime) -> Product:
        return Product(
            producer_id=producer_id,
            name=self.name,
            description=self.description,
            category=self.category,
            labels=self.labels,
            unit=self.unit,
            content=self.content,
            content_unit=self.content_unit,
            price_cents=self.price_cents,
            vat_rate=self.vat_rate,
            quantity_step=self.quantity_step,
            min_quantity=self.min_quantity,
            carton_size=self.carton_size,
            variable_weight=self.variable_weight,
            estimated_weight_grams=self.estimated_weight_grams,
            is_active=self.archived_days_ago is None,
            archived_at=None
            if self.archived_days_ago is None
            else now - timedelta(days=self.archived_days_ago),
            created_at=now - timedelta(minutes=self.created_minutes_ago),
        )


# --- Generating (no database) ------------------------------------------------------


@cache
def name_pairs(seed: int) -> tuple[tuple[str, str], ...]:
    """Every (first name, last name) pair once, in a fixed shuffled order.

    Drawing names independently would give the same person twice after a few
    hundred draws (birthday paradox); walking a shuffled product does not until
    all ~15,000 pairs are used.
    """
    pairs = [(first, last) for first in data.FIRST_NAMES for last in data.LAST_NAMES]
    random.Random(seed).shuffle(pairs)
    return tuple(pairs)


def phone_number(rng: random.Random) -> str:
    digits = [rng.randint(0, 99) for _ in range(4)]
    return rng.choice(("06", "07")) + "".join(f" {pair:02d}" for pair in digits)


def people(pool: Pool, count: int, *, seed: int = data.SEED) -> list[Person]:
    """The first ``count`` people of ``pool``; the same people on every run."""
    rng = random.Random(f"{seed}:{pool.tag}")
    pairs = name_pairs(seed)
    now = timezone.now()
    result = []
    for number in range(1, count + 1):
        first, last = pairs[pool.pair_index(number) % len(pairs)]
        local = f"{slugify(first)}.{slugify(last)}.{pool.tag}{number}"
        result.append(
            Person(
                email=f"{local}@{data.DOMAIN}",
                full_name=f"{first} {last}",
                phone=phone_number(rng) if rng.random() < 0.6 else "",
                language="en" if rng.random() < 0.03 else "fr",
                joined_at=now - timedelta(days=rng.randint(1, 6 * 365), minutes=rng.randint(0, 1439)),
            )
        )
    return result


def elide(text: str) -> str:
    """French elision: « Huilerie de Encastel » reads « Huilerie d'Encastel »."""
    words = text.split(" ")
    for i, word in enumerate(words[:-1]):
        if word == "de" and words[i + 1][:1] in "AEIOUYÉÈÂÎaeiouyéèâî":
            words[i] = "d'" + words.pop(i + 1)
            return elide(" ".join(words))
    return " ".join(words)


def _unique_name(name: str, town: str, taken: set[str]) -> tuple[str, str]:
    """A name whose slug nobody has yet: the town is added, then a number if need be."""
    candidates = [name, f"{name} ({town})", *(f"{name} ({town}) {n}" for n in range(2, 1000))]
    for candidate in candidates:
        slug = slugify(candidate)[:80]
        if slug not in taken:
            taken.add(slug)
            return candidate, slug
    raise RuntimeError(f"No free slug for producer {name!r}")  # pragma: no cover


def producer_specs(count: int, *, seed: int = data.SEED) -> list[ProducerSpec]:
    """``count`` producers cycling through the product ranges (bread, oil, flour...)."""
    rng = random.Random(f"{seed}:producers")
    taken: set[str] = set()
    specs = []
    for index in range(count):
        product_range = data.PRODUCT_RANGES[index % len(data.PRODUCT_RANGES)]
        lap = index // len(data.PRODUCT_RANGES)
        pattern = product_range.name_patterns[lap % len(product_range.name_patterns)]
        town, place, family = rng.choice(data.TOWNS), rng.choice(data.PLACES), rng.choice(data.LAST_NAMES)
        name, slug = _unique_name(elide(pattern.format(place=place, family=family, town=town)), town, taken)
        specs.append(
            _with_details(
                name=name,
                slug=slug,
                speciality=product_range.specialities[lap % len(product_range.specialities)],
                town=town,
                description=product_range.description.format(town=town),
                range_key=product_range.key,
                place=place,
                family=family,
                seed=seed,
            )
        )
    return specs


def balma_producer_specs(*, seed: int = data.SEED) -> list[ProducerSpec]:
    return [_spec_from_text(text, seed) for text in data.BALMA_PRODUCERS]


def _spec_from_text(text: ProducerText, seed: int) -> ProducerSpec:
    family = random.Random(f"{seed}:family:{text.slug}").choice(data.LAST_NAMES)
    return _with_details(
        name=text.name,
        slug=text.slug,
        speciality=text.speciality,
        town=text.town,
        description=text.description,
        range_key=text.range_key,
        place=text.place,
        family=family,
        seed=seed,
    )


# Legal forms that already start a producer's name (« GAEC Fabre »).
LEGAL_FORMS = ("EARL", "GAEC", "SCEA", "SARL", "SAS", "EURL")
# Bank codes of banks common around Toulouse (Crédit Agricole, Crédit Mutuel,
# Caisse d'Épargne, Banque Populaire, Crédit Coopératif, La Banque Postale).
BANK_CODES = ("13106", "10278", "13135", "17807", "42559", "20041")


def _with_details(
    *,
    name: str,
    slug: str,
    speciality: str,
    town: str,
    description: str,
    range_key: str,
    place: str,
    family: str,
    seed: int,
) -> ProducerSpec:
    """Address, labels, contact and payment details, drawn from the producer's own seed.

    A separate random stream per producer: adding details never changes the
    names drawn by ``producer_specs``, and a producer's details do not depend
    on how many producers are asked for.
    """
    rng = random.Random(f"{seed}:details:{slug}")
    kind = CATALOGUES[range_key]
    accepts_cash = rng.random() < 0.9
    accepts_cheque = rng.random() < 0.92
    accepts_transfer = rng.random() < 0.4 or not (accepts_cash or accepts_cheque)
    notes = _payment_notes(accepts_cash, accepts_cheque, accepts_transfer)
    return ProducerSpec(
        name=name,
        slug=slug,
        speciality=speciality,
        town=town,
        description=description,
        range_key=range_key,
        address=_address(rng, place),
        postcode=data.TOWN_POSTCODES[town],
        farming_practice=rng.choice(kind.practices),
        labels=rng.choice(kind.labels),
        contact_email=f"{slug[:48].rstrip('-')}@{data.DOMAIN}",
        contact_phone=_producer_phone(rng),
        accepts_cash=accepts_cash,
        accepts_cheque=accepts_cheque,
        cheque_payable_to=_legal_name(rng, name, family, kind) if accepts_cheque else "",
        accepts_transfer=accepts_transfer,
        iban=french_iban(rng) if accepts_transfer else "",
        payment_notes=rng.choice(notes) if rng.random() < 0.4 else "",
    )


def _payment_notes(cash: bool, cheque: bool, transfer: bool) -> list[str]:
    """The instructions that make sense for the ways a producer is paid."""
    notes = [
        ("Merci de préparer l'appoint, nous avons peu de monnaie.", cash),
        ("Chèques encaissés la semaine suivant la distribution.", cheque),
        ("Possibilité de régler les grosses commandes en deux chèques.", cheque),
        ("Pour un virement, indiquez votre nom et la date de distribution en référence.", transfer),
        ("Pas de carte bancaire sur place.", True),
    ]
    return [note for note, applies in notes if applies]


def _address(rng: random.Random, place: str) -> str:
    number = rng.randint(1, 2400)
    return elide(
        rng.choice(
            (
                f"Lieu-dit {place}",
                f"{number} chemin de {place}",
                f"Lieu-dit {place}, {number} route de {rng.choice(data.TOWNS)}",
            )
        )
    )


def _producer_phone(rng: random.Random) -> str:
    """A Haute-Garonne landline or a mobile."""
    prefix = rng.choice(("05 61", "05 62", "05 34", "06", "06", "07"))
    pairs = 4 if len(prefix) == 2 else 3
    return prefix + "".join(f" {rng.randint(0, 99):02d}" for _ in range(pairs))


def _legal_name(rng: random.Random, name: str, family: str, catalogue: RangeCatalogue) -> str:
    """Who cheques are made out to: « EARL Ferme de Lacaze », « GAEC Fabre », « Julie Fabre »."""
    base = name.split(" (")[0]
    if base.split(" ")[0] in LEGAL_FORMS:
        return base
    form = rng.choice(catalogue.legal_forms)
    if not form:
        return f"{rng.choice(data.FIRST_NAMES)} {family}"
    if form == "GAEC" and rng.random() < 0.5:
        return f"GAEC {family}"
    return f"{form} {base}"[:120]


def rib_key(bank: str, branch: str, account: str) -> str:
    """The two-digit key of a French RIB (digits-only account number)."""
    return f"{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97:02d}"


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: 98 minus (BBAN + country + "00", letters as 10-35) mod 97."""
    number = int("".join(str(int(char, 36)) for char in bban + country + "00"))
    return f"{98 - number % 97:02d}"


def french_iban(rng: random.Random) -> str:
    """A well-formed French IBAN (27 characters) with a valid RIB key and check digits."""
    bank = rng.choice(BANK_CODES)
    branch = f"{rng.randint(0, 99999):05d}"
    account = f"{rng.randint(0, 10**11 - 1):011d}"
    bban = bank + branch + account + rib_key(bank, branch, account)
    return "FR" + iban_check_digits("FR", bban) + bban


# --- Catalogues (no database) -----------------------------------------------------------

PRODUCTS_PER_PRODUCER = (15, 24)


def parse_size(size: str) -> tuple[int | None, str]:
    """``"75 cl"`` → ``(750, "ml")``, ``"1,5 l"`` → ``(1500, "ml")``, ``"500 g"`` → ``(500, "g")``."""
    if not size:
        return None, ""
    amount, unit = size.split()
    factor, content_unit = {
        "g": (1, ContentUnit.GRAM),
        "kg": (1000, ContentUnit.GRAM),
        "ml": (1, ContentUnit.MILLILITRE),
        "cl": (10, ContentUnit.MILLILITRE),
        "l": (1000, ContentUnit.MILLILITRE),
    }[unit]
    whole, _, decimals = amount.partition(",")
    value = int(whole) * factor + (int(decimals) * factor // 10 ** len(decimals) if decimals else 0)
    return value, str(content_unit)


def nudge_price(cents: int, rng: random.Random) -> int:
    """The catalogue price give or take 8 %, rounded as a producer would (14,90 stays 14,90-ish)."""
    raw = cents * rng.uniform(0.92, 1.08)
    if cents % 100 == 90 and cents >= 300:
        return max(90, round(raw / 100) * 100 - 10)
    grain = 10 if cents >= 300 else 5
    return max(grain, round(raw / grain) * grain)


def _product_spec(text: ProductText, kind: RangeCatalogue, labels: str, rng: random.Random) -> ProductSpec:
    content, content_unit = parse_size(text.size)
    return ProductSpec(
        name=text.name,
        description=text.description,
        category=text.category or kind.category,
        labels=labels if rng.random() < 0.93 else "",  # a few bought-in or uncertified items
        unit=text.unit,
        content=content,
        content_unit=content_unit,
        price_cents=nudge_price(text.price_cents, rng),
        vat_rate=text.vat,
        quantity_step=text.step,
        min_quantity=text.minimum or text.step,
        carton_size=text.carton,
        variable_weight=text.weight is not None,
        estimated_weight_grams=text.weight,
        created_minutes_ago=rng.randint(60 * MINUTES_A_DAY, 1200 * MINUTES_A_DAY),
        archived_days_ago=None,
    )


def _with_history(product: ProductSpec, rng: random.Random) -> ProductSpec:
    """One or two past rises, each 3-10 %, since the product was created."""
    steps: list[PriceStep] = []
    price, days_ago = product.price_cents, 0
    for _ in range(rng.choice((1, 1, 2))):
        days_ago = rng.randint(days_ago + 1, max(days_ago + 1, product.age_days - 1))
        old = max(5, round(price / rng.uniform(1.03, 1.10) / 10) * 10)
        if old == price:
            break
        steps.append(PriceStep(old=old, new=price, days_ago=days_ago))
        price = old
    return replace(product, price_history=tuple(steps))


def catalogue(spec: ProducerSpec, *, seed: int = data.SEED) -> list[ProductSpec]:
    """About twenty products from the producer's range, staples first; one or two others archived.

    The same producer always gets the same catalogue, whatever else is seeded.
    """
    rng = random.Random(f"{seed}:catalogue:{spec.slug}")
    kind = CATALOGUES[spec.range_key]
    staples = [index for index, text in enumerate(kind.products) if text.name in kind.staples]
    others = [index for index, text in enumerate(kind.products) if text.name not in kind.staples]
    count = min(rng.randint(*PRODUCTS_PER_PRODUCER), len(kind.products))
    chosen = sorted(staples + rng.sample(others, count - len(staples)))
    products = [_product_spec(kind.products[index], kind, spec.labels, rng) for index in chosen]
    optional = [position for position, index in enumerate(chosen) if index not in staples]
    for index in rng.sample(optional, rng.randint(1, 2)):
        product = products[index]
        archived = rng.randint(7, max(7, min(365, product.age_days - 1)))
        products[index] = replace(product, archived_days_ago=archived)
    on_sale = [index for index, product in enumerate(products) if product.archived_days_ago is None]
    for index in rng.sample(on_sale, min(len(on_sale), rng.randint(0, 3))):
        products[index] = _with_history(products[index], rng)
    return products


# --- Writing -------------------------------------------------------------------------


def _chunks[T](items: Iterable[T]) -> Iterator[tuple[T, ...]]:
    return batched(items, BATCH)


def user_ids(emails: Iterable[str]) -> dict[str, int]:
    """Existing users among ``emails``: e-mail -> id."""
    found: dict[str, int] = {}
    for chunk in _chunks(emails):
        found.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    return found


def ensure_verified_emails(ids: dict[str, int]) -> None:
    """Give each user a primary, verified allauth address, as after confirming sign-up.

    Without it allauth (mandatory verification) would send a code at first login.
    """
    having: set[int] = set()
    for chunk in _chunks(ids.values()):
        having.update(EmailAddress.objects.filter(user_id__in=chunk).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        (
            EmailAddress(user_id=user_id, email=email, primary=True, verified=True)
            for email, user_id in ids.items()
            if user_id not in having
        ),
        batch_size=BATCH,
    )


def ensure_people(crowd: Sequence[Person], password_hash: str) -> dict[str, int]:
    """Create the people not in the database yet; return everybody's id by e-mail."""
    emails = [person.email for person in crowd]
    existing = user_ids(emails)
    User.objects.bulk_create(
        (
            User(
                email=person.email,
                full_name=person.full_name,
                phone=person.phone,
                language=person.language,
                password=password_hash,
                date_joined=person.joined_at,
            )
            for person in crowd
            if person.email not in existing
        ),
        batch_size=BATCH,
    )
    ids = user_ids(emails)
    ensure_verified_emails(ids)
    return ids


def current_member_ids(group: BuyingGroup) -> set[int]:
    return set(Membership.objects.current().filter(group=group).values_list("user_id", flat=True))


def ensure_households(group: BuyingGroup, crowd: Sequence[Person], password_hash: str) -> None:
    """Make each person of ``crowd`` a current member (household) of ``group``."""
    ids = ensure_people(crowd, password_hash)
    members = current_member_ids(group)
    Membership.objects.bulk_create(
        (
            Membership(user_id=ids[person.email], group=group, is_member=True, started_at=person.joined_at)
            for person in crowd
            if ids[person.email] not in members
        ),
        batch_size=BATCH,
    )


def ensure_join_requests(group: BuyingGroup, crowd: Sequence[Person], password_hash: str) -> None:
    """Pending requests to join ``group``, so the coordinators' page has work to show.

    Written directly rather than through ``services.request_to_join``, which
    e-mails every coordinator: seeding must not queue mail to fake addresses.
    Anyone who already asked (even if since approved or refused) is left alone,
    so a coordinator's decisions survive the next run.
    """
    ids = ensure_people(crowd, password_hash)
    skip = current_member_ids(group)
    skip.update(JoinRequest.objects.filter(group=group).values_list("user_id", flat=True))
    now = timezone.now()
    JoinRequest.objects.bulk_create(
        JoinRequest(
            user_id=ids[person.email],
            group=group,
            message=data.JOIN_MESSAGES[number % len(data.JOIN_MESSAGES)],
            created_at=now - timedelta(hours=7 * number + 3),
        )
        for number, person in enumerate(crowd)
        if ids[person.email] not in skip
    )


def producer_ids(slugs: Iterable[str]) -> dict[str, int]:
    """Existing producers among ``slugs``: slug -> id."""
    found: dict[str, int] = {}
    for chunk in _chunks(slugs):
        found.update(Producer.objects.filter(slug__in=chunk).values_list("slug", "id"))
    return found


def ensure_producers(group: BuyingGroup, specs: Sequence[ProducerSpec]) -> dict[str, int]:
    """Create the missing producers and make every one of them supply ``group``; slug -> id.

    The group that creates a producer manages it (as when a coordinator creates one).
    """
    slugs = [spec.slug for spec in specs]
    existing = producer_ids(slugs)
    Producer.objects.bulk_create(
        (spec.producer(managing_group=group) for spec in specs if spec.slug not in existing),
        batch_size=BATCH,
    )
    supplying = set(
        Supply.objects.filter(group=group, ended_at__isnull=True).values_list("producer_id", flat=True)
    )
    ids = producer_ids(slugs)
    Supply.objects.bulk_create(
        (
            Supply(producer_id=pid, group=group, started_at=timezone.now() - SUPPLY_AGE)
            for pid in ids.values()
            if pid not in supplying
        ),
        batch_size=BATCH,
    )
    return ids


def ensure_catalogues(
    specs: Sequence[ProducerSpec], ids: dict[str, int], *, seed: int, now: datetime
) -> None:
    """Give each producer that has no product yet its demo catalogue (and a little price history).

    A producer with products is left alone, even if it has fewer than its
    demo catalogue: someone may have archived, renamed or deleted them.
    """
    stocked: set[int] = set()
    for chunk in _chunks(ids.values()):
        stocked.update(Product.objects.filter(producer_id__in=chunk).values_list("producer_id", flat=True))
    new = {ids[spec.slug]: catalogue(spec, seed=seed) for spec in specs if ids[spec.slug] not in stocked}
    Product.objects.bulk_create(
        (product.product(pid, now) for pid, products in new.items() for product in products),
        batch_size=BATCH,
    )
    histories = {
        (pid, product.name): product.price_history
        for pid, products in new.items()
        for product in products
        if product.price_history
    }
    product_ids: dict[tuple[int, str], int] = {}
    for chunk in _chunks({pid for pid, _name in histories}):
        rows = Product.objects.filter(producer_id__in=chunk).values_list("producer_id", "name", "id")
        product_ids.update(((pid, name), product_id) for pid, name, product_id in rows)
    PriceChange.objects.bulk_create(
        (
            PriceChange(
                product_id=product_ids[key],
                old_price_cents=step.old,
                new_price_cents=step.new,
                changed_at=now - timedelta(days=step.days_ago, hours=3),
            )
            for key, steps in histories.items()
            for step in steps
        ),
        batch_size=BATCH,
    )


def ensure_producer_account(user: User, producer_id: int) -> None:
    """``user`` manages the producer, as after accepting an invitation."""
    ProducerAccount.objects.get_or_create(producer_id=producer_id, user=user)


def ensure_login(login: Login, password_hash: str) -> User:
    """The fixed account ``login``, created if missing (an existing one is left as it is)."""
    user = User.objects.filter(email=login.email).first()
    if user is None:
        if login.superuser:
            user = User.objects.create_superuser(email=login.email, full_name=login.full_name)
        else:
            user = services.create_user(email=login.email, full_name=login.full_name, phone=login.phone)
        # The shared hash instead of set_password(): one hash for the whole demo.
        user.password = password_hash
        user.date_joined = timezone.now() - LOGIN_AGE
        user.save(update_fields=["password", "date_joined"])
    ensure_verified_emails({user.email: user.pk})
    return user


def coordinator_of(text: GroupText) -> Login:
    """The first fixed login that coordinates the group: the one it is created with."""
    return next(
        login
        for login in data.LOGINS
        if any(slug == text.slug and Role.COORDINATOR in roles for slug, roles in login.memberships)
    )


def ensure_group(text: GroupText, coordinator: User) -> BuyingGroup:
    """The group with slug ``text.slug``; an existing one is kept as it is."""
    group = BuyingGroup.objects.filter(slug=text.slug).first()
    if group is not None:
        return group
    now = timezone.now()
    group = services.create_group(
        name=text.name,
        slug=text.slug,
        coordinator=coordinator,
        description=text.description,
        place=text.place,
        distribution_info=text.distribution_info,
        contact_email=text.contact_email,
        requires_approval=text.requires_approval,
        created_at=now - GROUP_AGE,
    )
    # Its founding coordinator has been there as long as the login.
    Membership.objects.filter(group=group, user=coordinator).update(started_at=now - LOGIN_AGE)
    return group


def ensure_login_memberships(login: Login, user: User, groups: dict[str, BuyingGroup]) -> None:
    """The login's memberships, started years ago (it has orders in past cycles)."""
    for slug, roles in login.memberships:
        if services.current_membership(user, groups[slug]) is None:
            membership = services.add_member(group=groups[slug], user=user, roles=roles)
            membership.started_at = timezone.now() - LOGIN_AGE
            membership.save(update_fields=["started_at"])


@transaction.atomic
def seed(sizes: Sizes, *, seed: int = data.SEED) -> list[Cycle]:
    """Create whatever part of the demo is missing, in one transaction."""
    password_hash = make_password(data.PASSWORD)
    named = (*data.LOGINS, *data.EXTRA_COORDINATORS)
    users = {login.email: ensure_login(login, password_hash) for login in named}
    groups = {
        text.slug: ensure_group(text, users[coordinator_of(text).email]) for text in (SAINT_ORENS, BALMA)
    }
    for login in named:
        ensure_login_memberships(login, users[login.email], groups)
    saint_orens, balma = groups[SAINT_ORENS.slug], groups[BALMA.slug]
    ensure_households(saint_orens, people(SAINT_ORENS_POOL, sizes.households, seed=seed), password_hash)
    ensure_households(balma, people(BALMA_POOL, sizes.balma_households, seed=seed), password_hash)
    ensure_join_requests(saint_orens, people(REQUEST_POOL, sizes.join_requests, seed=seed), password_hash)
    now = timezone.now()
    for group, specs in (
        (saint_orens, producer_specs(sizes.producers, seed=seed)),
        (balma, balma_producer_specs(seed=seed)),
    ):
        ids = ensure_producers(group, specs)
        ensure_catalogues(specs, ids, seed=seed, now=now)
        if group == saint_orens and specs:
            # The first producer is the bakery: the producer login lands on its dashboard.
            ensure_producer_account(users[data.PRODUCER_LOGIN_EMAIL], ids[specs[0].slug])
    coordinator = users[coordinator_of(SAINT_ORENS).email]
    created = ensure_cycles(saint_orens, baskets=sizes.baskets, seed=seed, now=now, coordinator=coordinator)
    if created:  # with the other cycles, once: a cycle in the middle of its distribution day
        day_cycle = ensure_day_cycle(
            saint_orens, baskets=sizes.baskets, seed=seed, now=now, coordinator=coordinator
        )
        if day_cycle is not None:
            serve_member(day_cycle, coordinator, users[data.MEMBER_LOGIN_EMAIL])
        created += [day_cycle] if day_cycle else []
        # Shifts for the cycles above (the treasurer's cycles below are past their shifts).
        ensure_shifts(saint_orens, created, coordinator=coordinator, seed=seed, now=now)
        # ... and the money after the day: a cycle to settle, and a settled one.
        created += ensure_settlement_cycles(
            saint_orens,
            baskets=sizes.baskets,
            seed=seed,
            now=now,
            coordinator=coordinator,
            treasurer=users.get(f"tresorerie@{data.DOMAIN}"),
        )
        # The solidarity fund: gifts, households helped, requests waiting, the day's help scaled.
        ensure_fund(saint_orens, users.get(data.TREASURER_LOGIN_EMAIL), day_cycle, seed=seed)
        # Two years of older cycles, so that the statistics have a history to chart.
        ensure_history(saint_orens, baskets=sizes.baskets, seed=seed, now=now, coordinator=coordinator)
        # The next cycle, a draft whose producers are asked for their offer.
        ensure_next_cycle(saint_orens, coordinator=coordinator)
    ensure_news(saint_orens, coordinator, now=now)
    # A bank statement waiting for the treasurer, matching the day's references.
    ensure_statement(saint_orens, users[data.TREASURER_LOGIN_EMAIL])
    ensure_prepaid(balma, users[coordinator_of(BALMA).email], users[data.BALMA_MEMBER_LOGIN_EMAIL])
    return created
