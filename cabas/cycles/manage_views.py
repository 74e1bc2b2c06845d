"""Coordinators' pages for cycles: set-up, offers, publication, closing, finalising and preview.

Every page needs a coordinator of the group (or the site admin); cycles and
offers are looked up inside that group only, so an id from another group is
a 404. Writes go through ``cabas.cycles.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest, GroupAccess, require_manager
from cabas.cycles import clock, services
from cabas.cycles.forms import CycleForm, OfferForm, PublishForm, StepForm, WithdrawForm
from cabas.cycles.models import Cycle, OrderLine, Phase, Step
from cabas.cycles.order_page import Section, order_context
from cabas.cycles.permissions import get_cycle, get_offer
from cabas.lib.inputs import parse_digits


def _context(access: GroupAccess, **extra: Any) -> dict[str, Any]:
    return {"access": access, "group": access.group, **extra}


@login_required
@require_safe
def cycles(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The group's cycles, newest first, with their phase, orders and total."""
    access = require_manager(request, slug)
    totals = (
        OrderLine.objects.filter(order__cycle=OuterRef("pk"))
        .values("order__cycle")
        .annotate(total=Sum("total_cents"))
        .values("total")
    )
    # Explicitly ordered: Django leaves Meta.ordering out of a query with an aggregate.
    rows = (
        Cycle.objects.filter(group=access.group)
        .annotate(
            order_count=Count("orders", filter=Q(orders__lines__requested__gt=0), distinct=True),
            total_cents=Subquery(totals, output_field=IntegerField()),
        )
        .order_by("-distribution_date", "-opens_at")
    )
    rows_list = list(rows)
    return render(
        request,
        "cycles/manage/cycles.html",
        _context(access, cycles=rows_list, last=rows_list[0] if rows_list else None),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """A new cycle, blank or (``?copy=<id>``) copied from one of the group's cycles."""
    access = require_manager(request, slug)
    copy = parse_digits(request.GET.get("copy"))
    source = get_cycle(access, copy) if copy is not None else None
    initial: dict[str, Any] = {"distribution_place": access.group.place}
    if source is not None:
        initial = services.copy_defaults(source)
    form = CycleForm(request.POST if request.method == "POST" else None, group=access.group, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields, producers = form.cycle_fields(), form.cleaned_data["producers"]
        submission = form.cleaned_data["submission"]
        already = services.submitted_cycle(access.group, submission)
        if already is not None:
            messages.info(
                request,
                _("This form had already been sent: the cycle “%(name)s” exists, no second one was created.")
                % {"name": already.name},
            )
            return redirect("manage_cycle_offers", slug=access.group.slug, pk=already.pk)
        try:
            if source is not None:
                cycle = services.copy_cycle(
                    source=source, by=request.user, fields=fields, producers=producers, submission=submission
                )
            else:
                cycle = services.create_cycle(
                    group=access.group,
                    fields=fields,
                    producers=producers,
                    by=request.user,
                    submission=submission,
                )
        except services.CycleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The cycle “%(name)s” has been created as a draft: check its offers.")
                % {"name": cycle.name},
            )
            return redirect("manage_cycle_offers", slug=access.group.slug, pk=cycle.pk)
    return render(
        request, "cycles/manage/cycle_form.html", _context(access, form=form, source=source, cycle=None)
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    form = CycleForm(
        request.POST if request.method == "POST" else None,
        group=access.group,
        cycle=cycle,
        initial=CycleForm.initial_for(cycle),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_cycle(
                cycle=cycle,
                fields=form.cycle_fields(),
                producers=form.cleaned_data["producers"],
                by=request.user,
            )
        except services.CycleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The cycle has been saved."))
            return redirect("manage_cycle", slug=access.group.slug, pk=cycle.pk)
    context = _context(
        access,
        form=form,
        cycle=cycle,
        phase=cycle.phase(),
        offer_count=cycle.offers.count(),
        events=cycle.events.select_related("by"),
        recap_fallback=clock.recap_fallback_time(cycle),
    )
    return render(request, "cycles/manage/cycle_form.html", context)


@login_required
@require_safe
def offers(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The cycle's offers by producer, with quotas, caps and how many members ordered each."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    rows = (
        cycle.offers.select_related("producer")
        .annotate(member_count=Count("lines", filter=Q(lines__requested__gt=0)))
        .order_by("producer__name", "category", "name")
    )
    context = _context(access, cycle=cycle, phase=cycle.phase(), offers=rows, withdraw_form=WithdrawForm())
    return render(request, "cycles/manage/offers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: AuthenticatedRequest, slug: str, pk: int, offer_pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    offer = get_offer(cycle, offer_pk)
    form = OfferForm(request.POST if request.method == "POST" else None, offer=offer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_offer(
                offer=offer,
                price_cents=data["price_cents"],
                quota=data["quota"],
                member_cap=data["member_cap"],
                allocation=data["allocation"],
                by=request.user,
            )
        except services.CycleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": offer.name})
            return redirect("manage_cycle_offers", slug=access.group.slug, pk=cycle.pk)
    context = _context(
        access,
        cycle=cycle,
        offer=offer,
        form=form,
        phase=cycle.phase(),
        withdraw_form=WithdrawForm(),
        member_count=offer.lines.filter(requested__gt=0).count(),
    )
    return render(request, "cycles/manage/offer_edit.html", context)


@login_required
@require_POST
def offer_withdraw(request: AuthenticatedRequest, slug: str, pk: int, offer_pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    offer = get_offer(cycle, offer_pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long (300 characters at most)."))
        return redirect("manage_offer", slug=access.group.slug, pk=cycle.pk, offer_pk=offer.pk)
    try:
        touched = services.withdraw_offer(offer=offer, reason=form.cleaned_data["reason"], by=request.user)
    except services.CycleError as error:
        messages.error(request, str(error))
        return redirect("manage_offer", slug=access.group.slug, pk=cycle.pk, offer_pk=offer.pk)
    messages.success(
        request,
        _("“%(name)s” has been withdrawn; %(count)s order(s) changed and their members told.")
        % {"name": offer.name, "count": touched},
    )
    return redirect("manage_cycle_offers", slug=access.group.slug, pk=cycle.pk)


@login_required
@require_POST
def cycle_publish(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Publish a draft cycle, or (``action=unpublish``) take a scheduled one back to draft."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    form = PublishForm(request.POST)
    action = form.cleaned_data["action"] if form.is_valid() else "publish"
    try:
        if action == "unpublish":
            services.unpublish(cycle=cycle, by=request.user)
            messages.success(request, _("The cycle is a draft again: members no longer see it."))
        else:
            cycle = services.publish(cycle=cycle, by=request.user)
            if cycle.phase() == Phase.OPEN:
                messages.success(request, _("The cycle is published and open for orders."))
            else:
                messages.success(request, _("The cycle is published: orders open at the set time."))
    except services.CycleError as error:
        messages.error(request, str(error))
    return redirect("manage_cycle", slug=access.group.slug, pk=cycle.pk)


STEP_MESSAGES = {
    "close": gettext_lazy(
        "Orders are closed. Check the cartons, adjust orders if needed, then generate the documents."
    ),
    "finalise": gettext_lazy("The cycle is finalised: orders no longer change."),
    "reopen": gettext_lazy("Adjustments are open again."),
}


@login_required
@require_POST
def cycle_step(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Close the orders now, finalise the cycle, or reopen its adjustments (``action``)."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("manage_cycle", slug=access.group.slug, pk=cycle.pk)
    action = form.cleaned_data["action"]
    try:
        services.take_step(cycle=cycle, step=Step(action), by=request.user)
    except services.CycleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, str(STEP_MESSAGES[action]))
    return redirect("manage_cycle", slug=access.group.slug, pk=cycle.pk)


@login_required
@require_safe
def cycle_preview(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The member order page as members will see it, read-only, with a "Preview" banner."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    context = order_context(access, cycle, request.user, preview=True, section=Section.read(request.GET))
    return render(request, "cycles/order.html", context)
