"""The distribution day's offline sync: a snapshot to work from, and a batch of queued actions.

A stand's or the desk's page loads its scope once (``state.json``), keeps
working from the browser's storage when the venue's wifi drops, queues every
action with an id made on the device, and sends the queue in batches
(``sync/``) when the network comes back. Plain Django views, session auth,
JSON in and out.

Endpoints
=========

=========================================================  ====  ==========================
``/producers/<slug>/cycles/<pk>/day/state.json``           GET   a producer's stand
``/producers/<slug>/cycles/<pk>/day/sync/``                POST  a producer's stand
``/g/<slug>/manage/cycles/<pk>/day/state.json``            GET   the welcome desk
``/g/<slug>/manage/cycles/<pk>/day/sync/``                 POST  the welcome desk
=========================================================  ====  ==========================

Who: a stand is the producer's own accounts (``stand_access``); the desk is the
group's coordinators and the volunteers on that cycle's day team
(``desk_access``). Answers, always JSON with an ``error`` message (except the
CSRF refusal, which is Django's own 403 page):

- 401 ``{"error", "login"}``: not logged in (the session expired): keep the
  queue, send the person to ``login``, sync again afterwards.
- 403: this person may not act here, or the CSRF token is missing or stale
  (reload the page for a new one; the queue stays in IndexedDB).
- 404: no such producer, group or cycle for this person. 405: wrong method.
- 400: the body is not a batch (not JSON, not an object, no ``device``, no
  list of ``actions``); 413: more than ``MAX_ACTIONS`` actions or
  ``MAX_BYTES`` bytes: split the queue. Nothing was applied.
- 503 ``{"error", "results", "version"}``: the database was busy; the actions
  with a result were applied, the others not: send them again (or the whole
  batch: a replay is harmless).

Sync request
============

``POST`` with the CSRF token in the ``X-CSRFToken`` header (the page gives
it) and ``Content-Type: application/json``::

    {"device": "d-6f1c…",                      # made once per browser, kept in IndexedDB
     "actions": [
       {"action": "a-0001", "happened_at": "2026-05-16T17:04:11+02:00",
        "kind": "handed", "order": 812, "producer": 7, "line": 9911},
       {"action": "a-0002", "kind": "weighed", "order": 812, "producer": 7,
        "line": 9912, "weight": "0,812"},
       {"action": "a-0003", "kind": "paid", "order": 812, "producer": 7,
        "amount": "23,40", "method": "cheque",
        "details": {"number": "0012345", "bank": "CA", "drawer": "M. Membre"}},
       {"action": "a-0004", "kind": "cancelled", "order": 812,
        "corrects_action": "a-0003", "note": "wrong cheque"}
     ]}

Each action holds the fields ``cabas.distribution.forms.read_action`` reads
(the one reader of an action, shared with the plain forms): ``kind``,
``order``, ``producer``, ``line``, ``corrects`` (ids, numbers or digit
strings); ``quantity`` (« 1 », « 0,5 »), ``weight`` (kg), ``amount`` (euros),
as typed; ``method``, ``reason``, ``note``; ``details`` as an object;
``action`` (the id made on the device, at most 64 characters, unique per
device) and ``happened_at`` (ISO 8601, the device's clock; ignored when more
than a day off). The batch's ``device`` is every action's device.
``corrects_action`` names an earlier action *of the same device* that a
cancellation (or a resolution) points at, for a correction queued offline
before the server gave the corrected event's id; ``corrects`` wins if both
are given.

Sync answer
===========

``200``::

    {"results": [{"action": "a-0001", "status": "applied", "message": "",
                  "conflict": false, "event": 5121}, …],
     "version": 5124}

- The actions are applied **in the order sent**, each in its own
  transaction, each **exactly once**: an action already recorded (same device
  and action id: a retry after a cut in the middle of a request, the same
  batch sent twice at once) answers ``duplicate`` with the first record's
  ``event`` and changes nothing.
- ``refused``: nothing was recorded; ``message`` says why, for the person
  (show it next to the action and drop it from the queue, or let the person
  fix and re-queue it under a new id). A refused action does not stop the
  next ones: they were written against the same state on the device, and the
  server checks each on its own.
- ``conflict``: recorded *and* flagged for the coordinators (a second payment
  for the same household at the same stand, a stand payment for a part paid
  at the desk, a desk payment of another figure than what was left). The
  server never drops a conflicting action; ``message`` says what was flagged.
- ``version``: the id of the cycle's last event after the batch. When it is
  above the version of the device's snapshot plus what the device itself
  sent, someone else acted meanwhile: fetch ``state.json`` again.

One result per action, in order; an element of ``actions`` that is not an
object answers ``refused`` with ``"action": null``.

Snapshot
========

``GET state.json`` (``Cache-Control: no-store``; the page stores it itself)::

    {"scope": "stand" | "desk", "cycle": 12, "version": 5124,
     "server_time": "2026-05-16T17:05:00.123456+00:00", …}

A stand (``"producer": {"id", "name"}``) gets ``households``: each with
``order``, ``number`` (the slip number), ``name``, ``lines`` (``line``,
``offer``, ``name``, ``unit``, ``quantity`` and ``requested`` in thousandths,
``price_cents``, ``total_cents``, ``variable_weight``, ``estimated_grams``,
``handed``, ``grams``, ``short``, ``short_reason``), ``due_cents``,
``paid_cents`` (at this stand), ``payments`` (this stand's: ``event``,
``amount_cents``, ``method``, ``conflict``), ``paid_at_desk`` (a boolean:
« réglé à l'accueil », never the desk's amount, so that a household the
solidarity fund helps looks like any other), ``left_cents`` (0 for a desk
payer), ``served``. No e-mail, no phone.

The desk gets ``producers`` (``id``, ``name``) and ``households``: each with
``order``, ``number``, ``name``, ``arrived``, ``uncollected``,
``due_cents``, ``left_cents`` (what to collect now), ``served``,
``desk_payments`` (``event``, ``method``, ``conflict``: never the amount taken, which for a
household the solidarity fund helps is only its share), ``desk_settled_cents`` (what the desk
settled of the basket, the fund's share included)
and ``stands``, per producer: ``producer``, ``due_cents``, ``paid_cents``,
``desk_cents``, ``left_cents``, ``handed`` and ``lines`` (counts),
``served``. Coordinators also get ``conflicts`` (events to resolve).

Both run a fixed number of queries whatever the number of households.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cabas.accounts.permissions import AuthenticatedRequest
from cabas.cycles.models import Cycle
from cabas.distribution import services
from cabas.distribution.forms import ID_LENGTH, read_action
from cabas.distribution.models import Event
from cabas.distribution.permissions import desk_access, stand_access
from cabas.distribution.services import Refused, Scope
from cabas.distribution.state import Household, Payment, Stand, load_day

MAX_ACTIONS = 200
MAX_BYTES = 256 * 1024

View = Callable[..., HttpResponse]


class BadBatch(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json_errors(view: View) -> View:
    """Login, permission and lookup refusals as JSON, for a queue that reads every answer."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Log in again."), "login": settings.LOGIN_URL}, status=401)
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return JsonResponse({"error": _("You cannot act here.")}, status=403)
        except Http404:
            return JsonResponse({"error": _("Not found.")}, status=404)

    return wrapper


