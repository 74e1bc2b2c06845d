"""Downloading the documents after the distribution day, made on the spot from the day as it stands.

Coordinators get the cycle's summary and every producer's report and cheques
(their group's cycles only, 404 otherwise); a producer gets its own report and
cheques. Before anything is recorded on the day there is nothing to report: 404.
GET only, never cached (names, amounts, cheque numbers).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cabas.accounts.models import Role
from cabas.accounts.permissions import AuthenticatedRequest, group_access
from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_cycle
from cabas.reports import day, documents
from cabas.reports.data import cycle_producers
from cabas.reports.views import _check_format, _download, _producer_cycle


def _started(cycle: Cycle) -> Cycle:
    if not day.day_started(cycle):
        raise Http404
    return cycle


def _managed(request: AuthenticatedRequest, slug: str, pk: int) -> Cycle:
    # The treasurers settle the day's money with these documents (the desk's and stands' cheques).
    access = group_access(request, slug, roles=(Role.COORDINATOR, Role.TREASURER))
    return _started(get_cycle(access, pk))


def _managed_producer(
    request: AuthenticatedRequest, slug: str, pk: int, producer_pk: int
) -> tuple[Cycle, Producer]:
    cycle = _managed(request, slug, pk)
    return cycle, get_object_or_404(cycle_producers(cycle), pk=producer_pk)


@login_required
@require_safe
@never_cache
def day_summary(request: AuthenticatedRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """The cycle's day summary, for coordinators and the treasurer."""
    _check_format("day_summary", fmt)
    return _download(documents.day_summary_document, _managed(request, slug, pk), fmt)


@login_required
@require_safe
@never_cache
def day_report(request: AuthenticatedRequest, slug: str, pk: int, producer_pk: int, fmt: str) -> HttpResponse:
    """A producer's day report, as its coordinators download it."""
    _check_format("day_report", fmt)
    cycle, producer = _managed_producer(request, slug, pk, producer_pk)
    return _download(documents.day_report_document, cycle, producer, fmt)


@login_required
@require_safe
@never_cache
def day_cheques(request: AuthenticatedRequest, slug: str, pk: int, producer_pk: int) -> HttpResponse:
    """The cheques received at a producer's stand, to deposit."""
    cycle, producer = _managed_producer(request, slug, pk, producer_pk)
    return _download(documents.cheques_document, cycle, producer)


@login_required
@require_safe
@never_cache
def producer_day_report(request: AuthenticatedRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """A producer's own day report."""
    _check_format("day_report", fmt)
    producer, cycle = _producer_cycle(request, slug, pk)
    return _download(documents.day_report_document, _started(cycle), producer, fmt)


@login_required
@require_safe
@never_cache
def producer_cheques(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A producer's own cheques to deposit."""
    producer, cycle = _producer_cycle(request, slug, pk)
    return _download(documents.cheques_document, _started(cycle), producer)
