"""Members' order pages, orders on a member's behalf, and producers' view of their orders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cabas.accounts.models import Membership, Role, User
from cabas.accounts.permissions import (
    AuthenticatedRequest,
    GroupAccess,
    group_access,
    require_manager,
)
from cabas.catalog.permissions import producer_access
from cabas.cycles import allocation, tasks
from cabas.cycles.basket_form import BasketForm, read_basket
from cabas.cycles.models import ChangeKind, Cycle, Offer, Order, OrderChange, OrderLine, Phase
from cabas.cycles.ordering import BasketResult, LineChange, save_basket
from cabas.cycles.summary import basket_summary
from cabas.lib.inputs import clean_text, local_next, parse_digits
from cabas.lib.quantities import format_quantity

# Orders are for households: a producer-only or treasurer-only account has no basket.
HOUSEHOLD = (Role.MEMBER,)


def _visible_cycle(access: GroupAccess, pk: int) -> Cycle:
    """A published cycle of this group (drafts are for coordinators: 404 for members)."""
    return get_object_or_404(Cycle.objects.published().select_related("group"), pk=pk, group=access.group)


def _lines(order: Order | None) -> dict[int, OrderLine]:
    return {line.offer_id: line for line in order.lines.all()} if order else {}


def _group_totals(cycle: Cycle) -> dict[int, int]:
    """What the whole group has asked for, per offer (for carton progress): one query."""
    rows = OrderLine.objects.filter(offer__cycle=cycle).values("offer").annotate(total=Sum("requested"))
    return {row["offer"]: row["total"] for row in rows}


def _carton_changes(order: Order | None, **filters: Any) -> dict[int, OrderChange]:
    """The latest carton rounding of each line of ``order`` (shown with its reason): one query."""
    if order is None:
        return {}
    changes = OrderChange.objects.filter(order=order, kind=ChangeKind.CARTON, **filters)
    return {change.offer_id: change for change in changes.order_by("changed_at", "pk")}


def _member_order(cycle: Cycle, member: User, preview: bool = False) -> Order | None:
    """The member's order with its lines (and their offers and producers): two queries."""
    lines = OrderLine.objects.select_related("offer__producer")
    return (
        Order.objects.filter(cycle=cycle, user=member, pk__isnull=preview)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .first()
    )


def _current_change(change: OrderChange | None, line: OrderLine | None) -> OrderChange | None:
    """The carton rounding, if the line is still what it made (a later adjustment tells its own story)."""
    if change is None or change.new_quantity != (line.quantity if line else 0):
        return None
    return change


def _tolerance_value(offer: Offer, line: OrderLine | None, form: BasketForm, failed: bool) -> str:
    typed = form.typed_tolerance.get(offer.pk)
    if failed and typed is not None:
        return typed
    return format_quantity(line.tolerance) if line and line.tolerance else ""


def _one_step_less(offer: Offer, requested: int) -> int:
    """What "−" asks for: one step less, or nothing once below the minimum (never an invalid amount)."""
    less = requested - offer.quantity_step
    return less if less >= offer.min_quantity else 0


def _rows(
    offers: list[Offer],
    lines: dict[int, OrderLine],
    group_totals: dict[int, int],
    form: BasketForm,
    result: BasketResult,
    carton_changes: dict[int, OrderChange],
) -> list[dict[str, Any]]:
    """One row per offer: the stored line, what to show in the box, and what went wrong."""
    failed = bool(form.errors) or not result.ok
    rows = []
    for offer in offers:
        line = lines.get(offer.pk)
        requested = line.requested if line else 0
        ordered = group_totals.get(offer.pk, 0)
        typed = form.typed.get(offer.pk)
        rows.append(
            {
                "offer": offer,
                "line": line,
                "requested": requested,
                "value": typed
                if failed and typed is not None
                else format_quantity(requested)
                if requested
                else "",
                "minus": format_quantity(_one_step_less(offer, requested)),
                "plus": format_quantity(max(requested + offer.quantity_step, offer.min_quantity)),
                "error": form.errors.get(offer.pk) or result.errors.get(offer.pk, ""),
                "quota_left": result.quota_left.get(offer.pk),
                "stale": result.stale.get(offer.pk),
                "to_fill": offer.carton_size - ordered % offer.carton_size
                if offer.carton_size and ordered % offer.carton_size
                else 0,
                "tolerance": _tolerance_value(offer, line, form, failed),
                "carton_change": _current_change(carton_changes.get(offer.pk), line),
            }
        )
    return rows


