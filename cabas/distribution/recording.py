"""Recording an action posted by a plain form: read it, apply it, say exactly what was recorded.

The stand, the desk and the live view each have one endpoint that posts the
day's actions. The fields are those of ``forms.read_action`` (the offline
queue sends the same ones). The device is the browser's session: each session
gets its own device id, and each form a fresh action id when it is rendered,
so a double submit finds the first event and records nothing twice.

« Tout remis » posts one form with several ``line`` values: each line becomes
its own handed-over action, with the id ``<action>-<line>``, exactly as the
offline queue sends them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.cycles.models import Cycle
from cabas.distribution.forms import read_action
from cabas.distribution.models import Event, EventKind, ShortReason, Uncollected
from cabas.distribution.services import Outcome, Scope, apply
from cabas.ledger.models import Method
from cabas.lib.french import elide
from cabas.lib.inputs import parse_digits
from cabas.lib.money import format_cents, parse_cents
from cabas.lib.quantities import format_quantity

DEVICE_KEY = "day_device"


def device_id(request: HttpRequest) -> str:
    """This browser's device id for the day's journal (one per session, made on first use)."""
    device = request.session.get(DEVICE_KEY)
    if not isinstance(device, str) or not device:
        device = f"web-{uuid.uuid4().hex}"
        request.session[DEVICE_KEY] = device
    return device


def new_action_id() -> str:
    return uuid.uuid4().hex


def split_lines(data: QueryDict) -> list[dict[str, Any]]:
    """One set of fields per action: « tout remis » posts several ``line``s, one action each."""
    fields = {key: data.get(key) for key in data}
    lines = data.getlist("line")
    if data.get("kind") != EventKind.HANDED or len(lines) < 2:
        return [fields]
    return [{**fields, "line": line, "action": f"{fields.get('action', '')}-{line}"} for line in lines]


def record(request: HttpRequest, *, cycle: Cycle, scope: Scope) -> list[Outcome]:
    """Apply every action the form posts, in order; ``Refused`` stops at the first refusal."""
    user = request.user
    assert isinstance(user, User)
    device = device_id(request)
    actions = [read_action(fields, device=device) for fields in split_lines(request.POST)]
    return [apply(cycle=cycle, action=action, by=user, scope=scope) for action in actions]


def posted_order(data: Mapping[str, Any]) -> int | None:
    return parse_digits(str(data.get("order") or ""))


# --- Saying what was recorded -------------------------------------------------------------


def describe(outcomes: list[Outcome]) -> str:
    """One sentence per kind of what was recorded, in the person's language."""
    if not outcomes:
        return ""
    events = [outcome.event for outcome in outcomes]
    first = events[0]
    member = first.order.user.full_name or first.order.user.email
    if first.kind == EventKind.HANDED:
        items = ", ".join(_item(event) for event in events)
        text = _("Handed over to %(member)s: %(items)s.") % {"member": member, "items": items}
    else:
        text = _describe_one(first, member)
    if all(outcome.duplicate for outcome in outcomes):
        text = _("Already recorded, nothing changed: %(what)s") % {"what": text}
    if any(outcome.conflict and not outcome.duplicate for outcome in outcomes):
        text += " " + _("Another payment was already recorded: both are kept for the coordinators to check.")
    return text


def _item(event: Event) -> str:
    if event.line is None:
        return ""
    quantity = format_quantity(event.line.quantity)
    return f"{event.line.offer.name} × {quantity}"


def _describe_one(event: Event, member: str) -> str:
    values = {
        "member": member,
        "item": event.line.offer.name if event.line else "",
        "amount": format_cents(event.amount_cents or 0),
        "method": str(Method(event.method).label).lower() if event.method in Method.values else "",
    }
    kind = event.kind
    if kind == EventKind.WEIGHED:
        weight = format_quantity(event.grams or 0)
        return _("Weighed for %(member)s: %(item)s, %(weight)s kg, now %(amount)s.") % {
            **values,
            "weight": weight,
        }
    if kind == EventKind.SHORT:
        reason = str(ShortReason(event.reason).label) if event.reason in ShortReason.values else ""
        return _(
            "Not delivered to %(member)s: %(quantity)s × %(item)s (%(reason)s); the line is now %(amount)s."
        ) % {
            **values,
            "quantity": format_quantity(event.quantity or 0),
            "reason": reason,
        }
    if kind == EventKind.PAID:
        return _("Paid by %(member)s at this stand: %(amount)s, %(method)s.") % values + _change(event)
    if kind == EventKind.DESK_PAID:
        return _("Paid by %(member)s at the welcome desk: %(amount)s, %(method)s.") % values + _change(event)
    if kind == EventKind.ARRIVED:
        return _("%(member)s has arrived.") % values
    if kind == EventKind.UNCOLLECTED:
        decision = str(Uncollected(event.reason).label) if event.reason in Uncollected.values else ""
        text = _("Basket of %(member)s: %(decision)s.") % {**values, "decision": decision}
        return elide(text, str(values["member"]))
    if kind == EventKind.CANCELLED:
        return _("Cancelled for %(member)s: %(what)s.") % {**values, "what": _target(event)}
    return _("Conflict resolved for %(member)s: %(what)s.") % {**values, "what": _target(event)}


def _target(event: Event) -> str:
    target = event.corrects
    if target is None:
        return ""
    what = str(EventKind(target.kind).label)
    if target.amount_cents and target.kind in (EventKind.PAID, EventKind.DESK_PAID):
        what += f" {format_cents(target.amount_cents)}"
    return what


def change_cents(event: Event) -> int | None:
    """Cash: what to give back, from the amount tendered (None when not told or not cash)."""
    tendered = str(event.details.get("tendered") or "")
    if event.method != Method.CASH or not tendered:
        return None
    try:
        given = parse_cents(tendered)
    except ValueError:
        return None
    return given - (event.amount_cents or 0)


def _change(event: Event) -> str:
    change = change_cents(event)
    if change is None or change < 0:
        return ""
    return " " + _("Change to give: %(change)s.") % {"change": format_cents(change)}
