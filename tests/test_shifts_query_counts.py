"""The shifts' pages, feeds and e-mails run a number of queries that does not grow with households."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabas.cycles import tasks as cycle_tasks
from cabas.shifts import links, services
from cabas.shifts.models import CalendarFeed, PastHelp
from tests import scene
from tests.cast import Cast
from tests.shift_fixtures import Roster, past_cycle, roster

pytestmark = pytest.mark.django_db
A = "saint-orens"


@pytest.fixture
def shifts(cast: Cast) -> Roster:
    return roster(cast)


def count(action: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context)


def get(client: Client, url: str) -> Callable[[], object]:
    def run() -> None:
        response = client.get(url)
        assert response.status_code == 200, url

    return run


CROWDS = itertools.count()


class Crowd:
    """Adds households to group A, each signed up somewhere and with some history."""

    def __init__(self, shifts: Roster) -> None:
        self.shifts = shifts
        self.past = roster(shifts.cast, past_cycle(shifts.cast, 40))

    def add(self, count: int) -> None:
        people = scene.members(self.shifts.cast.group_a, count, prefix=f"foule{next(CROWDS)}-")
        for index, user in enumerate(people):
            shift = [self.shifts.setup, self.shifts.tidy][index % 2]
            shift.refresh_from_db()
            if shift.missing:
                services.sign_up(shift=shift, user=user)
            else:
                services.edit_shift(
                    shift=shift,
                    fields={
                        "kind": shift.kind,
                        "label": shift.label,
                        "starts_at": shift.starts_at,
                        "ends_at": shift.ends_at,
                        "capacity": shift.capacity + 1,
                    },
                )
                services.sign_up(shift=shift, user=user)
            services.sign_up(
                shift=self.past.desk, user=user, by=self.shifts.cast.coordinator, coordinator=True
            )
            services.edit_shift(
                shift=self.past.desk,
                fields={
                    "kind": "desk",
                    "label": "",
                    "starts_at": self.past.desk.starts_at,
                    "ends_at": self.past.desk.ends_at,
                    "capacity": self.past.desk.capacity + 1,
                },
            )
            PastHelp.objects.create(
                group=user.memberships.get().group,
                user=user,
                day=timezone.localdate() - timedelta(days=90),
                what="x",
            )


def constant(shifts: Roster, action: Callable[[], object]) -> tuple[int, int]:
    crowd = Crowd(shifts)
    crowd.add(2)
    action()  # the first request of a session reads what later ones find cached
    small = count(action)
    crowd.add(12)
    return small, count(action)


def test_households_pages(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    services.sign_up(shift=shifts.desk, user=cast.member)
    CalendarFeed.objects.create(user=cast.member)
    client = client_for(cast.member)
    for url in (reverse("shifts", args=[A]), reverse("order", args=[A, shifts.cycle.pk])):
        small, large = constant(roster(cast, scene.cycle(cast.group_a, name=f"x{url}")), get(client, url))
        assert small == large, url


def test_coordinators_pages(shifts: Roster, client_for) -> None:
    client = client_for(shifts.cast.coordinator)
    small, large = constant(shifts, get(client, reverse("manage_shifts", args=[A, shifts.cycle.pk])))
    assert small == large
    small, large = constant(shifts, get(client, reverse("manage_fairness", args=[A])))
    assert small == large
    assert large <= 17  # the management nav asks which treasury links to show


def test_the_desk_page_lists_the_days_volunteers_in_constant_queries(shifts: Roster, client_for) -> None:
    scene.set_phase(shifts.cycle, "finalised")
    client = client_for(shifts.cast.coordinator)
    small, large = constant(shifts, get(client, reverse("day_desk", args=[A, shifts.cycle.pk])))
    assert small == large


def test_feeds_and_the_link(shifts: Roster) -> None:
    cast = shifts.cast
    feed = CalendarFeed.objects.create(user=cast.member)
    services.sign_up(shift=shifts.desk, user=cast.member)
    client = Client()
    for url in (
        reverse("calendar_household", args=[feed.token]),
        reverse("calendar_group", args=[A]),
        links.link(shifts.tidy, cast.member),
    ):
        small, large = constant(
            roster(cast, scene.cycle(cast.group_a, name=f"y{url[:20]}")), get(client, url)
        )
        assert small == large, url


def test_the_opening_email_reads_the_shifts_once(shifts: Roster) -> None:
    crowd = Crowd(shifts)
    crowd.add(2)
    small = count(lambda: cycle_tasks.send_opening.call(shifts.cycle.pk))
    crowd.add(12)
    mail.outbox.clear()
    large = count(lambda: cycle_tasks.send_opening.call(shifts.cycle.pk))
    assert small == large
    assert len(mail.outbox) > 14
