"""French typography done when the page is made: elision before a name (« pour le compte d’Anne »)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from cabas.accounts import services as accounts
from cabas.lib.french import elide, elides
from tests.scene import Shop


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Anne", True),
        ("Élise Durand", True),
        ("Yves", True),
        ("Hélène", True),
        ("hugo", True),
        ("Marie", False),
        ("Hsu", False),  # an h before a consonant
        ("", False),
        ("42", False),
    ],
)
def test_which_names_elide(name: str, expected: bool) -> None:
    assert elides(name) is expected


def test_elide_in_french_only() -> None:
    with translation.override("fr"):
        assert (
            elide("Vous commandez pour le compte de Anne.", "Anne") == "Vous commandez pour le compte d’Anne."
        )
        assert elide("De Élise, rien.", "Élise") == "D’Élise, rien."
        assert elide("Plus que Hugo.", "Hugo") == "Plus qu’Hugo."
        assert elide("Panier de Marie", "Marie") == "Panier de Marie"
        assert elide("Panier de Annecy-le-Vieux", "Anne") == "Panier de Annecy-le-Vieux"  # another word
    with translation.override("en"):
        assert elide("Basket de Anne", "Anne") == "Basket de Anne"


def test_a_safe_text_stays_safe_and_escaped() -> None:
    with translation.override("fr"):
        text = elide(mark_safe("Panier de Anne &lt;b&gt;"), "Anne <b>")
    assert isinstance(text, SafeString)
    assert text == "Panier d’Anne &lt;b&gt;"
    with translation.override("fr"):
        page = Template("{{ text|elide:name }}").render(Context({"text": "de Odile", "name": "Odile"}))
    assert page == "d’Odile"


def test_the_order_on_behalf_says_pour_le_compte_d_anne(shop: Shop, client_for) -> None:
    anne = accounts.create_user(email="anne@example.org", full_name="Anne Martin")
    accounts.add_member(group=shop.group_a, user=anne)
    client = client_for(shop.coordinator)
    with translation.override("fr"):
        page = client.get(
            reverse("manage_order", args=["saint-orens", shop.cycle.pk, anne.pk]),
            headers={"Accept-Language": "fr"},
        ).text
    assert "pour le compte d’Anne Martin" in page
    assert "de Anne" not in page
