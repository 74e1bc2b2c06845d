"""Two people clicking at once: real threads, real transactions, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from cabas.accounts import services
from cabas.accounts.models import JoinRequest, Membership
from tests.cast import build_cast

pytestmark = pytest.mark.django_db(transaction=True)


def race(action: Callable[[], object], times: int) -> list[object]:
    """Run ``action`` in ``times`` threads released together; return results or exceptions."""
    barrier = threading.Barrier(times)
    results: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        try:
            outcome: object = action()
        except Exception as error:
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_coordinators_approving_at_once_make_one_membership() -> None:
    cast = build_cast()
    join_request = services.request_to_join(group=cast.group_a, user=cast.outsider)
    assert isinstance(join_request, JoinRequest)
    results = race(lambda: services.approve_join_request(join_request=join_request, by=cast.coordinator), 6)
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert all(isinstance(r, (Membership, services.MembershipError)) for r in results), results
    assert Membership.objects.filter(group=cast.group_a, user=cast.outsider).count() == 1


def test_double_submitted_join_request_is_stored_once() -> None:
    cast = build_cast()
    results = race(lambda: services.request_to_join(group=cast.group_a, user=cast.outsider, message="x"), 6)
    assert sum(isinstance(r, JoinRequest) for r in results) == 1
    assert all(isinstance(r, (JoinRequest, services.MembershipError)) for r in results), results
    assert JoinRequest.objects.filter(group=cast.group_a, user=cast.outsider).count() == 1


def test_joining_an_open_group_twice_at_once_makes_one_membership() -> None:
    cast = build_cast()
    results = race(lambda: services.request_to_join(group=cast.group_b, user=cast.outsider), 6)
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert Membership.objects.filter(group=cast.group_b, user=cast.outsider).count() == 1


def test_one_new_cycle_form_sent_six_times_at_once_makes_one_cycle() -> None:
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from cabas.cycles import services as cycles
    from cabas.cycles.models import Cycle

    cast = build_cast()
    now = timezone.now()
    fields = {
        "name": "Cabas d'avril",
        "opens_at": now + timedelta(days=2),
        "closes_at": now + timedelta(days=9),
        "distribution_date": (now + timedelta(days=12)).date(),
        "distribution_start": now.time().replace(hour=17, minute=0),
        "distribution_end": now.time().replace(hour=19, minute=0),
        "distribution_place": "Salle des fêtes",
        "message": "",
    }
    token = uuid.uuid4()
    results = race(
        lambda: cycles.create_cycle(
            group=cast.group_a, fields=fields, producers=[cast.bakery], by=cast.coordinator, submission=token
        ),
        6,
    )
    assert all(isinstance(r, Cycle) for r in results), results
    assert len({r.pk for r in results}) == 1  # type: ignore[attr-defined]
    assert Cycle.objects.filter(group=cast.group_a).count() == 1
