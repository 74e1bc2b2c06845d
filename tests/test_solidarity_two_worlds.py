"""Nobody outside the committee can tell who the solidarity fund helps.

The same cycle is built twice: once where Marie is helped by the fund and pays
her share at the welcome desk, once where she simply pays her whole basket
there. Every page, document (PDF, XLSX, CSV, JSON) and e-mail that a producer,
another member or a coordinator who is not on the committee can reach must be
the same in both worlds, timestamps aside. The welcome desk sees one figure:
what to collect now.

Each world is built inside a savepoint that is rolled back, the ids' sequences
reset after it, so both worlds name their rows alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cabas.accounts.models import User
from cabas.cycles.models import Cycle, Order, OrderLine
from cabas.distribution import services as day
from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Scope
from cabas.distribution.state import member_household
from cabas.ledger.models import Method
from cabas.solidarity import services as solidarity
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene
from tests.solidarity_fixtures import fill_fund, help_household

_ids = itertools.count(1)

TIME = re.compile(
    rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:?\d\d|Z)?"
    rb"|\b\d{1,2}[:h]\d\d\b|\b\d{1,2}/\d\d/\d{4}\b"
)
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SKIPPED = {"day_service_worker", "set_language", "solalim_import_report", "account_delete"}


def _act(scene: DayScene, kind: EventKind, order_id: int, by: User, scope: Scope, **fields: Any) -> None:
    action = Action(device="w", action=f"w{next(_ids)}", kind=kind, order_id=order_id, **fields)
    day.apply(cycle=scene.cycle, action=action, by=by, scope=scope)


def build(scene: DayScene, helped: bool) -> None:
    """The day in one world: the fund is filled alike; Marie is helped or not; everyone is served."""
    cast = scene.cast
    fill_fund(cast, 10_000)
    if helped:
        help_household(cast, cast.member, percent=50)
        pool = solidarity.pool(scene.cycle)
        solidarity.grant(cycle=scene.cycle, amounts=pool.proposal(), by=cast.treasurer)
    coordinator = Scope(coordinator=True)
    for line in OrderLine.objects.filter(order__cycle=scene.cycle).select_related("offer").order_by("pk"):
        fields: dict[str, Any] = {"line_id": line.pk, "producer_id": line.offer.producer_id}
        if line.offer.estimated_weight_grams:
            _act(scene, EventKind.WEIGHED, line.order_id, cast.coordinator, coordinator, grams=760, **fields)
        _act(scene, EventKind.HANDED, line.order_id, cast.coordinator, coordinator, **fields)
    order = Order.objects.get(cycle=scene.cycle, user=cast.member)
    household = member_household(scene.cycle, order)
    assert household is not None
    _act(
        scene,
        EventKind.DESK_PAID,
        order.pk,
        cast.coordinator,
        Scope(desk=True, coordinator=True),
        amount_cents=household.to_collect_cents,
        method=Method.CASH,
    )
    Cycle.objects.filter(pk=scene.cycle.pk).update(distributed_at=timezone.now())
    scene.cycle.refresh_from_db()


def _patterns(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name and not prefix.startswith("admin"):
            yield pattern.name, list(pattern.pattern.regex.groupindex)


def urls(scene: DayScene) -> list[tuple[str, str]]:
    """Every GET address of the app, filled with every value of this cycle that fits it."""
    cast = scene.cast
    orders = list(Order.objects.filter(cycle=scene.cycle).values_list("pk", flat=True))
    producers = [cast.bakery, cast.dairy]
    values: dict[str, list[Any]] = {
        "pk": [scene.cycle.pk],
        "order_pk": orders,
        "user_pk": [cast.member.pk, cast.member2.pk, cast.beneficiary.pk],
        "producer_pk": [p.pk for p in producers],
        "fmt": ["pdf", "csv", "xlsx", "html", "json"],
        "layout": ["fec", "journal", "plain"],
        "year": [timezone.localdate().year],
        "group_slug": [cast.group_a.slug],
    }
    found = []
    for name, kwargs in _patterns(get_resolver().url_patterns):
        if name in SKIPPED or any(k not in values and k != "slug" for k in kwargs):
            continue
        slugs = (
            [p.slug for p in producers]
            if name.startswith(("producer", "product", "catalog", "day_stand"))
            else [cast.group_a.slug]
        )
        names = [k for k in kwargs if k != "slug"]
        for combo in itertools.product(*(values[k] for k in names)):
            for slug in slugs if "slug" in kwargs else [None]:
                filled = dict(zip(names, combo, strict=True)) | ({"slug": slug} if slug else {})
                try:
                    found.append((name, reverse(name, kwargs=filled)))
                except Exception:
                    continue
    return found


def _normal(response: Any) -> bytes:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        from pypdf import PdfReader

        body = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).encode()
    elif "spreadsheet" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        body = repr(
            [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]
        ).encode()
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
    body = re.sub(rb"DTSTAMP:\d{8}T\d{6}Z", b"DTSTAMP:<time>", body)  # when a calendar was read
    body = UUID.sub(b"<uuid>", body)  # a form's one-time submission token
    return TIME.sub(b"<time>", body)


def see(scene: DayScene, viewers: list[User]) -> dict[tuple[str, str, str], tuple[int, bytes]]:
    seen = {}
    for viewer in viewers:
        client = Client()
        client.force_login(viewer)
        for name, url in urls(scene):
            response = client.get(url)
            seen[(viewer.email, name, url)] = (
                response.status_code,
                _normal(response) if response.status_code == 200 else b"",
            )
    return seen


def _reset_sequences() -> None:
    from django.apps import apps

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def world(scene: DayScene, helped: bool, viewers: list[User]) -> tuple[dict[Any, Any], list[Any]]:
    class Rollback(Exception):
        pass

    result: dict[Any, Any] = {}
    mails: list[Any] = []
    mail.outbox.clear()
    try:
        with transaction.atomic():
            build(scene, helped)
            result = see(scene, viewers)
            committee = {scene.cast.treasurer.email, scene.cast.member.email}
            mails = [
                (m.to, m.subject, TIME.sub(b"<time>", m.body.encode()))
                for m in mail.outbox
                if not set(m.to) & committee
            ]
            raise Rollback
    except Rollback:
        pass
    _reset_sequences()
    scene.cycle.refresh_from_db()
    return result, mails


def _explain(key: Any, one: tuple[int, bytes], other: tuple[int, bytes]) -> str:
    import difflib

    lines = difflib.unified_diff(
        one[1].decode(errors="replace").splitlines(),
        other[1].decode(errors="replace").splitlines(),
        n=0,
        lineterm="",
    )
    return f"{key} {one[0]}/{other[0]}: " + " | ".join(list(lines)[2:8])


@pytest.fixture
def worlds(cast: Cast, settings: Any) -> tuple[dict[Any, Any], dict[Any, Any], list[Any], list[Any]]:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    scene = day_scene(cast)
    _reset_sequences()
    viewers = [cast.producer_user, cast.producer_user2, cast.member2, cast.beneficiary, cast.coordinator]
    assert not cast.membership(cast.coordinator).is_treasurer
    helped, helped_mails = world(scene, True, viewers)
    paying, paying_mails = world(scene, False, viewers)
    return helped, paying, helped_mails, paying_mails


def test_nobody_outside_the_committee_can_tell_who_is_helped(worlds: Any) -> None:
    helped, paying, helped_mails, paying_mails = worlds
    assert set(helped) == set(paying)
    reached = [key for key, (status, _body) in helped.items() if status == 200]
    assert len(reached) > 40  # the test sees something: pages, documents and exports
    differ = [_explain(key, helped[key], paying[key]) for key in helped if helped[key] != paying[key]]
    assert not differ, "\n".join(differ)
    assert helped_mails == paying_mails
