"""Who may manage which producer's data, and what they see of the groups it supplies.

A producer's own accounts manage it and see every group it supplies (that is
their own data). While it has no account of its own, the coordinators of its
*managing group* (the group that created it) keep its data on its behalf; once
it has accounts, coordinators see it like any member does. Other groups that
link the producer only offer its products in their own cycles: they never
edit it, never invite anyone to manage it. The site admin may act for any
producer.

A coordinator who manages a producer sees, through the producer's pages, only
the cycles of the groups they coordinate: a shared producer is no window on
another group's members and orders.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from cabas.accounts.models import Membership, Role, User
from cabas.accounts.permissions import AuthenticatedRequest, GroupAccess
from cabas.catalog.models import CatalogImport, Producer, ProducerAccount, Product


@dataclass(frozen=True)
class ProducerAccess:
    producer: Producer
    is_own: bool  # the person is one of the producer's accounts
    # Groups whose cycles the person may see through the producer; None: every group it supplies.
    group_ids: frozenset[int] | None = None


def coordinated_group_ids(user: User) -> frozenset[int]:
    """The open groups ``user`` currently coordinates."""
    memberships = (
        Membership.objects.current().with_role(Role.COORDINATOR).filter(user=user, group__is_active=True)
    )
    return frozenset(memberships.values_list("group_id", flat=True))


def coordinators_manage(producer: Producer) -> bool:
    """Whether coordinators keep the producer's data (it has no account of its own)."""
    return not ProducerAccount.objects.filter(producer=producer).exists()


def group_manages(access: GroupAccess, producer: Producer) -> bool:
    """Whether the person, acting in ``access.group``, may edit the producer and invite its managers."""
    if access.is_site_admin:
        return True
    return (
        access.can_manage and producer.managing_group_id == access.group.pk and coordinators_manage(producer)
    )


def access_for(user: User, producer: Producer) -> ProducerAccess | None:
    """What ``user`` may do with ``producer``'s own pages; None if nothing."""
    if ProducerAccount.objects.filter(producer=producer, user=user).exists():
        return ProducerAccess(producer, is_own=True)
    if user.is_superuser:
        return ProducerAccess(producer, is_own=False)
    if producer.managing_group_id is None or not coordinators_manage(producer):
        return None
    groups = coordinated_group_ids(user)
    if producer.managing_group_id not in groups:
        return None
    return ProducerAccess(producer, is_own=False, group_ids=groups)


def producer_access(request: AuthenticatedRequest, slug: str) -> ProducerAccess:
    """The producer by slug (404) if the person may manage it (else 403)."""
    producer = get_object_or_404(Producer.objects.select_related("managing_group"), slug=slug)
    access = access_for(request.user, producer)
    if access is None:
        raise PermissionDenied
    return access


def get_product(access: ProducerAccess, pk: int) -> Product:
    """A product of this producer only: another producer's id is a 404."""
    return get_object_or_404(Product, pk=pk, producer=access.producer)


def get_import(access: ProducerAccess, pk: int) -> CatalogImport:
    return get_object_or_404(CatalogImport, pk=pk, producer=access.producer)
