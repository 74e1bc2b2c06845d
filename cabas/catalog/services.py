"""Workflows on producers and their catalogues.

Each function is one transaction and the only code that performs its write.
A price change is recorded in ``PriceChange`` in the same transaction; it never
touches orders already placed (cycles freeze their own prices).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cabas.accounts import services as accounts
from cabas.accounts.models import BuyingGroup, Membership, Role, User
from cabas.catalog import tasks
from cabas.catalog.models import (
    PriceChange,
    Producer,
    ProducerAccount,
    ProducerInvitation,
    Product,
    Supply,
)

PRODUCER_FIELDS = (
    "name",
    "speciality",
    "description",
    "photo",
    "address",
    "postcode",
    "town",
    "farming_practice",
    "labels",
    "contact_email",
    "contact_phone",
    "website",
    *Producer.PAYMENT_FIELDS,
)
PRODUCT_FIELDS = (
    "name",
    "description",
    "photo",
    "category",
    "labels",
    "unit",
    "content",
    "content_unit",
    "price_cents",
    "vat_rate",
    "quantity_step",
    "min_quantity",
    "carton_size",
    "variable_weight",
    "estimated_weight_grams",
)


class CatalogError(Exception):
    """A catalogue change refused for a business reason; the message is for the user."""


def _assign(instance: Producer | Product, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Set the allowed fields; file fields follow form rules (None keeps, False clears)."""
    for key, value in fields.items():
        if key in allowed:
            instance._meta.get_field(key).save_form_data(instance, value)  # type: ignore[union-attr]


def unique_producer_slug(name: str) -> str:
    base = slugify(name)[:70] or "producteur"
    slug, n = base, 1
    while Producer.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_producer(*, group: BuyingGroup, fields: dict[str, Any]) -> Producer:
    """A coordinator creates a producer on its behalf; it supplies ``group``, which manages it."""
    producer = Producer(slug=unique_producer_slug(fields["name"]), managing_group=group)
    _assign(producer, fields, PRODUCER_FIELDS)
    producer.save()
    Supply.objects.create(producer=producer, group=group)
    return producer


@transaction.atomic
def update_producer(*, producer: Producer, fields: dict[str, Any]) -> Producer:
    _assign(producer, fields, PRODUCER_FIELDS)
    producer.save()
    return producer


def start_supply(*, group: BuyingGroup, producer: Producer) -> Supply:
    """``producer`` starts supplying ``group``; it takes up a producer that no group manages.

    Linking a producer another group manages grants nothing over its data: the
    group only offers its products in its own cycles.
    """
    try:
        with transaction.atomic():
            supply = Supply.objects.create(producer=producer, group=group)
            Producer.objects.filter(pk=producer.pk, managing_group__isnull=True).update(managing_group=group)
    except IntegrityError:
        raise CatalogError(_("This producer already supplies the group.")) from None
    producer.refresh_from_db(fields=["managing_group"])
    return supply


@transaction.atomic
def end_supply(*, group: BuyingGroup, producer: Producer) -> None:
    """``group`` stops working with ``producer``; if it managed it, the management passes on.

    It passes to the group the producer has supplied the longest among those it
    still supplies (none if it supplies nobody: the next group to link it takes it up).
    """
    ended = Supply.objects.filter(group=group, producer=producer, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    if not ended:
        raise CatalogError(_("This producer no longer supplies the group."))
    next_group = (
        Supply.objects.filter(producer=producer, ended_at__isnull=True)
        .order_by("started_at", "pk")
        .values_list("group_id", flat=True)
        .first()
    )
    Producer.objects.filter(pk=producer.pk, managing_group=group).update(managing_group_id=next_group)
    producer.refresh_from_db(fields=["managing_group"])


def invite_manager(*, group: BuyingGroup, producer: Producer, email: str, by: User) -> ProducerInvitation:
    """E-mail ``email`` a link to manage ``producer`` (sent after commit)."""
    with transaction.atomic():
        invitation = ProducerInvitation.objects.create(
            group=group, producer=producer, email=email.strip().lower(), invited_by=by
        )
        transaction.on_commit(lambda: tasks.send_producer_invitation.enqueue(invitation.pk))
    return invitation


def _invitation_still_valid(invitation: ProducerInvitation) -> bool:
    """Only the managing group (or the site admin) hands out a producer's management."""
    by_admin = User.objects.filter(pk=invitation.invited_by_id, is_superuser=True).exists()
    return by_admin or invitation.group_id == invitation.producer.managing_group_id


@transaction.atomic
def accept_invitation(*, invitation: ProducerInvitation, user: User) -> ProducerAccount:
    """The invited person now manages the producer and holds the producer role in the group.

    Usable once: a second click, or a second person with the link, changes nothing.
    """
    if not invitation.is_usable:
        raise CatalogError(_("This invitation has expired or has already been used."))
    if not _invitation_still_valid(invitation):
        raise CatalogError(_("This invitation is no longer valid: ask the group that manages the producer."))
    claimed = ProducerInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user
    )
    if not claimed:
        raise CatalogError(_("This invitation has expired or has already been used."))
    account, _created = ProducerAccount.objects.get_or_create(producer=invitation.producer, user=user)
    membership = Membership.objects.current().filter(group=invitation.group, user=user).first()
    if membership is None:
        accounts.add_member(group=invitation.group, user=user, roles=[Role.PRODUCER])
    elif not membership.is_producer:
        membership.is_producer = True
        membership.save(update_fields=["is_producer"])
    return account


@transaction.atomic
def create_product(*, producer: Producer, fields: dict[str, Any]) -> Product:
    product = Product(producer=producer)
    _assign(product, fields, PRODUCT_FIELDS)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise CatalogError(_("You already have a product with this name.")) from None
    return product


@transaction.atomic
def update_product(*, product: Product, fields: dict[str, Any], by: User | None) -> Product:
    """Change a product; a new price is recorded in the price history."""
    old_price = Product.objects.values_list("price_cents", flat=True).get(pk=product.pk)
    _assign(product, fields, PRODUCT_FIELDS)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise CatalogError(_("You already have a product with this name.")) from None
    if product.price_cents != old_price:
        PriceChange.objects.create(
            product=product, old_price_cents=old_price, new_price_cents=product.price_cents, changed_by=by
        )
    return product


def set_price(*, product: Product, price_cents: int, by: User | None) -> Product:
    if price_cents <= 0:
        raise CatalogError(_("The price must be more than zero."))
    return update_product(product=product, fields={"price_cents": price_cents}, by=by)


def archive_product(*, product: Product) -> None:
    """Take a product off sale; it stays in the database for past orders."""
    Product.objects.filter(pk=product.pk, is_active=True).update(is_active=False, archived_at=timezone.now())


def restore_product(*, product: Product) -> None:
    Product.objects.filter(pk=product.pk, is_active=False).update(is_active=True, archived_at=None)
