"""Accepting every carton proposal of a cycle at once: what it will change shown first, then one POST."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cabas.cycles import cartons, tasks
from cabas.cycles.models import ChangeKind, Cycle, Offer, OrderChange, OrderLine
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle
from tests.test_cartons import carton_offer, close, order, quantities

A = "saint-orens"


@pytest.fixture
def cellar(cast: Cast) -> tuple[Cycle, Offer, Offer, Offer]:
    """Wine to fill (5 of 6, one extra offered), juice to round down (7 of 6), cider already full (6 of 6)."""
    cycle = make_cycle(cast.group_a)
    wine = carton_offer(cycle, cast)
    juice = carton_offer(cycle, cast, "Jus de pomme")
    cider = carton_offer(cycle, cast, "Cidre")
    order(cycle, wine, cast.member, 2)
    order(cycle, wine, cast.member2, 2, tolerance=2)
    order(cycle, wine, cast.beneficiary, 1)
    order(cycle, juice, cast.member, 6)
    order(cycle, juice, cast.member2, 1)
    order(cycle, cider, cast.member, 6)
    close(cycle)
    return cycle, wine, juice, cider


def url(cycle: Cycle) -> str:
    return reverse("manage_cartons_accept_all", args=[A, cycle.pk])


def test_the_review_says_what_will_change_and_changes_nothing(cast: Cast, cellar, client_for) -> None:
    cycle, wine, juice, cider = cellar
    before = {offer.pk: quantities(offer) for offer in (wine, juice, cider)}
    client = client_for(cast.coordinator)
    page = client.get(reverse("manage_cycle_cartons", args=[A, cycle.pk])).text
    assert url(cycle) in page  # reachable from the cartons page
    review = client.get(url(cycle))
    assert review.status_code == 200
    html = review.text
    assert "Vin rouge" in html and "Jus de pomme" in html and "Cidre" not in html
    wine_line = OrderLine.objects.get(offer=wine, order__user=cast.member2)
    juice_line = OrderLine.objects.get(offer=juice, order__user=cast.member2)
    assert f'name="p-{wine_line.pk}" value="3000"' in html
    assert f'name="p-{juice_line.pk}" value="0"' in html
    proposals = cartons.all_proposals(cycle)
    assert (len(proposals.statuses), proposals.lines, proposals.households) == (2, 2, 1)
    assert (proposals.added, proposals.removed) == (1000, 1000)
    assert {offer.pk: quantities(offer) for offer in (wine, juice, cider)} == before
    assert not OrderChange.objects.filter(kind=ChangeKind.CARTON).exists()


def test_one_post_applies_every_proposal(cast: Cast, cellar, client_for) -> None:
    cycle, wine, juice, cider = cellar
    client = client_for(cast.coordinator)
    expected = cartons.all_proposals(cycle).expected
    response = client.post(url(cycle), {f"p-{pk}": str(new) for pk, new in expected.items()})
    assert response.status_code == 302
    assert response.url == reverse("manage_cycle_cartons", args=[A, cycle.pk])
    assert quantities(wine)[cast.member2.pk][:3] == (3000, 3000, 2400)
    assert quantities(juice)[cast.member2.pk] == (0, 0, 0, 0)  # the latest order rounded down to nothing
    assert quantities(juice)[cast.member.pk][0] == 6000
    assert quantities(cider)[cast.member.pk][0] == 6000
    changes = OrderChange.objects.filter(kind=ChangeKind.CARTON, changed_by=cast.coordinator)
    assert sorted(changes.values_list("offer__name", "old_quantity", "new_quantity")) == [
        ("Jus de pomme", 1000, 0),
        ("Vin rouge", 2000, 3000),
    ]
    for offer in (wine, juice, cider):
        total = sum(OrderLine.objects.filter(offer=offer).values_list("quantity", flat=True))
        assert total % 6000 == 0
    # Again (a double submit): nothing more.
    client.post(url(cycle), {f"p-{pk}": str(new) for pk, new in expected.items()})
    assert OrderChange.objects.filter(kind=ChangeKind.CARTON).count() == 2


def test_a_proposal_changed_meanwhile_refuses_everything(cast: Cast, cellar, client_for) -> None:
    cycle, wine, juice, _cider = cellar
    expected = cartons.all_proposals(cycle).expected
    # Meanwhile the juice is rounded by hand: the proposals shown are no longer the rule's.
    juice_line = OrderLine.objects.get(offer=juice, order__user=cast.member)  # 6 + 1: now 5 + 1, full
    cartons.set_quantities(
        offer=juice, by=cast.coordinator, quantities={juice_line.pk: 5000}, expected={juice_line.pk: 6000}
    )
    before = quantities(wine)
    client = client_for(cast.coordinator)
    response = client.post(url(cycle), {f"p-{pk}": str(new) for pk, new in expected.items()})
    assert response.status_code == 302 and response.url == url(cycle)
    assert quantities(wine) == before  # nothing applied, not even the wine
    page = client.get(url(cycle)).text
    assert "changed meanwhile" in page or "entre-temps" in page


def test_members_are_told_once_each_after_the_recap(
    cast: Cast, cellar, client_for, django_capture_on_commit_callbacks
) -> None:
    cycle, wine, _juice, _cider = cellar
    order_line = OrderLine.objects.get(offer=wine, order__user=cast.member2)
    Cycle.objects.filter(pk=cycle.pk).update(recap_sent_at=timezone.now())
    expected = cartons.all_proposals(cycle).expected
    assert order_line.pk in expected
    with django_capture_on_commit_callbacks() as callbacks:
        cartons.accept_all(cycle=cycle, by=cast.coordinator, expected=expected)
    # Mehdi has two products changed (wine up, juice down): one notice for his order, nobody else's.
    notices = [c.args for c in callbacks if getattr(c, "func", None) == tasks.send_order_changes.enqueue]
    assert notices == [(order_line.order_id,)]
    assert OrderChange.objects.filter(kind=ChangeKind.CARTON, order__user=cast.member2).count() == 2


def test_only_coordinators_and_only_a_closed_cycle(cast: Cast, cellar, client_for) -> None:
    cycle, _wine, _juice, _cider = cellar
    assert client_for(cast.member).get(url(cycle)).status_code == 403
    assert client_for(cast.member).post(url(cycle)).status_code == 403
    assert (
        client_for(cast.coordinator_b)
        .get(reverse("manage_cartons_accept_all", args=["balma", cycle.pk]))
        .status_code
        == 404
    )
    open_cycle = make_cycle(cast.group_a, name="Ouvert")
    offer = carton_offer(open_cycle, cast, "Vin blanc")
    order(open_cycle, offer, cast.member, 5, tolerance=1)
    client = client_for(cast.coordinator)
    assert "Accept all these proposals" not in client.get(url(open_cycle)).text
    client.post(url(open_cycle), {})
    assert not OrderChange.objects.filter(kind=ChangeKind.CARTON).exists()
