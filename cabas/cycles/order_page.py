"""The member's order page, as rows: what it shows of each offer and of each producer's part.

Reads only: the page is a GET (the fair shares are split by the clock at the
deadline, or by the first write after it, never by a page being shown).

A large cycle (the federation's catalogues run to thousands of offers) is not
sent whole: the page opens on the member's basket and a list of producers and
categories, and shows one *section* at a time (a producer, a category, a
search, or the basket itself). A small cycle shows everything at once. Only
the offers of the section shown are read and rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.accounts.permissions import GroupAccess
from cabas.catalog.models import Category
from cabas.cycles.basket_form import BasketForm
from cabas.cycles.baskets import Basket, basket, fold, producer_sort_key, totals_of_lines
from cabas.cycles.contribution import promised_cents
from cabas.cycles.models import ChangeKind, Cycle, Offer, Order, OrderChange, OrderLine
from cabas.cycles.ordering import BasketResult
from cabas.cycles.proposals import notes_of
from cabas.lib.money import format_amount, format_cents
from cabas.lib.quantities import format_quantity

# Up to this many offers, the page shows the whole cycle at once (no sections).
WHOLE_CYCLE_UP_TO = 60
# A search shows at most this many offers (the member refines it beyond).
SEARCH_LIMIT = 80


@dataclass(frozen=True)
class Section:
    """Which offers the page shows: ``kind`` is all, hub (none: the basket and the lists),
    producer, category, search or basket; ``value`` the producer id, category or words."""

    kind: str = "hub"
    value: str = ""

    @classmethod
    def read(cls, params: QueryDict | dict[str, str]) -> Section:
        """From the page's query string (or the hidden field the form carries it in)."""
        if producer := str(params.get("producer", "")).strip():
            return cls("producer", producer) if producer.isdigit() and producer.isascii() else cls()
        if (category := params.get("category", "")) in Category.values:
            return cls("category", str(category))
        if words := " ".join(str(params.get("q", "")).split())[:80]:
            return cls("search", words)
        if params.get("view") == "basket":
            return cls("basket")
        if params.get("view") == "all":
            return cls("all")
        return cls()

    @property
    def query(self) -> str:
        """The query string that shows this section again (empty for the default)."""
        keys = {"producer": "producer", "category": "category", "search": "q"}
        if self.kind in keys:
            return urlencode({keys[self.kind]: self.value})
        if self.kind == "all" and self.value == "small":
            return ""  # a small cycle shows everything by default
        return urlencode({"view": self.kind}) if self.kind in ("basket", "all") else ""


def _search(offers: QuerySet[Offer], words: str) -> list[int]:
    """The ids of the offers whose name, producer or category holds every word: one query."""
    wanted = fold(words).split()
    labels = dict(Category.choices)
    found = []
    for pk, name, producer, category in offers.values_list("pk", "name", "producer__name", "category"):
        text = fold(f"{name} {producer} {labels.get(category, '')}")
        if all(word in text for word in wanted):
            found.append(pk)
    return found[: SEARCH_LIMIT + 1]


class Row(TypedDict):
    """One offer on the page: the stored line, what the box shows, and what went wrong."""

    offer: Offer
    line: OrderLine | None
    requested: int
    value: str
    minus: str
    plus: str
    error: str
    quota_left: int | None
    stale: int | None
    to_fill: int
    tolerance: str
    carton_change: OrderChange | None
    more: bool  # "+" can take more (not sold out, not at the member's cap)
    pk: str  # the offer's id as text (ids in the page, never localised)
    price: str
    filter: str  # the words the live filter looks for


def _lines(order: Order | None) -> dict[int, OrderLine]:
    return {line.offer_id: line for line in order.lines.all()} if order else {}


def _group_totals(cycle: Cycle, offers: list[Offer]) -> dict[int, int]:
    """What the whole group has asked for, per offer shown with a carton (for carton progress): one query."""
    cartons = [offer.pk for offer in offers if offer.carton_size]
    if not cartons:
        return {}
    rows = (
        OrderLine.objects.filter(offer__cycle=cycle, offer__in=cartons)
        .values("offer")
        .annotate(total=Sum("requested"))
        .order_by()
    )
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
        .select_related("user")
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


def _price(offer: Offer) -> str:
    price = format_cents(offer.price_cents)
    return _("%(price)s/kg") % {"price": price} if offer.variable_weight else price


