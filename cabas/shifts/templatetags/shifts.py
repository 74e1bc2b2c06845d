"""Template tags of the shifts: the notices other pages and e-mails include, in one line each."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cabas.accounts.models import BuyingGroup, User
from cabas.cycles.models import Cycle
from cabas.shifts import links, queries
from cabas.shifts.models import Rules, Shift

register = template.Library()


@register.simple_tag
def signup_link(shift: Shift, user: User) -> str:
    """The full address of ``user``'s one-click sign-up link for ``shift`` (for e-mails)."""
    return settings.CABAS_SITE_URL + links.link(shift, user)


def _cycle_shifts(cycle: Cycle) -> list[Shift]:
    """The cycle's shifts, read once per cycle object: an e-mail to 400 households reads them once."""
    cached: list[Shift] | None = getattr(cycle, "_shifts_cache", None)
    if cached is None:
        cached = queries.cycle_shifts(cycle)
        cycle._shifts_cache = cached  # type: ignore[attr-defined]
    return cached


@register.simple_tag
def short_shifts(cycle: Cycle) -> list[Shift]:
    """The cycle's shifts that still need people."""
    return queries.short(_cycle_shifts(cycle))


@register.simple_tag
def order_notice(cycle: Cycle, user: User | AnonymousUser) -> dict[str, Any]:
    """What the basket page says about the cycle's shifts: those short, the ones this household took,
    and the group's yearly nudge (never a block)."""
    if (
        not user.is_authenticated
        or queries.is_closed(cycle)
        or cycle.distribution_date < timezone.localdate()
    ):
        return {}
    shifts = _cycle_shifts(cycle)
    mine = queries.signed_up(shifts, user)
    rules = Rules.of(cycle.group)
    nudge = queries.nudged(cycle.group, user, rules.yearly_help, bool(mine))
    return {"short": queries.short(shifts), "mine": [s for s in shifts if s.pk in mine], "nudge": nudge}


@register.simple_tag
def day_volunteers(cycle: Cycle) -> list[Shift]:
    """The day's shifts with their volunteers (the welcome desk's list)."""
    return queries.cycle_shifts(cycle)


@register.simple_tag
def desk_shift_days(user: User | AnonymousUser, group: BuyingGroup | None = None) -> list[Cycle]:
    if not user.is_authenticated:
        return []
    return queries.desk_cycles(user, group)


@register.filter
def get_shift(mapping: dict[int, Any], key: int) -> Any:
    """``mapping[key]`` or None (a household's sign-up for a shift)."""
    return mapping.get(key) if mapping else None


@register.simple_tag
def desk_shift_people(cycle: Cycle) -> list[Any]:
    """Who signed up for the cycle's welcome desk shifts (they may use the desk that day)."""
    return [
        signup for shift in queries.cycle_shifts(cycle) if shift.kind == "desk" for signup in shift.people
    ]
