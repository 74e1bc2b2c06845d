"""The one place where views learn what the current person may see in a group.

Every view that shows or changes something of a group goes through
``group_access``; object lookups go through the ``get_*`` helpers, which look
only inside that group, so an id taken from another group is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from cabas.accounts.models import BuyingGroup, JoinRequest, Membership, Role, User


@dataclass(frozen=True)
class GroupAccess:
    group: BuyingGroup
    membership: Membership | None
    is_site_admin: bool

    def has_role(self, *roles: Role) -> bool:
        return self.membership is not None and self.membership.has_role(*roles)

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def can_manage(self) -> bool:
        """Coordinators run the group; the site admin may step in for any group."""
        return self.is_site_admin or self.has_role(Role.COORDINATOR)


def group_access(request: HttpRequest, slug: str, *, roles: tuple[Role, ...] = ()) -> GroupAccess:
    """Find the group by slug (404 if unknown or closed) and check the person's roles.

    With ``roles`` empty the page is public. Otherwise the person needs a
    current membership holding one of ``roles`` (403), except the site admin,
    who may act in every group. ``roles=(Role.COORDINATOR,)`` is the usual
    management check; any-member pages pass every role.
    """
    group = get_object_or_404(BuyingGroup.objects.active(), slug=slug)
    user = request.user
    membership = None
    if user.is_authenticated:
        membership = Membership.objects.current().filter(group=group, user=user).first()
    access = GroupAccess(group, membership, bool(user.is_authenticated and user.is_superuser))
    if roles and not (access.is_site_admin or access.has_role(*roles)):
        raise PermissionDenied
    return access


ANY_ROLE: tuple[Role, ...] = tuple(Role)


def require_manager(request: HttpRequest, slug: str) -> GroupAccess:
    return group_access(request, slug, roles=(Role.COORDINATOR,))


def get_membership(access: GroupAccess, pk: int) -> Membership:
    """A membership (current or ended) of this group only."""
    return get_object_or_404(Membership.objects.select_related("user"), pk=pk, group=access.group)


def get_join_request(access: GroupAccess, pk: int) -> JoinRequest:
    return get_object_or_404(JoinRequest.objects.select_related("user"), pk=pk, group=access.group)


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind ``login_required``: ``user`` is a real User."""

    user: User