def version(cycle: Cycle) -> int:
    """The id of the cycle's last event (0 before the first): it grows with every change of the day."""
    return Event.objects.filter(cycle=cycle).aggregate(last=Max("pk"))["last"] or 0


# --- Sync ------------------------------------------------------------------------------------


@_json_errors
@require_POST
def stand_sync(request: AuthenticatedRequest, slug: str, pk: int) -> JsonResponse:
    stand = stand_access(request, slug, pk)
    return _sync(request, stand.cycle, stand.scope)


@_json_errors
@require_POST
def desk_sync(request: AuthenticatedRequest, slug: str, pk: int) -> JsonResponse:
    desk = desk_access(request, slug, pk)
    return _sync(request, desk.cycle, desk.scope)


@dataclass(frozen=True)
class Batch:
    device: str
    actions: list[Any]


def _sync(request: AuthenticatedRequest, cycle: Cycle, scope: Scope) -> JsonResponse:
    try:
        batch = read_batch(request)
    except BadBatch as bad:
        return JsonResponse({"error": str(bad)}, status=bad.status)
    results: list[dict[str, Any]] = []
    for item in batch.actions:
        try:
            results.append(_apply_one(request.user, cycle, scope, batch.device, item))
        except OperationalError:
            # The database was busy (locked, deadlock, serialisation): stop here, keep the order.
            busy = {"error": _("The server is busy: sync again."), "results": results}
            return JsonResponse({**busy, "version": version(cycle)}, status=503)
    return JsonResponse({"results": results, "version": version(cycle)})


