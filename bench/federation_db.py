"""Database side of ``bench/federation.py``: one group's pages, timed in-process, on one database.

Run by ``federation.py`` with the bench database in ``DATABASE_URL``, one fresh
process per pass; never imported by the app::

    python bench/federation_db.py groups
    python bench/federation_db.py serve        # one journey per line read on stdin
    python bench/federation_db.py documents
    python bench/federation_db.py explain --top 12

Requests go through Django's test ``Client`` (the whole stack: middleware,
sessions, templates), logged in with ``force_login`` (the password check is
not what a federation changes). Each request's wall time, the process's CPU
time and the query count are recorded. ``serve`` warms up (one journey, not
counted), prints ``ready``, then for each line read on stdin runs one
member's journey and the coordinator's pages and prints their samples as one
JSON line: ``federation.py`` keeps one such process per database and
alternates them journey by journey, so both see the same load of the
machine. The other commands print one JSON document on their last line.
``explain`` runs one pass, keeps the slowest SELECTs and prints their
``EXPLAIN (ANALYZE, BUFFERS)`` plans above its JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cabas.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # nobody reads the bench's mail

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rush_client import CONFIRM, STEPPER, format_quantity  # noqa: E402

from cabas.accounts.models import BuyingGroup, Membership, Role, User  # noqa: E402
from cabas.cycles.models import Cycle, Offer, Order, Phase  # noqa: E402
from cabas.demo import data  # noqa: E402
from cabas.demo.federation import federation_groups  # noqa: E402
from cabas.reports import services  # noqa: E402
from cabas.reports.models import DocumentSet  # noqa: E402

GROUP = data.SAINT_ORENS.slug
COORDINATOR = f"coordination@{data.DOMAIN}"
HX = {"HTTP_HX_REQUEST": "true"}
ANY_STEPPER = re.compile(r'name="take-(\d+)" value="([^"]*)"')

# The requests, in the order a member and a coordinator make them.
MEMBER_STEPS = (
    "home",
    "order: hub",
    "order: producer section",
    "order: category section",
    "order: basket",
    "line +",
    "line −",
    "confirm (POST)",
    "basket after confirm",
)
COORDINATOR_STEPS = ("cycle detail", "cycle orders", "cycle cartons", "documents list")
STEPS = (*MEMBER_STEPS, *COORDINATOR_STEPS)


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload))


class Timer:
    """Wall time and queries of each named request."""

    def __init__(self, keep_sql: bool = False) -> None:
        self.samples: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
        self.sql: list[tuple[float, str, str]] = []  # (seconds, step, sql)
        self.keep_sql = keep_sql

    def run(self, step: str, call: Callable[[], Any], expect: tuple[int, ...] = (200,)) -> Any:
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            response = call()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if response.status_code not in expect:
            raise SystemExit(f"{step}: HTTP {response.status_code}")
        self.samples[step].append((seconds, cpu, len(queries.captured_queries)))
        if self.keep_sql:
            self.sql.extend((float(q["time"]), step, q["sql"]) for q in queries.captured_queries)
        return response


def open_cycle(group: BuyingGroup) -> Cycle:
    now = timezone.now()
    return Cycle.objects.open_at(now).filter(group=group).order_by("closes_at").first()  # type: ignore[return-value]


def closed_cycle(group: BuyingGroup) -> Cycle:
    """The cycle closed for adjustments: the demo's fullest (150 baskets, fair shares split)."""
    closed = [cycle for cycle in group.cycles.order_by("-closes_at") if cycle.phase() == Phase.CLOSED]
    return closed[0]


def fresh_members(group: BuyingGroup, cycle: Cycle, count: int) -> list[User]:
    """Households of ``group`` with no order in ``cycle`` yet, by e-mail: the same ones on both databases."""
    ordered = cycle.orders.values_list("user_id", flat=True)
    ids = (
        Membership.objects.current()
        .with_role(Role.MEMBER)
        .filter(group=group, user__email__contains=".")
        .exclude(user_id__in=ordered)
        .exclude(user__email__startswith="membre")
        .order_by("user__email")
        .values_list("user_id", flat=True)[:count]
    )
    return list(User.objects.filter(pk__in=list(ids)).order_by("email"))


