"""Producers' offers: the producer prepares theirs (phone-friendly), the coordinator asks, chases,
accepts; once orders are open, a producer's requests and the coordinator's decisions.

Writes go through ``cabas.cycles.proposals``; lookups through ``cabas.cycles.permissions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest, require_manager
from cabas.catalog.models import Producer
from cabas.catalog.permissions import producer_access
from cabas.cycles import proposals
from cabas.cycles.models import Offer, OfferRequest, ProducerOffer
from cabas.cycles.permissions import (
    get_cycle,
    get_group_proposal,
    get_offer_request,
    get_producer_cycle,
    get_proposal,
)
from cabas.cycles.proposal_forms import ChangeRequestForm, DecisionForm, ProposalForm
from cabas.cycles.services import BEFORE_OPENING, CycleError


def _proposal_form(request: AuthenticatedRequest, proposal: ProducerOffer) -> ProposalForm:
    offers = proposals.producer_offers(proposal)
    lines = {line.offer_id: line for line in proposal.lines.all()}
    data = request.POST if request.method == "POST" else None
    return ProposalForm(data, offers=offers, lines=lines, note=proposal.note)


# --- The producer ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def producer_offer(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The producer confirms their offer for a cycle that has not opened yet."""
    access = producer_access(request, slug)
    proposal = get_proposal(access, pk)
    form = _proposal_form(request, proposal)
    editable = proposal.cycle.phase() in BEFORE_OPENING
    if request.method == "POST" and form.is_valid():
        try:
            proposals.answer(
                proposal=proposal, lines=form.answers(), note=form.cleaned_data["note"], by=request.user
            )
        except CycleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you: your offer has been sent to the coordinators."))
            return redirect("producer_cycle_offer", slug=access.producer.slug, pk=proposal.cycle_id)
    context = {
        "access": access,
        "producer": access.producer,
        "proposal": proposal,
        "cycle": proposal.cycle,
        "form": form,
        "editable": editable,
    }
    return render(request, "cycles/producer_offer.html", context)


@login_required
@require_POST
def producer_offer_request(request: AuthenticatedRequest, slug: str, pk: int, offer_pk: int) -> HttpResponse:
    """While orders are open, the producer asks to withdraw a product or change its quota."""
    access = producer_access(request, slug)
    cycle = get_producer_cycle(access, pk)
    offer = get_object_or_404(
        Offer.objects.select_related("cycle"), pk=offer_pk, cycle=cycle, producer=access.producer
    )
    form = ChangeRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            proposals.ask_change(
                offer=offer, kind=data["kind"], quota=data["quota"], reason=data["reason"], by=request.user
            )
        except CycleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your request has been sent to the coordinators."))
    else:
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
        messages.error(request, " ".join(errors))
    return redirect("producer_cycle_orders", slug=access.producer.slug, pk=cycle.pk)


# --- The coordinator ------------------------------------------------------------------------


def _context(access: Any, **extra: Any) -> dict[str, Any]:
    return {"access": access, "group": access.group, **extra}


@login_required
@require_safe
def manage_producer_offers(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Who was asked, who answered, who is accepted; the producers' pending requests."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    asked = {p.producer_id: p for p in ProducerOffer.objects.filter(cycle=cycle)}
    producers = list(
        Producer.objects.filter(cycles=cycle)
        .annotate(account_count=Count("accounts", distinct=True))
        .order_by("name")
    )
    rows = [(producer, asked.get(producer.pk)) for producer in producers]
    requests = (
        OfferRequest.objects.filter(offer__cycle=cycle)
        .select_related("offer__producer", "asked_by", "decided_by")
        .order_by("decided_at", "-asked_at")
    )
    context = _context(
        access,
        cycle=cycle,
        phase=cycle.phase(),
        rows=rows,
        requests=list(requests),
        unasked=sum(1 for _producer, proposal in rows if proposal is None),
        before_opening=cycle.phase() in BEFORE_OPENING,
    )
    return render(request, "cycles/manage/producer_offers.html", context)


@login_required
@require_POST
def manage_ask_producers(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    try:
        created = proposals.ask_producers(cycle=cycle, by=request.user)
    except CycleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(count)s producer(s) asked for their offer by e-mail.") % {"count": len(created)}
        )
    return redirect("manage_producer_offers", slug=access.group.slug, pk=cycle.pk)


@login_required
@require_POST
def manage_remind_producer(
    request: AuthenticatedRequest, slug: str, pk: int, proposal_pk: int
) -> HttpResponse:
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    proposal = get_group_proposal(cycle, proposal_pk)
    try:
        proposals.remind(proposal=proposal, by=request.user)
    except CycleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(name)s has been reminded by e-mail.") % {"name": proposal.producer.name}
        )
    return redirect("manage_producer_offers", slug=access.group.slug, pk=cycle.pk)


@login_required
@require_http_methods(["GET", "POST"])
def manage_producer_offer(
    request: AuthenticatedRequest, slug: str, pk: int, proposal_pk: int
) -> HttpResponse:
    """The coordinator reads a producer's offer, changes it if need be, and accepts it."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    proposal = get_group_proposal(cycle, proposal_pk)
    form = _proposal_form(request, proposal)
    if request.method == "POST" and form.is_valid():
        try:
            proposals.accept(
                proposal=proposal, lines=form.answers(), note=form.cleaned_data["note"], by=request.user
            )
        except CycleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The offer of %(name)s is accepted: the cycle's offers have been updated.")
                % {"name": proposal.producer.name},
            )
            return redirect("manage_producer_offers", slug=access.group.slug, pk=cycle.pk)
    context = _context(
        access, cycle=cycle, proposal=proposal, form=form, editable=cycle.phase() in BEFORE_OPENING
    )
    return render(request, "cycles/manage/producer_offer.html", context)


@login_required
@require_POST
def manage_decide_request(request: AuthenticatedRequest, slug: str, pk: int, request_pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    offer_request = get_offer_request(cycle, request_pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("manage_producer_offers", slug=access.group.slug, pk=cycle.pk)
    accepted = form.cleaned_data["action"] == "accept"
    try:
        proposals.decide(request=offer_request, accepted=accepted, by=request.user)
    except CycleError as error:
        messages.error(request, str(error))
    else:
        if accepted:
            messages.success(request, _("The request is accepted; the members concerned are told by e-mail."))
        else:
            messages.success(request, _("The request is refused: nothing has changed."))
    return redirect("manage_producer_offers", slug=access.group.slug, pk=cycle.pk)


def live_rows(offers: Sequence[Offer]) -> list[dict[str, Any]]:
    """Per product: what was ordered, what is left of the quota, full cartons and what fills the next."""
    rows = []
    for offer in offers:
        total = getattr(offer, "total_quantity", None) or 0
        row: dict[str, Any] = {"offer": offer, "total": total}
        if offer.carton_size:
            surplus = total % offer.carton_size
            row["cartons"] = total // offer.carton_size
            row["to_fill"] = offer.carton_size - surplus if surplus else 0
        rows.append(row)
    return rows


def pending_requests(cycle_id: int, producer: Producer) -> dict[int, OfferRequest]:
    """Offer id -> the producer's latest request still waiting for a coordinator (one query)."""
    rows = OfferRequest.objects.filter(
        offer__cycle_id=cycle_id, offer__producer=producer, decided_at__isnull=True
    ).order_by("asked_at")
    return {row.offer_id: row for row in rows}
