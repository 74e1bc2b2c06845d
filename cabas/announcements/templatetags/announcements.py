"""Lower-layer pages (home, group page) show the latest news without importing this app."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from cabas.accounts.models import BuyingGroup, User
from cabas.announcements.models import Announcement

register = template.Library()

LATEST = 3


@register.simple_tag
def group_news(group: BuyingGroup) -> list[Announcement]:
    """The group's latest announcements (one query)."""
    return list(Announcement.objects.shown().filter(group=group)[:LATEST])


@register.simple_tag
def my_news(user: User | AnonymousUser) -> list[Announcement]:
    """The latest announcements of the groups the person is currently in (one query)."""
    if not isinstance(user, User):
        return []
    return list(
        Announcement.objects.shown()
        .filter(
            group__memberships__user=user, group__memberships__ended_at__isnull=True, group__is_active=True
        )
        .select_related("group")[: LATEST * 2]
    )