def order_context(
    access: GroupAccess,
    cycle: Cycle,
    member: User,
    *,
    form: BasketForm | None = None,
    result: BasketResult | None = None,
    preview: bool = False,
) -> dict[str, Any]:
    """Everything the order page shows; a constant number of queries whatever the size of the cycle.

    ``preview`` shows the page as any member would see it with an empty basket, read-only.
    """
    if cycle.phase() == Phase.CLOSED and cycle.allocated_at is None:
        allocation.allocate(cycle)
    order = _member_order(cycle, member, preview)
    offers = list(cycle.offers.select_related("producer").order_by("producer__name", "category", "name"))
    lines = _lines(order)
    form, result = form or BasketForm(), result or BasketResult()
    rows = _rows(offers, lines, _group_totals(cycle), form, result, _carton_changes(order))
    editable = not preview and _editable(access, cycle, member)
    if not editable and not preview:
        # A basket that can no longer change shows what it holds (or held), not the whole catalogue.
        rows = [row for row in rows if row["line"] is not None]
    producers: dict[int, dict[str, Any]] = {}
    for row in rows:
        part = producers.setdefault(
            row["offer"].producer_id, {"producer": row["offer"].producer, "rows": [], "total": 0}
        )
        part["rows"].append(row)
        part["total"] += row["line"].total_cents if row["line"] else 0
    return {
        "access": access,
        "group": access.group,
        "cycle": cycle,
        "member": member,
        "order": order,
        "producers": list(producers.values()),
        "summary": basket_summary(order) if order else None,
        "total": sum(line.total_cents for line in lines.values()),
        "form": form,
        "result": result,
        "phase": cycle.phase(),
        "on_behalf": access.membership is None or access.membership.user_id != member.pk,
        "editable": editable,
        "preview": preview,
    }


def line_context(
    access: GroupAccess, cycle: Cycle, member: User, offer: Offer, *, form: BasketForm, result: BasketResult
) -> dict[str, Any]:
    """What a +/- answer shows: the offer's row, its producer's total and the basket's total.

    Reads this offer and the member's own lines only (the order page reads
    every offer of the cycle): a few queries, whatever the size of the cycle.
    """
    order = _member_order(cycle, member)
    lines = _lines(order)
    ordered = OrderLine.objects.filter(offer=offer).aggregate(total=Sum("requested"))["total"] or 0
    changes = _carton_changes(order, offer=offer)
    (row,) = _rows([offer], lines, {offer.pk: ordered}, form, result, changes)
    mine = [line for line in lines.values() if line.requested]
    return {
        "group": access.group,
        "cycle": cycle,
        "member": member,
        "row": row,
        "producer_total": sum(
            line.total_cents for line in mine if line.offer.producer_id == offer.producer_id
        ),
        "total": sum(line.total_cents for line in lines.values()),
        "is_estimate": any(line.offer.variable_weight for line in mine),
        "editable": _editable(access, cycle, member),
        "preview": False,
    }


def _editable(access: GroupAccess, cycle: Cycle, member: User) -> bool:
    own = access.membership is not None and access.membership.user_id == member.pk
    if own and cycle.is_open():
        return True
    return access.can_manage and cycle.accepts_adjustments() and cycle.published_at is not None


@login_required
@require_GET
def cycles(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug, roles=HOUSEHOLD)
    now = timezone.now()
    cycles_ = list(
        Cycle.objects.published()
        .filter(group=access.group)
        .annotate(my_lines=Count("orders__lines", filter=Q(orders__user=request.user)))
        .order_by("-distribution_date")[:24]
    )
    current = [c for c in cycles_ if c.phase(now) in {Phase.SCHEDULED, Phase.OPEN, Phase.CLOSED}]
    past = [c for c in cycles_ if c not in current]
    context = {"access": access, "group": access.group, "current": current, "past": past}
    return render(request, "cycles/cycles.html", context)


