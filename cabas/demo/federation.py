"""A regional federation on one instance: ``seed_demo --groups N``.

The demo (Saint-Orens and Balma, ``cabas.demo.seeding``) is group 1; groups 2
to N are further groups of the demo's size, each with its own coordinator,
its own households (400 per unit of ``--size``), its own producers (25 per
unit) with their catalogues, and the demo's three cycles with their baskets
(``cabas.demo.cycles``: about 150 baskets each, quotas consistent with the
lines, fair shares split by the app's ``allocate``). Nobody belongs to two
groups and no producer supplies two: each group reads apart from the others,
which is what the federation benchmark (``bench/federation.py``) compares
with an instance holding the demo alone.

Everything is bulk-created through the same helpers as the demo (one shared
password hash, ``bulk_create`` in batches); the only per-row writes are the
group itself with its first coordinator (``services.create_group``) and the
fair-share split (the app's own ``allocate``). Skipped on purpose: the
distribution day, the shifts, the settlement cycles, the solidarity fund and
the bank statement, which go through the ledger's services one row at a time
and are not what a federation's size is about. One transaction per group: an
interrupted run keeps the groups it finished, and a second run adds only the
groups (or parts) that are missing, like the rest of the demo.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cabas.accounts.models import BuyingGroup
from cabas.demo import data
from cabas.demo.cycles import ensure_cycles
from cabas.demo.data import GroupText, Login
from cabas.demo.seeding import (
    Pool,
    ProducerSpec,
    Sizes,
    ensure_catalogues,
    ensure_group,
    ensure_households,
    ensure_login,
    ensure_producers,
    people,
    producer_specs,
)

SLUG_PREFIX = "federation-"


def group_slug(number: int) -> str:
    return f"{SLUG_PREFIX}{number:03d}"


def group_text(number: int) -> GroupText:
    """Group ``number`` (2 and up) of the federation, named after a town of the demo's area."""
    town = data.TOWNS[number % len(data.TOWNS)]
    return GroupText(
        name=f"Cabas n° {number} ({town})",
        slug=group_slug(number),
        requires_approval=True,
        description=f"Groupement d'achats citoyen de {town}, membre de la fédération régionale.",
        place=f"Salle des fêtes, {town}",
        distribution_info="Un samedi tous les deux mois, de 10 h à 12 h",
        contact_email=f"contact.{group_slug(number)}@{data.DOMAIN}",
    )


def coordinator_login(number: int) -> Login:
    return Login(
        email=f"coordination.g{number}@{data.DOMAIN}",
        full_name=f"Coordination n° {number}",
        role_label=f"coordination du groupe n° {number}",
    )


def households_pool(number: int) -> Pool:
    """Group ``number``'s households: e-mails tagged ``g<number>.``, names read from their own place."""
    return Pool(tag=f"g{number}.", start=number * 997, step=1)


def group_producer_specs(number: int, count: int, *, seed: int) -> list[ProducerSpec]:
    """``count`` producers of their own for group ``number`` (slugs end in ``-g<number>``)."""
    specs = producer_specs(count, seed=seed * 1000 + number)
    return [replace(spec, slug=f"{spec.slug[:72].rstrip('-')}-g{number}") for spec in specs]


@dataclass(frozen=True)
class GroupSeeded:
    number: int
    group: BuyingGroup
    cycles: int
    seconds: float


def seed_group(number: int, sizes: Sizes, password_hash: str, *, seed: int, now: datetime) -> GroupSeeded:
    """Group ``number`` of the federation, completed with whatever it is missing, in one transaction."""
    started = time.perf_counter()
    with transaction.atomic():
        coordinator = ensure_login(coordinator_login(number), password_hash)
        group = ensure_group(group_text(number), coordinator)
        ensure_households(group, people(households_pool(number), sizes.households, seed=seed), password_hash)
        specs = group_producer_specs(number, sizes.producers, seed=seed)
        ids = ensure_producers(group, specs)
        ensure_catalogues(specs, ids, seed=seed, now=now)
        cycles = ensure_cycles(
            group, baskets=sizes.baskets, seed=seed + number, now=now, coordinator=coordinator
        )
    return GroupSeeded(number, group, len(cycles), time.perf_counter() - started)


def seed_federation(
    groups: int,
    sizes: Sizes,
    password_hash: str,
    *,
    seed: int = data.SEED,
    progress: Callable[[GroupSeeded], None] | None = None,
) -> list[GroupSeeded]:
    """Groups 2 to ``groups`` of the federation (the demo itself is group 1)."""
    now = timezone.now()
    done = []
    for number in range(2, groups + 1):
        seeded = seed_group(number, sizes, password_hash, seed=seed, now=now)
        done.append(seeded)
        if progress is not None:
            progress(seeded)
    return done


def federation_groups() -> int:
    """How many groups of the federation the database holds (the demo counts as one)."""
    return 1 + BuyingGroup.objects.filter(slug__startswith=SLUG_PREFIX).count()
