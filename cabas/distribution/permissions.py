"""Who may act on a distribution day, and where: the one place the day's views look people up.

- A producer's stand: the producer's own accounts (and whoever manages a
  producer without a login), for a cycle of a group they may see through it.
- The welcome desk: the group's coordinators (who may also decide and resolve)
  and that cycle's volunteers (that cycle only): those a coordinator put on its
  day team, and those signed up for its welcome desk shift (``shifts``).
- A member's own day: the member, for their own basket.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from cabas.accounts.permissions import ANY_ROLE, AuthenticatedRequest, GroupAccess, group_access
from cabas.catalog.permissions import ProducerAccess, producer_access
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_producer_cycle, get_published_cycle
from cabas.distribution.models import DayTeamMember
from cabas.distribution.services import Scope
from cabas.shifts.queries import on_desk


@dataclass(frozen=True)
class StandAccess:
    access: ProducerAccess
    cycle: Cycle
    scope: Scope


@dataclass(frozen=True)
class DeskAccess:
    access: GroupAccess
    cycle: Cycle
    scope: Scope

    @property
    def is_coordinator(self) -> bool:
        return self.scope.coordinator


def stand_access(request: AuthenticatedRequest, slug: str, pk: int) -> StandAccess:
    access = producer_access(request, slug)
    cycle = get_producer_cycle(access, pk)
    return StandAccess(access, cycle, Scope(producer_id=access.producer.pk))


def desk_access(request: AuthenticatedRequest, slug: str, pk: int) -> DeskAccess:
    """Coordinators of the group, or a volunteer on this cycle's day team (403 otherwise)."""
    access = group_access(request, slug, roles=ANY_ROLE)
    cycle = get_published_cycle(access, pk)
    if access.can_manage:
        return DeskAccess(access, cycle, Scope(desk=True, coordinator=True))
    if DayTeamMember.objects.filter(cycle=cycle, user=request.user).exists() or on_desk(cycle, request.user):
        return DeskAccess(access, cycle, Scope(desk=True))
    raise PermissionDenied


def require_coordinator(desk: DeskAccess) -> None:
    if not desk.is_coordinator:
        raise PermissionDenied