def _refuse_constant(name: str) -> None:
    raise ValueError(name)  # NaN and Infinity are not JSON


def read_batch(request: HttpRequest) -> Batch:
    """The batch in the body; ``BadBatch`` (400 or 413) if it is not one. Nothing is applied here."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isascii() or not length.isdigit() or int(length) > MAX_BYTES:
        raise BadBatch(413, _("Too much at once: send at most %(kb)s kB.") % {"kb": MAX_BYTES // 1024})
    body = request.body
    if len(body) > MAX_BYTES:
        raise BadBatch(413, _("Too much at once: send at most %(kb)s kB.") % {"kb": MAX_BYTES // 1024})
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, a number of 5,000 digits, nesting
        raise BadBatch(400, _("This is not a batch of actions.")) from None
    if not isinstance(data, dict):
        raise BadBatch(400, _("This is not a batch of actions."))
    device, actions = data.get("device"), data.get("actions")
    if not isinstance(device, str) or not device.strip() or len(device) > ID_LENGTH or "\x00" in device:
        raise BadBatch(400, _("The device has no valid id: reload the page."))
    if not isinstance(actions, list):
        raise BadBatch(400, _("This is not a batch of actions."))
    if len(actions) > MAX_ACTIONS:
        raise BadBatch(413, _("Too much at once: send at most %(n)s actions.") % {"n": MAX_ACTIONS})
    return Batch(device, actions)


def _action_id(item: object) -> str | None:
    """The id the device gave the action: a string of 1 to 64 characters, without NUL, or None."""
    value = item.get("action") if isinstance(item, dict) else None
    if not isinstance(value, str) or not value.strip() or len(value) > ID_LENGTH or "\x00" in value:
        return None
    return value


def _result(action: str | None, status: str, message: str = "", event: Event | None = None) -> dict[str, Any]:
    return {
        "action": action,
        "status": status,
        "message": message,
        "conflict": bool(event and event.conflict),
        "event": event.pk if event else None,
    }


def _apply_one(by: Any, cycle: Cycle, scope: Scope, device: str, item: object) -> dict[str, Any]:
    key = _action_id(item)
    try:
        if not isinstance(item, dict) or key is None:
            # Never cut an id to fit: two actions would become one.
            raise Refused(_("This action is unreadable: it was not recorded."))
        fields = {**_corrects(item, device), "device": device}
        action = read_action(fields, device=device)
        outcome = services.apply(cycle=cycle, action=action, by=by, scope=scope)
    except Refused as refusal:
        return _result(key, "refused", str(refusal))
    if outcome.duplicate:
        return _result(key, "duplicate", _("Already recorded."), outcome.event)
    message = _("Recorded, and flagged for the coordinators to check.") if outcome.conflict else ""
    return _result(key, "applied", message, outcome.event)


def _corrects(item: dict[str, Any], device: str) -> dict[str, Any]:
    """``corrects_action`` (an earlier action of this device) turned into the event id it recorded."""
    earlier = item.get("corrects_action")
    if earlier in (None, "") or item.get("corrects") not in (None, ""):
        return item
    if not isinstance(earlier, str) or len(earlier) > ID_LENGTH:
        raise Refused(_("This cannot be cancelled."))
    event = Event.objects.filter(device=device, action=earlier).values_list("pk", flat=True).first()
    if event is None:
        raise Refused(_("This cannot be cancelled."))
    return {**item, "corrects": str(event)}


# --- Snapshots -------------------------------------------------------------------------------


@_json_errors
@never_cache
@require_GET
def stand_state(request: AuthenticatedRequest, slug: str, pk: int) -> JsonResponse:
    stand = stand_access(request, slug, pk)
    producer = stand.access.producer
    day = load_day(stand.cycle, producer=producer)
    return JsonResponse(
        {
            **_header(stand.cycle, "stand"),
            "producer": {"id": producer.pk, "name": producer.name},
            "households": [_stand_household(s) for s in day.stand(producer.pk)],
        }
    )


@_json_errors
@never_cache
@require_GET
def desk_state(request: AuthenticatedRequest, slug: str, pk: int) -> JsonResponse:
    desk = desk_access(request, slug, pk)
    day = load_day(desk.cycle)
    producers = {s.producer.pk: s.producer for h in day.households for s in h.stands}
    payload: dict[str, Any] = {
        **_header(desk.cycle, "desk"),
        "producers": [{"id": p.pk, "name": p.name} for p in producers.values()],
        "households": [_desk_household(h) for h in day.households],
    }
    if desk.is_coordinator:
        payload["conflicts"] = [_payment(p) for p in day.conflicts]
    return JsonResponse(payload)


def _header(cycle: Cycle, scope: str) -> dict[str, Any]:
    return {
        "scope": scope,
        "cycle": cycle.pk,
        "version": version(cycle),
        "server_time": timezone.now().isoformat(),
    }


def _payment(payment: Payment) -> dict[str, Any]:
    return {
        "event": payment.event_id,
        "amount_cents": payment.amount_cents,
        "method": payment.method,
        "conflict": payment.conflict,
    }


def _stand_household(stand: Stand) -> dict[str, Any]:
    """One household at one stand, as the producer may see it: no contact, no desk amount."""
    return {
        "order": stand.order_id,
        "number": stand.number,
        "name": stand.member.name if stand.member.name != stand.member.email else "",
        "lines": [
            {
                "line": line.line_id,
                "offer": line.item.offer_id,
                "name": line.item.name,
                "unit": line.item.unit_label,
                "quantity": line.item.quantity,
                "requested": line.item.requested,
                "price_cents": line.item.price_cents,
                "total_cents": line.item.total_cents,
                "variable_weight": line.item.variable_weight,
                "estimated_grams": line.item.estimated_weight_grams,
                "handed": line.handed,
                "grams": line.grams,
                "short": line.short,
                "short_reason": line.short_reason,
            }
            for line in stand.lines
        ],
        "due_cents": stand.due_cents,
        "paid_cents": stand.paid_cents,
        "payments": [_payment(p) for p in stand.payments],
        "paid_at_desk": stand.paid_at_desk,
        "left_cents": 0 if stand.paid_at_desk else stand.left_cents,
        "served": stand.served,
    }


def _desk_household(household: Household) -> dict[str, Any]:
    return {
        "order": household.order_id,
        "number": household.number,
        "name": household.member.name,
        "arrived": household.arrived,
        "uncollected": household.uncollected,
        "due_cents": household.due_cents,
        "left_cents": household.to_collect_cents,
        "served": household.served,
        # Never a payment's amount: for a household the fund helps it is only its share.
        "desk_payments": [
            {"event": p.event_id, "method": p.method, "conflict": p.conflict} for p in household.desk_payments
        ],
        "desk_settled_cents": household.desk_settled_cents,
        "stands": [
            {
                "producer": stand.producer.pk,
                "due_cents": stand.due_cents,
                "paid_cents": stand.paid_cents,
                "desk_cents": stand.desk_cents,
                "left_cents": stand.left_cents,
                "handed": sum(line.handed for line in stand.lines),
                "lines": len(stand.lines),
                "served": stand.served,
            }
            for stand in household.stands
        ],
    }
