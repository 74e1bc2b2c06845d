"""Coordinators' carton page: every product sold by the carton, its rounding proposal, accept or change it.

Same rules as the other coordinator pages: a coordinator of the group (or the
site admin), the cycle and the product looked up inside that group, writes by
POST only, through ``cabas.cycles.cartons``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest, GroupAccess, require_manager
from cabas.cycles import cartons
from cabas.cycles.models import Cycle, Phase
from cabas.cycles.permissions import get_cycle, get_offer
from cabas.lib.inputs import clean_text, parse_digits
from cabas.lib.quantities import format_quantity, parse_quantity


@dataclass
class HandForm:
    """The coordinator's own quantities for one product, as typed (kept to show them back)."""

    offer_id: int | None = None
    typed: dict[int, str] = field(default_factory=dict)
    quantities: dict[int, int] = field(default_factory=dict)
    expected: dict[int, int] = field(default_factory=dict)
    reason: str = ""
    error: str = ""


def _page(
    request: AuthenticatedRequest, access: GroupAccess, cycle: Cycle, hand: HandForm | None = None
) -> HttpResponse:
    # Read only: the fair shares are split by the clock at the deadline (or by the
    # close step); until then, accepting a proposal splits them first and refuses
    # if the proposal it sees is no longer the one shown.
    phase = cycle.phase()
    hand = hand or HandForm()
    rows = []
    refused = None  # a refused hand change, announced at the top: its product may be far down the page
    for status in cartons.carton_statuses(cycle):
        mine = hand.offer_id == status.offer.pk
        if mine and hand.error:
            refused = status.offer
        lines = [
            {
                "line": line,
                "value": hand.typed.get(line.pk, "") if mine else format_quantity(line.quantity),
            }
            for line in status.lines
        ]
        rows.append({"status": status, "lines": lines, "hand": hand if mine else None})
    context = {
        "access": access,
        "group": access.group,
        "cycle": cycle,
        "phase": phase,
        "can_round": phase == Phase.CLOSED,
        "rows": rows,
        "refused": refused,
    }
    return render(request, "cycles/manage/cartons.html", context)


@login_required
@require_safe
def cartons_page(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Per product sold by the carton: ordered, full cartons, missing or surplus, the rounding proposed."""
    access = require_manager(request, slug)
    return _page(request, access, get_cycle(access, pk))


@login_required
@require_POST
def carton_accept(request: AuthenticatedRequest, slug: str, pk: int, offer_pk: int) -> HttpResponse:
    """Accept the proposal for one product, or (``action=hand``) apply the coordinator's own quantities."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    offer = get_offer(cycle, offer_pk)
    hand = _read_hand(request.POST, offer.pk) if request.POST.get("action") == "hand" else None
    if hand is not None and hand.error:
        return _page(request, access, cycle, hand)
    try:
        if hand is not None:
            changed = cartons.set_quantities(
                offer=offer,
                by=request.user,
                quantities=hand.quantities,
                expected=hand.expected,
                reason=hand.reason,
            )
        else:
            expected = _numbers(request.POST, "p-")
            changed = cartons.accept_proposal(offer=offer, by=request.user, expected=expected)
    except cartons.CartonError as error:
        if hand is not None:
            hand.error = str(error)
            return _page(request, access, cycle, hand)
        messages.error(request, f"{offer.name}: {error}")
    else:
        _done_message(request, offer.name, changed)
    url = reverse("manage_cycle_cartons", kwargs={"slug": access.group.slug, "pk": cycle.pk})
    return redirect(f"{url}#carton-{offer.pk}")


def _done_message(request: AuthenticatedRequest, name: str, changed: int) -> None:
    if not changed:
        messages.info(request, _("%(name)s: nothing to change.") % {"name": name})
        return
    messages.success(
        request,
        ngettext(
            "%(name)s: %(count)s order changed; the member is told.",
            "%(name)s: %(count)s orders changed; each member is told.",
            changed,
        )
        % {"name": name, "count": changed},
    )


def _fields(data: QueryDict, prefix: str) -> dict[int, str]:
    """The values of the ``<prefix><line id>`` fields, by line id; other fields are ignored."""
    fields = {}
    for key in data:
        line_id = parse_digits(key.removeprefix(prefix)) if key.startswith(prefix) else None
        if line_id is not None:
            fields[line_id] = str(data.get(key, "")).strip()
    return fields


def _numbers(data: QueryDict, prefix: str) -> dict[int, int]:
    """``<prefix><line id>`` fields holding integers (thousandths), as the page wrote them."""
    numbers = {key: parse_digits(value) for key, value in _fields(data, prefix).items()}
    return {key: number for key, number in numbers.items() if number is not None}


def _read_hand(data: QueryDict, offer_id: int) -> HandForm:
    """The quantities typed per line (``n-<line id>``: ``0,5``, ``2``) and what the page showed (``e-``)."""
    reason = clean_text(data.get("reason"), 300)
    hand = HandForm(offer_id=offer_id, expected=_numbers(data, "e-"), reason=reason)
    for line_id, text in _fields(data, "n-").items():
        hand.typed[line_id] = text
        try:
            hand.quantities[line_id] = parse_quantity(text) if text else 0
        except ValueError:
            hand.error = _("Enter each quantity as a number, e.g. 0,5 or 2.")
    return hand


@login_required
@require_http_methods(["GET", "POST"])
def cartons_accept_all(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Every proposal at once: GET shows what it will change, the POST of that page applies it."""
    access = require_manager(request, slug)
    cycle = get_cycle(access, pk)
    page = reverse("manage_cycle_cartons", kwargs={"slug": access.group.slug, "pk": cycle.pk})
    if request.method == "POST":
        try:
            changed = cartons.accept_all(cycle=cycle, by=request.user, expected=_numbers(request.POST, "p-"))
        except cartons.CartonError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        _all_done_message(request, changed)
        return redirect(page)
    context = {
        "access": access,
        "group": access.group,
        "cycle": cycle,
        "can_round": cycle.phase() == Phase.CLOSED,
        "proposals": cartons.all_proposals(cycle),
    }
    return render(request, "cycles/manage/cartons_accept_all.html", context)


def _all_done_message(request: AuthenticatedRequest, changed: dict[int, int]) -> None:
    if not changed:
        messages.info(request, _("No proposal to accept: nothing was changed."))
        return
    lines = sum(changed.values())
    messages.success(
        request,
        ngettext(
            "Proposals accepted for %(products)s product: %(count)s order line changed; each member is told.",
            "Proposals accepted for %(products)s products: %(count)s order lines changed; "
            "each member is told.",
            len(changed),
        )
        % {"products": len(changed), "count": lines},
    )
