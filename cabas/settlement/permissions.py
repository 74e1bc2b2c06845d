"""Who may see and move a cycle's money after its day: the group's treasurers (and the site admin).

Coordinators run the day, but what each household still owes, and to whom, is
for the treasurers only. Every lookup stays inside the group: another group's
cycle or entry is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from cabas.accounts.models import Role
from cabas.accounts.permissions import AuthenticatedRequest, GroupAccess, group_access
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_published_cycle
from cabas.ledger.models import Entry


@dataclass(frozen=True)
class TreasuryAccess:
    access: GroupAccess
    cycle: Cycle


def treasurer_access(request: AuthenticatedRequest, slug: str) -> GroupAccess:
    return group_access(request, slug, roles=(Role.TREASURER,))


def treasury_cycle(request: AuthenticatedRequest, slug: str, pk: int) -> TreasuryAccess:
    """A published cycle of the group, for its treasurers (403 for anyone else, 404 elsewhere)."""
    access = treasurer_access(request, slug)
    return TreasuryAccess(access, get_published_cycle(access, pk))


def get_entry(treasury: TreasuryAccess, pk: int) -> Entry:
    """A ledger entry of this cycle only."""
    return get_object_or_404(
        Entry.objects.select_related("created_by", "reverses"),
        pk=pk,
        group=treasury.access.group,
        cycle=treasury.cycle,
    )