def member_journey(timer: Timer, member: User, group: BuyingGroup, cycle: Cycle, offers: list[Offer]) -> None:
    client = Client(HTTP_HOST="localhost")
    client.force_login(member)
    path = f"/g/{group.slug}/cycles/{cycle.pk}/"
    timer.run("home", lambda: client.get("/"))
    hub = timer.run("order: hub", lambda: client.get(path)).content.decode()
    first, second = offers
    section = timer.run("order: producer section", lambda: client.get(f"{path}?producer={first.producer_id}"))
    timer.run("order: category section", lambda: client.get(f"{path}?category={first.category}"))
    timer.run("order: basket", lambda: client.get(f"{path}?view=basket"))
    buttons = dict(ANY_STEPPER.findall(section.content.decode()))
    plus = buttons.get(str(first.pk)) or format_quantity(first.min_quantity)

    def line(offer: Offer, value: str) -> Any:
        fields = {f"q-{offer.pk}": "", f"e-{offer.pk}": "0", f"take-{offer.pk}": value}
        return client.post(f"{path}line/{offer.pk}/", fields, **HX)

    # + on the second offer, then − on it (back to nothing), + on the first: what is confirmed.
    row = timer.run("line +", lambda: line(second, format_quantity(second.min_quantity))).content.decode()
    minus = STEPPER.findall(row) or ANY_STEPPER.findall(row)
    minus_value = minus[0][1] if minus else ""
    fields = {
        f"q-{second.pk}": "",
        f"e-{second.pk}": str(second.min_quantity),
        f"take-{second.pk}": minus_value,
    }
    timer.run("line −", lambda: client.post(f"{path}line/{second.pk}/", fields, **HX))
    timer.run("line +", lambda: line(first, plus))
    confirm = CONFIRM.search(hub)
    form = {f"q-{first.pk}": plus, f"e-{first.pk}": str(first.min_quantity)}
    if confirm:
        form[confirm.group(1)] = confirm.group(2)
    timer.run("confirm (POST)", lambda: client.post(path, form), expect=(302,))
    timer.run("basket after confirm", lambda: client.get(f"{path}?view=basket"))


def coordinator_pages(timer: Timer, coordinator: User, group: BuyingGroup, cycle: Cycle) -> None:
    client = Client(HTTP_HOST="localhost")
    client.force_login(coordinator)
    base = f"/g/{group.slug}/manage/cycles/{cycle.pk}/"
    timer.run("cycle detail", lambda: client.get(base))
    timer.run("cycle orders", lambda: client.get(f"{base}orders/"))
    timer.run("cycle cartons", lambda: client.get(f"{base}cartons/"))
    timer.run("documents list", lambda: client.get(f"/g/{group.slug}/manage/cycles/{cycle.pk}/documents/"))


def journey_offers(cycle: Cycle) -> list[Offer]:
    """Two uncapped offers of two producers: no quota can refuse the journey's lines."""
    offers = list(cycle.offers.filter(quota__isnull=True).order_by("pk"))
    first = offers[0]
    second = next(offer for offer in offers if offer.producer_id != first.producer_id)
    return [first, second]


class Journeys:
    """Saint-Orens' open and closed cycles, its coordinator, and the households that will order.

    ``emails``: the households, the same on both databases (``federation.py``
    picks them among those without an order on either). Each journey's order is
    deleted after it (its offers have no quota: nothing else changes), so the
    next run finds the same households and the same state again.
    """

    def __init__(self, emails: list[str] | None = None, count: int = 2) -> None:
        self.group = BuyingGroup.objects.get(slug=GROUP)
        self.cycle, self.closed = open_cycle(self.group), closed_cycle(self.group)
        self.coordinator = User.objects.get(email=COORDINATOR)
        self.offers = journey_offers(self.cycle)
        if emails is None:
            self.members = fresh_members(self.group, self.cycle, count)
        else:
            by_email = {user.email: user for user in User.objects.filter(email__in=emails)}
            self.members = [by_email[email] for email in emails]

    def one(self, timer: Timer) -> None:
        member = self.members.pop(0)
        try:
            member_journey(timer, member, self.group, self.cycle, self.offers)
            coordinator_pages(timer, self.coordinator, self.group, self.closed)
        finally:
            Order.objects.filter(cycle=self.cycle, user=member).delete()


