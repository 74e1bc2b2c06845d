"""The JSON API: what it answers, the one write path and its conflicts, tokens, rate limits,
hostile input and query counts. Who may call what: ``test_api_authorization.py``."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cabas.api import endpoints, tokens
from cabas.api.models import ApiToken, Scope
from cabas.cycles.baskets import amounts_due, basket
from cabas.cycles.models import Offer, Order, OrderLine
from tests import scene
from tests.cast import Cast
from tests.scene import Shop

A = "saint-orens"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token_for(user, scope: Scope = Scope.BASKET) -> str:
    return tokens.create_token(user=user, name="script", scope=scope)[1]


def line_url(shop: Shop, offer: Offer | int) -> str:
    pk = offer if isinstance(offer, int) else offer.pk
    return f"/api/v1/groups/{A}/cycles/{shop.cycle.pk}/basket/lines/{pk}"


def put(client, url: str, body: object, secret: str):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.put(url, data, content_type="application/json", **bearer(secret))


def lines(shop: Shop) -> list[tuple[int, int, int, int]]:
    return list(
        OrderLine.objects.order_by("pk").values_list("order__user_id", "offer_id", "quantity", "total_cents")
    )


def remaining(offer: Offer) -> int | None:
    return Offer.objects.values_list("remaining", flat=True).get(pk=offer.pk)


# --- Reading ---------------------------------------------------------------------------------


def test_my_baskets_are_mine_with_the_amounts_of_baskets(shop: Shop, client) -> None:
    scene.basket(shop.cycle, shop.member, {shop.bread: 2000, shop.tomme: 1000})
    scene.basket(shop.cycle, shop.member2, {shop.bread: 1000})
    answer = client.get("/api/v1/me/baskets", **bearer(token_for(shop.member)))
    assert answer.status_code == 200
    assert "private" in answer["Cache-Control"]
    data = answer.json()
    assert data["count"] == 1
    [mine] = data["items"]
    order = Order.objects.get(cycle=shop.cycle, user=shop.member)
    expected = basket(order)
    assert mine["order_id"] == order.pk
    assert mine["total_cents"] == expected.total_cents == 1040 + 1800
    assert mine["is_estimate"] is True  # the tomme is weighed on the day
    assert mine["cycle"] == {
        **mine["cycle"],
        "id": shop.cycle.pk,
        "group": A,
        "phase": "open",
    }
    parts = {part["producer"]: part for part in mine["parts"]}
    assert parts["Fournil du Lauragais"]["total_cents"] == 1040
    assert parts["Fournil du Lauragais"]["items"][0] == {
        "offer_id": shop.bread.pk,
        "name": "Pain complet",
        "unit_label": "pièce",
        "quantity": 2000,
        "requested": 2000,
        "price_cents": 520,
        "total_cents": 1040,
        "variable_weight": False,
    }


def test_coordinators_and_producers_read_the_same_amounts_as_the_documents(shop: Shop, client) -> None:
    from cabas.catalog.models import ProducerAccount

    ProducerAccount.objects.create(producer=shop.bakery, user=shop.producer_user)
    scene.basket(shop.cycle, shop.member, {shop.bread: 2000, shop.tomme: 1000})
    scene.basket(shop.cycle, shop.member2, {shop.brioche: 1000})
    due = amounts_due(shop.cycle)
    orders = client.get(
        f"/api/v1/groups/{A}/manage/cycles/{shop.cycle.pk}/orders", **bearer(token_for(shop.coordinator))
    ).json()
    assert {b["order_id"]: b["total_cents"] for b in orders["items"]} == {
        order: sum(by_producer.values()) for order, by_producer in due.items()
    }
    bakery = client.get(
        f"/api/v1/producers/fournil/cycles/{shop.cycle.pk}/orders", **bearer(token_for(shop.producer_user))
    ).json()
    assert {b["order_id"]: b["total_cents"] for b in bakery["items"]} == {
        order: by_producer[shop.bakery.pk]
        for order, by_producer in due.items()
        if shop.bakery.pk in by_producer
    }
    assert all(part["producer"] == "Fournil du Lauragais" for b in bakery["items"] for part in b["parts"])
    cycles = client.get("/api/v1/producers/fournil/cycles", **bearer(token_for(shop.producer_user))).json()
    assert [c["id"] for c in cycles["items"]] == [shop.cycle.pk]


def test_public_cycles_are_those_the_group_page_announces(shop: Shop, client) -> None:
    scene.cycle(shop.group_a, name="Brouillon", published_at=None)
    done = scene.cycle(shop.group_a, name="Passé", phase="finalised")
    done.distributed_at = done.closes_at
    done.save()
    names = [c["name"] for c in client.get(f"/api/v1/groups/{A}/cycles").json()["items"]]
    assert names == ["Cabas de juin"]
    managed = client.get(f"/api/v1/groups/{A}/manage/cycles", **bearer(token_for(shop.coordinator))).json()
    assert {c["name"] for c in managed["items"]} == {"Cabas de juin", "Brouillon", "Passé"}


def test_pages(shop: Shop, client, monkeypatch) -> None:
    monkeypatch.setattr(endpoints, "PAGE_SIZE", 2)
    first = client.get(f"/api/v1/groups/{A}/catalogue").json()
    assert (first["count"], first["pages"], len(first["items"])) == (3, 2, 2)
    second = client.get(f"/api/v1/groups/{A}/catalogue?page=2").json()
    assert len(second["items"]) == 1
    assert {p["id"] for p in first["items"] + second["items"]} == {
        o.product_id for o in shop.cycle.offers.all()
    }
    assert client.get(f"/api/v1/groups/{A}/catalogue?page=9").json()["items"] == []
    assert client.get(f"/api/v1/groups/{A}/catalogue?page=0").status_code == 422
    assert client.get(f"/api/v1/groups/{A}/catalogue?page=x").status_code == 422


def test_the_description_lists_every_endpoint_with_the_token_scheme(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/me/baskets" in schema["paths"]
    assert set(schema["paths"]["/api/v1/groups/{slug}/cycles/{cycle_id}/basket/lines/{offer_id}"]) == {"put"}
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()  # served from our own static files (CSP)


# --- Writing: the order page's one write path ------------------------------------------------


def test_a_line_is_set_through_the_order_rules(shop: Shop, client) -> None:
    secret = token_for(shop.member)
    answer = put(client, line_url(shop, shop.bread), {"quantity": 3000}, secret)
    assert answer.status_code == 200
    assert answer.json()["total_cents"] == 1560
    assert lines(shop) == [(shop.member.pk, shop.bread.pk, 3000, 1560)]
    # Removing it: quantity 0.
    assert put(client, line_url(shop, shop.bread), {"quantity": 0}, secret).status_code == 200
    assert lines(shop) == []


def test_a_short_quota_is_409_with_what_is_left_and_nothing_changes(shop: Shop, client) -> None:
    scene.basket(shop.cycle, shop.member2, {shop.brioche: 2000})
    scene.basket(shop.cycle, shop.member, {shop.bread: 1000})
    before = lines(shop)
    secret = token_for(shop.member)
    answer = put(client, line_url(shop, shop.brioche), {"quantity": 2000}, secret)
    assert answer.status_code == 409
    assert answer.json()["available"] == 1000
    assert answer.json()["offer_id"] == shop.brioche.pk
    assert lines(shop) == before
    assert remaining(shop.brioche) == 1000
    # What is left can be had.
    assert put(client, line_url(shop, shop.brioche), {"quantity": 1000}, secret).status_code == 200
    assert remaining(shop.brioche) == 0


def test_a_line_changed_meanwhile_is_409_with_what_is_stored(shop: Shop, client) -> None:
    scene.basket(shop.cycle, shop.member, {shop.bread: 2000})
    answer = put(
        client, line_url(shop, shop.bread), {"quantity": 3000, "expected": 1000}, token_for(shop.member)
    )
    assert answer.status_code == 409
    assert answer.json()["stored"] == 2000
    assert lines(shop) == [(shop.member.pk, shop.bread.pk, 2000, 1040)]


def test_a_closed_cycle_refuses_with_the_pages_message(shop: Shop, client) -> None:
    scene.basket(shop.cycle, shop.member, {shop.bread: 2000})
    scene.set_phase(shop.cycle, "closed")
    answer = put(client, line_url(shop, shop.bread), {"quantity": 5000}, token_for(shop.member))
    assert answer.status_code == 409
    with translation.override("fr"):  # Marie's language
        assert answer.json()["detail"] == gettext(
            "Orders for this cycle are closed: your basket can no longer change."
        )
    assert lines(shop) == [(shop.member.pk, shop.bread.pk, 2000, 1040)]


def test_a_withdrawn_product_and_bad_steps_are_422(shop: Shop, client) -> None:
    secret = token_for(shop.member)
    assert put(client, line_url(shop, shop.bread), {"quantity": 1500}, secret).status_code == 422
    Offer.objects.filter(pk=shop.tomme.pk).update(withdrawn_at=shop.cycle.opens_at)
    assert put(client, line_url(shop, shop.tomme), {"quantity": 1000}, secret).status_code == 422
    assert lines(shop) == []


def test_the_answer_speaks_the_persons_language(shop: Shop, client) -> None:
    """Mehdi reads English, Marie French: the same refusal, each in their own words."""
    scene.set_phase(shop.cycle, "closed")
    mehdi = put(client, line_url(shop, shop.bread), {"quantity": 1000}, token_for(shop.member2)).json()
    marie = put(client, line_url(shop, shop.bread), {"quantity": 1000}, token_for(shop.member)).json()
    assert mehdi["detail"].startswith("Orders for this cycle are closed")
    assert marie["detail"] != mehdi["detail"]


@pytest.mark.parametrize(
    "body",
    [
        "{bad json",
        "[]",
        "null",
        {},
        {"quantity": -1000},
        {"quantity": "beaucoup"},
        {"quantity": 1.5},
        {"quantity": 10**30},
        {"quantity": 1000, "expected": -1},
        {"quantity": None},
    ],
)
def test_hostile_bodies_change_nothing(shop: Shop, client, body: object) -> None:
    scene.basket(shop.cycle, shop.member, {shop.bread: 1000})
    before = lines(shop)
    answer = put(client, line_url(shop, shop.bread), body, token_for(shop.member))
    assert answer.status_code in (400, 422), answer.content
    assert isinstance(answer.json()["detail"], str)
    assert lines(shop) == before


def test_a_negative_quantity_is_explained(shop: Shop, client) -> None:
    answer = put(client, line_url(shop, shop.bread), {"quantity": -1000}, token_for(shop.member2))
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("The request is not valid (quantity: ")
    assert answer.json()["errors"][0]["loc"] == ["body", "line", "quantity"]


def test_a_read_token_cannot_write(shop: Shop, client) -> None:
    answer = put(client, line_url(shop, shop.bread), {"quantity": 1000}, token_for(shop.member, Scope.READ))
    assert answer.status_code == 403
    assert lines(shop) == []


# --- Tokens: recognised, counted, revoked ----------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer cabas_",
        "Bearer cabas_" + "x" * 43,
        "Basic cabas_x",
        "Token abc",
        "Bearer " + "x" * 5000,
    ],
)
def test_bad_tokens_are_401(shop: Shop, client, header: str) -> None:
    token_for(shop.member)
    assert client.get("/api/v1/me/baskets", HTTP_AUTHORIZATION=header).status_code == 401


def test_a_token_records_its_last_use(shop: Shop, client) -> None:
    secret = token_for(shop.member)
    assert ApiToken.objects.get().last_used_at is None
    client.get("/api/v1/me/baskets", **bearer(secret))
    assert ApiToken.objects.get().last_used_at is not None


def test_a_deactivated_person_has_no_api(shop: Shop, client) -> None:
    secret = token_for(shop.member)
    shop.member.is_active = False
    shop.member.save()
    assert client.get("/api/v1/me/baskets", **bearer(secret)).status_code == 401


def test_rate_limit_per_token(shop: Shop, client, settings) -> None:
    settings.CABAS_API_RATE_PER_MINUTE = 3
    secret, other = token_for(shop.member), token_for(shop.member2)
    statuses = [client.get("/api/v1/me/baskets", **bearer(secret)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/me/baskets", **bearer(secret))
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another token is counted apart; so are writes of the limited one (refused too).
    assert client.get("/api/v1/me/baskets", **bearer(other)).status_code == 200
    assert put(client, line_url(shop, shop.bread), {"quantity": 1000}, secret).status_code == 429
    assert lines(shop) == []


def test_rate_limit_for_the_public_endpoints_per_address(shop: Shop, client, settings) -> None:
    settings.CABAS_API_RATE_PER_MINUTE = 2
    statuses = [client.get(f"/api/v1/groups/{A}/catalogue").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    other = client.get(f"/api/v1/groups/{A}/catalogue", REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200
    # A forged X-Forwarded-For is not another address (no proxy is trusted in tests).
    forged = client.get(f"/api/v1/groups/{A}/catalogue", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert forged.status_code == 429


def test_no_csrf_token_is_needed_with_a_token(shop: Shop) -> None:
    """A script has no CSRF cookie: its token is its proof (and a cookie alone is refused)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    answer = put(client, line_url(shop, shop.bread), {"quantity": 1000}, token_for(shop.member))
    assert answer.status_code == 200
    client.force_login(shop.member)
    no_token = client.put(
        line_url(shop, shop.bread), json.dumps({"quantity": 2000}), content_type="application/json"
    )
    assert no_token.status_code == 401
    assert lines(shop) == [(shop.member.pk, shop.bread.pk, 1000, 520)]


