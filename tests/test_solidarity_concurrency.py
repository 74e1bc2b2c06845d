"""Two committee members grant help at the same second: real threads, SQLite and PostgreSQL.

Each grant alone fits in the fund; both together would overdraw it. Granting
locks the group's row and re-checks the balance, so one is granted and the
other is told, and the fund never goes below zero.
"""

from __future__ import annotations

import pytest

from cabas.accounts import services as accounts
from cabas.accounts.models import Role
from cabas.ledger import positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Line
from cabas.solidarity import services
from tests.cast import build_cast, person
from tests.cycle_fixtures import race
from tests.day_fixtures import day_scene
from tests.solidarity_fixtures import fill_fund, help_household

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_committee_members_cannot_overdraw_the_fund() -> None:
    cast = build_cast()
    scene = day_scene(cast)
    other = person("tess@example.org", "Tess Trésorière")
    accounts.add_member(group=cast.group_a, user=other, roles=[Role.MEMBER, Role.TREASURER])
    help_household(cast, cast.member, percent=100, cap_cents=2000)
    help_household(cast, cast.beneficiary, percent=100, cap_cents=2000)
    fill_fund(cast, 3000)
    first, second = cast.member.pk, cast.beneficiary.pk
    results = race(
        [
            lambda: services.grant(cycle=scene.cycle, amounts={first: 2000}, by=cast.treasurer),
            lambda: services.grant(cycle=scene.cycle, amounts={second: 2000}, by=other),
        ]
    )
    refused = [r for r in results if isinstance(r, services.Refused)]
    assert len(refused) == 1, results
    assert sorted(r for r in results if isinstance(r, int)) == [2000]
    assert ledger.balance(cast.group_a, Account.FUND) == 1000
    assert sum(positions.help_granted(scene.cycle).values()) == 2000
    assert positions.cycle_positions(scene.cycle).total_cents == 0


def test_the_same_grant_twice_at_once_posts_once() -> None:
    cast = build_cast()
    scene = day_scene(cast)
    help_household(cast, cast.member, percent=100, cap_cents=2000)
    fill_fund(cast, 5000)
    pk = cast.member.pk
    results = race([lambda: services.grant(cycle=scene.cycle, amounts={pk: 2000}, by=cast.treasurer)] * 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert ledger.balance(cast.group_a, Account.FUND) == 3000
    assert Line.objects.filter(account=Account.FUND, amount_cents__gt=0).count() == 1
