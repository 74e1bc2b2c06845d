"""The last places of a shift under a rush: real threads, real transactions, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from cabas.shifts import services
from cabas.shifts.models import Shift, Signup
from tests import scene
from tests.cast import build_cast
from tests.shift_fixtures import roster
from tests.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_twelve_households_for_two_places_make_two_sign_ups() -> None:
    cast = build_cast()
    shifts = roster(cast)
    people = scene.members(cast.group_a, 12, prefix="rush")
    queue = iter(people)
    results = race(lambda: services.sign_up(shift=shifts.desk, user=next(queue)), 12)
    signed = [r for r in results if isinstance(r, services.Outcome)]
    refused = [r for r in results if isinstance(r, services.ShiftError)]
    assert len(signed) == 2 and len(refused) == 10, results
    desk = Shift.objects.get(pk=shifts.desk.pk)
    assert desk.taken == 2 == Signup.objects.active().filter(shift=desk).count()


def test_the_same_person_tapping_six_times_at_once_signs_up_once() -> None:
    cast = build_cast()
    shifts = roster(cast)
    results = race(lambda: services.sign_up(shift=shifts.tidy, user=cast.member), 6)
    assert all(isinstance(r, services.Outcome) for r in results), results
    assert sum(r.created for r in results if isinstance(r, services.Outcome)) == 1
    tidy = Shift.objects.get(pk=shifts.tidy.pk)
    assert tidy.taken == 1 == Signup.objects.active().filter(shift=tidy).count()


def test_cancelling_twice_at_once_frees_one_place() -> None:
    cast = build_cast()
    shifts = roster(cast)
    services.sign_up(shift=shifts.desk, user=cast.member2)
    signup = services.sign_up(shift=shifts.desk, user=cast.member).signup
    results = race(lambda: services.cancel(signup=signup, by=cast.member), 6)
    assert sum(1 for r in results if r is True) == 1, results
    assert Shift.objects.get(pk=shifts.desk.pk).taken == 1