def _save(request: HttpRequest, cycle: Cycle, member: User, by: User) -> tuple[BasketForm, BasketResult]:
    offers = list(cycle.offers.all())
    form = read_basket(request.POST, offers)
    if form.errors:
        return form, BasketResult()
    reason = clean_text(request.POST.get("reason"), 300)
    return form, save_basket(cycle=cycle, member=member, changes=form.changes, by=by, reason=reason)


def _saved_message(request: HttpRequest, result: BasketResult, *, confirmed: bool) -> None:
    if confirmed:
        messages.success(request, _("Your basket is saved. A confirmation e-mail is on its way."))
    else:
        messages.success(request, _("The basket is saved."))


@login_required
@require_http_methods(["GET", "POST"])
def order(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The member's basket: every producer's offers on one page, editable until the deadline."""
    access = group_access(request, slug, roles=HOUSEHOLD)
    cycle = _visible_cycle(access, pk)
    if request.method == "POST":
        return _post_basket(request, access, cycle, member=request.user)
    return render(request, "cycles/order.html", order_context(access, cycle, request.user))


def _post_basket(
    request: AuthenticatedRequest, access: GroupAccess, cycle: Cycle, *, member: User
) -> HttpResponse:
    form, result = _save(request, cycle, member, request.user)
    if form.errors or not result.ok:
        context = order_context(access, cycle, member, form=form, result=result)
        return render(request, "cycles/order.html", context, status=200)
    on_behalf = member.pk != request.user.pk
    # Only the main button confirms (and e-mails): without JavaScript the +/- and
    # "take" buttons also submit the whole form, and must not send an e-mail each.
    confirming = not on_behalf and "confirm" in request.POST and result.order is not None
    if result.order is not None:
        order_id = result.order.pk
        if on_behalf:
            transaction.on_commit(lambda: tasks.send_order_changes.enqueue(order_id))
        elif confirming:
            Order.objects.filter(pk=order_id).update(submitted_at=timezone.now())
            transaction.on_commit(lambda: tasks.send_confirmation.enqueue(order_id))
    _saved_message(request, result, confirmed=confirming)
    if on_behalf:
        return redirect("manage_order", slug=access.group.slug, pk=cycle.pk, user_pk=member.pk)
    return redirect("order", slug=access.group.slug, pk=cycle.pk)


@login_required
@require_POST
def order_line(request: AuthenticatedRequest, slug: str, pk: int, offer_pk: int) -> HttpResponse:
    """One line changed with the +/- buttons (htmx): saves it and returns the row and the totals."""
    access = group_access(request, slug, roles=HOUSEHOLD)
    cycle = _visible_cycle(access, pk)
    offer = get_object_or_404(Offer, pk=offer_pk, cycle=cycle)
    member = _member_for_line(request, access)
    form = read_basket(request.POST, [offer])
    result = BasketResult()
    if not form.errors:
        result = save_basket(
            cycle=cycle,
            member=member,
            changes=form.changes,
            by=request.user,
            reason=clean_text(request.POST.get("reason"), 300),
        )
    if not request.headers.get("HX-Request"):
        return HttpResponseRedirect(local_next(request, reverse("order", args=[access.group.slug, cycle.pk])))
    offer = Offer.objects.select_related("producer").get(pk=offer.pk)  # its quota as it is now
    context = line_context(access, cycle, member, offer, form=form, result=result)
    return render(request, "cycles/order_line.html", context)


def _member_for_line(request: AuthenticatedRequest, access: GroupAccess) -> User:
    """The basket a line request changes: one's own, or (for a coordinator) the member named in the form."""
    member_pk = request.POST.get("member")
    if member_pk and member_pk != str(request.user.pk):
        require_manager(request, access.group.slug)
        user_pk = parse_digits(member_pk)
        if user_pk is None:
            raise Http404
        return _household(access, user_pk)
    return request.user


def _household(access: GroupAccess, user_pk: object) -> User:
    membership = get_object_or_404(
        Membership.objects.current().select_related("user"),
        group=access.group,
        user_id=user_pk,
        is_member=True,
    )
    return membership.user


@login_required
@require_POST
def order_copy_previous(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Start from the previous cycle's basket: same products, same quantities where still possible."""
    access = group_access(request, slug, roles=HOUSEHOLD)
    cycle = _visible_cycle(access, pk)
    previous = (
        Order.objects.filter(
            user=request.user, cycle__group=access.group, cycle__distribution_date__lt=cycle.distribution_date
        )
        .order_by("-cycle__distribution_date")
        .first()
    )
    if previous is None:
        messages.info(request, _("You have no previous order in this group."))
        return redirect("order", slug=access.group.slug, pk=cycle.pk)
    wanted = dict(previous.lines.filter(requested__gt=0).values_list("offer__product_id", "requested"))
    offers = {o.product_id: o for o in cycle.offers.filter(product_id__in=wanted, withdrawn_at__isnull=True)}
    changes = [LineChange(offer.pk, wanted[product_id]) for product_id, offer in offers.items()]
    result = save_basket(cycle=cycle, member=request.user, changes=changes, by=request.user)
    if not result.ok:
        context = order_context(access, cycle, request.user, result=result)
        messages.error(request, _("Some products of your previous basket could not be copied: see below."))
        return render(request, "cycles/order.html", context)
    missing = len(wanted) - len(offers)
    messages.success(
        request,
        _(
            "Your previous basket has been copied (%(copied)s products, %(missing)s no longer on sale). "
            "Check it and save."
        )
        % {"copied": len(offers), "missing": missing},
    )
    return redirect("order", slug=access.group.slug, pk=cycle.pk)


@login_required
@require_GET
def order_history(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug, roles=HOUSEHOLD)
    orders = (
        Order.objects.filter(user=request.user, cycle__group=access.group, cycle__published_at__isnull=False)
        .select_related("cycle")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("offer__producer")))
        .order_by("-cycle__distribution_date")
    )
    history = [{"order": o, "summary": basket_summary(o)} for o in orders]
    return render(
        request, "cycles/history.html", {"access": access, "group": access.group, "history": history}
    )


