"""Crafted input: never a 500, never a change after a refusal, never an absurd quantity.

First the findings of an outside probe, one test each; then a property-based
test that posts hostile values into every field of every form of every POST
URL of the app, as every role of the cast.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_constants
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cabas.announcements import services as announcements
from cabas.announcements.models import Announcement
from cabas.api import tokens
from cabas.api.models import ApiToken
from cabas.api.models import Scope as ApiScope
from cabas.bank.models import StatementImport, StatementLine, Status
from cabas.catalog.models import SaleUnit
from cabas.cycles import proposals
from cabas.cycles import services as cycle_services
from cabas.cycles.models import Cycle, Offer, OfferRequest, OrderLine, ProducerOffer, ProposedLine
from cabas.ledger.models import Entry
from cabas.reports.models import DocumentSet
from tests import scene
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer
from tests.scene import Shop, Site

A = "saint-orens"
SUPERSCRIPT_TWO = "\u00b2"  # a digit to ``str.isdigit``, not to ``int``


def _order_url(shop: Shop) -> str:
    return reverse("order", args=[A, shop.cycle.pk])


def _line_url(shop: Shop, offer: Offer) -> str:
    return reverse("order_line", args=[A, shop.cycle.pk, offer.pk])


def _lines() -> list[tuple[int, int]]:
    return list(OrderLine.objects.order_by("pk").values_list("offer_id", "requested"))


class TestBasketFields:
    @pytest.mark.parametrize("expected", [SUPERSCRIPT_TWO, "9" * 5000, "-1", "1e3"])
    def test_a_damaged_expected_quantity_is_refused(self, shop: Shop, client_for, expected: str) -> None:
        client = client_for(shop.member)
        bread = shop.bread
        response = client.post(_order_url(shop), {f"q-{bread.pk}": "2", f"e-{bread.pk}": expected})
        assert response.status_code == 200
        assert "rechargez la page" in response.content.decode()
        assert _lines() == []

    @pytest.mark.parametrize("field", ["q", "take", "t"])
    def test_thirty_digits_are_refused_with_the_maximum(self, shop: Shop, client_for, field: str) -> None:
        client = client_for(shop.member2)  # English
        bread = shop.bread
        Offer.objects.filter(pk=bread.pk).update(carton_size=6000)  # so that it has a "t-" box
        data = {f"q-{bread.pk}": "1", f"{field}-{bread.pk}": "9" * 30}
        response = client.post(_line_url(shop, bread), data, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert _lines() == []
        assert "At most 99 per order line" in response.content.decode()

    @pytest.mark.parametrize("text", [SUPERSCRIPT_TWO, "\u0663", "\uff11", "1" + SUPERSCRIPT_TWO])
    def test_unicode_digits_are_not_numbers(self, shop: Shop, client_for, text: str) -> None:
        client = client_for(shop.member2)
        bread = shop.bread
        response = client.post(_order_url(shop), {f"q-{bread.pk}": text})
        assert response.status_code == 200
        assert "Enter a number" in response.content.decode()
        assert _lines() == []

    def test_a_basket_of_two_million_units_is_refused(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member2)
        bread = shop.bread
        for quantity in ("2147483", "2147484", "100"):
            response = client.post(_order_url(shop), {f"q-{bread.pk}": quantity})
            assert response.status_code == 200
            assert "At most 99 per order line" in response.content.decode()
        assert _lines() == []
        response = client.post(_order_url(shop), {f"q-{bread.pk}": "99"})
        assert response.status_code == 302
        assert _lines() == [(bread.pk, 99_000)]

    def test_the_maximum_follows_the_step(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member2)
        flour = make_offer(
            shop.cycle, shop.bakery, "Farine en vrac", price_cents=190, unit=SaleUnit.KG, quantity_step=500
        )
        response = client.post(_order_url(shop), {f"q-{flour.pk}": "99.5"})
        assert "At most 99 per order line" in response.content.decode()
        assert client.post(_order_url(shop), {f"q-{flour.pk}": "99"}).status_code == 302

    def test_the_maximum_is_a_group_setting(self, shop: Shop, client_for) -> None:
        shop.group_a.max_line_units = 5
        shop.group_a.save()
        client = client_for(shop.member2)
        bread = shop.bread
        response = client.post(_order_url(shop), {f"q-{bread.pk}": "6"})
        assert "At most 5 per order line" in response.content.decode()
        assert client.post(_order_url(shop), {f"q-{bread.pk}": "5"}).status_code == 302

    def test_the_extra_for_a_carton_counts_in_the_maximum(self, shop: Shop, client_for) -> None:
        shop.group_a.max_line_units = 10
        shop.group_a.save()
        wine = make_offer(shop.cycle, shop.bakery, "Cidre", unit=SaleUnit.BOTTLE)
        Offer.objects.filter(pk=wine.pk).update(carton_size=6000)
        client = client_for(shop.member2)
        response = client.post(_order_url(shop), {f"q-{wine.pk}": "6", f"t-{wine.pk}": "5"})
        assert "At most 10 per order line" in response.content.decode()
        assert _lines() == []
        assert client.post(_order_url(shop), {f"q-{wine.pk}": "6", f"t-{wine.pk}": "4"}).status_code == 302

    def test_a_coordinator_has_the_same_maximum(self, shop: Shop, client_for) -> None:
        client = client_for(shop.coordinator)
        bread = shop.bread
        url = reverse("manage_order", args=[A, shop.cycle.pk, shop.member.pk])
        response = client.post(url, {f"q-{bread.pk}": "1000"})
        assert response.status_code == 200
        assert _lines() == []

    @pytest.mark.parametrize("member", [SUPERSCRIPT_TWO, "9" * 30, "abc"])
    def test_a_damaged_member_field_is_404(self, shop: Shop, client_for, member: str) -> None:
        client = client_for(shop.coordinator)
        bread = shop.bread
        response = client.post(_line_url(shop, bread), {f"q-{bread.pk}": "1", "member": member})
        assert response.status_code == 404
        assert _lines() == []

    def test_a_nul_character_in_the_reason_is_harmless(self, shop: Shop, client_for) -> None:
        client = client_for(shop.coordinator)
        bread = shop.bread
        url = reverse("manage_order", args=[A, shop.cycle.pk, shop.member.pk])
        response = client.post(url, {f"q-{bread.pk}": "1", "reason": "a\x00b"})
        assert response.status_code == 302
        assert _lines() == [(bread.pk, 1000)]


class TestPrivacyAndJournalFields:
    @pytest.mark.parametrize("text", ["\x00", "a\x00b", "x" * 20001])
    def test_privacy_text_that_cannot_be_kept(self, cast: Cast, client_for, text: str) -> None:
        from cabas.privacy.models import PrivacyNotice

        response = client_for(cast.coordinator).post(reverse("manage_privacy", args=[A]), {"text": text})
        assert response.status_code == 200
        assert not PrivacyNotice.objects.exists()

    @pytest.mark.parametrize(
        "query",
        [
            {"person": "9" * 40},
            {"cycle": "-1"},
            {"since": "0001-01-01", "until": "9999-12-31"},
            {"kind": ["members", "money"]},
            {"page": "9" * 40},
            {"person": SUPERSCRIPT_TWO},
        ],
    )
    def test_journal_filters(self, cast: Cast, client_for, query: dict[str, object]) -> None:
        response = client_for(cast.coordinator).get(reverse("manage_journal", args=[A]), query)
        assert response.status_code == 200


class TestNext:
    @pytest.mark.parametrize(
        "next_url", ["bogus", "//evil.example/", "https://evil.example/", "/\\evil.example"]
    )
    def test_a_line_change_without_htmx_stays_on_the_site(
        self, shop: Shop, client_for, next_url: str
    ) -> None:
        client = client_for(shop.member)
        bread = shop.bread
        response = client.post(_line_url(shop, bread), {f"q-{bread.pk}": "1", "next": next_url})
        assert response.status_code == 302
        assert response["Location"] == _order_url(shop)
        assert _lines() == [(bread.pk, 1000)]

    def test_a_local_next_is_followed(self, shop: Shop, client_for) -> None:
        client = client_for(shop.member)
        bread = shop.bread
        local = _order_url(shop) + "#offer-1"
        response = client.post(_line_url(shop, bread), {f"q-{bread.pk}": "1", "next": local})
        assert response["Location"] == local


class TestLineCeiling:
    def test_the_database_refuses_a_line_above_the_ceiling(self, shop: Shop) -> None:
        from cabas.cycles.models import Order
        from cabas.lib.quantities import MAX_LINE_QUANTITY

        order = Order.objects.create(cycle=shop.cycle, user=shop.member)
        bread = shop.bread
        fields = {"order": order, "offer": bread, "total_cents": 1}
        for quantity, tolerance in ((MAX_LINE_QUANTITY + 1000, 0), (1000, MAX_LINE_QUANTITY + 1000)):
            with pytest.raises(IntegrityError), transaction.atomic():
                OrderLine.objects.create(quantity=quantity, requested=quantity, tolerance=tolerance, **fields)
        OrderLine.objects.create(quantity=MAX_LINE_QUANTITY, requested=MAX_LINE_QUANTITY, **fields)

    def test_the_group_setting_cannot_pass_the_ceiling(self, shop: Shop, client_for) -> None:
        client = client_for(shop.coordinator)
        url = reverse("manage_settings", args=[A])
        data = {"name": shop.group_a.name, "reminder_hours": "48", "requires_approval": "on"}
        for bad in ("0", "1001", "9" * 30, SUPERSCRIPT_TWO, "-5"):
            response = client.post(url, {**data, "max_line_units": bad})
            assert response.status_code == 200
        shop.group_a.refresh_from_db()
        assert shop.group_a.max_line_units == 99
        assert client.post(url, {**data, "max_line_units": "20"}).status_code == 302
        shop.group_a.refresh_from_db()
        assert shop.group_a.max_line_units == 20

    def test_a_variable_weight_line_that_would_overflow_is_refused(self, shop: Shop, client_for) -> None:
        ham = make_offer(
            shop.cycle, shop.bakery, "Jambon entier", price_cents=1_000_000, estimated_weight_grams=100_000
        )
        shop.group_a.max_line_units = 1000
        shop.group_a.save()
        client = client_for(shop.member2)
        response = client.post(_order_url(shop), {f"q-{ham.pk}": "1000"})
        assert response.status_code == 200
        assert "too large an amount" in response.content.decode()
        assert _lines() == []


class TestCoordinatorFields:
    def test_slips_per_sheet_of_five_thousand_digits(self, shop: Shop, client_for) -> None:
        client = client_for(shop.coordinator)
        url = reverse("reports_generate", args=[A, shop.cycle.pk])
        for value in ("9" * 5000, SUPERSCRIPT_TWO, "-1"):
            response = client.post(url, {"slips_per_sheet": value})
            assert response.status_code == 302
        assert not DocumentSet.objects.exists()

    @pytest.mark.parametrize("value", ["9" * 30, "9223372036854775808", SUPERSCRIPT_TWO])
    def test_send_documents_to_absurd_producer_ids(self, shop: Shop, client_for, value: str) -> None:
        DocumentSet.objects.create(cycle=shop.cycle)
        client = client_for(shop.coordinator)
        url = reverse("reports_send", args=[A, shop.cycle.pk])
        assert client.post(url, {"producer": [value]}).status_code == 302

    @pytest.mark.parametrize("value", ["9" * 30, "9223372036854775808", SUPERSCRIPT_TWO, "-1"])
    def test_a_new_cycle_with_absurd_producer_ids(self, shop: Shop, client_for, value: str) -> None:
        client = client_for(shop.coordinator)
        before = Cycle.objects.count()
        data = {
            "name": "Cabas de juillet",
            "opens_at": "2031-07-01T10:00",
            "closes_at": "2031-07-05T10:00",
            "distribution_date": "2031-07-08",
            "distribution_start": "17:00",
            "distribution_end": "19:00",
            "distribution_place": "Salle",
            "producers": [value],
        }
        response = client.post(reverse("manage_cycle_new", args=[A]), data)
        assert response.status_code == 200
        assert Cycle.objects.count() == before

    @pytest.mark.parametrize("copy", [SUPERSCRIPT_TWO, "9" * 30])
    def test_copy_of_an_absurd_cycle(self, shop: Shop, client_for, copy: str) -> None:
        client = client_for(shop.coordinator)
        response = client.get(reverse("manage_cycle_new", args=[A]), {"copy": copy})
        assert response.status_code in (200, 404)

    @pytest.mark.parametrize("key", [f"n-{SUPERSCRIPT_TWO}", f"e-{SUPERSCRIPT_TWO}", f"p-{SUPERSCRIPT_TWO}"])
    def test_carton_fields_with_unicode_digits(self, cast: Cast, client_for, key: str) -> None:
        cycle = make_cycle(cast.group_a, phase="closed")
        wine = make_offer(cycle, cast.bakery, "Cidre", unit=SaleUnit.BOTTLE)
        Offer.objects.filter(pk=wine.pk).update(carton_size=6000)
        client = client_for(cast.coordinator)
        url = reverse("manage_carton_accept", args=[A, cycle.pk, wine.pk])
        for value in ("1", SUPERSCRIPT_TWO, "9" * 5000):
            response = client.post(url, {"action": "hand", key: value})
            assert response.status_code in (200, 302)


# ---------------------------------------------------------------------------
# Every POST URL, every field, every role: hostile values never give a 500,
# and a refusal changes nothing in the database.
# ---------------------------------------------------------------------------

# Attributes of the cast; "anonymous" is nobody logged in.
ROLES = ["anonymous", "member", "member_b", "coordinator", "coordinator_b", "producer_user", "site_admin"]
MISSING = object()
HOSTILE = [
    SUPERSCRIPT_TWO,
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "9" * 30,
    "9" * 5000,
    "-1",
    "NaN",
    "inf",
    "1e309",
    "0,0001",
    "",
    "x" * 10_000,
    "a\x00b",
    "//evil.example/",
    "bogus",
]
# Fields some views read by hand (not always on a page of the scene): always tried.
READ_BY_HAND = {"next", "member", "reason", "producer", "action", "slips_per_sheet"}


def _hostile_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.text(max_size=20),
    )


@dataclass
class Target:
    """A URL that takes POST, the fields of the forms that post to it, and the values the page gave."""

    url: str
    fields: dict[str, str] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)  # who was shown a form posting here


@pytest.fixture
def site(cast: Cast) -> Site:
    """The cast with something behind every URL: a producer's catalogue, cycles open and closed, orders,
    the open cycle's shifts with Marie on the first one, a bank statement waiting for confirmation
    and a line of an earlier one left to reconcile."""
    from cabas.shifts import services as shifts

    made = scene.site(cast)
    # The bakery was asked for its offer before the cycle opened, and now asks for a new quota.
    ProducerOffer.objects.create(cycle=made.cycle, producer=cast.bakery, asked_by=cast.coordinator)
    proposals.ask_change(
        offer=made.offer, kind="quota", quota=60_000, reason="Fournée", by=cast.producer_user
    )
    shifts.copy_shifts(cycle=made.cycle)
    shifts.sign_up(shift=made.cycle.shifts.order_by("pk")[0], user=cast.member)
    preview = StatementImport.objects.create(
        group=cast.group_a, filename="r.csv", format="csv", created_by=cast.treasurer
    )
    StatementLine.objects.create(
        statement=preview,
        group=cast.group_a,
        position=1,
        date=date(2026, 12, 1),
        amount_cents=2000,
        fingerprint="p",
    )
    kept = StatementImport.objects.create(
        group=cast.group_a, filename="q.csv", format="csv", created_by=cast.treasurer
    )
    StatementLine.objects.create(
        statement=kept,
        group=cast.group_a,
        position=1,
        date=date(2026, 12, 1),
        amount_cents=1500,
        fingerprint="k",
        kept=True,
        status=Status.UNMATCHED,
    )
    StatementImport.objects.filter(pk=kept.pk).update(confirmed_at=kept.created_at)
    announcements.post(group=cast.group_a, by=cast.coordinator, title="AG", body="Le 12.", send_email=False)
    tokens.create_token(user=cast.member, name="tableur", scope=ApiScope.READ)
    return made


def _path_kwargs(route: str, names: list[str], c: Site) -> dict[str, object] | None:
    """Real objects of the scene for the path parameters of ``route``; None for a file to download."""
    if {"fmt", "filename", "doc_pk"} & set(names) or route.endswith(".pdf"):
        return None
    cartons = "cartons/" in route
    cycle = c.closed if cartons else c.cycle
    pk_by_segment = {
        "members": c.membership(c.member).pk,
        "requests": c.join_request.pk,
        "products": c.bread.pk,
        "import": c.catalog_import.pk,
        "cycles": cycle.pk,
        "imports": StatementImport.objects.filter(group=c.group_a, confirmed_at__isnull=True).get().pk,
        "lines": StatementLine.objects.get(group=c.group_a, kept=True).pk,
        "news": Announcement.objects.get(group=c.group_a).pk,
        "tokens": ApiToken.objects.get(user=c.member).pk,
    }
    kwargs: dict[str, object] = {}
    for name in names:
        if name == "slug":
            kwargs[name] = "fournil" if route.startswith("producers/") else A
        elif name == "pk":
            segment = route.split("<int:pk>")[0].rstrip("/").rsplit("/", 1)[-1]
            kwargs[name] = pk_by_segment[segment]
        else:
            kwargs[name] = {
                "producer_slug": "bergerie",
                "token": c.invitation.token,
                "offer_pk": (c.carton_offer if cartons else c.offer).pk,
                "user_pk": c.member.pk,
                "order_pk": c.member.orders.get(cycle=c.cycle).pk,
                "member_pk": c.day_team_member.pk,
                "shift_pk": c.cycle.shifts.order_by("pk")[0].pk,
                "signup_pk": c.cycle.shifts.order_by("pk")[0].signups.get().pk,
                "entry_pk": Entry.objects.filter(group=c.group_a).values_list("pk", flat=True).first() or 0,
                "proposal_pk": ProducerOffer.objects.filter(cycle=c.cycle)
                .values_list("pk", flat=True)
                .first(),
                "request_pk": OfferRequest.objects.filter(offer=c.offer).values_list("pk", flat=True).first(),
                "chart": "turnover",
            }[name]
    return kwargs


def _app_urls(c: Site) -> list[str]:
    """Every URL of the app (the admin and allauth are framework), with the scene's objects."""
    urls: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            # The JSON API takes no form: its hostile bodies are tests/test_api.py's.
            elif not route.startswith(("admin/", "accounts/", "api/")):
                names = list(pattern.pattern.converters)  # type: ignore[attr-defined]
                kwargs = _path_kwargs(route, names, c)
                if kwargs is not None:
                    urls.append(reverse(pattern.name, kwargs=kwargs))

    walk(get_resolver().url_patterns, "")
    return urls


