"""Lists of people sort by surname; slip numbers keep their meaning; a draft's preview says it is a draft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cabas.accounts import services as accounts
from cabas.accounts.models import User
from cabas.cycles.baskets import baskets, slip_numbers
from cabas.cycles.models import Cycle, Order
from cabas.cycles.ordering import LineChange, save_basket
from cabas.lib.names import person_sort_key, surname
from tests import scene
from tests.scene import Shop

A = "saint-orens"


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Anne Martin", "Martin"),
        ("Marie-Claire Le Goff", "Le Goff"),
        ("Jean de La Fontaine", "La Fontaine"),
        ("Louis d’Argenson", "Argenson"),
        ("MARTIN Anne", "MARTIN"),
        ("Cher", "Cher"),
        ("", ""),
    ],
)
def test_surname(full_name: str, expected: str) -> None:
    assert surname(full_name) == expected


def test_sort_key_ignores_accents_and_case_and_falls_back_on_the_email() -> None:
    names = ["Zoé Abadie", "anne Zola", "Bruno Élie", ""]
    ordered = sorted(names, key=lambda name: person_sort_key(name, "x@example.org"))
    assert ordered == ["Zoé Abadie", "Bruno Élie", "", "anne Zola"]  # "" sorts by its e-mail, x


def _people(shop: Shop) -> list[User]:
    made = []
    for index, name in enumerate(["Anne Zola", "Bruno Martin", "Zoé Abadie"]):
        user = accounts.create_user(email=f"p{index}@example.org", full_name=name)
        accounts.add_member(group=shop.group_a, user=user)
        save_basket(cycle=shop.cycle, member=user, changes=[LineChange(shop.bread.pk, 1000)], by=user)
        made.append(user)
    return made


def _positions(html: str, names: list[str]) -> list[int]:
    return [html.index(name) for name in names]


def test_the_orders_of_a_cycle_list_households_by_surname(shop: Shop, client_for) -> None:
    _people(shop)
    html = client_for(shop.coordinator).get(reverse("manage_cycle_orders", args=[A, shop.cycle.pk])).text
    abadie, martin, zola = _positions(html, ["Zoé Abadie", "Bruno Martin", "Anne Zola"])
    assert abadie < martin < zola


def test_member_lists_sort_by_surname(shop: Shop, client_for) -> None:
    _people(shop)
    client = client_for(shop.coordinator)
    for url in (reverse("manage_members", args=[A]), reverse("group_directory", args=[A])):
        html = client.get(url).text
        abadie, martin, zola = _positions(html, ["Zoé Abadie", "Bruno Martin", "Anne Zola"])
        assert abadie < martin < zola, url


def test_baskets_by_surname_but_slip_numbers_keep_their_order(shop: Shop) -> None:
    anne, bruno, zoe = _people(shop)
    listed = [b.member.name for b in baskets(shop.cycle)]
    assert listed == ["Zoé Abadie", "Bruno Martin", "Anne Zola"]
    numbers = slip_numbers(shop.cycle)
    orders = {o.user_id: o.pk for o in Order.objects.filter(cycle=shop.cycle)}
    # Numbered by the whole name, first name first, as they always were: a printed slip, a cheque or
    # a transfer reference keeps pointing at the same basket.
    assert [numbers[orders[user.pk]] for user in (anne, bruno, zoe)] == [1, 2, 3]


def test_the_preview_of_a_draft_does_not_say_orders_are_closed(cast, client_for) -> None:
    draft = scene.cycle(cast.group_a)
    scene.offer(draft, cast.bakery, "Pain")
    past = timezone.now() - timedelta(days=1)
    Cycle.objects.filter(pk=draft.pk).update(
        published_at=None, closes_at=past, opens_at=past - timedelta(days=2)
    )
    client = client_for(cast.coordinator)
    with translation.override("en"):
        html = client.get(
            reverse("manage_cycle_preview", args=[A, draft.pk]), headers={"Accept-Language": "en"}
        ).text
    assert "Orders are closed" not in html and "Les commandes sont closes" not in html
    assert "Not published yet" in html or "Pas encore publié" in html
