"""The coordinators' live view of the day (and its closing), the day team, and a member's own day."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cabas.accounts.models import Membership, Role
from cabas.accounts.permissions import AuthenticatedRequest, group_access
from cabas.catalog.models import Producer, ProducerAccount
from cabas.cycles.models import Cycle, Order, Phase
from cabas.cycles.permissions import get_published_cycle
from cabas.cycles.services import CycleError, close_distribution
from cabas.distribution import live as figures
from cabas.distribution import state
from cabas.distribution.models import DayTeamMember, Event, EventKind, ShortReason, Uncollected
from cabas.distribution.pages import day_context
from cabas.distribution.permissions import DeskAccess, desk_access, require_coordinator
from cabas.distribution.recording import describe, record
from cabas.distribution.services import Refused
from cabas.distribution.state import load_day
from cabas.ledger.models import Method
from cabas.lib.inputs import parse_digits
from cabas.lib.names import person_sort_key

POLL_SECONDS = 20


def _coordinator(request: AuthenticatedRequest, slug: str, pk: int) -> DeskAccess:
    access = desk_access(request, slug, pk)
    require_coordinator(access)
    return access


@login_required
@require_safe
def live(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _live(request, _coordinator(request, slug, pk))


def _live(
    request: AuthenticatedRequest, access: DeskAccess, error: str = "", typed: QueryDict | None = None
) -> HttpResponse:
    cycle = access.cycle
    day = load_day(cycle)
    not_collected = state.not_collected(day)
    stands = figures.stands(day)
    team = sorted(
        DayTeamMember.objects.filter(cycle=cycle).select_related("user"),
        key=lambda member: person_sort_key(member.user.full_name, member.user.email),
    )
    in_team = {member.user_id for member in team}
    members = Membership.objects.current().filter(group=cycle.group).select_related("user")
    candidates = sorted(
        (m.user for m in members if m.user_id not in in_team),
        key=lambda user: person_sort_key(user.full_name, user.email),
    )
    context: dict[str, Any] = {
        **day_context(request, cycle, "live"),
        "group": cycle.group,
        "day": day,
        "stands": stands,
        "stand_links": _stand_links(request, cycle, [row.producer for row in stands]),
        "methods": Method.choices,
        # The till by method tells, by difference, who the fund helps: the committee only.
        "desk_methods": figures.desk_methods(day) if _committee(access) else None,
        "desk_settled_cents": figures.desk_settled(day),
        "shortages": _shortages(cycle.pk),
        "short_reasons": dict(ShortReason.choices),
        "numbers": {h.order_id: h.number for h in day.households},
        "conflicts": figures.conflicts(day),
        "not_collected": not_collected,
        "undecided": sum(1 for h in not_collected if not h.uncollected),
        "decisions": _decisions(cycle.pk),
        "uncollected_choices": Uncollected.choices,
        "uncollected_labels": dict(Uncollected.choices),
        "served": sum(1 for h in day.households if h.served),
        "arrived": sum(1 for h in day.households if h.arrived),
        "team": team,
        "candidates": candidates,
        "can_close": cycle.phase() == Phase.FINALISED,
        "error": error,
        "typed": typed,
    }
    return render(request, "distribution/live.html", context)


def _committee(access: DeskAccess) -> bool:
    return access.access.is_site_admin or access.access.has_role(Role.TREASURER)


def _stand_links(request: AuthenticatedRequest, cycle: Cycle, producers: list[Producer]) -> dict[int, bool]:
    """Which stands the coordinator may open (as ``catalog.permissions.access_for`` says), in one query.

    Their own producer's, any for the site admin, and those the group keeps without an account.
    """
    accounts = ProducerAccount.objects.filter(producer__in=producers).values_list("producer_id", "user_id")
    with_account: dict[int, set[int]] = {}
    for producer_id, user_id in accounts:
        with_account.setdefault(producer_id, set()).add(user_id)
    return {
        p.pk: request.user.is_superuser
        or request.user.pk in with_account.get(p.pk, set())
        or (p.pk not in with_account and p.managing_group_id == cycle.group_id)
        for p in producers
    }


def _shortages(cycle_id: int) -> list[Event]:
    """What the stands reported as not delivered (even a whole line), unless cancelled since."""
    return list(
        Event.objects.filter(cycle_id=cycle_id, kind=EventKind.SHORT)
        .exclude(corrections__kind=EventKind.CANCELLED)
        .select_related("producer", "line__offer", "order__user")
        .order_by("pk")
    )


def _decisions(cycle_id: int) -> dict[int, Event]:
    """The latest decision on each basket nobody collected, with who took it."""
    events = Event.objects.filter(cycle_id=cycle_id, kind=EventKind.UNCOLLECTED).select_related("by")
    return {event.order_id: event for event in events.order_by("pk")}


@login_required
@require_POST
def live_act(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Resolve or cancel a conflict, decide on a basket nobody collected."""
    access = _coordinator(request, slug, pk)
    try:
        outcomes = record(request, cycle=access.cycle, scope=access.scope)
    except Refused as refusal:
        return _live(request, access, error=str(refusal), typed=request.POST)
    messages.success(request, describe(outcomes))
    return redirect("day_live", slug=slug, pk=access.cycle.pk)