@login_required
@require_GET
def cycle_orders(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Coordinators: every basket of a cycle, and a way to order for a member who has no internet."""
    access = require_manager(request, slug)
    cycle = get_object_or_404(Cycle, pk=pk, group=access.group)
    orders = (
        Order.objects.filter(cycle=cycle)
        .select_related("user")
        .annotate(
            total=Sum("lines__total_cents"), line_count=Count("lines", filter=Q(lines__requested__gt=0))
        )
        .order_by("user__full_name", "user__email")
    )
    query = request.GET.get("q", "").strip()[:100]
    members = Membership.objects.none()
    if query:
        members = (
            Membership.objects.current()
            .filter(group=access.group, is_member=True)
            .filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
            .select_related("user")
            .order_by("user__full_name")[:20]
        )
    context = {
        "access": access,
        "group": access.group,
        "cycle": cycle,
        "orders": orders,
        "query": query,
        "members": members,
    }
    return render(request, "cycles/manage/orders.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_on_behalf(request: AuthenticatedRequest, slug: str, pk: int, user_pk: int) -> HttpResponse:
    """A coordinator places or changes a member's order (phone or paper orders; adjustments after closing)."""
    access = require_manager(request, slug)
    cycle = get_object_or_404(Cycle.objects.select_related("group"), pk=pk, group=access.group)
    member = _household(access, user_pk)
    if request.method == "POST":
        return _post_basket(request, access, cycle, member=member)
    context = order_context(access, cycle, member)
    return render(request, "cycles/order.html", context)


@login_required
@require_GET
def producer_orders(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A producer sees what was ordered of their own products in a cycle, and by whom."""
    access = producer_access(request, slug)
    cycle = get_object_or_404(
        Cycle.objects.published().select_related("group"), pk=pk, producers=access.producer
    )
    offers = list(
        cycle.offers.filter(producer=access.producer)
        .annotate(total_quantity=Sum("lines__quantity"), total_cents=Sum("lines__total_cents"))
        .order_by("category", "name")
    )
    lines = (
        OrderLine.objects.filter(offer__cycle=cycle, offer__producer=access.producer, quantity__gt=0)
        .select_related("offer", "order__user")
        .order_by("order__user__full_name", "order__user__email", "offer__name")
    )
    context = {
        "access": access,
        "producer": access.producer,
        "cycle": cycle,
        "offers": offers,
        "lines": lines,
        "total": sum(o.total_cents or 0 for o in offers),
    }
    return render(request, "cycles/producer_orders.html", context)
