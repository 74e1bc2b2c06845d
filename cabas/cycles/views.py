"""Members' order pages, orders on a member's behalf, and producers' view of their orders."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.models import Membership, Role, User
from cabas.accounts.permissions import (
    AuthenticatedRequest,
    GroupAccess,
    group_access,
    require_manager,
)
from cabas.catalog.permissions import producer_access
from cabas.cycles.basket_form import BasketForm, read_basket, rows_sent
from cabas.cycles.baskets import baskets, baskets_of, total_due
from cabas.cycles.models import Cycle, Order, OrderLine, Phase
from cabas.cycles.order_page import Section, line_context, order_context
from cabas.cycles.ordering import BasketResult, LineChange, save_basket
from cabas.cycles.permissions import (
    get_cycle,
    get_household,
    get_offer,
    get_producer_cycle,
    get_published_cycle,
)
from cabas.cycles.proposal_forms import ChangeRequestForm
from cabas.cycles.proposal_views import live_rows, pending_requests
from cabas.cycles.proposals import REQUESTS_OPEN
from cabas.lib.inputs import clean_text, local_next, parse_digits
from cabas.lib.names import person_sort_key

# The sections whose page has the "My basket (n products)" link (a large cycle's).
SECTIONS_WITH_NAV = ("producer", "category", "search", "basket")


def _by_surname(user: User) -> tuple[str, str, str]:
    return person_sort_key(user.full_name, user.email)


# Orders are for households: a producer-only or treasurer-only account has no basket.
HOUSEHOLD = (Role.MEMBER,)


@login_required
@require_safe
def cycles(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug, roles=HOUSEHOLD)
    now = timezone.now()
    cycles_ = list(
        Cycle.objects.published()
        .filter(group=access.group)
        .annotate(my_lines=Count("orders__lines", filter=Q(orders__user=request.user)))
        .order_by("-distribution_date")[:24]
    )
    # A finalised cycle is still current until its day is closed: members look for it on the day.
    current = [
        c for c in cycles_ if c.phase(now) in {Phase.SCHEDULED, Phase.OPEN, Phase.CLOSED, Phase.FINALISED}
    ]
    past = [c for c in cycles_ if c not in current]
    past_days = [c for c in past if c.my_lines and c.phase(now) in {Phase.DISTRIBUTED, Phase.SETTLED}][:6]
    context = {
        "access": access,
        "group": access.group,
        "current": current,
        "past": past,
        "past_days": past_days,
    }
    return render(request, "cycles/cycles.html", context)


def _save(
    request: HttpRequest, cycle: Cycle, member: User, by: User, *, notify: bool, confirm: bool
) -> tuple[BasketForm, BasketResult]:
    # Only the rows the member changed (not the section's other rows, nor the cycle's thousands).
    offers = {offer.pk: offer for offer in cycle.offers.filter(pk__in=rows_sent(request.POST))}
    form = read_basket(request.POST, offers.values())
    if form.errors:
        return form, BasketResult()
    reason = clean_text(request.POST.get("reason"), 300)
    result = save_basket(
        cycle=cycle,
        member=member,
        changes=form.changes,
        by=by,
        reason=reason,
        notify=notify,
        confirm=confirm,
        offers=offers,
    )
    return form, result


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
    cycle = get_published_cycle(access, pk)
    if request.method == "POST":
        return _post_basket(request, access, cycle, member=request.user)
    context = order_context(access, cycle, request.user, section=Section.read(request.GET))
    return render(request, "cycles/order.html", context)


def _post_basket(
    request: AuthenticatedRequest, access: GroupAccess, cycle: Cycle, *, member: User
) -> HttpResponse:
    on_behalf = member.pk != request.user.pk
    # Only the main button confirms (and e-mails): without JavaScript the +/- and
    # "take" buttons also submit the whole form, and must not send an e-mail each.
    confirming = not on_behalf and "confirm" in request.POST
    form, result = _save(request, cycle, member, request.user, notify=on_behalf, confirm=confirming)
    section = Section.read(QueryDict(request.POST.get("section", "")[:200]))
    if form.errors or not result.ok:
        context = order_context(access, cycle, member, form=form, result=result, section=section)
        return render(request, "cycles/order.html", context, status=200)
    if result.unconfirmed:
        messages.error(request, result.unconfirmed)
    else:
        _saved_message(request, result, confirmed=confirming)
    if on_behalf:
        url = reverse("manage_order", args=[access.group.slug, cycle.pk, member.pk])
    else:
        url = reverse("order", args=[access.group.slug, cycle.pk])
    if "confirm" in request.POST:  # the main button: back to the top of the page
        return HttpResponseRedirect(url)
    # A +/- without JavaScript: back to the same section, at the same product.
    query = f"?{section.query}" if section.query else ""
    return HttpResponseRedirect(f"{url}{query}{_pressed_anchor(request)}")


def _pressed_anchor(request: HttpRequest) -> str:
    """``#offer-N`` for the +/- (or "take") button that sent the form, if any."""
    for key in request.POST:
        if key.startswith("take-") and (offer_pk := parse_digits(key.removeprefix("take-"))) is not None:
            return f"#offer-{offer_pk}"
    return ""


