"""The solidarity fund's pages: the committee's (the group's treasurers) and a member's request.

Only the committee sees who asked and who is helped. Every action is a POST
through one function of ``services``; a refusal comes back as a message and
changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.models import Membership, Role, User
from cabas.accounts.permissions import ANY_ROLE, AuthenticatedRequest, group_access
from cabas.cycles.models import Cycle
from cabas.ledger import services as ledger
from cabas.ledger.models import Account
from cabas.lib.inputs import clean_text, parse_digits
from cabas.lib.money import parse_cents
from cabas.reports.documents import CONTENT_TYPES
from cabas.reports.views import file_response
from cabas.reports.writers import write_csv
from cabas.settlement.permissions import treasurer_access, treasury_cycle
from cabas.solidarity import dashboard as boards
from cabas.solidarity import services
from cabas.solidarity.models import HelpDecision, HelpRequest


@login_required
@require_safe
@never_cache
def fund(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The committee's page: the fund's balance, requests waiting, households helped, reviews due."""
    access = treasurer_access(request, slug)
    group = access.group
    current = services.current_decisions(group)
    today = timezone.localdate()
    context = {
        "group": group,
        "balance_cents": ledger.balance(group, Account.FUND),
        "waiting": HelpRequest.objects.filter(group=group, status=HelpRequest.Status.WAITING).select_related(
            "household", "proposed_by"
        ),
        "helped": sorted(current.values(), key=lambda d: d.household.display_name.casefold()),
        "reviews_due": [d for d in current.values() if d.review_on and d.review_on <= today],
        "log": HelpDecision.objects.filter(group=group)
        .select_related("household", "decided_by")
        .order_by("-decided_at", "-pk")[:30],
        "cycles": Cycle.objects.filter(
            group=group, finalised_at__isnull=False, settled_at__isnull=True
        ).order_by("-distribution_date")[:6],
        "percents": services.PERCENTS,
    }
    return render(request, "solidarity/fund.html", context)


@login_required
@require_POST
def decide(request: AuthenticatedRequest, slug: str, user_pk: int) -> HttpResponse:
    access = treasurer_access(request, slug)
    membership = get_object_or_404(
        Membership.objects.current().select_related("user"), group=access.group, user_id=user_pk
    )
    help_request = None
    if request.POST.get("request", "").isdigit():
        help_request = get_object_or_404(
            HelpRequest, pk=int(request.POST["request"]), group=access.group, household=membership.user
        )
    try:
        percent = int(request.POST.get("percent", "").strip() or "0")
        cap_cents = parse_cents(request.POST.get("cap", "") or "0")
        review = request.POST.get("review_on", "").strip()
        review_on = date.fromisoformat(review) if review else None
    except ValueError:
        messages.error(request, _("Check the share, the cap (an amount like 25,50) and the review date."))
        return redirect("solidarity_fund", slug=slug)
    try:
        services.decide(
            group=access.group,
            household=membership.user,
            percent=percent,
            cap_cents=cap_cents,
            review_on=review_on,
            why=request.POST.get("why", ""),
            by=request.user,
            request=help_request,
        )
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("solidarity_fund", slug=slug)
    messages.success(request, _("Decision recorded; the household is told by e-mail."))
    return redirect("solidarity_fund", slug=slug)


@login_required
@require_safe
@never_cache
def pool(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A cycle's help: each beneficiary's, the fund's balance and, when short, the proposal."""
    treasury = treasury_cycle(request, slug, pk)
    found = services.pool(treasury.cycle)
    priority = [int(value) for value in request.GET.getlist("first") if value.isdigit()]
    context = {
        "group": treasury.access.group,
        "cycle": treasury.cycle,
        "pool": found,
        "proposal": found.proposal(priority),
        "priority": priority,
    }
    return render(request, "solidarity/pool.html", context)


@login_required
@require_POST
def grant(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    treasury = treasury_cycle(request, slug, pk)
    amounts: dict[int, int] = {}
    try:
        for name in request.POST:
            if name.startswith("help-") and name[5:].isdigit():
                amounts[int(name[5:])] = parse_cents(request.POST.get(name, "") or "0")
        granted = services.grant(cycle=treasury.cycle, amounts=amounts, by=request.user)
    except ValueError:
        messages.error(request, _("An amount is not understood: type it like 25,50."))
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, _("Help granted for this cycle.") if granted else _("Nothing more to grant.")
        )
    return redirect(reverse("solidarity_pool", kwargs={"slug": slug, "pk": pk}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """A household asks the committee for help, in confidence."""
    access = group_access(request, slug, roles=(Role.MEMBER,))
    error = ""
    if request.method == "POST":
        household: User = request.user
        try:
            services.ask(
                group=access.group,
                household=household,
                situation=clean_text(request.POST.get("situation"), 4000),
                can_pay=clean_text(request.POST.get("can_pay"), 300),
            )
        except services.Refused as refusal:
            error = str(refusal)
        else:
            messages.success(
                request, _("Your request is sent to the solidarity committee, and to them only.")
            )
            return redirect("group_detail", slug=slug)
    return render(
        request,
        "solidarity/ask.html",
        {
            "group": access.group,
            "error": error,
            "typed": request.POST,
            "figures": boards.public_figures(access.group),
            "few": boards.FEW,
        },
    )


@login_required
@require_safe
@never_cache
def board(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The committee's dashboard: the fund's history as charts, each with its table."""
    access = treasurer_access(request, slug)
    found = boards.dashboard(access.group)
    return render(
        request,
        "solidarity/dashboard.html",
        {"group": access.group, "board": found, "charts": found.charts()},
    )


@login_required
@require_safe
@never_cache
def board_csv(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The dashboard's figures, cycle by cycle, as CSV."""
    access = treasurer_access(request, slug)
    content = write_csv(boards.dashboard(access.group).table(access.group))
    return file_response(content, CONTENT_TYPES["csv"], f"fund-{access.group.slug}.csv")


@login_required
@require_safe
def figures(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The fund in figures, for every member: aggregates of settled cycles only."""
    access = group_access(request, slug, roles=ANY_ROLE)
    return render(
        request,
        "solidarity/figures.html",
        {"group": access.group, "figures": boards.public_figures(access.group), "few": boards.FEW},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def propose(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """A coordinator proposes a household to the committee. They are told it was received, and
    nothing more: the committee's decision is for the committee and the household."""
    access = group_access(request, slug, roles=(Role.COORDINATOR,))
    households = sorted(
        (
            m.user
            for m in Membership.objects.current()
            .filter(group=access.group, is_member=True)
            .select_related("user")
        ),
        key=lambda user: user.display_name.casefold(),
    )
    error = ""
    if request.method == "POST":
        chosen = parse_digits(request.POST.get("household", ""))
        household = next((h for h in households if h.pk == chosen), None)
        if household is None:
            error = _("Choose a household of the group.")
        else:
            try:
                services.ask(
                    group=access.group,
                    household=household,
                    situation=clean_text(request.POST.get("why"), 4000),
                    proposed_by=request.user,
                )
            except services.Refused as refusal:
                error = str(refusal)
            else:
                messages.success(request, _("Your proposal is received by the solidarity committee."))
                return redirect("solidarity_propose", slug=slug)
    return render(
        request,
        "solidarity/propose.html",
        {"group": access.group, "households": households, "error": error, "typed": request.POST},
    )
