"""Every URL of the app, visited as every role, with the status each must get.

When a URL is added, this test fails until the URL is listed in MATRIX: a new
page cannot ship without deciding who may see it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.cast import Cast

ROLES = ["anonymous", "member_a", "member_b", "coordinator_a", "coordinator_b", "site_admin"]

# URL name -> (how to build its kwargs from the cast, GET statuses by role, POST statuses by role).
# 302 for the anonymous visitor is the redirect to the login page.
ANYONE = dict.fromkeys(ROLES, 200)
LOGGED_IN = {**ANYONE, "anonymous": 302}
GET_ON_POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": 302}
GROUP_A_MEMBERS = {**LOGGED_IN, "member_b": 403, "coordinator_b": 403}
COORDINATORS_OF_A = {**GROUP_A_MEMBERS, "member_a": 403}
# POST as someone without the right: refused before anything is read from the form.
POST_COORDINATORS_OF_A = {"anonymous": 302, "member_a": 403, "member_b": 403, "coordinator_b": 403}

A = "saint-orens"


def _group(c: Cast) -> dict[str, object]:
    return {"slug": A}


def _member_a(c: Cast) -> dict[str, object]:
    return {"slug": A, "pk": c.membership(c.member).pk}


def _pending_request(c: Cast) -> dict[str, object]:
    return {"slug": A, "pk": c.outsider_request.pk}


MATRIX: dict[str, tuple[Callable[[Cast], dict[str, object]], dict[str, int], dict[str, int]]] = {
    "home": (lambda c: {}, ANYONE, {}),
    "set_language": (lambda c: {}, dict.fromkeys(ROLES, 405), {}),
    "profile": (lambda c: {}, LOGGED_IN, {"anonymous": 302}),
    "account_delete": (lambda c: {}, LOGGED_IN, {"anonymous": 302}),
    "group_detail": (_group, ANYONE, {}),
    # Members of A are sent back to the group page; others see the form.
    "group_join": (
        _group,
        {**LOGGED_IN, "member_a": 302, "coordinator_a": 302},
        {"anonymous": 302},
    ),
    "group_join_withdraw": (_group, GET_ON_POST_ONLY, {"anonymous": 302}),
    # The site admin is not a member of A: nothing to leave, back to the group page.
    "group_leave": (
        _group,
        {**GROUP_A_MEMBERS, "site_admin": 302},
        {"anonymous": 302, "member_b": 403, "coordinator_b": 403},
    ),
    "group_directory": (_group, GROUP_A_MEMBERS, {}),
    "manage_members": (_group, COORDINATORS_OF_A, {}),
    "manage_member_add": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_member": (_member_a, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_member_end": (_member_a, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_join_requests": (_group, COORDINATORS_OF_A, {}),
    "manage_join_request_approve": (_pending_request, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_join_request_refuse": (_pending_request, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_settings": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
}


def app_url_names() -> set[str]:
    """Names of every URL the app defines (the admin and allauth are framework)."""
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif not prefix.startswith(("admin/", "accounts/")):
                assert pattern.name, f"unnamed URL {prefix}{pattern.pattern}"
                names.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_in_the_matrix() -> None:
    assert app_url_names() == set(MATRIX)


def user_for(cast: Cast, role: str):
    return {
        "anonymous": None,
        "member_a": cast.member,
        "member_b": cast.member_b,
        "coordinator_a": cast.coordinator,
        "coordinator_b": cast.coordinator_b,
        "site_admin": cast.site_admin,
    }[role]


@pytest.fixture
def matrix_cast(cast: Cast) -> Cast:
    from cabas.accounts import services

    cast.outsider_request = services.request_to_join(group=cast.group_a, user=cast.outsider)  # type: ignore[attr-defined]
    return cast


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(matrix_cast: Cast, client_for, role: str) -> None:
    from django.urls import reverse

    client = client_for(user_for(matrix_cast, role))
    failures = []
    for name, (kwargs, get_statuses, _post) in MATRIX.items():
        url = reverse(name, kwargs=kwargs(matrix_cast))
        status = client.get(url).status_code
        if status != get_statuses[role]:
            failures.append(f"GET {url} as {role}: {status}, expected {get_statuses[role]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix_refuses_without_writing(matrix_cast: Cast, client_for, role: str) -> None:
    """POST without the right role is refused and changes nothing."""
    from django.urls import reverse

    from cabas.accounts.models import BuyingGroup, JoinRequest, Membership

    def snapshot() -> tuple[object, ...]:
        return (
            list(Membership.objects.order_by("pk").values_list("pk", "ended_at", "is_coordinator")),
            list(JoinRequest.objects.order_by("pk").values_list("pk", "status")),
            list(BuyingGroup.objects.order_by("pk").values_list("name", "description")),
        )

    client = client_for(user_for(matrix_cast, role))
    before = snapshot()
    data = {"name": "Piraté", "roles": ["coordinator"], "email": "x@example.org", "full_name": "X"}
    failures = []
    for name, (kwargs, _get, post_statuses) in MATRIX.items():
        if role not in post_statuses:
            continue
        url = reverse(name, kwargs=kwargs(matrix_cast))
        status = client.post(url, data).status_code
        if status != post_statuses[role]:
            failures.append(f"POST {url} as {role}: {status}, expected {post_statuses[role]}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


def test_objects_of_another_group_are_404(cast: Cast, client_for) -> None:
    """A coordinator of B using B's URLs with A's ids finds nothing."""
    from django.urls import reverse

    from cabas.accounts import services

    join_request = services.request_to_join(group=cast.group_a, user=cast.outsider)
    client = client_for(cast.coordinator_b)
    membership_a = cast.membership(cast.member).pk
    assert client.get(reverse("manage_member", args=["balma", membership_a])).status_code == 404
    assert client.post(reverse("manage_member_end", args=["balma", membership_a])).status_code == 404
    for name in ("manage_join_request_approve", "manage_join_request_refuse"):
        assert client.post(reverse(name, args=["balma", join_request.pk])).status_code == 404
    assert cast.membership(cast.member).ended_at is None
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_unknown_or_closed_group_is_404(cast: Cast, client_for) -> None:
    client = client_for(cast.site_admin)
    assert client.get("/g/nowhere/").status_code == 404
    cast.group_b.is_active = False
    cast.group_b.save()
    assert client.get("/g/balma/").status_code == 404
    assert client.get("/g/balma/manage/members/").status_code == 404
