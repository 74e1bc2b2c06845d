"""The solidarity fund's pages: the committee's, and a member's request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cabas.ledger import services as ledger
from cabas.ledger.models import Account
from cabas.solidarity.models import HelpDecision, HelpRequest
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene
from tests.solidarity_fixtures import fill_fund, help_household

A = "saint-orens"


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


def test_a_member_asks_and_the_committee_decides(cast: Cast, client_for) -> None:
    client = client_for(cast.beneficiary)
    url = reverse("solidarity_ask", args=[A])
    assert client.get(url).status_code == 200
    assert client.post(url, {"situation": " "}).status_code == 200  # refused, the form again
    assert not HelpRequest.objects.exists()
    assert client.post(url, {"situation": "Chômage", "can_pay": "20 €"}).status_code == 302
    client.post(url, {"situation": "Chômage"})  # a double submit
    request = HelpRequest.objects.get()
    committee = client_for(cast.treasurer)
    page = committee.get(reverse("solidarity_fund", args=[A]))
    assert "Chômage" in page.content.decode()
    decide = reverse("solidarity_decide", args=[A, cast.beneficiary.pk])
    assert committee.get(decide).status_code == 405
    committee.post(decide, {"percent": "50", "cap": "12,555", "why": "vu", "request": request.pk})
    assert not HelpDecision.objects.exists()  # the cap is not an amount: nothing written
    committee.post(decide, {"percent": "50", "cap": "30", "why": "vu en comité", "request": request.pk})
    decision = HelpDecision.objects.get()
    assert (decision.percent, decision.cap_cents, decision.decided_by) == (50, 3000, cast.treasurer)
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.GRANTED


def test_only_the_committee_sees_the_fund(cast: Cast, client_for) -> None:
    for user in (cast.coordinator, cast.member, cast.producer_user):
        assert client_for(user).get(reverse("solidarity_fund", args=[A])).status_code == 403
    assert client_for(cast.coordinator_b).get(reverse("solidarity_fund", args=["balma"])).status_code == 403


def test_the_pool_page_proposes_and_grants(scene: DayScene, client_for) -> None:
    cast = scene.cast
    fill_fund(cast, 1000)
    help_household(cast, cast.member, percent=70)
    help_household(cast, cast.beneficiary, percent=70)
    committee = client_for(cast.treasurer)
    url = reverse("solidarity_pool", args=[A, scene.cycle.pk])
    page = committee.get(url).content.decode()
    assert "Marie Membre" in page and "Bernadette" in page
    grant = reverse("solidarity_grant", args=[A, scene.cycle.pk])
    assert committee.get(grant).status_code == 405
    assert committee.post(grant, {f"help-{cast.member.pk}": "12,555"}).status_code == 302
    assert ledger.balance(cast.group_a, Account.FUND) == 1000
    committee.post(grant, {f"help-{cast.member.pk}": "6,00", f"help-{cast.beneficiary.pk}": "4,00"})
    committee.post(grant, {f"help-{cast.member.pk}": "6,00", f"help-{cast.beneficiary.pk}": "4,00"})
    assert ledger.balance(cast.group_a, Account.FUND) == 0


def test_the_pool_page_queries_do_not_grow(
    scene: DayScene, client_for, django_assert_max_num_queries
) -> None:
    cast = scene.cast
    fill_fund(cast, 100_000)
    help_household(cast, cast.member)
    help_household(cast, cast.beneficiary)
    help_household(cast, cast.member2)
    committee = client_for(cast.treasurer)
    with django_assert_max_num_queries(25):
        assert committee.get(reverse("solidarity_pool", args=[A, scene.cycle.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert committee.get(reverse("solidarity_fund", args=[A])).status_code == 200


def test_members_see_the_fund_only_in_aggregate(scene: DayScene, client_for) -> None:
    from django.utils import timezone

    from cabas.cycles.models import Cycle
    from cabas.solidarity import services

    cast = scene.cast
    fill_fund(cast, 100_000)
    for household in (cast.member, cast.member2):
        help_household(cast, household)
    services.grant(cycle=scene.cycle, amounts=services.pool(scene.cycle).proposal(), by=cast.treasurer)
    page = client_for(cast.beneficiary).get(reverse("solidarity_ask", args=[A])).content.decode()
    assert "dès qu’un cycle est clos" in page  # the cycle is not settled: nothing yet
    Cycle.objects.filter(pk=scene.cycle.pk).update(settled_at=timezone.now())
    page = client_for(cast.beneficiary).get(reverse("solidarity_ask", args=[A])).content.decode()
    assert '<td class="amount">moins de 3</td>' in page and "Marie" not in page
    Cycle.objects.filter(pk=scene.cycle.pk).update(settled_at=None)
    help_household(cast, cast.beneficiary)
    services.grant(cycle=scene.cycle, amounts=services.pool(scene.cycle).proposal(), by=cast.treasurer)
    Cycle.objects.filter(pk=scene.cycle.pk).update(settled_at=timezone.now())
    page = client_for(cast.treasurer).get(reverse("solidarity_ask", args=[A])).content.decode()
    assert '<td class="amount">moins de 3</td>' not in page and '<td class="amount">3</td>' in page
