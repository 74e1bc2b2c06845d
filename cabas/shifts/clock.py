"""The shifts' clock, run by ``cabas_clock`` after the cycles' one (``cycles.clock.ALSO``).

Each e-mail is sent at most once, claimed by a guarded update of its stamp
(as the cycles' clock does), the task enqueued after the claim commits:

* the day before, to each volunteer (``Signup.reminded_at``), from
  ``REMIND_BEFORE`` before their shift, with the place and time; not to
  someone who signed up less than that before (they just chose it);
* to the coordinators, the shifts still short, three days before and the day
  before the distribution (``Roster.short_early_at``, ``short_late_at``);
  nothing is sent when every shift is full;
* the call for help (« il manque du monde »), ``CALL_BEFORE`` the
  distribution, to households that have not helped lately (``queries.to_call``),
  if some shifts are still short.

A notice whose moment passed while the clock was down is not sent late: the
early one not once the late one is due, the call not the day before.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import Task
from django.utils import timezone

from cabas.cycles.models import Cycle
from cabas.shifts import tasks
from cabas.shifts.models import Roster, Signup

logger = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(hours=24)
EARLY = timedelta(days=3)
LATE = timedelta(days=1)
CALL_BEFORE = timedelta(days=5)


def tick(now: datetime | None = None) -> dict[str, list[int]]:
    """Do what is due at ``now``; the ids acted on: cycles told or called, sign-ups reminded."""
    now = now or timezone.now()
    done: dict[str, list[int]] = {"short_told": [], "called": [], "volunteers_reminded": []}
    for cycle in _cycles(now):
        try:
            _run(cycle, now, done)
        except Exception:
            logger.exception("Shifts clock: cycle %s (%s) failed", cycle.pk, cycle)
    for signup in _reminders_due(now):
        if _claim_reminder(signup, now):
            done["volunteers_reminded"].append(signup.pk)
    return done


def _cycles(now: datetime) -> list[Cycle]:
    """Published cycles with shifts whose distribution is within ``CALL_BEFORE`` (by day)."""
    today = timezone.localdate(now)
    return list(
        Cycle.objects.published()
        .filter(
            group__is_active=True,
            distributed_at__isnull=True,
            distribution_date__gte=today,
            distribution_date__lte=today + CALL_BEFORE + timedelta(days=1),
            shifts__isnull=False,
        )
        .select_related("group")
        .distinct()
        .order_by("distribution_date", "pk")
    )


def _run(cycle: Cycle, now: datetime, done: dict[str, list[int]]) -> None:
    start = cycle.distribution_starts_at()
    if now >= start:
        return
    Roster.objects.get_or_create(cycle=cycle)
    if start - LATE <= now:
        if _claim(cycle, "short_late_at", tasks.send_short, now):
            done["short_told"].append(cycle.pk)
    elif start - EARLY <= now and _claim(cycle, "short_early_at", tasks.send_short, now):
        done["short_told"].append(cycle.pk)
    if start - CALL_BEFORE <= now < start - LATE and _claim(cycle, "call_sent_at", tasks.send_call, now):
        done["called"].append(cycle.pk)


def _claim(cycle: Cycle, stamp: str, task: Task[..., Any], now: datetime) -> bool:
    with transaction.atomic():
        claimed = Roster.objects.filter(cycle=cycle, **{f"{stamp}__isnull": True}).update(**{stamp: now})
        if claimed:
            cycle_id = cycle.pk
            transaction.on_commit(lambda: task.enqueue(cycle_id))
    if claimed:
        logger.info("Shifts clock: cycle %s %s", cycle.pk, stamp)
    return bool(claimed)


def _reminders_due(now: datetime) -> list[Signup]:
    today = timezone.localdate(now)
    candidates = (
        Signup.objects.active()
        .filter(
            reminded_at__isnull=True,
            shift__cycle__distribution_date__gte=today,
            shift__cycle__distribution_date__lte=today + timedelta(days=2),
            shift__cycle__distributed_at__isnull=True,
        )
        .filter(~Q(shift__cycle__published_at__isnull=True))
        .select_related("shift__cycle")
    )
    due = []
    for signup in candidates:
        starts = signup.shift.starts()
        if starts - REMIND_BEFORE <= now < starts and signup.created_at < starts - REMIND_BEFORE:
            due.append(signup)
    return due


def _claim_reminder(signup: Signup, now: datetime) -> bool:
    with transaction.atomic():
        claimed = Signup.objects.filter(
            pk=signup.pk, reminded_at__isnull=True, cancelled_at__isnull=True
        ).update(reminded_at=now)
        if claimed:
            signup_id = signup.pk
            transaction.on_commit(lambda: tasks.send_reminder.enqueue(signup_id))
    return bool(claimed)
