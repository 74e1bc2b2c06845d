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
* after the deadline, split fair-share quotas (``allocation.allocate``);
* send the recap (``recap_sent_at``), once the basket is final: when a
  coordinator finalises the adjustments (the finalise step calls
  ``send_recap_when_due`` at once), or, if nobody has by then,
  ``RECAP_FALLBACK`` before the distribution starts. Never before the split,
  never after the distribution has begun, never twice: a cycle reopened and
  finalised again sends no second recap (each later change is told on its
  own by ``tasks.send_order_changes``).

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
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import Task
from django.utils import timezone

from cabas.cycles import allocation, tasks
from cabas.cycles.models import Cycle

logger = logging.getLogger(__name__)

# A cycle closed longer ago than this without a split (the clock was down, or
# it was installed after the fact) gets no split from the clock, unless its
# recap falls due: its members may have collected their baskets already.
CATCH_UP = timedelta(days=3)
# The recap goes when the coordinators finalise the adjustments, so that it tells
# the final basket (cartons rounded, shortages applied); if they have not by this
# long before the distribution starts, it goes anyway with the baskets as they are.
RECAP_FALLBACK = timedelta(hours=24)
# Other apps' clocks (registered in their ``AppConfig.ready``), run by ``tick_all`` after this one:
# each takes ``now`` and returns the ids it acted on, like ``tick``.
ALSO: list[Callable[[datetime], dict[str, list[int]]]] = []


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


def tick_all(now: datetime | None = None) -> dict[str, list[int]]:
    """``tick``, then every clock in ``ALSO`` (what the ``cabas_clock`` command runs)."""
    now = now or timezone.now()
    done = tick(now)
    for also in ALSO:
        done |= also(now)
    return done


def _candidates(now: datetime) -> list[Cycle]:
    """Published cycles of active groups with something possibly due (cheap: indexed ranges).

    The dates of the distribution are compared by day here; ``recap_due`` decides to the minute.
    """
    is_open = Q(opens_at__lte=now, closes_at__gt=now)
    unannounced = Q(announced_at__isnull=True) & is_open
    unreminded = Q(reminded_at__isnull=True) & is_open
    closed = Q(closes_at__lte=now, distributed_at__isnull=True, settled_at__isnull=True)
    unallocated = closed & Q(allocated_at__isnull=True, closes_at__gt=now - CATCH_UP)
    today = timezone.localdate(now)
    final = Q(finalised_at__isnull=False) | Q(distribution_date__lte=timezone.localdate(now + RECAP_FALLBACK))
    unrecapped = closed & Q(recap_sent_at__isnull=True, distribution_date__gte=today) & final
    return list(
        Cycle.objects.published()
        .filter(unannounced | unreminded | unallocated | unrecapped, group__is_active=True)
        .select_related("group")
        .order_by("closes_at", "pk")
    )


def _run(cycle: Cycle, now: datetime, done: dict[str, list[int]]) -> None:
    if cycle.closes_at <= now:
        if cycle.allocated_at is None and allocation.allocate(cycle):
            cycle.allocated_at = now
            _log(done, "allocated", cycle)
        if send_recap_when_due(cycle, now):
            _log(done, "recapped", cycle)
        return
    if cycle.announced_at is None and _claim(cycle, "announced_at", now, tasks.send_opening, **_open(now)):
        cycle.announced_at = now
        _log(done, "announced", cycle)
    if _reminder_due(cycle, now) and _claim(
        cycle, "reminded_at", now, tasks.send_reminder, **_unchanged(cycle)
    ):
        _log(done, "reminded", cycle)


def recap_fallback_time(cycle: Cycle) -> datetime:
    """When the recap goes by itself if the cycle was not finalised before."""
    return cycle.distribution_starts_at() - RECAP_FALLBACK


def recap_due(cycle: Cycle, now: datetime) -> bool:
    """The basket is final (finalised, or the fallback time has come) and the distribution is ahead."""
    if cycle.recap_sent_at is not None or cycle.allocated_at is None or cycle.closes_at > now:
        return False
    if cycle.distributed_at is not None or cycle.settled_at is not None:
        return False
    if now >= cycle.distribution_starts_at():
        return False  # members are collecting their baskets: too late to tell them
    return cycle.finalised_at is not None or now >= recap_fallback_time(cycle)


def send_recap_when_due(cycle: Cycle, now: datetime | None = None) -> bool:
    """Send the recap of ``cycle`` if it is due (``recap_due``) and nobody has; whether this call did.

    The claim re-checks what the decision rests on: finalised still, or the
    distribution still at the date and time that made the fallback due.
    """
    now = now or timezone.now()
    if not recap_due(cycle, now):
        return False
    still: dict[str, Any] = {"allocated_at__isnull": False, "closes_at__lte": now}
    if cycle.finalised_at is not None:
        still["finalised_at__isnull"] = False
    else:
        still |= {
            "distribution_date": cycle.distribution_date,
            "distribution_start": cycle.distribution_start,
        }
    if _claim(cycle, "recap_sent_at", now, tasks.send_recap, **still):
        cycle.recap_sent_at = now
        return True
    return False


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
