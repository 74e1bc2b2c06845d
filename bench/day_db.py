"""Database side of ``bench/distribution_day.py``: ready the demo's closed cycle for its day, then check it.

Run by ``distribution_day.py`` with the bench database in ``DATABASE_URL``
(never imported by the app, never by the web server)::

    python bench/day_db.py prepare
    python bench/day_db.py check --cycle 12 --expected /tmp/expected.json

Each command prints one JSON document on its last line of stdout.

``prepare`` finalises Saint-Orens' « closed for adjustments » cycle through
the app's own step (``take_step``), gives each of its producers a stand login
(a user and a ``ProducerAccount``, with the demo's password), puts two demo
members on the day team, and lists the day's lines (the plan the clients
replay). ``check`` compares the database after the day with what the bench
computed on its own from what it sent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cabas.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.db.models import Sum  # noqa: E402

from cabas.accounts.models import BuyingGroup, Role, User  # noqa: E402
from cabas.catalog.models import Producer, ProducerAccount  # noqa: E402
from cabas.cycles.models import Cycle, OrderLine, Phase, Step  # noqa: E402
from cabas.cycles.services import take_step  # noqa: E402
from cabas.distribution.models import DayTeamMember, Event  # noqa: E402
from cabas.distribution.state import load_day  # noqa: E402
from cabas.ledger.models import Account, Line  # noqa: E402

GROUP = "saint-orens"
COORDINATOR = "coordination@demo.cabas.localhost"


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload))


def prepare() -> dict[str, Any]:
    group = BuyingGroup.objects.get(slug=GROUP)
    coordinator = User.objects.get(email=COORDINATOR)
    closed = [c for c in Cycle.objects.filter(group=group) if c.phase() == Phase.CLOSED]
    cycle = max(closed, key=lambda c: c.orders.count())
    take_step(cycle=cycle, step=Step.FINALISE, by=coordinator)
    producers = list(Producer.objects.taking_part_in(cycle).order_by("pk"))
    stands = []
    for producer in producers:
        email = f"stand-{producer.pk}@bench.cabas.localhost"
        user, _ = User.objects.get_or_create(
            email=email, defaults={"full_name": f"Stand {producer.name}", "password": coordinator.password}
        )
        ProducerAccount.objects.get_or_create(producer=producer, user=user)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"primary": True, "verified": True}
        )
        stands.append({"producer": producer.pk, "slug": producer.slug, "email": email})
    members = group.memberships.current().with_role(Role.MEMBER).exclude(user=coordinator).order_by("pk")
    volunteers = [m.user for m in members.select_related("user")[:2]]
    for volunteer in volunteers:
        volunteer.password = coordinator.password
        volunteer.save(update_fields=["password"])
        DayTeamMember.objects.get_or_create(cycle=cycle, user=volunteer, defaults={"added_by": coordinator})
    lines = OrderLine.objects.filter(order__cycle=cycle, quantity__gt=0).select_related("offer", "order")
    return {
        "cycle": cycle.pk,
        "group": group.slug,
        "stands": stands,
        "desks": [COORDINATOR, *(v.email for v in volunteers)],
        "lines": [
            {
                "line": line.pk,
                "order": line.order_id,
                "user": line.order.user_id,
                "producer": line.offer.producer_id,
                "price_cents": line.offer.price_cents,
                "total_cents": line.total_cents,
                "quantity": line.quantity,
                "variable_weight": line.offer.variable_weight,
                "estimated_grams": line.offer.estimated_weight_grams,
            }
            for line in lines.order_by("pk")
        ],
    }


def _result(name: str, problems: list[str], detail: str) -> dict[str, Any]:
    shown = "; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else "")
    return {"name": name, "ok": not problems, "detail": shown if problems else detail}


def check(*, cycle_id: int, expected: dict[str, Any]) -> dict[str, Any]:
    cycle = Cycle.objects.get(pk=cycle_id)
    events = list(Event.objects.filter(cycle=cycle).values_list("device", "action", "kind", "conflict"))
    pairs = Counter((device, action) for device, action, _k, _c in events)
    sent = {(device, action) for device, action in expected["sent"]}
    lost = sent - set(pairs)
    extra = set(pairs) - sent
    twice = [pair for pair, count in pairs.items() if count > 1]
    checks = [
        _result(
            "0 lost: every action sent is in the journal",
            [f"lost {pair}" for pair in sorted(lost)],
            f"{len(sent)} actions sent, {len(pairs)} in the journal",
        ),
        _result(
            "0 duplicated: each (device, action) once, nothing the bench did not send",
            [f"twice {p}" for p in twice] + [f"unknown {p}" for p in sorted(extra)],
            f"{len(events)} events",
        ),
    ]
    kinds = Counter(kind for _d, _a, kind, _c in events)
    want = Counter(expected["kinds"])
    checks.append(
        _result(
            "events per kind as sent",
            [
                f"{kind}: {kinds[kind]} != {want[kind]}"
                for kind in set(kinds) | set(want)
                if kinds[kind] != want[kind]
            ],
            ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())),
        )
    )
    checks += _check_state(cycle, expected)
    checks.append(_check_ledger(cycle, expected))
    conflicts = sum(1 for *_x, conflict in events if conflict)
    return {"checks": checks, "info": {"events": len(events), "conflicts": conflicts, "kinds": dict(kinds)}}


def _check_state(cycle: Cycle, expected: dict[str, Any]) -> list[dict[str, Any]]:
    day = load_day(cycle)
    totals = dict(OrderLine.objects.filter(order__cycle=cycle).values_list("pk", "total_cents"))
    problems = [
        f"line {line}: {totals.get(int(line))} != {cents}"
        for line, cents in expected["line_totals"].items()
        if totals.get(int(line)) != cents
    ]
    lines = _result(
        "every line's amount as the bench computed it (weighed: price/kg x grams, half up)",
        problems,
        f"{len(expected['line_totals'])} lines",
    )
    problems = []
    for household in day.households:
        for stand in household.stands:
            key = f"{household.order_id}:{stand.producer.pk}"
            seen = {
                "due": stand.due_cents,
                "paid": stand.paid_cents,
                "handed": all(line.handed for line in stand.lines),
            }
            want = {
                "due": expected["due"].get(key, 0),
                "paid": expected["stand_paid"].get(key, 0),
                "handed": True,
            }
            if seen != want:
                problems.append(f"{key}: {seen} != {want}")
        desk = sum(p.amount_cents for p in household.desk_payments)
        if desk != expected["desk_paid"].get(str(household.order_id), 0):
            problems.append(f"order {household.order_id}: desk {desk}")
        if not household.arrived:
            problems.append(f"order {household.order_id}: not arrived")
    parts = _result(
        "the day (load_day) equals the bench's: due, paid at each stand, paid at the desk, handed, arrived",
        problems,
        f"{len(day.households)} households, {sum(len(h.stands) for h in day.households)} parts",
    )
    return [lines, parts]


def _check_ledger(cycle: Cycle, expected: dict[str, Any]) -> dict[str, Any]:
    problems = []
    per_entry = Line.objects.filter(cycle=cycle).values("entry_id").annotate(total=Sum("amount_cents"))
    unbalanced = [row["entry_id"] for row in per_entry if row["total"] != 0]
    if unbalanced:
        problems.append(f"unbalanced entries {unbalanced[:5]}")
    balances: dict[int, int] = defaultdict(int)
    rows = Line.objects.filter(cycle=cycle, account=Account.HOUSEHOLD).values_list(
        "household_id", "amount_cents"
    )
    for household, cents in rows:
        balances[household] += cents
    for user, cents in expected["owes"].items():
        if balances.get(int(user), 0) != cents:
            problems.append(f"household {user}: ledger {balances.get(int(user), 0)} != {cents}")
    total = Line.objects.filter(cycle=cycle).aggregate(total=Sum("amount_cents"))["total"] or 0
    if total:
        problems.append(f"accounts sum to {total}")
    return _result(
        "ledger: every entry balanced, each household owes handed over minus paid (the bench's figure)",
        problems,
        f"{len(per_entry)} entries; households owe {sum(expected['owes'].values())} cents in all",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare")
    verify = sub.add_parser("check")
    verify.add_argument("--cycle", type=int, required=True)
    verify.add_argument("--expected", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "prepare":
        _emit(prepare())
    else:
        _emit(check(cycle_id=args.cycle, expected=json.loads(args.expected.read_text())))


if __name__ == "__main__":
    main()
