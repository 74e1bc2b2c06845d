"""Writes the demo buying groups into the database; ``seed_demo`` is its only caller.

Every step *adds what is missing* and never changes or deletes what is there,
so the command can run again at any time (after a larger ``--size``, after a
coordinator approved a demo request, on a database someone has been clicking
around in) without duplicating anyone or failing on a unique constraint.

The few named people and the groups go through the app's own services, like
real sign-ups. The crowd (hundreds of households) is written with
``bulk_create`` and one shared password hash: hashing 4,000 passwords one by
one would take about half an hour of CPU for nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
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
from cabas.catalog.models import Producer, Supply
from cabas.demo import data
from cabas.demo.data import BALMA, SAINT_ORENS, GroupText, Login, ProducerText

# Rows per INSERT and ids per ``IN (...)``: far below SQLite's variable limit
# and PostgreSQL's comfortable statement size.
BATCH = 500


@dataclass(frozen=True)
class Sizes:
    """How many generated rows each part of the demo gets."""

    households: int = 400
    producers: int = 25
    balma_households: int = 20
    join_requests: int = 6

    @classmethod
    def scaled(cls, size: int) -> Sizes:
        """The real group near Toulouse, times ``size``: 400 households and 25 producers each."""
        return cls(households=400 * size, producers=25 * size)


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
    name: str
    slug: str
    speciality: str
    town: str
    description: str


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
            ProducerSpec(
                name=name,
                slug=slug,
                speciality=product_range.specialities[lap % len(product_range.specialities)],
                town=town,
                description=product_range.description.format(town=town),
            )
        )
    return specs


def balma_producer_specs() -> list[ProducerSpec]:
    return [_spec_from_text(text) for text in data.BALMA_PRODUCERS]


def _spec_from_text(text: ProducerText) -> ProducerSpec:
    return ProducerSpec(text.name, text.slug, text.speciality, text.town, text.description)


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


def ensure_producers(group: BuyingGroup, specs: Sequence[ProducerSpec]) -> None:
    """Create the missing producers and make every one of them supply ``group``."""
    slugs = [spec.slug for spec in specs]
    existing = set(Producer.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    Producer.objects.bulk_create(
        (
            Producer(
                name=spec.name,
                slug=spec.slug,
                speciality=spec.speciality,
                town=spec.town,
                description=spec.description,
            )
            for spec in specs
            if spec.slug not in existing
        ),
        batch_size=BATCH,
    )
    supplying = set(
        Supply.objects.filter(group=group, ended_at__isnull=True).values_list("producer_id", flat=True)
    )
    producer_ids = Producer.objects.filter(slug__in=slugs).values_list("id", flat=True)
    Supply.objects.bulk_create(
        (Supply(producer_id=pid, group=group) for pid in producer_ids if pid not in supplying),
        batch_size=BATCH,
    )


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
        user.save(update_fields=["password"])
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
    return services.create_group(
        name=text.name,
        slug=text.slug,
        coordinator=coordinator,
        description=text.description,
        place=text.place,
        distribution_info=text.distribution_info,
        contact_email=text.contact_email,
        requires_approval=text.requires_approval,
    )


def ensure_login_memberships(login: Login, user: User, groups: dict[str, BuyingGroup]) -> None:
    for slug, roles in login.memberships:
        if services.current_membership(user, groups[slug]) is None:
            services.add_member(group=groups[slug], user=user, roles=roles)


@transaction.atomic
def seed(sizes: Sizes, *, seed: int = data.SEED) -> None:
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
    ensure_producers(saint_orens, producer_specs(sizes.producers, seed=seed))
    ensure_producers(balma, balma_producer_specs())