def cmd_groups(_args: argparse.Namespace) -> None:
    _emit({"groups": federation_groups(), "households": Membership.objects.current().count()})


def cmd_candidates(args: argparse.Namespace) -> None:
    group = BuyingGroup.objects.get(slug=GROUP)
    _emit({"emails": [user.email for user in fresh_members(group, open_cycle(group), args.count)]})


def cmd_serve(args: argparse.Namespace) -> None:
    answer, sys.stdout = sys.stdout, sys.stderr  # stdout carries the protocol only
    journeys = Journeys(json.loads(Path(args.emails).read_text()))
    journeys.one(Timer())  # templates, translations, connections: counted in neither database
    print("ready", file=answer, flush=True)
    for _line in sys.stdin:
        timer = Timer()
        journeys.one(timer)
        print(json.dumps({"samples": timer.samples}), file=answer, flush=True)


def cmd_documents(_args: argparse.Namespace) -> None:
    group = BuyingGroup.objects.get(slug=GROUP)
    cycle = closed_cycle(group)
    with CaptureQueriesContext(connection) as queries:
        started, before = time.perf_counter(), os.times()
        services.request_generation(cycle=cycle, by=None)  # the ImmediateBackend builds them at once
        seconds, after = time.perf_counter() - started, os.times()
    # This process and its typesetting children (each print is made in a forked child).
    cpu = sum(after[:4]) - sum(before[:4])
    latest = DocumentSet.objects.filter(cycle=cycle).order_by("-pk").first()
    documents = latest.documents.count() if latest is not None else 0
    _emit({"seconds": seconds, "cpu": cpu, "queries": len(queries.captured_queries), "documents": documents})


def cmd_explain(args: argparse.Namespace) -> None:
    """Every SELECT shape of one journey, explained; the slowest by the plan's execution time."""
    journeys = Journeys(count=2)
    journeys.one(Timer())
    timer = Timer(keep_sql=True)
    journeys.one(timer)
    shapes: dict[str, tuple[str, str]] = {}
    for _seconds, step, sql in timer.sql:
        if sql.lstrip().upper().startswith("SELECT"):
            shapes.setdefault(f"{step}:{re.sub(r'[0-9]+', 'N', sql)[:400]}", (step, sql))
    plans = []
    with connection.cursor() as cursor:
        for step, sql in shapes.values():
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            took = re.search(r"Execution Time: ([0-9.]+) ms", plan)
            plans.append((float(took.group(1)) if took else 0.0, step, sql, plan))
    plans.sort(key=lambda item: item[0], reverse=True)
    for took, step, sql, plan in plans[: args.top]:
        print(f"\n=== {took:.1f} ms · {step}\n{sql[:1500]}\n{plan}")
    by_step: dict[str, float] = defaultdict(float)
    for took, step, _sql, _plan in plans:
        by_step[step] += took
    _emit({"explained": len(plans), "ms_per_step": by_step})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("groups")
    candidates = sub.add_parser("candidates")
    candidates.add_argument("--count", type=int, default=400)
    serve = sub.add_parser("serve")
    serve.add_argument("--emails", required=True, help="a JSON file: the households, one per journey")
    sub.add_parser("documents")
    explain = sub.add_parser("explain")
    explain.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    {
        "groups": cmd_groups,
        "candidates": cmd_candidates,
        "serve": cmd_serve,
        "documents": cmd_documents,
        "explain": cmd_explain,
    }[args.command](args)


if __name__ == "__main__":
    main()
