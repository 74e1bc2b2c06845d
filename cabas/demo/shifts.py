"""The demo's volunteer shifts: a year of help to be fair about, and distributions ahead to staff.

* The distributed cycle and the one on its day: every shift staffed (one
  volunteer of the past one did not come, and is marked so).
* The next distribution (orders closed): nearly staffed, the tidy-up short of
  two people, « Il manque 2 personnes pour le rangement ».
* The open cycle: a few volunteers so far, most shifts short.
* The months before the demo's cycles, kept in the group's notebook: help
  recorded by hand every two months over the year, so that the fairness view
  has twelve months to show.
* Three households exempted (health, age, on the board), and the group's rule
  « chaque foyer aide au moins une fois par an » switched on.

Everything goes through ``cabas.shifts.services`` (places are taken with the
same guarded update as a member's tap). Made once, with the demo's cycles.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.cycles.models import Cycle, Phase
from cabas.demo import data
from cabas.shifts import clock, services
from cabas.shifts.models import Kind, PastHelp, Reason, Roster, Shift, Signup

# Places left open in the next distribution (by task), and people already signed up in the open one.
NEXT_SHORT = {Kind.TIDY: 2}
OPEN_SIGNED = {Kind.SETUP: 1, Kind.DESK: 2, Kind.TIDY: 1}
NOTEBOOK_MONTHS = (4, 6, 8, 10, 12)  # help recorded by hand, this many months ago
NOTEBOOK_PER_DAY = 11
EXEMPTED = (Reason.HEALTH, Reason.AGE, Reason.BOARD)
# The fixed logins never get a place: a newcomer trying « membre » finds shifts to sign up for.
NAMED = frozenset(login.email for login in (*data.LOGINS, *data.EXTRA_COORDINATORS))


def _households(group: BuyingGroup) -> list[User]:
    members = Membership.objects.current().filter(group=group, is_member=True).select_related("user")
    return sorted((m.user for m in members if m.user.email not in NAMED), key=lambda user: user.pk)


def _fill(shift: Shift, people: list[User], by: User, leave: int = 0) -> None:
    """Sign people up (taken from the front of ``people``) until ``leave`` places are left."""
    while shift.missing > leave and people:
        services.sign_up(shift=shift, user=people.pop(0), by=by, coordinator=True)


def ensure_shifts(
    group: BuyingGroup, cycles: Sequence[Cycle], *, coordinator: User, seed: int, now: datetime
) -> None:
    """Shifts for the demo's ``cycles``, exemptions, the notebook's year and the group's rules."""
    if not cycles or Shift.objects.filter(cycle__group=group).exists():
        return
    rng = random.Random(seed + 7)
    people = _households(group)
    rng.shuffle(people)
    exempted, people = people[: len(EXEMPTED)], people[len(EXEMPTED) :]
    for user, reason in zip(exempted, EXEMPTED, strict=False):
        services.exempt(group=group, user=user, reason=reason, note="", by=coordinator)
    services.save_rules(group=group, cancel_hours=48, yearly_help=True, call_after_cycles=3)
    for cycle in sorted(cycles, key=lambda cycle: (cycle.distribution_date, cycle.pk)):
        services.copy_shifts(cycle=cycle)
        _staff(cycle, people, rng, coordinator)
        _as_if_the_clock_ran(cycle, now)
    _notebook(group, people, rng, coordinator, now)


def _as_if_the_clock_ran(cycle: Cycle, now: datetime) -> None:
    """Stamp what the clock would have sent before ``now``: it has nothing to e-mail the demo's
    fake addresses at start, and sends what falls due later (the day-before reminders…)."""
    start = cycle.distribution_starts_at()
    stamps = {
        "call_sent_at": start - clock.CALL_BEFORE,
        "short_early_at": start - clock.EARLY,
        "short_late_at": start - clock.LATE,
    }
    Roster.objects.update_or_create(
        cycle=cycle, defaults={stamp: now for stamp, moment in stamps.items() if moment <= now}
    )
    for signup in Signup.objects.active().filter(shift__cycle=cycle).select_related("shift__cycle"):
        if signup.shift.starts() - clock.REMIND_BEFORE <= now:
            Signup.objects.filter(pk=signup.pk).update(reminded_at=now)


def _staff(cycle: Cycle, people: list[User], rng: random.Random, by: User) -> None:
    shifts = list(
        Shift.objects.filter(cycle=cycle).select_related("cycle__group").order_by("starts_at", "pk")
    )
    pool = rng.sample(people, k=min(len(people), 40))
    phase = cycle.phase()
    for shift in shifts:
        if phase == Phase.OPEN:
            signed = OPEN_SIGNED.get(Kind(shift.kind), 0)
            _fill(shift, pool, by, leave=max(shift.capacity - signed, 0))
        elif phase in (Phase.CLOSED, Phase.FINALISED) and cycle.distribution_date > timezone.localdate():
            _fill(shift, pool, by, leave=NEXT_SHORT.get(Kind(shift.kind), 0))
        else:
            _fill(shift, pool, by)
    if phase == Phase.DISTRIBUTED:
        absent = shifts[-1].signups.active().order_by("pk").first()
        if absent is not None:
            services.mark_absent(signup=absent, absent=True)


def _notebook(group: BuyingGroup, people: list[User], rng: random.Random, by: User, now: datetime) -> None:
    """Help from before the demo's cycles, as the group's notebook kept it."""
    today = timezone.localdate(now)
    rows = []
    for months in NOTEBOOK_MONTHS:
        day = today - timedelta(days=30 * months)
        helpers = rng.sample(people, k=min(len(people), NOTEBOOK_PER_DAY))
        rows += [
            PastHelp(
                group=group, user=user, day=day, what="Permanence de distribution (carnet)", created_by=by
            )
            for user in helpers
        ]
    PastHelp.objects.bulk_create(rows)
