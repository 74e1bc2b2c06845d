"""The demo's shifts: some full, some short, a year of history, and nothing for the clock to send at start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cabas.cycles.models import Cycle, Phase
from cabas.shifts import clock, queries
from cabas.shifts.models import Exemption, Kind, PastHelp, Rules, Shift, Signup
from tests.test_seed_demo import CYCLE_SIZE, group, row_counts, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_shifts_to_staff_and_a_year_to_be_fair_about() -> None:
    run(**CYCLE_SIZE)
    saint_orens = group("saint-orens")
    # Not the two years of history (settled long ago, no day played) nor the next cycle (a draft).
    history = Cycle.objects.filter(group=saint_orens, settled_at__isnull=False, day_events__isnull=True)
    recent = Cycle.objects.filter(group=saint_orens, published_at__isnull=False).exclude(pk__in=history)
    cycles = {cycle.phase(): cycle for cycle in recent}
    for cycle in cycles.values():
        assert Shift.objects.filter(cycle=cycle).count() == 5
        for shift in Shift.objects.filter(cycle=cycle):
            assert shift.taken == Signup.objects.active().filter(shift=shift).count()
    missing = {
        phase: {s.kind: s.missing for s in Shift.objects.filter(cycle=cycle)}
        for phase, cycle in cycles.items()
    }
    assert missing[Phase.CLOSED] == {
        Kind.SETUP: 0,
        Kind.DESK: 0,
        Kind.CASHIER: 0,
        Kind.STANDS: 0,
        Kind.TIDY: 2,
    }
    assert sum(missing[Phase.OPEN].values()) >= 5
    assert not any(missing[Phase.DISTRIBUTED].values()) and not any(missing[Phase.FINALISED].values())
    assert Signup.objects.filter(shift__cycle=cycles[Phase.DISTRIBUTED], absent=True).count() == 1
    assert Exemption.objects.filter(group=saint_orens).count() == 3
    assert Rules.of(saint_orens).yearly_help
    oldest = PastHelp.objects.filter(group=saint_orens).order_by("day").first()
    assert oldest and oldest.day <= timezone.localdate() - timedelta(days=330)
    rows = queries.fairness(saint_orens)
    assert sum(1 for row in rows if row.count) > 40
    assert max(row.count for row in rows) >= 2
    # The named member has shifts to sign up for, and the clock nothing to send at start.
    assert not Signup.objects.filter(user__email="membre@demo.cabas.localhost").exists()
    done = clock.tick()
    assert not any(done.values()), done
    before = row_counts()
    run(**CYCLE_SIZE)
    assert row_counts() == before
    # Five shifts on each cycle seeded before the treasurer's two (which are past their shifts).
    staffed = Cycle.objects.filter(group=saint_orens, shifts__isnull=False).distinct().count()
    assert staffed >= 4 and Shift.objects.filter(cycle__group=saint_orens).count() == 5 * staffed
