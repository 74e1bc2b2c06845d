"""Template tags of the distribution day's pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cabas.accounts.models import BuyingGroup, User
from cabas.cycles.models import Cycle, Phase
from cabas.distribution.models import DayTeamMember
from cabas.distribution.recording import new_action_id
from cabas.distribution.state import Stand
from cabas.ledger.models import Method
from cabas.shifts.queries import desk_cycles

register = template.Library()


@register.simple_tag
def action_id() -> str:
    """A fresh id for one form's action, made when the page is rendered (a double submit is harmless)."""
    return new_action_id()


@register.simple_tag(takes_context=True)
def typed(context: template.Context, kind: str, line: object, field: str, default: object = "") -> object:
    """What the person typed in ``field`` of the form (``kind``, ``line``) that was refused, else ``default``.

    A refused action re-renders the page with the fields as they were typed.
    """
    data = context.get("typed")
    if not data or data.get("kind") != kind or str(data.get("line") or "") != str(line or ""):
        return default
    return data.get(field, default)


@register.filter
def waiting(stand: Stand) -> int:
    """How many of a stand's lines are still to hand over."""
    return sum(1 for line in stand.lines if not line.done)


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key)


DAY_REACHED = (Phase.FINALISED, Phase.DISTRIBUTED, Phase.SETTLED)
# How long after the day a member's group page still links to it.
RECENT_DAYS = 14


@register.simple_tag
def desk_days(user: User | AnonymousUser, group: BuyingGroup | None = None) -> list[Cycle]:
    """The cycles whose day is open and on whose welcome desk this person is: put on its day team,
    or signed up for its desk shift (two queries)."""
    if not user.is_authenticated:
        return []
    rows = DayTeamMember.objects.filter(
        user=user, cycle__finalised_at__isnull=False, cycle__distributed_at__isnull=True
    ).select_related("cycle__group")
    if group is not None:
        rows = rows.filter(cycle__group=group)
    cycles = {row.cycle.pk: row.cycle for row in rows}
    cycles |= {cycle.pk: cycle for cycle in desk_cycles(user, group) if cycle.pk not in cycles}
    return sorted(cycles.values(), key=lambda cycle: (cycle.distribution_date, cycle.pk))


@register.simple_tag
def member_days(user: User | AnonymousUser, group: BuyingGroup) -> list[Cycle]:
    """The group's cycles on their day (or just after) in which this person has a basket (one query)."""
    if not user.is_authenticated:
        return []
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    return list(
        Cycle.objects.published()
        .filter(group=group, finalised_at__isnull=False, distribution_date__gte=since)
        .filter(orders__user=user, orders__lines__isnull=False)
        .distinct()
        .order_by("distribution_date", "pk")
    )


@register.filter
def day_reached(cycle: Cycle) -> bool:
    """Orders are final: the member's own day page has something to show."""
    return cycle.phase() in DAY_REACHED


@register.filter
def method_label(value: str) -> str:
    """A payment method's label in the page's language (« espèces », not ``cash``)."""
    return str(Method(value).label) if value in Method.values else value