@login_required
@require_POST
def team_add(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Put a member of the group on this cycle's welcome desk (this cycle only)."""
    access = _coordinator(request, slug, pk)
    user_pk = str(request.POST.get("user", ""))
    if not user_pk:
        messages.error(request, _("Choose who to add to the welcome desk."))
        return redirect("day_live", slug=slug, pk=access.cycle.pk)
    user_id = parse_digits(user_pk)
    if user_id is None:
        raise Http404
    membership = get_object_or_404(
        Membership.objects.current().select_related("user"), group=access.cycle.group, user_id=user_id
    )
    # Already on the team: a second click changes nothing.
    DayTeamMember.objects.get_or_create(
        cycle=access.cycle, user=membership.user, defaults={"added_by": request.user}
    )
    name = membership.user.display_name
    messages.success(request, _("%(name)s is on the welcome desk for this distribution.") % {"name": name})
    return redirect("day_live", slug=slug, pk=access.cycle.pk)


@login_required
@require_POST
def team_remove(request: AuthenticatedRequest, slug: str, pk: int, member_pk: int) -> HttpResponse:
    access = _coordinator(request, slug, pk)
    member = get_object_or_404(DayTeamMember.objects.select_related("user"), cycle=access.cycle, pk=member_pk)
    member.delete()
    name = member.user.display_name
    messages.success(request, _("%(name)s is no longer on the welcome desk.") % {"name": name})
    return redirect("day_live", slug=slug, pk=access.cycle.pk)


@login_required
@require_POST
def close_day(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """« Clôturer la distribution »: the cycle is distributed, the day's pages become read-only."""
    access = _coordinator(request, slug, pk)
    try:
        close_distribution(cycle=access.cycle, by=request.user)
    except CycleError as error:
        messages.error(request, str(error))
    # Once closed, the page's one banner says so, and where what is still owed goes.
    return redirect("day_live", slug=slug, pk=access.cycle.pk)


@login_required
@require_safe
def member_day(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A member's own day: what was handed over, actual weights and amounts, what is left to pay."""
    access = group_access(request, slug, roles=(Role.MEMBER,))
    cycle = get_published_cycle(access, pk)
    order = Order.objects.filter(cycle=cycle, user=request.user).select_related("user").first()
    household = state.member_household(cycle, order) if order is not None else None
    context = {
        **day_context(request, cycle, "member"),
        "group": access.group,
        "h": household,
        "poll": POLL_SECONDS,
    }
    return render(request, "distribution/member_day.html", context)
