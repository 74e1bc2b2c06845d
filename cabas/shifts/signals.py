"""A new cycle gets the shifts of the group's previous one (times and places, nobody signed up).

Only for groups that use shifts: a cycle whose group never set any gets none;
coordinators then start from the usual five on the cycle's shifts page.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from cabas.cycles.models import Cycle
from cabas.shifts.services import copy_shifts, previous_with_shifts


@receiver(post_save, sender=Cycle, dispatch_uid="shifts_copy_into_new_cycle")
def copy_into_new_cycle(
    sender: type[Cycle], instance: Cycle, created: bool, raw: bool, **kwargs: Any
) -> None:
    if not created or raw:
        return
    source = previous_with_shifts(instance)
    if source is not None:
        copy_shifts(cycle=instance, source=source)