class TestTokenPages:
    def test_create_shows_the_token_once_and_stores_its_digest(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        created = client.post(reverse("api_token_new"), {"name": "  Mon   tableur ", "scope": "basket"})
        assert created.status_code == 302 and created["Location"] == reverse("api_token_created")
        answer = client.get(reverse("api_token_created"))
        assert answer.status_code == 200
        assert "no-store" in answer["Cache-Control"]
        token = ApiToken.objects.get(user=shop.member)
        secret = answer.context["secret"]
        assert secret.startswith("cabas_") and secret.encode() in answer.content
        assert (token.name, token.scope, token.hint) == ("Mon tableur", Scope.BASKET, secret[-4:])
        assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in str(ApiToken.objects.values().get())
        # Shown once: a reload goes back to the profile page, without it.
        again = client.get(reverse("api_token_created"))
        assert again.status_code == 302 and again["Location"] == reverse("profile")
        assert "api_new_token" not in client.session
        profile = client.get(reverse("profile"))
        assert b"Mon tableur" in profile.content and secret.encode() not in profile.content
        # And it works.
        assert client_for(None).get("/api/v1/me/baskets", **bearer(secret)).status_code == 200

    @pytest.mark.parametrize(
        "data",
        [
            {"name": "   ", "scope": "read"},
            {"name": "x", "scope": "admin"},
            {"name": "x" * 81, "scope": "read"},
            {},
        ],
    )
    def test_bad_input_keeps_what_was_typed(self, shop: Shop, client_for, data: dict[str, str]) -> None:
        answer = client_for(shop.member).post(reverse("api_token_new"), data)
        assert answer.status_code == 200
        assert answer.context["form"].errors
        assert not ApiToken.objects.exists()
        if data.get("name"):
            assert data["name"].strip().encode() in answer.content

    def test_too_many_tokens(self, shop: Shop, client_for, monkeypatch) -> None:
        monkeypatch.setattr(tokens, "MAX_LIVE_TOKENS", 1)
        client = client_for(shop.member)
        client.post(reverse("api_token_new"), {"name": "un", "scope": "read"})
        answer = client.post(reverse("api_token_new"), {"name": "deux", "scope": "read"})
        assert answer.context["form"].non_field_errors()
        assert ApiToken.objects.count() == 1

    def test_revoke(self, shop: Shop, client_for) -> None:
        secret = token_for(shop.member)
        token = ApiToken.objects.get()
        client = client_for(shop.member)
        assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405
        assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert client_for(None).get("/api/v1/me/baskets", **bearer(secret)).status_code == 401
        # Revoking again: not found among the live ones, the date kept.
        assert client_for(shop.member).post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
        assert ApiToken.objects.get().revoked_at == token.revoked_at

    def test_someone_elses_token_is_404(self, shop: Shop, client_for) -> None:
        secret = token_for(shop.member)
        token = ApiToken.objects.get()
        assert client_for(shop.member2).post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
        assert ApiToken.objects.get().revoked_at is None
        assert client_for(None).get("/api/v1/me/baskets", **bearer(secret)).status_code == 200


# --- Query counts do not grow with the data --------------------------------------------------


def count_queries(client, url: str, secret: str | None = None) -> int:
    headers = bearer(secret) if secret else {}
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


def grow(shop: Shop, cast: Cast, *, households: int, cycles: int) -> None:
    """More households ordering in the cycle, and more past cycles for Marie."""
    for member in scene.members(shop.group_a, households, prefix=f"m{households}"):
        scene.basket(shop.cycle, member, {shop.bread: 1000, shop.tomme: 1000})
    for number in range(cycles):
        other = scene.cycle(shop.group_a, name=f"Cabas {households}-{number}")
        bread = scene.offer(other, shop.bakery, f"Pain {number}")
        scene.basket(other, shop.member, {bread: 1000})


def test_query_counts_are_constant(shop: Shop, cast: Cast, client) -> None:
    from cabas.catalog.models import ProducerAccount

    ProducerAccount.objects.create(producer=shop.bakery, user=shop.producer_user)
    scene.basket(shop.cycle, shop.member, {shop.bread: 1000})
    member, coordinator, bakery = (
        token_for(shop.member),
        token_for(shop.coordinator),
        token_for(shop.producer_user),
    )
    urls = [
        (f"/api/v1/groups/{A}/catalogue", None),
        (f"/api/v1/groups/{A}/cycles", None),
        ("/api/v1/me/baskets", member),
        (f"/api/v1/groups/{A}/cycles/{shop.cycle.pk}/offers", member),
        (f"/api/v1/groups/{A}/cycles/{shop.cycle.pk}/basket", member),
        ("/api/v1/producers/fournil/cycles", bakery),
        (f"/api/v1/producers/fournil/cycles/{shop.cycle.pk}/orders", bakery),
        (f"/api/v1/groups/{A}/manage/cycles", coordinator),
        (f"/api/v1/groups/{A}/manage/cycles/{shop.cycle.pk}/orders", coordinator),
    ]
    for secret in (member, coordinator, bakery):  # the first use of a token records it: one write
        client.get("/api/v1/me/baskets", **bearer(secret))
    small = [count_queries(client, url, secret) for url, secret in urls]
    grow(shop, cast, households=12, cycles=4)
    large = [count_queries(client, url, secret) for url, secret in urls]
    assert large == small, list(zip(urls, small, large, strict=True))
    assert max(small) <= 10, small


def test_the_site_admin_sees_who_holds_tokens_not_their_digests(shop: Shop, client_for) -> None:
    token_for(shop.member)
    token = ApiToken.objects.get()
    client = client_for(shop.site_admin)
    assert client.get("/admin/api/apitoken/").status_code == 200
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert page.status_code == 200 and token.digest.encode() not in page.content
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    assert client.get("/admin/announcements/announcement/").status_code == 200
