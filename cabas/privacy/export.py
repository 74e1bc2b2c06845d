"""Everything Cabas holds about one person, as a ZIP of JSON and CSV files.

One query per kind of data, whatever its size; every query is filtered by the
person (never by an id from the request), so nobody else's data can slip in.
Money is in integer cents, quantities in units with three decimals, times in
ISO 8601 with their offset: files for people and spreadsheets alike.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from cabas.accounts.models import JoinRequest, Membership, User
from cabas.cycles.models import Order, OrderChange, OrderLine
from cabas.ledger.models import Line
from cabas.shifts.models import Signup
from cabas.solidarity.models import HelpRequest

README = """Everything Cabas holds about you, exported on {when}.

profile.json           your account
memberships.csv        your groups, roles and dates (also in profile.json)
join_requests.csv      your requests to join a group
baskets.json           your baskets (orders) with their lines
basket_lines.csv       the same lines, one per row
basket_changes.csv     changes made to your baskets (adjustments, cartons, weights...)
payments.csv           the ledger lines naming your household, in cents; on the
                       "household" account, positive = you owe, negative = you paid
                       or were credited
shifts.csv             the volunteer shifts you signed up for
help_requests.csv      your requests to the solidarity fund
"""


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _quantity(thousandths: int | None) -> str:
    return "" if thousandths is None else f"{thousandths / 1000:.3f}"


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_value(value) for value in row])
    return out.getvalue()


def _profile(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language,
        "date_joined": _value(user.date_joined),
        "last_login": _value(user.last_login),
        "wants_announcements": user.wants_announcements,
        "wants_reminders": user.wants_reminders,
    }


def _memberships(user: User) -> list[dict[str, Any]]:
    memberships = Membership.objects.filter(user=user).select_related("group").order_by("started_at", "pk")
    return [
        {
            "group": membership.group.name,
            "roles": [str(role) for role in membership.roles],
            "started_at": _value(membership.started_at),
            "ended_at": _value(membership.ended_at),
        }
        for membership in memberships
    ]


def _baskets(user: User) -> list[dict[str, Any]]:
    lines: dict[int, list[dict[str, Any]]] = {}
    for line in (
        OrderLine.objects.filter(order__user=user)
        .select_related("offer__producer")
        .order_by("order_id", "pk")
    ):
        lines.setdefault(line.order_id, []).append(
            {
                "product": line.offer.name,
                "producer": line.offer.producer.name,
                "unit": line.offer.unit_label,
                "price_cents": line.offer.price_cents,
                "requested": _quantity(line.requested),
                "quantity": _quantity(line.quantity),
                "amount_cents": line.total_cents,
            }
        )
    orders = Order.objects.filter(user=user).select_related("cycle__group").order_by("created_at", "pk")
    return [
        {
            "group": order.cycle.group.name,
            "cycle": order.cycle.name,
            "distribution_date": _value(order.cycle.distribution_date),
            "created_at": _value(order.created_at),
            "confirmed_at": _value(order.submitted_at),
            "updated_at": _value(order.updated_at),
            "lines": lines.get(order.pk, []),
        }
        for order in orders
    ]


def _basket_lines(baskets: list[dict[str, Any]]) -> str:
    header = [
        "group",
        "cycle",
        "product",
        "producer",
        "unit",
        "price_cents",
        "requested",
        "quantity",
        "amount_cents",
    ]
    rows = (
        [basket["group"], basket["cycle"], *(line[key] for key in header[2:])]
        for basket in baskets
        for line in basket["lines"]
    )
    return _csv(header, rows)


def _changes(user: User) -> str:
    changes = (
        OrderChange.objects.filter(order__user=user)
        .select_related("order__cycle", "offer")
        .order_by("changed_at", "pk")
    )
    return _csv(
        ["at", "cycle", "product", "kind", "quantity_before", "quantity_after", "amount_before_cents",
         "amount_after_cents", "reason"],
        (
            [change.changed_at, change.order.cycle.name, change.offer.name, change.kind,
             _quantity(change.old_quantity), _quantity(change.new_quantity), change.old_total_cents,
             change.new_total_cents, change.reason]
            for change in changes
        ),
    )  # fmt: skip


def _payments(user: User) -> str:
    lines = (
        Line.objects.filter(household=user, entry__sealed=True)
        .select_related("entry", "group", "cycle", "producer")
        .order_by("entry__created_at", "pk")
    )
    return _csv(
        ["at", "group", "cycle", "entry", "kind", "method", "account", "producer", "amount_cents", "note"],
        (
            [line.entry.created_at, line.group.name, line.cycle.name if line.cycle else "", line.entry_id,
             line.entry.kind, line.entry.method, line.account, line.producer.name if line.producer else "",
             line.amount_cents, line.entry.memo]
            for line in lines
        ),
    )  # fmt: skip


def _shifts(user: User) -> str:
    signups = (
        Signup.objects.filter(user=user).select_related("shift__cycle__group").order_by("created_at", "pk")
    )
    return _csv(
        ["group", "cycle", "day", "task", "details", "from", "to", "signed_up_at", "cancelled_at",
         "did_not_come"],
        (
            [s.shift.cycle.group.name, s.shift.cycle.name, s.shift.cycle.distribution_date, s.shift.kind,
             s.shift.label, s.shift.starts_at, s.shift.ends_at, s.created_at, s.cancelled_at, s.absent]
            for s in signups
        ),
    )  # fmt: skip


def _help_requests(user: User) -> str:
    requests = HelpRequest.objects.filter(household=user).select_related("group").order_by("created_at", "pk")
    return _csv(
        ["group", "asked_at", "situation", "can_pay", "status"],
        ([r.group.name, r.created_at, r.situation, r.can_pay, r.status] for r in requests),
    )


def _join_requests(user: User) -> str:
    requests = JoinRequest.objects.filter(user=user).select_related("group").order_by("created_at", "pk")
    return _csv(
        ["group", "asked_at", "message", "status", "decided_at", "reason"],
        ([r.group.name, r.created_at, r.message, r.status, r.decided_at, r.reason] for r in requests),
    )


def build_zip(user: User) -> bytes:
    """The ZIP of everything about ``user`` (see ``README`` for its files)."""
    memberships = _memberships(user)
    baskets = _baskets(user)
    files = {
        "README.txt": README.format(when=_value(timezone.now())),
        "profile.json": json.dumps(
            {**_profile(user), "memberships": memberships}, ensure_ascii=False, indent=2
        ),
        "memberships.csv": _csv(
            ["group", "roles", "started_at", "ended_at"],
            ([m["group"], " ".join(m["roles"]), m["started_at"], m["ended_at"]] for m in memberships),
        ),
        "join_requests.csv": _join_requests(user),
        "baskets.json": json.dumps(baskets, ensure_ascii=False, indent=2),
        "basket_lines.csv": _basket_lines(baskets),
        "basket_changes.csv": _changes(user),
        "payments.csv": _payments(user),
        "shifts.csv": _shifts(user),
        "help_requests.csv": _help_requests(user),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
