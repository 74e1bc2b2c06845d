"""A producer's stand on the distribution day: the households to serve, and one household's panel.

Every action posts to ``stand_act`` (plain forms; the offline queue sends the
same fields elsewhere). A desk payer shows « réglé à l'accueil », never an
amount: the producer does not learn what the household paid or who helped.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest
from cabas.cycles.baskets import payment_reference
from cabas.distribution.models import ShortReason
from cabas.distribution.pages import day_context, find, history, search_query
from cabas.distribution.permissions import StandAccess, stand_access
from cabas.distribution.recording import describe, posted_order, record
from cabas.distribution.services import Refused
from cabas.distribution.state import Stand, load_day
from cabas.ledger.models import Method


def _context(request: AuthenticatedRequest, access: StandAccess) -> dict[str, Any]:
    producer = access.access.producer
    return {
        **day_context(request, access.cycle, "stand"),
        "access": access.access,
        "producer": producer,
        "day_producer": producer.slug,
    }


@login_required
@require_safe
def stand(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The households that ordered from this producer, searchable by name or slip number."""
    access = stand_access(request, slug, pk)
    producer = access.access.producer
    stands = load_day(access.cycle, producer=producer).stand(producer.pk)
    query = search_query(request)
    context = {
        **_context(request, access),
        "stands": find(stands, query),
        "q": query,
        "served": sum(1 for s in stands if s.served),
        "total": len(stands),
        "collected_cents": sum(s.paid_cents for s in stands),
    }
    return render(request, "distribution/stand.html", context)


@login_required
@require_safe
def stand_household(request: AuthenticatedRequest, slug: str, pk: int, order_pk: int) -> HttpResponse:
    access = stand_access(request, slug, pk)
    return _household(request, access, order_pk)


def _household(
    request: AuthenticatedRequest,
    access: StandAccess,
    order_pk: int,
    error: str = "",
    typed: QueryDict | None = None,
) -> HttpResponse:
    producer = access.access.producer
    mine = _stand_of(access, order_pk)
    context = {
        **_context(request, access),
        "s": mine,
        "undone": [line for line in mine.lines if not line.done],
        "events": history(access.cycle, order_pk, producer=producer),
        "reasons": ShortReason.choices,
        "methods": Method.choices,
        "reference": payment_reference(access.cycle.pk, mine.number),
        "error": error,
        "typed": typed,
    }
    return render(request, "distribution/stand_household.html", context)


def _stand_of(access: StandAccess, order_pk: int) -> Stand:
    producer = access.access.producer
    stands = load_day(access.cycle, producer=producer).stand(producer.pk)
    mine = next((s for s in stands if s.order_id == order_pk), None)
    if mine is None:
        raise Http404
    return mine


@login_required
@require_POST
def stand_act(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Record one action of the stand (or « tout remis »), then back to the household's panel."""
    access = stand_access(request, slug, pk)
    order_pk = posted_order(request.POST)
    if order_pk is None:
        raise Http404
    _stand_of(access, order_pk)  # a household of this stand, or 404
    try:
        outcomes = record(request, cycle=access.cycle, scope=access.scope)
    except Refused as refusal:
        return _household(request, access, order_pk, error=str(refusal), typed=request.POST)
    messages.success(request, describe(outcomes))
    return redirect("day_stand_household", slug=slug, pk=access.cycle.pk, order_pk=order_pk)
