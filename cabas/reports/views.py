"""Downloading a producer's own documents and a member's own slip, made on the spot from current data.

(Coordinators download the stored documents of the whole cycle: ``cycle_views``.)
Every view is GET only, looks the cycle up inside what the person may see
(another group's cycle is a 404), and answers 404 for a format the document
does not exist in. Documents carry names and phone numbers: never cached.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cabas.accounts.models import Role
from cabas.accounts.permissions import AuthenticatedRequest, group_access
from cabas.catalog.models import Producer
from cabas.catalog.permissions import producer_access
from cabas.cycles.baskets import slip_numbers
from cabas.cycles.models import Cycle, Order
from cabas.cycles.permissions import get_published_cycle
from cabas.distribution.permissions import desk_access
from cabas.reports import documents
from cabas.reports.documents import Document, UnknownFormat


def _download(make: Callable[..., Document], *args: object) -> HttpResponse:
    """Build a document with ``make(*args)`` and send it; an unknown format is a 404."""
    try:
        document = make(*args)
    except UnknownFormat:
        raise Http404 from None
    return file_response(document.content, document.content_type, document.filename)


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A document to download: PDFs open in the browser, ready to print; spreadsheets are saved."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if content_type == documents.CONTENT_TYPES[documents.PDF] else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _check_format(kind: str, fmt: str) -> None:
    """Refuse an unknown format before anything is read."""
    if fmt not in documents.ALL_FORMATS[kind]:
        raise Http404


# --- Producers ------------------------------------------------------------------------------


def _producer_cycle(request: AuthenticatedRequest, slug: str, pk: int) -> tuple[Producer, Cycle]:
    """The producer the person manages (403 otherwise) and a published cycle it takes part in,
    of a group the person may see through it (404)."""
    access = producer_access(request, slug)
    producer = access.producer
    cycles = Cycle.objects.published().seen_through(access).select_related("group")
    taking_part = cycles.filter(Q(producers=producer) | Q(offers__producer=producer)).distinct()
    return producer, get_object_or_404(taking_part, pk=pk)


@login_required
@require_safe
@never_cache
def producer_purchase_order(request: AuthenticatedRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """A producer's own purchase order."""
    _check_format("purchase_order", fmt)
    producer, cycle = _producer_cycle(request, slug, pk)
    return _download(documents.purchase_order_document, cycle, producer, fmt)


@login_required
@require_safe
@never_cache
def producer_distribution_list(request: AuthenticatedRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """A producer's own distribution list."""
    _check_format("distribution_list", fmt)
    producer, cycle = _producer_cycle(request, slug, pk)
    return _download(documents.distribution_list_document, cycle, producer, fmt)


# --- Members ---------------------------------------------------------------------------------


@login_required
@require_safe
@never_cache
def member_slip(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The member's own slip (PDF); 404 when they have no order in this cycle."""
    access = group_access(request, slug, roles=(Role.MEMBER,))
    cycle = get_published_cycle(access, pk)
    order = get_object_or_404(Order.objects.select_related("user"), cycle=cycle, user=request.user)
    return _download(documents.member_slip_document, cycle, order)


@login_required
@require_safe
@never_cache
def desk_slip(request: AuthenticatedRequest, slug: str, pk: int, order_pk: int) -> HttpResponse:
    """A household's slip reprinted at the welcome desk (coordinators and that cycle's day team)."""
    desk = desk_access(request, slug, pk)
    order = get_object_or_404(Order.objects.select_related("user"), cycle=desk.cycle, pk=order_pk)
    # The reprint carries the slip number the stands and the desk find the household by.
    numbers = slip_numbers(desk.cycle)
    return _download(documents.member_slip_document, desk.cycle, order, numbers.get(order.pk), len(numbers))
