"""What the calendar feeds hold: a household's distributions and shifts, a group's distributions."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cabas.accounts.models import BuyingGroup, User
from cabas.cycles.models import Cycle
from cabas.shifts.calendar import Event, feed
from cabas.shifts.models import Signup, new_token

# How far back the feeds go: calendars keep past events themselves.
HISTORY = timedelta(days=120)

__all__ = ["group", "household", "new_token"]


def _ends(cycle: Cycle) -> datetime:
    return datetime.combine(
        cycle.distribution_date, cycle.distribution_end, tzinfo=timezone.get_default_timezone()
    )


def _distribution(cycle: Cycle) -> Event:
    return Event(
        uid=f"cycle-{cycle.pk}",
        summary=_("Distribution: %(cycle)s (%(group)s)") % {"cycle": cycle.name, "group": cycle.group.name},
        starts=cycle.distribution_starts_at(),
        ends=_ends(cycle),
        place=cycle.distribution_place,
        url=settings.CABAS_SITE_URL + reverse("group_detail", args=[cycle.group.slug]),
    )


def _cycles() -> object:
    since = timezone.localdate() - HISTORY
    return (
        Cycle.objects.published()
        .filter(distribution_date__gte=since, group__is_active=True)
        .select_related("group")
    )


def group(group: BuyingGroup) -> str:
    """The group's distributions, in the site's language (a public feed has no reader to ask)."""
    with override(settings.LANGUAGE_CODE):
        cycles = _cycles().filter(group=group).order_by("distribution_date", "pk")  # type: ignore[attr-defined]
        return feed(group.name, [_distribution(cycle) for cycle in cycles])


def household(user: User) -> str:
    """The distributions of the person's groups and their own shifts, in their language: two queries."""
    with override(user.language or settings.LANGUAGE_CODE):
        cycles = (
            _cycles()  # type: ignore[attr-defined]
            .filter(
                group__memberships__user=user,
                group__memberships__ended_at__isnull=True,
                group__memberships__is_member=True,
            )
            .order_by("distribution_date", "pk")
        )
        events = [_distribution(cycle) for cycle in cycles]
        signups = (
            Signup.objects.active()
            .filter(user=user, shift__cycle__distribution_date__gte=timezone.localdate() - HISTORY)
            .select_related("shift__cycle__group")
            .order_by("shift__cycle__distribution_date", "shift__starts_at", "pk")
        )
        for signup in signups:
            shift = signup.shift
            events.append(
                Event(
                    uid=f"signup-{signup.pk}",
                    summary=_("My shift: %(shift)s (%(group)s)")
                    % {"shift": shift.title, "group": shift.cycle.group.name},
                    starts=shift.starts(),
                    ends=shift.ends(),
                    place=shift.cycle.distribution_place,
                    url=settings.CABAS_SITE_URL + reverse("shifts", args=[shift.cycle.group.slug]),
                )
            )
        return feed(_("My distributions"), events)
