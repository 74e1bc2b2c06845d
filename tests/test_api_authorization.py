"""Every API endpoint, called with every kind of token, with the status each must get.

The sibling of ``test_authorization_matrix.py`` for ``/api/v1/``: when an endpoint
is added, ``test_every_endpoint_is_in_the_matrix`` fails until it is listed here.
The API accepts tokens only: "anonymous" sends none (and a session cookie is
ignored), "revoked" sends a revoked token of member_a, "member_a_read" a
read-only token; every other role holds a token with the basket access, so that
a refusal comes from their role, not from their token.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.urls import URLPattern, reverse

from cabas.api import tokens
from cabas.api.api import api
from cabas.api.models import ApiToken, Scope
from cabas.cycles.models import Cycle
from tests import scene
from tests.cast import Cast
from tests.scene import Site
from tests.test_authorization_matrix import snapshot

A = "saint-orens"
ROLES = [
    "anonymous",
    "revoked",
    "member_a_read",
    "member_a",
    "member_b",
    "coordinator_a",
    "coordinator_b",
    "producer_a",
    "site_admin",
    "treasurer_a",
]
TOKEN_HOLDERS = {
    "revoked": "member",
    "member_a_read": "member",
    "member_a": "member",
    "member_b": "member_b",
    "coordinator_a": "coordinator",
    "coordinator_b": "coordinator_b",
    "producer_a": "producer_user",
    "site_admin": "site_admin",
    "treasurer_a": "treasurer",
}

EVERYONE = dict.fromkeys(ROLES, 200)
ANY_TOKEN = {**EVERYONE, "anonymous": 401, "revoked": 401}
# As the order pages: households of A (coordinators and the treasurer are households too), the site admin.
HOUSEHOLDS_OF_A = {**ANY_TOKEN, "member_b": 403, "coordinator_b": 403, "producer_a": 403}
# Writing a basket line also needs the basket access.
WRITE_HOUSEHOLDS_OF_A = {**HOUSEHOLDS_OF_A, "member_a_read": 403}
# The bakery keeps its own catalogue: its account and the site admin.
BAKERY = {**dict.fromkeys(ROLES, 403), "anonymous": 401, "revoked": 401, "producer_a": 200, "site_admin": 200}
COORDINATORS_OF_A = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": 401,
    "revoked": 401,
    "coordinator_a": 200,
    "site_admin": 200,
}


def _group(c: Site) -> dict[str, object]:
    return {"slug": A}


def _cycle(c: Site) -> dict[str, object]:
    return {"slug": A, "cycle_id": c.cycle.pk}


def _cider(c: Site) -> dict[str, object]:
    """The cider of the open cycle: nobody has any, so an allowed PUT of 0 writes nothing."""
    return {**_cycle(c), "offer_id": c.cycle.offers.get(name="Cidre").pk}


def _bakery(c: Site) -> dict[str, object]:
    return {"slug": "fournil"}


def _bakery_cycle(c: Site) -> dict[str, object]:
    return {"slug": "fournil", "cycle_id": c.cycle.pk}


# URL name -> (kwargs from the site, method, statuses by role).
MATRIX: dict[str, tuple[Callable[[Site], dict[str, object]], str, dict[str, int]]] = {
    "api_catalogue": (_group, "get", EVERYONE),
    "api_cycles": (_group, "get", EVERYONE),
    "api_my_baskets": (lambda c: {}, "get", ANY_TOKEN),
    "api_cycle_offers": (_cycle, "get", HOUSEHOLDS_OF_A),
    "api_basket": (_cycle, "get", HOUSEHOLDS_OF_A),
    "api_basket_line": (_cider, "put", WRITE_HOUSEHOLDS_OF_A),
    "api_producer_cycles": (_bakery, "get", BAKERY),
    "api_producer_orders": (_bakery_cycle, "get", BAKERY),
    "api_manage_cycles": (_group, "get", COORDINATORS_OF_A),
    "api_manage_orders": (_cycle, "get", COORDINATORS_OF_A),
}
# The description, its docs page, and the root (a 404 that only names the docs).
NOT_OPERATIONS = {"openapi-json", "openapi-view", "api-root"}


def test_every_endpoint_is_in_the_matrix() -> None:
    names = {pattern.name for pattern in api.urls[0] if isinstance(pattern, URLPattern)}
    assert names - NOT_OPERATIONS == set(MATRIX)


@pytest.fixture
def api_site(cast: Cast) -> tuple[Site, dict[str, str]]:
    """The matrix's site, and a token for each role (the secret, by role)."""
    site = scene.site(cast)
    secrets = {}
    for role, holder in TOKEN_HOLDERS.items():
        scope = Scope.READ if role == "member_a_read" else Scope.BASKET
        token, secrets[role] = tokens.create_token(user=getattr(cast, holder), name=role, scope=scope)
        if role == "revoked":
            tokens.revoke_token(token=token)
    return site, secrets


