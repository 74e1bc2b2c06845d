"""The welcome desk: find a household in one or two keystrokes, mark arrival, collect the whole basket.

The desk sees, per producer, what is still to hand over and whether it is
paid, and one figure: what to collect from the household now
(``Household.left_cents``), never how it was computed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest
from cabas.cycles.baskets import payment_reference
from cabas.distribution.pages import day_context, find, history, search_query
from cabas.distribution.permissions import DeskAccess, desk_access
from cabas.distribution.recording import describe, posted_order, record
from cabas.distribution.services import Refused
from cabas.distribution.state import load_day
from cabas.ledger.models import Method


@login_required
@require_safe
def desk(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = desk_access(request, slug, pk)
    return _desk(request, access, posted_order(request.GET))


def _desk(
    request: AuthenticatedRequest,
    access: DeskAccess,
    order_pk: int | None,
    error: str = "",
    typed: QueryDict | None = None,
) -> HttpResponse:
    day = load_day(access.cycle)
    query = search_query(request)
    found = find(day.households, query)
    chosen = day.household(order_pk) if order_pk else None
    if chosen is None and query and len(found) == 1:
        chosen = found[0]
    context: dict[str, Any] = {
        **day_context(request, access.cycle, "desk"),
        "group": access.access.group,
        "is_coordinator": access.is_coordinator,
        "households": found,
        "q": query,
        "h": chosen,
        "arrived": sum(1 for h in day.households if h.arrived),
        "total": len(day.households),
        "methods": Method.choices,
        "events": history(access.cycle, chosen.order_id, producer__isnull=True) if chosen else [],
        "reference": payment_reference(access.cycle.pk, chosen.number) if chosen else "",
        "error": error,
        "typed": typed,
    }
    return render(request, "distribution/desk.html", context)


@login_required
@require_POST
def desk_act(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Record an arrival, a payment of the whole basket, or cancel one; back to the household."""
    access = desk_access(request, slug, pk)
    order_pk = posted_order(request.POST)
    try:
        outcomes = record(request, cycle=access.cycle, scope=access.scope)
    except Refused as refusal:
        return _desk(request, access, order_pk, error=str(refusal), typed=request.POST)
    messages.success(request, describe(outcomes))
    url = reverse("day_desk", kwargs={"slug": slug, "pk": access.cycle.pk})
    return redirect(f"{url}?order={order_pk}")
