"""The cycle clock: what must happen once when a cycle's moments pass.

Opening and closing never depend on this module: a cycle's phase is derived
from the clock (``Cycle.phase``), so a cycle opens and refuses orders at its
exact second even if the clock never runs. ``tick`` only does the work that
follows those moments, each exactly once per cycle:

* announce the opening (``announced_at``), while the window is open;
* remind households who have not confirmed (``reminded_at``), from
  ``group.reminder_hours`` before the deadline, or halfway through a window
  shorter than twice that (so it does not arrive with the announcement); no
  reminder when the announcement itself went out after that moment (it
  already gave the deadline);
* after the deadline, split fair-share quotas (``allocation.allocate``), then
  send the recap (``recap_sent_at``), never before the split is done.

Each action is claimed by a guarded update of its timestamp
(``filter(pk=..., announced_at__isnull=True).update(announced_at=now)``),
which also re-checks the dates: of several processes ticking at once, the
one whose update changes the row does the work, the others (and every later
tick) do nothing. The e-mail task is enqueued after the claim commits. An
e-mail is therefore sent at most once: if a process dies between the claim
and the enqueue, that e-mail is lost (and logged as claimed), never doubled.

Safe to run every minute, from cron (``cabas_clock --once``) or as a loop
(``cabas_clock``), by several processes at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import Task
from django.utils import timezone

from cabas.cycles import allocation, tasks
from cabas.cycles.models import Cycle

logger = logging.getLogger(__name__)

# A cycle closed longer ago than this without a recap (the clock was down, or
# it was installed after the fact) gets no recap and no split from the clock:
# its members may have collected their baskets already.
CATCH_UP = timedelta(days=3)


def tick(now: datetime | None = None) -> dict[str, list[int]]:
    """Do what is due at ``now`` (default: the current time) for every published cycle.

    Returns the ids of the cycles acted on: ``{"announced": [...],
    "reminded": [...], "allocated": [...], "recapped": [...]}``. An error on
    one cycle is logged and does not stop the others.

    The split (``allocation.allocate``) always uses the real current time, so
    a ``now`` ahead of it cannot close a cycle early: neither split nor recap
    happens before the real deadline.
    """
    now = now or timezone.now()
    done: dict[str, list[int]] = {"announced": [], "reminded": [], "allocated": [], "recapped": []}
    for cycle in _candidates(now):
        try:
            _run(cycle, now, done)
        except Exception:
            logger.exception("Clock: cycle %s (%s) failed", cycle.pk, cycle)
    return done


def _candidates(now: datetime) -> list[Cycle]:
    """Published cycles of active groups with something possibly due (cheap: an indexed range)."""
    is_open = Q(opens_at__lte=now, closes_at__gt=now)
    unannounced = Q(announced_at__isnull=True) & is_open
    unreminded = Q(reminded_at__isnull=True) & is_open
    unrecapped = Q(
        recap_sent_at__isnull=True,
        closes_at__lte=now,
        closes_at__gt=now - CATCH_UP,
        distributed_at__isnull=True,
        settled_at__isnull=True,
    )
    return list(
        Cycle.objects.published()
        .filter(unannounced | unreminded | unrecapped, group__is_active=True)
        .select_related("group")
        .order_by("closes_at", "pk")
    )


def _run(cycle: Cycle, now: datetime, done: dict[str, list[int]]) -> None:
    if cycle.closes_at <= now:
        if cycle.allocated_at is None and allocation.allocate(cycle):
            _log(done, "allocated", cycle)
        if _claim(
            cycle, "recap_sent_at", now, tasks.send_recap, allocated_at__isnull=False, closes_at__lte=now
        ):
            _log(done, "recapped", cycle)
        return
    if cycle.announced_at is None and _claim(cycle, "announced_at", now, tasks.send_opening, **_open(now)):
        cycle.announced_at = now
        _log(done, "announced", cycle)
    if _reminder_due(cycle, now) and _claim(
        cycle, "reminded_at", now, tasks.send_reminder, **_unchanged(cycle)
    ):
        _log(done, "reminded", cycle)


def reminder_time(cycle: Cycle) -> datetime:
    """When the reminder is due: ``reminder_hours`` before the deadline, or halfway through a short window."""
    before_deadline = cycle.closes_at - timedelta(hours=cycle.group.reminder_hours)
    halfway = cycle.opens_at + (cycle.closes_at - cycle.opens_at) / 2
    return max(before_deadline, halfway)


def _reminder_due(cycle: Cycle, now: datetime) -> bool:
    if cycle.reminded_at is not None or cycle.announced_at is None:
        return False
    due = reminder_time(cycle)
    return due <= now < cycle.closes_at and cycle.announced_at <= due


def _open(now: datetime) -> dict[str, Any]:
    return {"published_at__isnull": False, "opens_at__lte": now, "closes_at__gt": now}


def _unchanged(cycle: Cycle) -> dict[str, Any]:
    """Claim only if the dates the decision was made on are still those in the database.

    Only the cycle's own columns: a filter across a join makes Django update
    ``WHERE id IN (subquery)``, which PostgreSQL does not re-check against a
    row another transaction has just claimed.
    """
    return {
        "published_at__isnull": False,
        "opens_at": cycle.opens_at,
        "closes_at": cycle.closes_at,
        "announced_at__lte": reminder_time(cycle),
    }


def _claim(cycle: Cycle, stamp: str, now: datetime, task: Task[..., Any], **still: Any) -> bool:
    """Set ``stamp`` if unset (and ``still`` holds); if this call set it, enqueue ``task`` after commit."""
    with transaction.atomic():
        claimed = Cycle.objects.filter(pk=cycle.pk, **{f"{stamp}__isnull": True}, **still).update(
            **{stamp: now}
        )
        if claimed:
            cycle_id = cycle.pk
            transaction.on_commit(lambda: task.enqueue(cycle_id))
    return bool(claimed)


def _log(done: dict[str, list[int]], what: str, cycle: Cycle) -> None:
    done[what].append(cycle.pk)
    logger.info("Clock: cycle %s (%s, group %s) %s", cycle.pk, cycle.name, cycle.group.slug, what)