def call(client, method: str, url: str, secret: str | None, body: object = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(api_site, client, role: str) -> None:
    site, secrets = api_site
    before = snapshot()
    failures = []
    for name, (kwargs, method, statuses) in MATRIX.items():
        url = reverse(f"api-v1:{name}", kwargs=kwargs(site))
        status = call(client, method, url, secrets.get(role), {"quantity": 0}).status_code
        if status != statuses[role]:
            failures.append(f"{method.upper()} {url} as {role}: {status}, expected {statuses[role]}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


@pytest.mark.parametrize("url", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_description_is_public(client, url: str) -> None:
    assert client.get(url).status_code == 200


def test_a_session_is_not_a_token(api_site, client) -> None:
    """Logged in on the site, without a token: the API answers 401 and writes nothing."""
    site, _secrets = api_site
    client.force_login(site.member)
    before = snapshot()
    for name in ("api_my_baskets", "api_basket"):
        kwargs = MATRIX[name][0](site)
        assert client.get(reverse(f"api-v1:{name}", kwargs=kwargs)).status_code == 401
    url = reverse("api-v1:api_basket_line", kwargs={**_cycle(site), "offer_id": site.offer.pk})
    assert call(client, "put", url, None, {"quantity": 5000}).status_code == 401
    assert snapshot() == before


def test_other_peoples_ids_are_404(api_site, client, cast: Cast) -> None:
    """A group's address with another group's cycle or offer, a producer's with a cycle it is not in."""
    site, secrets = api_site
    cycle_b = scene.cycle(cast.group_b, name="Panier de Balma")
    offer_b = scene.offer(cycle_b, cast.bakery, "Pain de Balma")
    lone = scene.cycle(cast.group_a, name="Sans le fournil")
    draft = scene.cycle(cast.group_a, name="Brouillon", published_at=None)
    before = snapshot()
    cases = [
        # Marie, with A's address and B's cycle, or an offer of B's cycle in A's.
        ("member_a", "get", reverse("api-v1:api_basket", kwargs={"slug": A, "cycle_id": cycle_b.pk})),
        ("member_a", "get", reverse("api-v1:api_cycle_offers", kwargs={"slug": A, "cycle_id": cycle_b.pk})),
        (
            "member_a",
            "put",
            reverse("api-v1:api_basket_line", kwargs={**_cycle(site), "offer_id": offer_b.pk}),
        ),
        ("member_a", "put", reverse("api-v1:api_basket_line", kwargs={**_cycle(site), "offer_id": 10**12})),
        # A draft is for coordinators: members do not find it.
        ("member_a", "get", reverse("api-v1:api_basket", kwargs={"slug": A, "cycle_id": draft.pk})),
        # B's coordinator with B's address and A's cycle.
        (
            "coordinator_b",
            "get",
            reverse("api-v1:api_manage_orders", kwargs={"slug": "balma", "cycle_id": site.cycle.pk}),
        ),
        (
            "coordinator_b",
            "get",
            reverse("api-v1:api_basket", kwargs={"slug": "balma", "cycle_id": site.cycle.pk}),
        ),
        # The bakery with a cycle it is not in.
        (
            "producer_a",
            "get",
            reverse("api-v1:api_producer_orders", kwargs={"slug": "fournil", "cycle_id": lone.pk}),
        ),
        # Unknown group or producer.
        ("member_a", "get", "/api/v1/groups/nowhere/cycles"),
        ("producer_a", "get", "/api/v1/producers/nowhere/cycles"),
    ]
    failures = []
    for role, method, url in cases:
        status = call(client, method, url, secrets[role], {"quantity": 1000}).status_code
        if status != 404:
            failures.append(f"{method.upper()} {url} as {role}: {status}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before
    assert not Cycle.objects.filter(pk=draft.pk, orders__isnull=False).exists()


def test_a_closed_group_is_404_even_in_public(api_site, client) -> None:
    site, _secrets = api_site
    site.group_b.is_active = False
    site.group_b.save()
    assert client.get("/api/v1/groups/balma/catalogue").status_code == 404
    assert client.get("/api/v1/groups/balma/cycles").status_code == 404


def test_the_revoked_token_stays_revoked(api_site) -> None:
    _site, secrets = api_site
    assert tokens.authenticate(secrets["revoked"]) is None
    assert ApiToken.objects.filter(name="revoked", revoked_at__isnull=False).count() == 1
