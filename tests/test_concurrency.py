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
