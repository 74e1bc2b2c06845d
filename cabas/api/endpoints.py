"""The API's operations: each reads the request, asks the same permission helper as the page
that shows the same thing, and calls the one function that computes (``baskets``) or writes
(``ordering.save_basket``) it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from cabas.accounts.models import Role
from cabas.accounts.permissions import group_access, require_manager
from cabas.api import schemas as s
from cabas.api.auth import require_basket_scope, token_of
from cabas.catalog.models import Producer, Product
from cabas.catalog.permissions import producer_access
from cabas.cycles.baskets import Basket, ProducerPart, baskets, baskets_of
from cabas.cycles.models import Cycle, Offer, Order
from cabas.cycles.ordering import LineChange, save_basket
from cabas.cycles.permissions import get_cycle, get_offer, get_producer_cycle, get_published_cycle

PAGE_SIZE = 50
HOUSEHOLD = (Role.MEMBER,)  # as the order pages: a producer-only account has no basket

public = Router(tags=["Public"], auth=None)
member = Router(tags=["Member"])
producer = Router(tags=["Producer"])
coordinator = Router(tags=["Coordinator"])

PageNumber = Query(1, ge=1, le=100_000, description="Page number, from 1.")


def _page[T](items: QuerySet[Any] | Sequence[T], page: int) -> dict[str, Any]:
    """One page of ``items`` (a queryset is counted, then sliced: two queries)."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    start = (page - 1) * PAGE_SIZE
    return {
        "count": count,
        "page": page,
        "pages": max(1, -(-count // PAGE_SIZE)),
        "items": list(items[start : start + PAGE_SIZE]),
    }


# --- Conversions --------------------------------------------------------------------------------


def _cycle(cycle: Cycle, now: Any = None) -> dict[str, Any]:
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "phase": cycle.phase(now).value,
        "opens_at": cycle.opens_at,
        "closes_at": cycle.closes_at,
        "distribution_date": cycle.distribution_date,
        "distribution_start": cycle.distribution_start,
        "distribution_end": cycle.distribution_end,
        "distribution_place": cycle.distribution_place,
        "group": cycle.group.slug,
    }


def _parts(parts: Iterable[ProducerPart]) -> list[dict[str, Any]]:
    return [
        {
            "producer_id": part.producer.pk,
            "producer": part.producer.name,
            "total_cents": part.total_cents,
            "items": [
                {
                    "offer_id": item.offer_id,
                    "name": item.name,
                    "unit_label": item.unit_label,
                    "quantity": item.quantity,
                    "requested": item.requested,
                    "price_cents": item.price_cents,
                    "total_cents": item.total_cents,
                    "variable_weight": item.variable_weight,
                }
                for item in part.items
            ],
        }
        for part in parts
    ]


def _basket(basket: Basket | None, cycle: Cycle) -> dict[str, Any]:
    return {
        "order_id": basket.order_id if basket else None,
        "cycle": _cycle(cycle),
        "total_cents": basket.total_cents if basket else 0,
        "is_estimate": basket.is_estimate if basket else False,
        "parts": _parts(basket.parts) if basket else [],
    }


def _member_basket(basket: Basket) -> dict[str, Any]:
    return {
        "order_id": basket.order_id,
        "member_id": basket.member.pk,
        "member": basket.member.name,
        "total_cents": basket.total_cents,
        "parts": _parts(basket.parts),
    }


def _product(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "name": product.name,
        "producer": product.producer.name,
        "producer_slug": product.producer.slug,
        "category": product.category,
        "unit_label": product.unit_label(),
        "price_cents": product.price_cents,
        "quantity_step": product.quantity_step,
        "min_quantity": product.min_quantity,
        "labels": product.labels,
        "description": product.description,
    }


def _offer(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "name": offer.name,
        "producer_id": offer.producer_id,
        "producer": offer.producer.name,
        "category": offer.category,
        "unit_label": offer.unit_label,
        "price_cents": offer.price_cents,
        "quantity_step": offer.quantity_step,
        "min_quantity": offer.min_quantity,
        "member_cap": offer.member_cap,
        "remaining": offer.remaining,
        "variable_weight": offer.variable_weight,
        "available": offer.is_available,
    }


def _convert(page: dict[str, Any], convert: Any) -> dict[str, Any]:
    return {**page, "items": [convert(item) for item in page["items"]]}


# --- Public: what a group's public pages show ---------------------------------------------------


@public.get("/groups/{slug}/catalogue", response=s.Page[s.ProductOut], url_name="api_catalogue")
def catalogue(request: HttpRequest, slug: str, page: int = PageNumber) -> dict[str, Any]:
    """Every product on sale in the group, as its public catalogue page lists them."""
    access = group_access(request, slug)
    products = (
        Product.objects.on_sale_in(access.group)
        .select_related("producer")
        .order_by("producer__name", "category", "name", "pk")
    )
    return _convert(_page(products, page), _product)


@public.get("/groups/{slug}/cycles", response=s.Page[s.GroupCycleOut], url_name="api_cycles")
def cycles(request: HttpRequest, slug: str, page: int = PageNumber) -> dict[str, Any]:
    """The group's next distributions, as its public page announces them (published, not yet done)."""
    access = group_access(request, slug)
    upcoming = Cycle.objects.upcoming(timezone.localdate()).filter(group=access.group).select_related("group")
    return _convert(_page(upcoming, page), _cycle)


# --- A member's own baskets ---------------------------------------------------------------------


@member.get("/me/baskets", response=s.Page[s.BasketOut], url_name="api_my_baskets")
def my_baskets(request: HttpRequest, page: int = PageNumber) -> dict[str, Any]:
    """The token's person's baskets in every group, latest distribution first, with their amounts."""
    orders = (
        Order.objects.for_member(token_of(request).user)
        .filter(cycle__published_at__isnull=False)
        .select_related("cycle__group", "user")
        .order_by("-cycle__distribution_date", "-pk")
    )
    result = _page(orders, page)
    found = baskets_of(result["items"])
    return {**result, "items": [_basket(found[order.pk], order.cycle) for order in result["items"]]}


@member.get(
    "/groups/{slug}/cycles/{cycle_id}/offers", response=s.Page[s.OfferOut], url_name="api_cycle_offers"
)
def cycle_offers(request: HttpRequest, slug: str, cycle_id: int, page: int = PageNumber) -> dict[str, Any]:
    """What is on sale in a cycle of the person's group (the ids a basket line names)."""
    access = group_access(request, slug, roles=HOUSEHOLD)
    cycle = get_published_cycle(access, cycle_id)
    offers = cycle.offers.select_related("producer").order_by("producer__name", "category", "name", "pk")
    return _convert(_page(offers, page), _offer)


def _own_basket(request: HttpRequest, cycle: Cycle) -> dict[str, Any]:
    order = Order.objects.filter(cycle=cycle, user=token_of(request).user).select_related("user").first()
    return _basket(baskets_of([order])[order.pk] if order else None, cycle)


@member.get("/groups/{slug}/cycles/{cycle_id}/basket", response=s.BasketOut, url_name="api_basket")
def basket(request: HttpRequest, slug: str, cycle_id: int) -> dict[str, Any]:
    """The person's basket in a cycle of their group (empty if they ordered nothing)."""
    access = group_access(request, slug, roles=HOUSEHOLD)
    return _own_basket(request, get_published_cycle(access, cycle_id))


@member.put(
    "/groups/{slug}/cycles/{cycle_id}/basket/lines/{offer_id}",
    response={200: s.BasketOut, 409: s.Conflict, 422: s.Error},
    url_name="api_basket_line",
)
def basket_line(
    request: HttpRequest, slug: str, cycle_id: int, offer_id: int, line: s.LineIn
) -> Status[dict[str, Any]]:
    """Set the quantity of one offer in the person's basket (a token with basket access only).

    The same rules as the order page, through the same write path: the cycle
    must be open, quantities step and cap as the offer says, a first-come quota
    is taken at once. If the quota cannot give that much, or the line changed
    since ``expected`` was read, nothing is written and the answer is 409 with
    what is available (or stored).
    """
    person = require_basket_scope(request).user
    access = group_access(request, slug, roles=HOUSEHOLD)
    cycle = get_published_cycle(access, cycle_id)
    offer = get_offer(cycle, offer_id)
    change = LineChange(offer.pk, line.quantity, expected=line.expected)
    result = save_basket(cycle=cycle, member=person, changes=[change], by=person)
    if result.refused:
        return Status(409, {"detail": result.refused, "offer_id": offer.pk})
    if message := result.errors.get(offer.pk):
        return Status(422, {"detail": message})
    if offer.pk in result.quota_left:
        detail = _("Not enough left: nothing was changed.")
        return Status(409, {"detail": detail, "offer_id": offer.pk, "available": result.quota_left[offer.pk]})
    if offer.pk in result.stale:
        detail = _("This line was changed meanwhile: nothing was changed.")
        return Status(409, {"detail": detail, "offer_id": offer.pk, "stored": result.stale[offer.pk]})
    return Status(200, _own_basket(request, cycle))


# --- A producer's orders ------------------------------------------------------------------------


@producer.get("/producers/{slug}/cycles", response=s.Page[s.GroupCycleOut], url_name="api_producer_cycles")
def producer_cycles(request: HttpRequest, slug: str, page: int = PageNumber) -> dict[str, Any]:
    """The published cycles the producer takes part in that the person may see, latest first."""
    access = producer_access(request, slug)  # type: ignore[arg-type]
    taking_part = Producer.objects.filter(pk=access.producer.pk)
    found = (
        Cycle.objects.published()
        .seen_through(access)
        .filter(Q(producers__in=taking_part) | Q(offers__producer__in=taking_part))
        .distinct()
        .select_related("group")
        .order_by("-distribution_date", "-pk")
    )
    return _convert(_page(found, page), _cycle)


@producer.get(
    "/producers/{slug}/cycles/{cycle_id}/orders",
    response=s.Page[s.MemberBasketOut],
    url_name="api_producer_orders",
)
def producer_orders(request: HttpRequest, slug: str, cycle_id: int, page: int = PageNumber) -> dict[str, Any]:
    """Each household's part for this producer in a cycle, as its distribution list shows it."""
    access = producer_access(request, slug)  # type: ignore[arg-type]
    cycle = get_producer_cycle(access, cycle_id)
    return _convert(_page(baskets(cycle, producer=access.producer), page), _member_basket)


# --- A coordinator's group ----------------------------------------------------------------------


@coordinator.get("/groups/{slug}/manage/cycles", response=s.Page[s.CycleOut], url_name="api_manage_cycles")
def manage_cycles(request: HttpRequest, slug: str, page: int = PageNumber) -> dict[str, Any]:
    """Every cycle of the group, drafts included, latest first."""
    access = require_manager(request, slug)
    found = (
        Cycle.objects.filter(group=access.group).select_related("group").order_by("-distribution_date", "-pk")
    )
    return _convert(_page(found, page), _cycle)


@coordinator.get(
    "/groups/{slug}/manage/cycles/{cycle_id}/orders",
    response=s.Page[s.MemberBasketOut],
    url_name="api_manage_orders",
)
def manage_orders(request: HttpRequest, slug: str, cycle_id: int, page: int = PageNumber) -> dict[str, Any]:
    """Every basket of a cycle of the group, by member name, with what each owes each producer."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, cycle_id)
    return _convert(_page(baskets(cycle), page), _member_basket)
