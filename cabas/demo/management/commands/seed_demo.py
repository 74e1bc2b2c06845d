"""``manage.py seed_demo [--size N]``: a realistic buying group to click around in.

Builds « Cabas de Saint-Orens » (about 400 households and 25 producers per
unit of ``--size``, modelled on a real group near Toulouse), the small
« Panier de Balma » beside it, and fixed logins for every role. Every producer
has its address, payment details and a catalogue of about twenty products;
the producer login manages the first one, a bakery. Saint-Orens has six
cycles, dated from now: one distributed two months ago, one closed for
adjustments, one open for orders, each with about 150 baskets per unit of
``--size``, one in the middle of its distribution day (today), and two smaller
ones for the treasurer: one settled, one waiting for its settlement. Safe to
run again: it only adds what is missing. See ``cabas.demo.seeding``,
``cabas.demo.cycles``, ``cabas.demo.day`` and ``cabas.demo.settlement``.

``--groups N`` adds N-1 more groups of the same size beside the demo, a
regional federation on one instance (``cabas.demo.federation``), and prints
the seconds each group took.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cabas.accounts.models import BuyingGroup, Role
from cabas.catalog.models import Producer, ProducerAccount, Product
from cabas.cycles.models import Cycle
from cabas.demo import data
from cabas.demo.federation import GroupSeeded, seed_federation
from cabas.demo.seeding import Sizes, seed


class Command(BaseCommand):
    help = (
        "Create (or complete) the demo buying groups and the demo logins. "
        "Idempotent: a second run adds only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            type=int,
            default=1,
            help="Scale: 400 households, 25 producers and 150 baskets a cycle per unit (default 1).",
        )
        # Overrides so tests and quick demos can ask for a handful of rows.
        parser.add_argument("--households", type=int, help="Households in Saint-Orens (overrides --size).")
        parser.add_argument("--producers", type=int, help="Producers in Saint-Orens (overrides --size).")
        parser.add_argument(
            "--groups",
            type=int,
            default=1,
            help=(
                "A federation: the demo plus N-1 further groups of the same size, each with its own "
                "households, producers and three cycles (default 1: the demo alone)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["groups"] < 1:
            raise CommandError("--groups must be at least 1.")
        sizes = self._sizes(options)
        seed(sizes)
        if options["groups"] > 1:
            self._seed_federation(options["groups"], sizes, options["verbosity"])
        if options["verbosity"] >= 1:
            self._print_summary()

    def _seed_federation(self, groups: int, sizes: Sizes, verbosity: int) -> None:
        """Groups 2 to N, one transaction each, with the seconds each took."""
        seconds: list[float] = []

        def progress(seeded: GroupSeeded) -> None:
            seconds.append(seeded.seconds)
            if verbosity >= 2:
                self.stdout.write(f"  {seeded.group.name} : {seeded.cycles} cycles, {seeded.seconds:.1f} s")

        seed_federation(groups, sizes, make_password(data.PASSWORD), progress=progress)
        if verbosity >= 1 and seconds:
            total = sum(seconds)
            self.stdout.write(
                f"Fédération / federation : {len(seconds)} groupes en plus / more groups, {total:.0f} s "
                f"({total / len(seconds):.1f} s par groupe / per group)"
            )

    def _sizes(self, options: dict[str, Any]) -> Sizes:
        if options["size"] < 1:
            raise CommandError("--size must be at least 1.")
        sizes = Sizes.scaled(options["size"])
        for name in ("households", "producers"):
            if options[name] is not None:
                if options[name] < 0:
                    raise CommandError(f"--{name} cannot be negative.")
                sizes = replace(sizes, **{name: options[name]})
        return sizes

    def _print_summary(self) -> None:
        for slug in (data.SAINT_ORENS.slug, data.BALMA.slug):
            group = BuyingGroup.objects.get(slug=slug)
            households = group.memberships.current().with_role(Role.MEMBER).count()
            producers = Producer.objects.supplying(group).count()
            products = Product.objects.on_sale_in(group).count()
            self.stdout.write(
                f"{group.name} : {households} foyers / households, {producers} producteurs / producers, "
                f"{products} produits en vente / products on sale"
            )
        self._print_cycles(BuyingGroup.objects.get(slug=data.SAINT_ORENS.slug))
        accounts = ProducerAccount.objects.select_related("producer")
        account = accounts.filter(user__email=data.PRODUCER_LOGIN_EMAIL).first()
        if account is not None:
            self.stdout.write(f"{data.PRODUCER_LOGIN_EMAIL} gère / manages « {account.producer.name} »")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Comptes de démonstration / Demo logins"))
        width = max(len(login.email) for login in data.LOGINS) + 2
        for login in data.LOGINS:
            self.stdout.write(f"  {login.email:<{width}}{login.role_label}")
        self.stdout.write(f"Mot de passe / Password : {self.style.SUCCESS(data.PASSWORD)}")

    def _print_cycles(self, group: BuyingGroup) -> None:
        cycles = group.cycles.count()
        open_cycle = Cycle.objects.open_at(timezone.now()).filter(group=group).order_by("closes_at").first()
        if open_cycle is None:
            baskets = "aucun cycle ouvert / no open cycle"
        else:
            count = open_cycle.orders.filter(submitted_at__isnull=False).count()
            baskets = f"{count} paniers dans « {open_cycle.name} », ouvert / baskets in the open cycle"
        self.stdout.write(f"{group.name} : {cycles} cycles, {baskets}")