def _can_take_more(offer: Offer, requested: int) -> bool:
    """Whether "+" may be offered: said before the member tries, not after."""
    if offer.quota is not None and not offer.is_fair_share and (offer.remaining or 0) <= 0:
        return False
    return offer.room_under_cap(requested, offer.quantity_step) > 0


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
) -> list[Row]:
    """One row per offer: the stored line, what to show in the box, and what went wrong."""
    failed = bool(form.errors) or not result.ok
    rows: list[Row] = []
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
                "more": _can_take_more(offer, requested),
                "pk": str(offer.pk),
                "price": _price(offer),
                "filter": f"{offer.name} {offer.get_category_display()} {offer.producer.name}".lower(),
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
    section: Section | None = None,
) -> dict[str, Any]:
    """Everything the order page shows; a constant number of queries whatever the size of the cycle.

    ``section`` says which offers to show (see ``Section``); after a refused
    save, the offers in trouble are shown too, whatever the section.
    ``preview`` shows the page as any member would see it with an empty basket, read-only.
    """
    order = _member_order(cycle, member, preview)
    lines = _lines(order)
    form, result = form or BasketForm(), result or BasketResult()
    editable = not preview and _editable(access, cycle, member)
    section = section or Section()
    directory = _directory(cycle, lines) if editable or preview else None
    if directory is None:
        # A basket that can no longer change shows what it holds (or held), not the whole catalogue.
        section = Section("basket")
    elif section.kind == "hub" and directory["count"] <= WHOLE_CYCLE_UP_TO:
        section = Section("all", "small")
    offers, more_found = _section_offers(cycle, section, lines, _trouble_ids(form, result))
    changes = _carton_changes(order) if offers else {}
    rows = _rows(offers, lines, _group_totals(cycle, offers), form, result, changes)
    mine = basket(order) if order else None
    producers: dict[int, dict[str, Any]] = {}
    notes = notes_of(cycle) if rows else {}
    for row in rows:
        producer = row["offer"].producer
        part = producers.setdefault(
            producer.pk,
            {
                "producer": producer,
                "rows": [],
                "total": _due(mine, producer.pk),
                "note": notes.get(producer.pk),
            },
        )
        part["rows"].append(row)
    return {
        "access": access,
        "group": access.group,
        "cycle": cycle,
        "member": member,
        "order": order,
        "producers": sorted(producers.values(), key=lambda part: producer_sort_key(part["producer"])),
        "summary": mine,
        "total": mine.total_cents if mine else 0,
        "form": form,
        "result": result,
        "trouble": _trouble(rows, form, result),
        "phase": cycle.phase(),
        "on_behalf": access.membership is None or access.membership.user_id != member.pk,
        "editable": editable,
        "preview": preview,
        "section": section,
        "directory": directory,
        "more_found": more_found,
        "search_limit": SEARCH_LIMIT,
        "line_base": line_base(access.group.slug, cycle.pk),
        "filter": section.kind == "all",  # the live filter of a page showing everything (JavaScript)
        # Producers' headings sit under the section's own title (a category, a search, the basket).
        "sub_heading": section.kind in ("category", "search")
        or (section.kind == "basket" and directory is not None),
        **_promise(access, cycle, order, mine, preview),
    }


def _promise(
    access: GroupAccess, cycle: Cycle, order: Order | None, mine: Basket | None, preview: bool
) -> dict[str, Any]:
    """The household's contribution to the solidarity fund and the choices to change it: no query."""
    own = access.membership is not None and order is not None and access.membership.user_id == order.user_id
    total = mine.total_cents if mine else 0
    current = "none"
    if order is not None and order.fund_amount_cents:
        current = "amount"
    elif order is not None and order.fund_percent:
        current = f"p{order.fund_percent}"
    return {
        "contribution_cents": mine.contribution_cents if mine else 0,
        "can_promise": own and not preview and cycle.settled_at is None and total > 0,
        "promise_choice": current,
        "promise_amount": format_amount(order.fund_amount_cents) if order and order.fund_amount_cents else "",
        "fund_choices": [
            {
                "value": f"p{percent}",
                "percent": percent,
                "cents": promised_cents(total, percent=percent, amount_cents=0),
            }
            for percent in access.group.suggested_fund_percents
        ],
    }


def _directory(cycle: Cycle, lines: dict[int, OrderLine]) -> dict[str, Any]:
    """The producers and categories of the cycle, with how many offers each: one query."""
    counts = (
        cycle.offers.values("producer_id", "producer__name", "category").annotate(n=Count("pk")).order_by()
    )
    producers: dict[int, dict[str, Any]] = {}
    categories: dict[str, int] = {}
    for row in counts:
        entry = producers.setdefault(
            row["producer_id"], {"pk": row["producer_id"], "name": row["producer__name"], "count": 0}
        )
        entry["count"] += row["n"]
        categories[row["category"]] = categories.get(row["category"], 0) + row["n"]
    in_basket: dict[int, int] = {}
    for line in lines.values():
        if line.requested:
            in_basket[line.offer.producer_id] = in_basket.get(line.offer.producer_id, 0) + 1
    for pk, entry in producers.items():
        entry["in_basket"] = in_basket.get(pk, 0)
    labels = dict(Category.choices)
    return {
        "count": sum(categories.values()),
        "producers": sorted(producers.values(), key=lambda entry: (fold(entry["name"]), entry["pk"])),
        "categories": [
            {"value": value, "label": labels[value], "count": categories[value]}
            for value in Category.values
            if value in categories
        ],
        "in_basket": sum(1 for line in lines.values() if line.requested),
    }