class _Forms(HTMLParser):
    """The POST forms of a page: where each posts (its action, and htmx's ``hx-post``) and its fields."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[set[str], dict[str, str]]] = []  # (urls, fields)
        self.current: tuple[set[str], dict[str, str]] | None = None
        self.loose: list[tuple[str, dict[str, str]]] = []  # hx-post outside any form

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.current = ({a.get("action") or self.page_url}, {})
            self.forms.append(self.current)
            return
        if self.current is not None and a.get("name") and tag in {"input", "select", "textarea", "button"}:
            self.current[1].setdefault(a["name"], a.get("value", ""))
        if "hx-post" in a:
            if self.current is not None:
                self.current[0].add(a["hx-post"])
            else:
                self.loose.append((a["hx-post"], {a["name"]: a.get("value", "")} if a.get("name") else {}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


def _post_targets(c: Site, client_for) -> list[Target]:
    """Every URL that takes POST, with the fields of every form of the scene that posts to it."""
    urls = _app_urls(c)
    targets: dict[str, Target] = {}
    post_only = set()
    for role in ("coordinator", "member", "producer_user", "site_admin"):
        client = client_for(getattr(c, role))
        for url in urls:
            response = client.get(url)
            if response.status_code == 405:
                post_only.add(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            parser = _Forms(url)
            parser.feed(response.content.decode())
            found = [*parser.forms, *[({target}, fields) for target, fields in parser.loose]]
            for posts_to, fields in found:
                for target in posts_to:
                    entry = targets.setdefault(target, Target(target))
                    if role not in entry.roles:
                        entry.roles.append(role)
                    for name, value in fields.items():
                        entry.fields.setdefault(name, value)
    app = set(urls)
    found_urls = {url for url in targets if url in app}
    for url in post_only - found_urls:
        targets[url] = Target(url)  # a POST endpoint no page of the scene shows: hand-read fields only
    assert post_only <= set(targets)
    return [targets[url] for url in sorted(set(targets) & app)]


def _snapshot() -> dict[str, tuple[int, str]]:
    """Per table of the app: its row count and a checksum of every value of every row."""
    state = {}
    labels = (
        "accounts",
        "catalog",
        "cycles",
        "distribution",
        "reports",
        "shifts",
        "ledger",
        "bank",
        "audit",
        "privacy",
        "announcements",
        "api",
        "solidarity",
    )
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            rows = list(model._default_manager.order_by("pk").values_list())
            state[model._meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def _refused(response) -> bool:
    """True when the request was refused (what it asked for must not have happened)."""
    if response.status_code != 302:
        return True  # 4xx, or the form again with its errors
    if "/accounts/login/" in response["Location"]:
        return True
    # The messages of this request only (not those an earlier one left in the cookie).
    queued = get_messages(response.wsgi_request)._queued_messages  # type: ignore[attr-defined]
    return any(message.level >= message_constants.WARNING for message in queued)


def test_hostile_values_in_every_form(site: Site, client_for) -> None:
    """For each POST URL, a few examples: each field of its forms gets a hostile value, its own or none.

    The examples mostly post as someone who was shown the form (the code
    behind the permission check is the one to probe), and sometimes as any role.
    """
    targets = _post_targets(site, client_for)
    assert len(targets) >= 30, [t.url for t in targets]  # every POST URL of the app, not a handful
    clients = {role: Client() for role in ROLES}
    for role, client in clients.items():
        if role != "anonymous":
            client.force_login(getattr(site, role))
    for target in targets:
        _post_hostile_values(target, clients)


def _hostile_field() -> st.SearchStrategy[object]:
    known = st.sampled_from(HOSTILE)
    return st.one_of(known, known, known, _hostile_values(), st.just(MISSING), st.lists(known, min_size=2))


def _post_hostile_values(target: Target, clients: dict[str, Client]) -> None:
    roles = target.roles or ROLES

    @settings(
        max_examples=4 + len(target.fields),  # about 350 in all
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def post(data: st.DataObject) -> None:
        role = data.draw(st.one_of(st.sampled_from(roles), st.sampled_from(roles), st.sampled_from(ROLES)))
        # A few fields attacked, the others as the page gave them, so that checks deeper than the
        # first are reached; or, now and then, every field at once.
        names = sorted(READ_BY_HAND | set(target.fields))
        attacked = data.draw(
            st.one_of(st.lists(st.sampled_from(names), min_size=1, max_size=3), st.just(names)),
            label="attacked",
        )
        form: dict[str, object] = dict(target.fields)
        for name in sorted(set(attacked)):
            value = data.draw(_hostile_field(), label=name)
            form.pop(name, None)
            if value is not MISSING:
                form[name] = value
        client = clients[role]
        client.cookies.pop("messages", None)
        with transaction.atomic():
            before = _snapshot()
            response = client.post(target.url, form)
            assert response.status_code < 500
            if _refused(response):
                assert _snapshot() == before, f"{response.status_code} changed the database"
            transaction.set_rollback(True)  # each example starts from the same scene

    post()


class TestProducerOfferForm:
    """A producer's offer for a draft cycle: every field hostile in turn, refused with a message."""

    @pytest.fixture
    def draft(self, cast: Cast) -> Cycle:
        from cabas.catalog.models import ProducerAccount

        ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
        scene.product(cast.bakery, "Pain")
        source = scene.cycle(cast.group_a, producers=[cast.bakery])
        draft = cycle_services.copy_cycle(source=source, by=cast.coordinator)
        proposals.ask_producers(cycle=draft, by=cast.coordinator)
        return draft

    @pytest.mark.parametrize("field", ["price", "quota", "cap"])
    @pytest.mark.parametrize(
        "value", [SUPERSCRIPT_TWO, "9" * 5000, "-1", "1e3", "0", "NaN", "12,345", "<script>", "\x00"]
    )
    def test_hostile_values_change_nothing(
        self, cast: Cast, client_for, draft: Cycle, field: str, value: str
    ):
        bread = draft.offers.get(name="Pain")
        data = {
            f"available_{bread.pk}": "on",
            f"price_{bread.pk}": "4,50",
            f"quota_{bread.pk}": "",
            f"cap_{bread.pk}": "",
        }
        data[f"{field}_{bread.pk}"] = value

        def offers_state() -> dict[str, tuple[int, str]]:
            # Logging in stamps the user; what must not move is the cycle's offers and answers.
            return {table: state for table, state in _snapshot().items() if table.startswith("cycles_")}

        before = offers_state()
        for user, url in (
            (cast.producer_user, reverse("producer_cycle_offer", args=["fournil", draft.pk])),
            (
                cast.coordinator,
                reverse(
                    "manage_producer_offer", args=[A, draft.pk, ProducerOffer.objects.get(cycle=draft).pk]
                ),
            ),
        ):
            response = client_for(user).post(url, data)
            assert response.status_code == 200, (field, value)
            assert 'class="error"' in response.text
        assert offers_state() == before
        assert not ProposedLine.objects.exists()
