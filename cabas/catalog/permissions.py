"""Who may manage which producer's data.

A producer's own accounts manage it. A coordinator of a group the producer
supplies may manage it only while it has no account of its own (they created
it on its behalf, for a farmer who does not use the site); once the producer
has accounts, coordinators see it like any member does. The site admin may act
for any producer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from cabas.accounts.models import Membership, Role, User
from cabas.accounts.permissions import AuthenticatedRequest
from cabas.catalog.models import CatalogImport, Producer, ProducerAccount, Product


@dataclass(frozen=True)
class ProducerAccess:
    producer: Producer
    is_own: bool  # the person is one of the producer's accounts


def may_manage(user: User, producer: Producer) -> tuple[bool, bool]:
    """(may manage, is one of its accounts)."""
    if ProducerAccount.objects.filter(producer=producer, user=user).exists():
        return True, True
    if user.is_superuser:
        return True, False
    if ProducerAccount.objects.filter(producer=producer).exists():
        return False, False
    coordinates_a_supplied_group = (
        Membership.objects.current()
        .with_role(Role.COORDINATOR)
        .filter(user=user, group__supplies__producer=producer, group__supplies__ended_at__isnull=True)
        .exists()
    )
    return coordinates_a_supplied_group, False


def producer_access(request: AuthenticatedRequest, slug: str) -> ProducerAccess:
    """The producer by slug (404) if the person may manage it (else 403)."""
    producer = get_object_or_404(Producer, slug=slug)
    allowed, is_own = may_manage(request.user, producer)
    if not allowed:
        raise PermissionDenied
    return ProducerAccess(producer, is_own)


def get_product(access: ProducerAccess, pk: int) -> Product:
    """A product of this producer only: another producer's id is a 404."""
    return get_object_or_404(Product, pk=pk, producer=access.producer)


def get_import(access: ProducerAccess, pk: int) -> CatalogImport:
    return get_object_or_404(CatalogImport, pk=pk, producer=access.producer)