def _section_offers(
    cycle: Cycle, section: Section, lines: dict[int, OrderLine], keep: set[int]
) -> tuple[list[Offer], bool]:
    """The offers of ``section`` (and those in ``keep``), and whether a search found more than it shows."""
    offers = cycle.offers.select_related("producer")
    more_found = False
    if section.kind == "all":
        chosen = offers
    elif section.kind == "producer":
        chosen = offers.filter(producer_id=int(section.value))
    elif section.kind == "category":
        chosen = offers.filter(category=section.value)
    elif section.kind == "search":
        found = _search(offers, section.value)
        more_found = len(found) > SEARCH_LIMIT
        chosen = offers.filter(pk__in=found[:SEARCH_LIMIT])
    elif section.kind == "basket":
        chosen = offers.filter(pk__in=[pk for pk, line in lines.items() if line.requested or line.quantity])
    else:
        chosen = offers.none()
    if keep:
        chosen = chosen | offers.filter(pk__in=keep)
    return list(chosen.order_by("producer__name", "category", "name")), more_found


def _trouble_ids(form: BasketForm, result: BasketResult) -> set[int]:
    return set(form.errors) | set(result.errors) | set(result.quota_left) | set(result.stale)


def _trouble(rows: list[Row], form: BasketForm, result: BasketResult) -> list[Row]:
    """The rows a refused save stopped at, to list at the top of the page with links to them."""
    ids = _trouble_ids(form, result)
    return [row for row in rows if row["offer"].pk in ids]


def line_context(
    access: GroupAccess, cycle: Cycle, member: User, offer: Offer, *, form: BasketForm, result: BasketResult
) -> dict[str, Any]:
    """What a +/- answer shows: the offer's row, its producer's total, the basket's total and count.

    After a write, the lines come from the write itself (``result.lines``) and
    the offer as the transaction read it: the basket is not read again. Only a
    quota is read again, as it stands now (other members take from it too).
    Otherwise (nothing written) the member's lines are read: two queries. A
    carton offer adds two (the group's total, the latest rounding).
    """
    order: Order | None = result.order
    if result.lines is not None:
        lines = result.lines
    else:
        order = _member_order(cycle, member)
        lines = _lines(order)
    offer = _offer_now(offer, result)
    changes = _carton_changes(order, offer=offer) if offer.carton_size else {}
    (row,) = _rows([offer], lines, _group_totals(cycle, [offer]), form, result, changes)
    totals = totals_of_lines(lines.values())
    contribution = (
        promised_cents(totals.total_cents, percent=order.fund_percent, amount_cents=order.fund_amount_cents)
        if order is not None
        else 0
    )
    return {
        "group": access.group,
        "cycle": cycle,
        "member": member,
        "row": row,
        "producer_total": totals.due_to(offer.producer_id),
        "total": totals.total_cents,
        "is_estimate": totals.is_estimate,
        "in_basket": sum(1 for line in lines.values() if line.requested),
        "contribution_cents": contribution,
        "to_pay": totals.total_cents + contribution,
        "editable": _editable(access, cycle, member),
        "preview": False,
        "line_base": line_base(access.group.slug, cycle.pk),
    }


def _offer_now(offer: Offer, result: BasketResult) -> Offer:
    """``offer`` as the write read it (its producer kept), with its quota's remaining as it is now."""
    fresh = result.offers.get(offer.pk)
    if fresh is not None and fresh is not offer:
        fresh.producer = offer.producer  # an offer never changes producer; spares reading it
        offer = fresh
    if offer.quota is not None:
        offer.remaining = Offer.objects.values_list("remaining", flat=True).get(pk=offer.pk)
    return offer


def line_base(slug: str, cycle_pk: int) -> str:
    """The +/- address of an offer without its id (the row adds it): one reverse per page."""
    return reverse("order_line", args=[slug, cycle_pk, 0]).removesuffix("0/")


def _due(mine: Basket | None, producer_id: int) -> int:
    """What the basket owes ``producer_id`` (0 with no basket yet)."""
    return mine.due_to(producer_id) if mine else 0


def _editable(access: GroupAccess, cycle: Cycle, member: User) -> bool:
    own = access.membership is not None and access.membership.user_id == member.pk
    if own and cycle.is_open():
        return True
    return access.can_manage and cycle.accepts_adjustments() and cycle.published_at is not None
