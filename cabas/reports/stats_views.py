"""Statistics pages: a group's history (coordinators), a producer's sales, a member's spending.

Each page shows its charts with their tables; each chart downloads as CSV (``<key>.csv``),
built by the same function as on the page.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from cabas.accounts.models import Role
from cabas.accounts.permissions import AuthenticatedRequest, group_access, require_manager
from cabas.catalog.permissions import producer_access
from cabas.reports import statistics
from cabas.reports.statistics import Chart
from cabas.reports.writers import write_csv


def _csv(chart: Chart, name: str) -> HttpResponse:
    response = HttpResponse(write_csv(chart.table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}-{chart.key}.csv"'
    return response


def _chart_key(chart: str, known: Mapping[str, object]) -> str:
    if chart not in known:
        raise Http404
    return chart


@login_required
@require_safe
def group_statistics(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    cycles = statistics.history(access.group)
    charts = [build(access.group, cycles) for build in statistics.GROUP_CHARTS.values()]
    context = {"access": access, "group": access.group, "charts": charts, "cycle_count": len(cycles)}
    return render(request, "reports/statistics_group.html", context)


@login_required
@require_safe
def group_statistics_csv(request: AuthenticatedRequest, slug: str, chart: str) -> HttpResponse:
    access = require_manager(request, slug)
    build = statistics.GROUP_CHARTS[_chart_key(chart, statistics.GROUP_CHARTS)]
    return _csv(build(access.group, statistics.history(access.group)), access.group.slug)


@login_required
@require_safe
def producer_statistics(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = producer_access(request, slug)
    charts = [build(access) for build in statistics.PRODUCER_CHARTS.values()]
    context = {"access": access, "producer": access.producer, "charts": charts}
    return render(request, "reports/statistics_producer.html", context)


@login_required
@require_safe
def producer_statistics_csv(request: AuthenticatedRequest, slug: str, chart: str) -> HttpResponse:
    access = producer_access(request, slug)
    build = statistics.PRODUCER_CHARTS[_chart_key(chart, statistics.PRODUCER_CHARTS)]
    return _csv(build(access), access.producer.slug)


@login_required
@require_safe
def member_statistics(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug, roles=(Role.MEMBER,))
    cycles = statistics.history(access.group)
    charts = [build(access.group, request.user, cycles) for build in statistics.MEMBER_CHARTS.values()]
    context = {"access": access, "group": access.group, "charts": charts}
    return render(request, "reports/statistics_member.html", context)


@login_required
@require_safe
def member_statistics_csv(request: AuthenticatedRequest, slug: str, chart: str) -> HttpResponse:
    access = group_access(request, slug, roles=(Role.MEMBER,))
    build = statistics.MEMBER_CHARTS[_chart_key(chart, statistics.MEMBER_CHARTS)]
    return _csv(build(access.group, request.user, statistics.history(access.group)), access.group.slug)