@login_required
@require_POST
def order_line(request: AuthenticatedRequest, slug: str, pk: int, offer_pk: int) -> HttpResponse:
    """One line changed with the +/- buttons (htmx): saves it and returns the row and the totals."""
    access = group_access(request, slug, roles=HOUSEHOLD)
    cycle = get_published_cycle(access, pk)
    offer = get_offer(cycle, offer_pk)
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
            offers={offer.pk: offer},
        )
    if not request.headers.get("HX-Request"):
        return HttpResponseRedirect(local_next(request, reverse("order", args=[access.group.slug, cycle.pk])))
    context = line_context(access, cycle, member, offer, form=form, result=result)
    # The page's "My basket (n products)" link, when it has one: a section of a large cycle (htmx
    # says which page it is on; a small cycle's page shows everything, without the link).
    current = urlsplit(request.headers.get("HX-Current-URL", "")).query
    context["nav"] = Section.read(QueryDict(current)).kind in SECTIONS_WITH_NAV
    return render(request, "cycles/order_line.html", context)


def _member_for_line(request: AuthenticatedRequest, access: GroupAccess) -> User:
    """The basket a line request changes: one's own, or (for a coordinator) the member named in the form."""
    member_pk = request.POST.get("member")
    if member_pk and member_pk != str(request.user.pk):
        require_manager(request, access.group.slug)
        user_pk = parse_digits(member_pk)
        if user_pk is None:
            raise Http404
        return get_household(access, user_pk)
    return request.user


