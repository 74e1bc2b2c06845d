"""Who may see and change which shift: the one place the shifts' views look them up.

Households of the group see the shifts of its published cycles and sign
themselves up; coordinators (and the site admin) set the shifts, move people
and see the fairness view and exemptions. An id from another group or cycle
is a 404, never trusted.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from cabas.accounts.models import Role
from cabas.accounts.permissions import AuthenticatedRequest, GroupAccess, group_access, require_manager
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_cycle
from cabas.shifts.models import Shift, Signup


def household_access(request: AuthenticatedRequest, slug: str) -> GroupAccess:
    return group_access(request, slug, roles=(Role.MEMBER,))


def get_member_shift(access: GroupAccess, pk: int) -> Shift:
    """A shift of a published cycle of this group."""
    return get_object_or_404(
        Shift.objects.select_related("cycle__group"),
        pk=pk,
        cycle__group=access.group,
        cycle__published_at__isnull=False,
    )


def get_own_signup(access: GroupAccess, request: AuthenticatedRequest, pk: int) -> Signup:
    """The person's own sign-up (current or cancelled), in this group."""
    return get_object_or_404(
        Signup.objects.select_related("shift__cycle__group", "user"),
        pk=pk,
        user=request.user,
        shift__cycle__group=access.group,
    )


def manager_cycle(request: AuthenticatedRequest, slug: str, pk: int) -> tuple[GroupAccess, Cycle]:
    access = require_manager(request, slug)
    return access, get_cycle(access, pk)


def get_cycle_shift(cycle: Cycle, pk: int) -> Shift:
    shift = get_object_or_404(Shift.objects.all(), pk=pk, cycle=cycle)
    shift.cycle = cycle
    return shift


def get_cycle_signup(cycle: Cycle, pk: int) -> Signup:
    signup = get_object_or_404(
        Signup.objects.active().select_related("shift", "user"), pk=pk, shift__cycle=cycle
    )
    signup.shift.cycle = cycle
    return signup
