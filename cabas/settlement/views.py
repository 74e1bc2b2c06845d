"""The treasury: the group's cycles and their money, each cycle's settlement board and its actions.

Only the group's treasurers (and the site admin) come here. The board is a
GET; every action is a POST form that goes through one function of
``services`` and comes back to the board: with a message on success, or with
the form, what was typed and why it was refused (nothing written).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Select
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.models import User
from cabas.accounts.permissions import AuthenticatedRequest
from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle, Phase
from cabas.ledger.models import Account, Entry, Method
from cabas.ledger.positions import group_positions
from cabas.ledger.services import LedgerError
from cabas.lib.french import elide
from cabas.lib.inputs import parse_digits
from cabas.lib.money import format_cents
from cabas.settlement import services
from cabas.settlement.board import STAND_METHODS, Board, HouseholdRow, load_board, remind_every_days
from cabas.settlement.forms import (
    CorrectForm,
    DepositForm,
    ProducerPaymentForm,
    RefundForm,
    TokenForm,
    TransferForm,
    WriteoffForm,
)
from cabas.settlement.permissions import TreasuryAccess, get_entry, treasurer_access, treasury_cycle

FORMS: dict[str, type[TokenForm]] = {
    "transfer": TransferForm,
    "deposit": DepositForm,
    "producer_payment": ProducerPaymentForm,
    "writeoff": WriteoffForm,
    "refund": RefundForm,
}
TREASURY_PHASES = (Phase.FINALISED, Phase.DISTRIBUTED, Phase.SETTLED)


@login_required
@require_safe
@never_cache
def treasury(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The group's cycles from their distribution day on, with what is still owed on each."""
    access = treasurer_access(request, slug)
    cycles = [
        cycle
        for cycle in Cycle.objects.published()
        .filter(group=access.group)
        .order_by("-distribution_date", "-pk")
        if cycle.phase() in TREASURY_PHASES
    ]
    money = group_positions(access.group, cycles)
    rows = [(cycle, money.get(cycle.pk)) for cycle in cycles]
    return render(request, "settlement/treasury.html", {"group": access.group, "rows": rows})


