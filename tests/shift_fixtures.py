"""Shifts for tests: a cycle of group A with its usual shifts, built with the app's own services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from cabas.cycles.models import Cycle
from cabas.shifts import services
from cabas.shifts.models import Kind, Shift
from tests import scene
from tests.cast import Cast


@dataclass
class Roster:
    cast: Cast
    cycle: Cycle  # open, distribution in five days, 17:30–19:30
    setup: Shift  # 16:45–17:30, 3 places
    desk: Shift  # 17:30–19:30, 2 places
    tidy: Shift  # 19:15–20:15, 3 places


def roster(cast: Cast, cycle: Cycle | None = None) -> Roster:
    cycle = cycle or scene.cycle(cast.group_a)
    services.copy_shifts(cycle=cycle)
    shifts = {shift.kind: shift for shift in Shift.objects.filter(cycle=cycle).select_related("cycle__group")}
    return Roster(cast, cycle, shifts[Kind.SETUP], shifts[Kind.DESK], shifts[Kind.TIDY])


def past_cycle(cast: Cast, days_ago: int, name: str = "Cabas d'avril") -> Cycle:
    """A cycle of group A distributed ``days_ago`` days ago (orders closed before)."""
    now = timezone.now()
    made = scene.cycle(
        cast.group_a,
        name=name,
        phase="closed",
        opens_at=now - timedelta(days=days_ago + 20),
        closes_at=now - timedelta(days=days_ago + 5),
        distribution_date=timezone.localdate() - timedelta(days=days_ago),
    )
    Cycle.objects.filter(pk=made.pk).update(
        finalised_at=made.closes_at, distributed_at=now - timedelta(days=days_ago)
    )
    made.refresh_from_db()
    return made