@login_required
@require_POST
def order_copy_previous(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Start from the previous cycle's basket: same products, same quantities where still possible."""
    access = group_access(request, slug, roles=HOUSEHOLD)
    cycle = get_published_cycle(access, pk)
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
    if OrderLine.objects.filter(order__cycle=cycle, order__user=request.user, requested__gt=0).exists():
        # Copying into a basket that holds something would mix two baskets unasked.
        messages.error(
            request,
            _(
                "Your basket already holds products: nothing was copied. "
                "The copy is offered on an empty basket only."
            ),
        )
        return redirect("order", slug=access.group.slug, pk=cycle.pk)
    wanted = dict(previous.lines.filter(requested__gt=0).values_list("offer__product_id", "requested"))
    offers = {o.product_id: o for o in cycle.offers.filter(product_id__in=wanted, withdrawn_at__isnull=True)}
    changes = [LineChange(offer.pk, wanted[product_id]) for product_id, offer in offers.items()]
    result = save_basket(cycle=cycle, member=request.user, changes=changes, by=request.user)
    if not result.ok:
        context = order_context(access, cycle, request.user, result=result, section=Section("basket"))
        messages.error(
            request,
            _("Nothing was copied: some products of your previous basket cannot be taken now (see below)."),
        )
        return render(request, "cycles/order.html", context)
    missing = len(wanted) - len(offers)
    messages.success(
        request,
        _(
            "Your previous basket has been copied into this one and saved (%(copied)s products; "
            "%(missing)s no longer on sale). It is not confirmed yet: check it, then confirm it."
        )
        % {"copied": len(offers), "missing": missing},
    )
    return redirect(reverse("order", args=[access.group.slug, cycle.pk]) + "?view=basket")


@login_required
@require_safe
def order_history(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug, roles=HOUSEHOLD)
    orders = list(
        Order.objects.filter(user=request.user, cycle__group=access.group, cycle__published_at__isnull=False)
        .select_related("cycle", "user")
        .order_by("-cycle__distribution_date")
    )
    found = baskets_of(orders)
    history = [{"order": o, "summary": found[o.pk]} for o in orders]
    return render(
        request, "cycles/history.html", {"access": access, "group": access.group, "history": history}
    )


@login_required
@require_safe
def cycle_orders(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Coordinators: every basket of a cycle, and a way to order for a member who has no internet."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    found = (
        Order.objects.filter(cycle=cycle)
        .select_related("user")
        .annotate(line_count=Count("lines", filter=Q(lines__requested__gt=0)))
        .order_by()
    )
    orders = sorted(found, key=lambda order: _by_surname(order.user))
    due = {b.order_id: b.total_cents for b in baskets(cycle)}
    query = request.GET.get("q", "").strip()[:100]
    members: list[Membership] = []
    if query:
        matching = (
            Membership.objects.current()
            .filter(group=access.group, is_member=True)
            .filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
            .select_related("user")
            .order_by("user__full_name")[:20]
        )
        members = sorted(matching, key=lambda membership: _by_surname(membership.user))
    context = {
        "access": access,
        "group": access.group,
        "cycle": cycle,
        "orders": [(order, due.get(order.pk, 0)) for order in orders],
        "query": query,
        "members": members,
    }
    return render(request, "cycles/manage/orders.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_on_behalf(request: AuthenticatedRequest, slug: str, pk: int, user_pk: int) -> HttpResponse:
    """A coordinator places or changes a member's order (phone or paper orders; adjustments after closing)."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    member = get_household(access, user_pk)
    if request.method == "POST":
        return _post_basket(request, access, cycle, member=member)
    context = order_context(access, cycle, member, section=Section.read(request.GET))
    return render(request, "cycles/order.html", context)


@login_required
@require_safe
def producer_orders(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A producer sees what was ordered of their own products in a cycle, and by whom."""
    access = producer_access(request, slug)
    cycle = get_producer_cycle(access, pk)
    offers = list(
        cycle.offers.filter(producer=access.producer)
        .annotate(total_quantity=Sum("lines__quantity"), total_cents=Sum("lines__total_cents"))
        .order_by("category", "name")
    )
    found = (
        OrderLine.objects.filter(offer__cycle=cycle, offer__producer=access.producer, quantity__gt=0)
        .select_related("offer", "order__user")
        .order_by("offer__name")
    )
    lines = sorted(found, key=lambda line: _by_surname(line.order.user))  # stable: by product within
    context = {
        "access": access,
        "producer": access.producer,
        "cycle": cycle,
        "offers": offers,
        "rows": live_rows(offers),
        "pending": pending_requests(cycle.pk, access.producer),
        "can_request": cycle.phase() in REQUESTS_OPEN,
        "request_form": ChangeRequestForm(),
        "lines": lines,
        "total": total_due(baskets(cycle, producer=access.producer)),
        "day_started": cycle.day_started(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "cycles/producer_orders.html#live-totals", context)
    return render(request, "cycles/producer_orders.html", context)