@login_required
@require_safe
@never_cache
def board(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    treasury = treasury_cycle(request, slug, pk)
    return _board(request, treasury)


def _board(
    request: AuthenticatedRequest, treasury: TreasuryAccess, bound: dict[str, TokenForm] | None = None
) -> HttpResponse:
    data = load_board(treasury.cycle)
    initial = _initial(data, request.GET)
    forms = {
        name: (bound or {}).get(name)
        or form_class(initial={**initial.get(name, {}), "token": services.new_key()}, prefix=name)
        for name, form_class in FORMS.items()
    }
    _choices(forms, data)
    context: dict[str, Any] = {
        "group": treasury.access.group,
        "cycle": treasury.cycle,
        "board": data,
        "forms": forms,
        "refused": next(iter(bound or {}), ""),
        "methods": [Method(method).label for method in STAND_METHODS],
        "writeoff_limit_cents": services.WRITEOFF_CONFIRM_ABOVE_CENTS,
        "remind_every": remind_every_days(),
    }
    return render(request, "settlement/board.html", context)


def _choices(forms: dict[str, TokenForm], data: Board) -> None:
    """The households and producers each form offers, as lists to pick from."""

    def household(row: HouseholdRow) -> tuple[int, str]:
        number = f"{row.number} · " if row.number else ""
        return (
            row.household.pk,
            f"{number}{row.household.display_name} ({format_cents(row.position.owed_cents)})",
        )

    everyone = [household(row) for row in data.households]
    offered = {
        ("transfer", "household"): everyone,
        ("writeoff", "household"): [household(row) for row in data.owing] or everyone,
        ("refund", "household"): [household(row) for row in data.in_credit] or everyone,
        ("producer_payment", "producer"): [(row.producer.pk, row.producer.name) for row in data.producers],
        ("writeoff", "producer"): [(row.producer.pk, row.producer.name) for row in data.producers],
    }
    for (name, field), options in offered.items():
        empty = _("(all of what the household owes)") if (name, field) == ("writeoff", "producer") else "—"
        forms[name].fields[field].widget = Select(choices=[("", empty), *options])


def _initial(data: Board, query: QueryDict) -> dict[str, dict[str, Any]]:
    """What the forms start with: the amounts the board suggests, for the household or producer
    chosen from a row (``?household=``, ``?producer=``)."""
    initial: dict[str, dict[str, Any]] = {"deposit": {"amount": data.cheques_to_deposit_cents or None}}
    household = parse_digits(query.get("household", ""))
    producer = parse_digits(query.get("producer", ""))
    row = next((row for row in data.households if row.household.pk == household), None)
    if row is not None:
        owed = row.position.owed_cents
        initial["transfer"] = {"household": row.household.pk, "amount": owed if owed > 0 else None}
        initial["refund"] = {"household": row.household.pk, "amount": -owed if owed < 0 else None}
        part = row.position.parts.get(producer) if producer else None
        writeoff = part.owed_cents if part else owed
        initial["writeoff"] = {
            "household": row.household.pk,
            "producer": producer if part else None,
            "amount": writeoff if writeoff > 0 else None,
        }
    position = data.money.producers.get(producer or 0)
    if position is not None and row is None:
        owes = position.association_owes_cents
        initial["producer_payment"] = {"producer": producer, "amount": owes if owes > 0 else None}
    return initial


def _act(
    request: AuthenticatedRequest,
    slug: str,
    pk: int,
    name: str,
    post: Callable[[TreasuryAccess, dict[str, Any], str], str],
) -> HttpResponse:
    """Read the form ``name``, post it through ``post`` (which returns the success message), and
    come back to the board; a refused form is shown again with its message, nothing written."""
    treasury = treasury_cycle(request, slug, pk)
    form = FORMS[name](request.POST, prefix=name)
    if form.is_valid():
        try:
            message = post(treasury, form.cleaned_data, form.key(name, treasury.cycle.pk))
        except (services.SettlementError, LedgerError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect(reverse("settlement_board", args=[slug, pk]) + f"#{name}")
    return _board(request, treasury, {name: form})


def _household(treasury: TreasuryAccess, pk: int) -> User:
    """A household of the group (the services check it has money on the cycle)."""
    household = User.objects.filter(pk=pk, memberships__group=treasury.access.group).distinct().first()
    if household is None:
        raise services.SettlementError(_("This household has no money on this cycle."))
    return household


def _producer(treasury: TreasuryAccess, pk: int | None) -> Producer | None:
    if pk is None:
        return None
    producer = Producer.objects.filter(pk=pk).first()
    if producer is None:
        raise services.SettlementError(_("This producer has no money on this cycle."))
    return producer


@login_required
@require_POST
def transfer(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A transfer received from a household, split over the producers it owes."""

    def post(treasury: TreasuryAccess, data: dict[str, Any], key: str) -> str:
        household = _household(treasury, data["household"])
        services.record_transfer(
            cycle=treasury.cycle,
            household=household,
            amount_cents=data["amount"],
            memo=data["memo"],
            by=request.user,
            key=key,
        )
        text = _("Transfer of %(amount)s from %(name)s recorded.") % {
            "amount": format_cents(data["amount"]),
            "name": household.display_name,
        }
        return elide(text, household.display_name)

    return _act(request, slug, pk, "transfer", post)


@login_required
@require_POST
def deposit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The desk's cheques (or cash) deposited at the bank."""

    def post(treasury: TreasuryAccess, data: dict[str, Any], key: str) -> str:
        services.record_deposit(
            cycle=treasury.cycle,
            amount_cents=data["amount"],
            method=Method(data["method"]),
            memo=data["memo"],
            by=request.user,
            key=key,
        )
        return _("Deposit of %(amount)s recorded.") % {"amount": format_cents(data["amount"])}

    return _act(request, slug, pk, "deposit", post)


@login_required
@require_POST
def producer_payment(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The association paid a producer what it collected for it."""

    def post(treasury: TreasuryAccess, data: dict[str, Any], key: str) -> str:
        producer = _producer(treasury, data["producer"])
        assert producer is not None  # a required field
        services.pay_producer(
            cycle=treasury.cycle,
            producer=producer,
            amount_cents=data["amount"],
            from_account=Account(data["from_account"]),
            method=Method(data["method"]),
            memo=data["memo"],
            by=request.user,
            key=key,
        )
        return _("Payment of %(amount)s to %(name)s recorded.") % {
            "amount": format_cents(data["amount"]),
            "name": producer.name,
        }

    return _act(request, slug, pk, "producer_payment", post)


@login_required
@require_POST
def writeoff(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A small remainder a household still owes, given up with a reason."""

    def post(treasury: TreasuryAccess, data: dict[str, Any], key: str) -> str:
        household = _household(treasury, data["household"])
        services.write_off(
            cycle=treasury.cycle,
            household=household,
            producer=_producer(treasury, data["producer"]),
            amount_cents=data["amount"],
            reason=data["reason"],
            confirmed=data["confirm"],
            by=request.user,
            key=key,
        )
        return _("%(amount)s written off for %(name)s.") % {
            "amount": format_cents(data["amount"]),
            "name": household.display_name,
        }

    return _act(request, slug, pk, "writeoff", post)


@login_required
@require_POST
def refund(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A household's credit given back."""

    def post(treasury: TreasuryAccess, data: dict[str, Any], key: str) -> str:
        household = _household(treasury, data["household"])
        services.refund(
            cycle=treasury.cycle,
            household=household,
            amount_cents=data["amount"],
            from_account=Account(data["from_account"]),
            method=Method(data["method"]),
            memo=data["memo"],
            by=request.user,
            key=key,
        )
        return _("Refund of %(amount)s to %(name)s recorded.") % {
            "amount": format_cents(data["amount"]),
            "name": household.display_name,
        }

    return _act(request, slug, pk, "refund", post)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def correct(request: AuthenticatedRequest, slug: str, pk: int, entry_pk: int) -> HttpResponse:
    """Correct one entry of the cycle: its reversal and the right amount, with a reason."""
    treasury = treasury_cycle(request, slug, pk)
    entry = get_entry(treasury, entry_pk)
    if request.method == "POST":
        form = CorrectForm(request.POST)
        if form.is_valid():
            try:
                services.correct(
                    cycle=treasury.cycle,
                    entry=entry,
                    amount_cents=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    key=form.key(f"correct-{entry.pk}", treasury.cycle.pk),
                )
            except services.SettlementError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The entry is corrected."))
                return redirect(reverse("settlement_board", args=[slug, pk]) + "#entries")
    else:
        form = CorrectForm(initial={"token": services.new_key(), "amount": _amount(entry)})
    context = {
        "group": treasury.access.group,
        "cycle": treasury.cycle,
        "entry": entry,
        "amount_cents": _amount(entry),
        "lines": entry.lines.select_related("household", "producer").order_by("pk"),
        "reversed": Entry.objects.filter(reverses=entry).exists(),
        "form": form,
    }
    return render(request, "settlement/correct.html", context)


def _amount(entry: Entry) -> int:
    return sum(line.amount_cents for line in entry.lines.all() if line.amount_cents > 0)


@login_required
@require_POST
def remind(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """E-mail every household that still owes (and was not reminded lately) what it owes and how to pay."""
    treasury = treasury_cycle(request, slug, pk)
    if treasury.cycle.phase() not in (Phase.DISTRIBUTED, Phase.SETTLED):
        messages.error(request, _("The distribution day of this cycle is not closed yet."))
    else:
        claimed = services.remind(cycle=treasury.cycle, by=request.user)
        if claimed:
            messages.success(request, _("Reminder sent to %(count)s household(s).") % {"count": len(claimed)})
        else:
            messages.info(request, _("Nobody to remind: every household has paid or was reminded lately."))
    return redirect(reverse("settlement_board", args=[slug, pk]) + "#reminders")


@login_required
@require_POST
def settle(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Settle the cycle once everything balances; from then on only corrections."""
    treasury = treasury_cycle(request, slug, pk)
    try:
        services.settle(cycle=treasury.cycle, by=request.user)
    except services.SettlementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The cycle is settled. Its money now changes only by corrections."))
    return redirect("settlement_board", slug=slug, pk=pk)
