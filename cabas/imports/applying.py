"""Writing a Solalim import's plan into Cabas: one transaction, all or nothing.

Rows already imported (found through ``ImportedRecord``) are updated, the
others created in bulk; addresses (slugs) given by a first run are kept. Lines
imported before and gone from Solalim since are removed, with baskets left empty.
People who had a Cabas account before are linked, never changed.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account.models import EmailAddress
from django.db import models, transaction
from django.utils import timezone

from cabas.accounts.models import BuyingGroup, JoinRequest, Membership, User
from cabas.catalog.models import Producer, ProducerAccount, Product, Supply
from cabas.cycles.models import Cycle, Offer, Order, OrderLine
from cabas.imports.models import ImportedRecord, SolalimImport
from cabas.imports.solalim import KINDS, Plan, Ref

MODELS: dict[str, type[models.Model]] = {
    "group": BuyingGroup,
    "user": User,
    "membership": Membership,
    "joinrequest": JoinRequest,
    "producer": Producer,
    "product": Product,
    "cycle": Cycle,
    "offer": Offer,
    "order": Order,
    "line": OrderLine,
}
# Set when created, kept afterwards: a person may have changed them in Cabas since.
CREATE_ONLY = {"slug", "password", "managing_group_id", "submitted_at", "created_at"}
BATCH = 500


@transaction.atomic
def apply(plan: Plan, *, source: str, run_by: User | None = None) -> SolalimImport:
    """Write ``plan`` and store its report; returns the stored report."""
    started = time.monotonic()
    started_at = timezone.now()
    writer = _Writer(plan)
    for kind in KINDS:
        writer.sync(kind)
    writer.link_users()
    writer.email_addresses()
    writer.relations()
    writer.remove_stale_lines()
    report = plan.report() | {"seconds": round(time.monotonic() - started, 1)}
    return SolalimImport.objects.create(
        origin=plan.origin,
        source=source[:300],
        report=report,
        started_at=started_at,
        finished_at=timezone.now(),
        run_by=run_by,
    )


class _Writer:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.pks: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
        self.pks["user"].update(plan.existing_users)

    def resolve(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {
            name: (self.pks[value.kind][value.key] if isinstance(value, Ref) else value)
            for name, value in fields.items()
        }

    def sync(self, kind: str) -> None:
        """Update the rows a previous run created, create the others, remember them all."""
        model, rows, links = MODELS[kind], self.plan.rows[kind], self.plan.links[kind]
        found = model._default_manager.in_bulk([links[key] for key in rows if key in links])
        changed, new_keys = [], []
        for key, fields in rows.items():
            instance = found.get(links.get(key, -1))
            if instance is None:
                new_keys.append(key)
                continue
            self.pks[kind][key] = instance.pk
            updates = {n: v for n, v in self.resolve(fields).items() if n not in CREATE_ONLY}
            if any(getattr(instance, name) != value for name, value in updates.items()):
                for name, value in updates.items():
                    setattr(instance, name, value)
                changed.append(instance)
        names = sorted({name for fields in rows.values() for name in fields} - CREATE_ONLY)
        if changed and names:
            model._default_manager.bulk_update(changed, names, batch_size=BATCH)
        created = model._default_manager.bulk_create(
            [model(**self.resolve(rows[key])) for key in new_keys], batch_size=BATCH
        )
        for key, instance in zip(new_keys, created, strict=True):
            self.pks[kind][key] = instance.pk
        self.record(kind, new_keys)

    def record(self, kind: str, keys: list[str]) -> None:
        origin = self.plan.origin
        ImportedRecord.objects.filter(origin=origin, kind=kind, key__in=keys).delete()
        ImportedRecord.objects.bulk_create(
            [
                ImportedRecord(origin=origin, kind=kind, key=key, object_id=self.pks[kind][key])
                for key in keys
            ],
            batch_size=BATCH,
        )

    def link_users(self) -> None:
        self.record("user", list(self.plan.existing_users))

    def email_addresses(self) -> None:
        """Logging in needs an address allauth knows; one Solalim mailed to is taken as verified."""
        users = {self.pks["user"][key]: key for key in self.plan.rows["user"]}
        known = set(EmailAddress.objects.filter(user_id__in=users).values_list("user_id", flat=True))
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(
                    user_id=pk,
                    email=self.plan.rows["user"][key]["email"],
                    primary=True,
                    verified=key in self.plan.verified,
                )
                for pk, key in users.items()
                if pk not in known
            ],
            batch_size=BATCH,
        )

    def relations(self) -> None:
        """Producer accounts, supplies and each cycle's producers: added when missing."""
        pks = self.pks
        ProducerAccount.objects.bulk_create(
            [
                ProducerAccount(producer_id=pks["producer"][p], user_id=pks["user"][u])
                for p, u in self.plan.producer_accounts
            ],
            ignore_conflicts=True,
        )
        current = set(Supply.objects.filter(ended_at__isnull=True).values_list("producer_id", "group_id"))
        wanted = {(pks["producer"][p], pks["group"][g]) for p, g in self.plan.supplies}
        Supply.objects.bulk_create(
            [Supply(producer_id=p, group_id=g) for p, g in sorted(wanted - current)], batch_size=BATCH
        )
        through = Cycle.producers.through
        through.objects.bulk_create(
            [
                through(cycle_id=pks["cycle"][c], producer_id=pks["producer"][p])
                for c, p in sorted(self.plan.cycle_producers)
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )

    def remove_stale_lines(self) -> None:
        stale = {key: pk for key, pk in self.plan.links["line"].items() if key not in self.plan.rows["line"]}
        if not stale:
            return
        OrderLine.objects.filter(pk__in=stale.values()).delete()
        ImportedRecord.objects.filter(origin=self.plan.origin, kind="line", key__in=stale).delete()
        imported_orders = [
            pk for key, pk in self.plan.links["order"].items() if key not in self.plan.rows["order"]
        ]
        Order.objects.filter(pk__in=imported_orders, lines__isnull=True).delete()
