"""Database side of ``bench/opening_rush.py``: build the rush's cycle, then check what it left.

Run by ``opening_rush.py`` with the bench database in ``DATABASE_URL`` (never
imported by the app, never by the web server)::

    python bench/rush_db.py cycle --members 150 --offset 0 --label "sqlite 20"
    python bench/rush_db.py check --cycle 12 --seen /tmp/seen.json

Each command prints one JSON document on its last line of stdout.

The cycle goes through the app's own services (``create_cycle``,
``update_offer``, ``publish``), like a coordinator's clicks; only trimming each
producer's offers to twenty is a direct delete, on a draft nobody has ordered from.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from datetime import time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cabas.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from cabas.accounts.models import BuyingGroup, Membership, User  # noqa: E402
from cabas.catalog.models import Producer  # noqa: E402
from cabas.cycles import services  # noqa: E402
from cabas.cycles.models import Allocation, Cycle, Offer, Order, OrderChange, OrderLine  # noqa: E402

GROUP = "saint-orens"
COORDINATOR = "coordination@demo.cabas.localhost"
OFFERS_PER_PRODUCER = 20
CAPPED = 10
QUOTA_UNITS = 30  # per capped offer: small enough that the rush sells some of them out


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload))


# --- The cycle ------------------------------------------------------------------


def make_cycle(*, members: int, offset: int, label: str) -> dict[str, Any]:
    group = BuyingGroup.objects.get(slug=GROUP)
    coordinator = User.objects.get(email=COORDINATOR)
    now = timezone.now()
    closes = now + timedelta(days=3)
    fields = {
        "name": f"Bench opening rush ({label})",
        "opens_at": now - timedelta(minutes=1),
        "closes_at": closes,
        "distribution_date": timezone.localtime(closes).date() + timedelta(days=1),
        "distribution_start": time(17, 0),
        "distribution_end": time(19, 0),
        "distribution_place": "Salle des fêtes",
    }
    producers = list(Producer.objects.supplying(group))
    cycle = services.create_cycle(group=group, fields=fields, producers=producers, by=coordinator)
    _trim_offers(cycle)
    capped = _cap_offers(cycle, coordinator)
    services.publish(cycle=cycle, by=coordinator)
    return {
        "cycle": cycle.pk,
        "group": group.slug,
        "producers": len(producers),
        "offers": [_offer_info(o) for o in cycle.offers.order_by("pk")],
        "capped": capped,
        "members": _member_emails(group, members, offset),
    }


def _trim_offers(cycle: Cycle) -> None:
    """Keep the first twenty offers of each producer (by product), as a coordinator would choose."""
    keep: list[int] = []
    by_producer: dict[int, list[int]] = defaultdict(list)
    for pk, producer_id in cycle.offers.order_by("product_id").values_list("pk", "producer_id"):
        by_producer[producer_id].append(pk)
    for pks in by_producer.values():
        keep.extend(pks[:OFFERS_PER_PRODUCER])
    cycle.offers.exclude(pk__in=keep).delete()


def _cap_offers(cycle: Cycle, coordinator: User) -> list[int]:
    """A first-come quota of about thirty units on one offer of each of ten producers."""
    capped: list[int] = []
    seen: set[int] = set()
    for offer in cycle.offers.order_by("producer__name", "pk"):
        if len(capped) == CAPPED:
            break
        if offer.producer_id in seen or offer.min_quantity > offer.quantity_step * 2:
            continue
        seen.add(offer.producer_id)
        step = offer.quantity_step
        quota = -(-QUOTA_UNITS * 1000 // step) * step  # 30 units, rounded up to whole steps
        services.update_offer(
            offer=offer,
            price_cents=offer.price_cents,
            quota=quota,
            member_cap=None,
            allocation=Allocation.FIRST_COME,
            by=coordinator,
        )
        capped.append(offer.pk)
    return capped


def _offer_info(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "producer": offer.producer_id,
        "step": offer.quantity_step,
        "min": offer.min_quantity,
        "cap": offer.member_cap,
        "quota": offer.quota,
    }


def _member_emails(group: BuyingGroup, count: int, offset: int) -> list[str]:
    """Households only (no coordinator, treasurer or producer): the crowd of the demo."""
    emails = list(
        Membership.objects.current()
        .filter(group=group, is_member=True, is_coordinator=False, is_treasurer=False, is_producer=False)
        .filter(user__is_active=True, user__email__regex=r"\.[0-9]+@")
        .order_by("user_id")
        .values_list("user__email", flat=True)
    )
    if len(emails) < count:
        raise SystemExit(f"Only {len(emails)} demo households, {count} asked for.")
    start = offset % len(emails)
    rotated = emails[start:] + emails[:start]
    return rotated[:count]


# --- The checks -------------------------------------------------------------------


def check(*, cycle_id: int, seen: dict[str, Any]) -> dict[str, Any]:
    """Each invariant as ``{"name", "ok", "detail"}``; ``seen`` is what the clients saw."""
    cycle = Cycle.objects.get(pk=cycle_id)
    offers = {o.pk: o for o in cycle.offers.all()}
    lines = list(OrderLine.objects.filter(order__cycle=cycle).select_related("order__user"))
    results = [
        _check_quotas(offers, lines),
        _check_unique_orders(cycle),
        _check_unique_lines(cycle),
        _check_line_totals(offers, lines),
        _check_order_totals(cycle, lines),
        _check_audit_trail(cycle, offers, lines),
        _check_seen_baskets(lines, seen),
        _check_submitted(cycle, seen),
        _check_conflicts(offers, seen),
        _check_minus_button(seen),
    ]
    sold_out = sorted(pk for pk, o in offers.items() if o.quota is not None and _sold_out(o))
    return {
        "checks": results,
        "info": {
            "orders": Order.objects.filter(cycle=cycle).count(),
            "lines": len(lines),
            "capped_sold_out": len(sold_out),
            "capped": sum(1 for o in offers.values() if o.quota is not None),
            "capped_sold": {
                str(pk): f"{o.quota - o.remaining}/{o.quota}"
                for pk, o in sorted(offers.items())
                if o.quota is not None and o.remaining is not None
            },
        },
    }


def _result(name: str, problems: list[str], ok_detail: str) -> dict[str, Any]:
    detail = ok_detail if not problems else f"{len(problems)} problem(s): " + "; ".join(problems[:5])
    return {"name": name, "ok": not problems, "detail": detail}


def _sold_out(offer: Offer) -> bool:
    return offer.remaining is not None and offer.remaining < max(offer.quantity_step, offer.min_quantity)


def _check_quotas(offers: dict[int, Offer], lines: list[OrderLine]) -> dict[str, Any]:
    sold: Counter[int] = Counter()
    for line in lines:
        sold[line.offer_id] += line.quantity
    problems = []
    capped = [o for o in offers.values() if o.quota is not None]
    for offer in capped:
        assert offer.quota is not None
        assert offer.remaining is not None
        if offer.remaining < 0:
            problems.append(f"offer {offer.pk}: remaining {offer.remaining} < 0")
        if offer.quota - offer.remaining != sold[offer.pk]:
            problems.append(
                f"offer {offer.pk}: quota {offer.quota} - remaining {offer.remaining}"
                f" != sold {sold[offer.pk]} (thousandths)"
            )
    return _result(
        "capped offers: remaining >= 0 and quota - remaining == quantity sold",
        problems,
        f"{len(capped)} capped offers consistent",
    )


def _check_unique_orders(cycle: Cycle) -> dict[str, Any]:
    dupes = (
        Order.objects.filter(cycle=cycle).values("user").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    problems = [f"user {row['user']}: {row['n']} orders" for row in dupes]
    return _result("one order per (cycle, member)", problems, "no duplicate")


def _check_unique_lines(cycle: Cycle) -> dict[str, Any]:
    dupes = (
        OrderLine.objects.filter(order__cycle=cycle)
        .values("order", "offer")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by()
    )
    problems = [f"order {row['order']} offer {row['offer']}: {row['n']} lines" for row in dupes]
    return _result("one line per (order, offer)", problems, "no duplicate")


def _check_line_totals(offers: dict[int, Offer], lines: list[OrderLine]) -> dict[str, Any]:
    problems = [
        f"line {line.pk}: {line.total_cents} != {offers[line.offer_id].line_total(line.quantity)}"
        for line in lines
        if line.total_cents != offers[line.offer_id].line_total(line.quantity)
    ]
    zero = [f"line {line.pk} has quantity 0" for line in lines if line.quantity == 0]
    return _result(
        "line total == offer.line_total(quantity) (and no empty line)",
        problems + zero,
        f"{len(lines)} lines",
    )


def _check_order_totals(cycle: Cycle, lines: list[OrderLine]) -> dict[str, Any]:
    orders = list(Order.objects.filter(cycle=cycle))
    by_orders = sum(order.total_cents() for order in orders)
    by_lines = OrderLine.objects.filter(order__cycle=cycle).aggregate(t=Sum("total_cents"))["t"] or 0
    in_python = sum(line.total_cents for line in lines)
    problems = []
    if not by_orders == by_lines == in_python:
        problems.append(f"orders {by_orders} / SQL lines {by_lines} / python lines {in_python}")
    return _result(
        "sum of order totals == sum of line totals",
        problems,
        f"{by_lines} cents over {len(orders)} orders",
    )


def _check_audit_trail(cycle: Cycle, offers: dict[int, Offer], lines: list[OrderLine]) -> dict[str, Any]:
    """The last OrderChange of each (order, offer) says what the line holds; quota moves add up."""
    last: dict[tuple[int, int], int] = {}
    moved: Counter[int] = Counter()
    changes = OrderChange.objects.filter(order__cycle=cycle).order_by("changed_at", "pk")
    for change in changes.values_list("order_id", "offer_id", "old_quantity", "new_quantity"):
        order_id, offer_id, old, new = change
        last[(order_id, offer_id)] = new
        moved[offer_id] += new - old
    stored = {(line.order_id, line.offer_id): line.quantity for line in lines}
    problems = [
        f"order {k[0]} offer {k[1]}: line {stored.get(k, 0)} vs last change {v}"
        for k, v in last.items()
        if stored.get(k, 0) != v
    ]
    problems += [f"order {k[0]} offer {k[1]}: line without change" for k in stored if k not in last]
    for pk, offer in offers.items():
        if (
            offer.quota is not None
            and offer.remaining is not None
            and moved[pk] != offer.quota - offer.remaining
        ):
            problems.append(
                f"offer {pk}: changes add up to {moved[pk]}, quota used {offer.quota - offer.remaining}"
            )
    return _result(
        "audit trail (OrderChange) matches lines and quotas", problems, f"{len(last)} lines traced"
    )


def _check_seen_baskets(lines: list[OrderLine], seen: dict[str, Any]) -> dict[str, Any]:
    """The order page each member saw last (after saving) shows what is stored, and its total."""
    stored: dict[str, dict[int, int]] = defaultdict(dict)
    totals: Counter[str] = Counter()
    for line in lines:
        stored[line.order.user.email][line.offer_id] = line.requested
        totals[line.order.user.email] += line.total_cents
    problems = []
    members = seen.get("final_pages", {})
    for email, page in members.items():
        shown = {int(k): v for k, v in page["requested"].items() if v}
        if shown != stored.get(email, {}):
            diff = {
                k: (shown.get(k, 0), stored[email].get(k, 0))
                for k in set(shown) | set(stored.get(email, {}))
                if shown.get(k, 0) != stored.get(email, {}).get(k, 0)
            }
            problems.append(f"{email}: page vs stored {diff}")
        if page["total_cents"] is not None and page["total_cents"] != totals[email]:
            problems.append(f"{email}: page total {page['total_cents']} != stored {totals[email]}")
    return _result(
        "each member's last order page == stored basket and total",
        problems,
        f"{len(members)} members' final pages compared",
    )


def _check_submitted(cycle: Cycle, seen: dict[str, Any]) -> dict[str, Any]:
    confirmed = set(seen.get("confirmed", []))
    stamped = set(
        Order.objects.filter(cycle=cycle, submitted_at__isnull=False).values_list("user__email", flat=True)
    )
    problems = [f"{e}: saw the confirmation, order not confirmed" for e in sorted(confirmed - stamped)]
    problems += [f"{e}: confirmed without a confirmation page" for e in sorted(stamped - confirmed)]
    return _result(
        "confirmed orders (submitted_at) == submits that redirected",
        problems,
        f"{len(stamped)} confirmed",
    )


def _check_conflicts(offers: dict[int, Offer], seen: dict[str, Any]) -> dict[str, Any]:
    """Quota messages only on capped offers, offering no more than the quota; no stale line."""
    problems = []
    for key, count in seen.get("quota_conflicts", {}).items():
        offer = offers.get(int(key))
        if offer is None or offer.quota is None:
            problems.append(f"offer {key}: {count} quota message(s) on an offer without quota")
    for key, left in seen.get("max_left_offered", {}).items():
        offer = offers.get(int(key))
        if offer is not None and offer.quota is not None and left > offer.quota:
            problems.append(f"offer {key}: offered {left} > quota {offer.quota}")
    if seen.get("stale", 0):
        problems.append(f"{seen['stale']} 'changed elsewhere' message(s) for a member using one tab")
    if seen.get("other_errors", 0):
        problems.append(f"{seen['other_errors']} unexpected line error(s): {seen.get('error_samples')}")
    conflicts = sum(seen.get("quota_conflicts", {}).values())
    sold_out = sum(1 for o in offers.values() if o.quota is not None and _sold_out(o))
    return _result(
        "conflicts only on capped offers, no stale line, no unexpected error",
        problems,
        f"{conflicts} quota conflicts seen on {len(seen.get('quota_conflicts', {}))} offers;"
        f" {sold_out} capped offers sold out at the end",
    )


def _check_minus_button(seen: dict[str, Any]) -> dict[str, Any]:
    """The "−" button sends the value the page put on it: the page must never refuse it."""
    count = seen.get("minus_errors", 0)
    problems = (
        [f"{count} click(s) on − refused, e.g. {seen.get('minus_error_samples', [])[:2]}"] if count else []
    )
    return _result("the − button's own value is accepted", problems, "no − click refused")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("cycle")
    make.add_argument("--members", type=int, required=True)
    make.add_argument("--offset", type=int, default=0)
    make.add_argument("--label", default="bench")
    verify = sub.add_parser("check")
    verify.add_argument("--cycle", type=int, required=True)
    verify.add_argument("--seen", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "cycle":
        _emit(make_cycle(members=args.members, offset=args.offset, label=args.label))
    else:
        _emit(check(cycle_id=args.cycle, seen=json.loads(args.seen.read_text())))


if __name__ == "__main__":
    main()
