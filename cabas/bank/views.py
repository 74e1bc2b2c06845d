"""The treasurers' bank pages: upload a statement, preview and confirm it, reconcile what is left;
prepaid balances; and a member's own prepaid account.

Thin views: each reads the request, calls ``services`` (the only writer), and
renders or redirects. Every page runs a fixed number of queries whatever the
number of lines or households (one per cycle a statement's references name).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from cabas.accounts.models import Membership
from cabas.accounts.permissions import ANY_ROLE, AuthenticatedRequest, GroupAccess, group_access
from cabas.bank import services
from cabas.bank.forms import Choices, read_decision, read_decisions
from cabas.bank.matching import Proposal, propose, topup_reference, with_decisions
from cabas.bank.models import StatementImport, StatementLine, Status
from cabas.bank.permissions import get_import, get_line, treasurer_access
from cabas.bank.prepaid import balance_cents, is_low
from cabas.bank.statements import MAX_BYTES, StatementError, read_statement
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_published_cycle
from cabas.ledger import positions

RECENT_IMPORTS = 20


def _rows(proposals: list[Proposal], typed: Any, errors: dict[int, str]) -> list[dict[str, Any]]:
    """Each line with what its selects show: what was typed (a refused form), else the proposal."""
    rows = []
    for p in proposals:
        pk = p.line.pk
        proposed_who = str(p.household.pk) if p.household else ""
        what = typed.get(f"what-{pk}", p.choice) if typed is not None else p.choice
        who = typed.get(f"who-{pk}", proposed_who) if typed is not None else proposed_who
        rows.append({"p": p, "what": what, "who": who, "error": errors.get(pk, "")})
    return rows


def _base(access: GroupAccess, active: str) -> dict[str, Any]:
    return {"access": access, "group": access.group, "active": active}


@login_required
@require_safe
def bank_home(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = treasurer_access(request, slug)
    return _home(request, access)


def _home(request: AuthenticatedRequest, access: GroupAccess, error: str = "") -> HttpResponse:
    imports = list(
        StatementImport.objects.filter(group=access.group).select_related("created_by")[:RECENT_IMPORTS]
    )
    context = {
        **_base(access, "imports"),
        "imports": imports,
        "unmatched": StatementLine.objects.filter(
            group=access.group, kept=True, status=Status.UNMATCHED
        ).count(),
        "error": error,
    }
    return render(request, "bank/home.html", context, status=400 if error else 200)


@login_required
@require_POST
def bank_upload(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Read the uploaded statement and keep it as a preview: nothing posted until it is confirmed."""
    access = treasurer_access(request, slug)
    upload = request.FILES.get("statement")
    if upload is None:
        return _home(request, access, _("Choose the statement file to import."))
    if upload.size is not None and upload.size > MAX_BYTES:
        return _home(request, access, _("The file is too big for a bank statement (5 MB at most)."))
    try:
        statement = read_statement(upload.read())
    except StatementError as error:
        return _home(request, access, str(error))
    statement_import = services.create_import(
        group=access.group, by=request.user, filename=upload.name or "", statement=statement
    )
    return redirect("bank_import", slug=slug, pk=statement_import.pk)


def _import_page(
    request: AuthenticatedRequest,
    access: GroupAccess,
    statement_import: StatementImport,
    errors: dict[int, str] | None = None,
    error: str = "",
) -> HttpResponse:
    lines = list(statement_import.lines.select_related("household", "cycle").order_by("position"))
    proposals = propose(access.group, lines)
    if statement_import.confirmed_at is not None:
        proposals = with_decisions(proposals)
    choices = Choices.of(access.group, [p.cycle for p in proposals if p.cycle is not None])
    errors = errors or {}
    rows = _rows(proposals, request.POST if request.method == "POST" else None, errors)
    credits = [p.line for p in proposals if p.line.amount_cents > 0 and not p.duplicate]
    context = {
        **_base(access, "imports"),
        "statement_import": statement_import,
        "rows": rows,
        "choices": choices,
        "error": error or (_("Some lines need a choice: see below. Nothing was recorded.") if errors else ""),
        "credit_cents": sum(line.amount_cents for line in credits),
        "debit_cents": sum(p.line.amount_cents for p in proposals if p.line.amount_cents < 0),
        "duplicates": sum(1 for p in proposals if p.duplicate or p.line.status == Status.DUPLICATE),
    }
    return render(request, "bank/import.html", context, status=400 if context["error"] else 200)


@login_required
@require_safe
def bank_import(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """An import: its preview while unconfirmed, what each line became once confirmed."""
    access = treasurer_access(request, slug)
    return _import_page(request, access, get_import(access, pk))


@login_required
@require_POST
def bank_confirm(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = treasurer_access(request, slug)
    statement_import = get_import(access, pk)
    if statement_import.confirmed_at is not None:
        messages.info(request, _("This statement was already recorded."))
        return redirect("bank_import", slug=slug, pk=pk)
    lines = list(statement_import.lines.all())
    read = read_decisions(request.POST, lines, Choices.of(access.group))
    if read.errors:
        return _import_page(request, access, statement_import, errors=read.errors)
    try:
        done = services.confirm(statement_import=statement_import, by=request.user, decisions=read.decisions)
    except services.BankError as refusal:
        return _import_page(request, access, statement_import, error=str(refusal))
    if done:
        messages.success(request, _("The statement is recorded. Lines left to reconcile stay listed."))
    else:
        messages.info(request, _("This statement was already recorded."))
    return redirect("bank_import", slug=slug, pk=pk)


@login_required
@require_POST
def bank_discard(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = treasurer_access(request, slug)
    statement_import = get_import(access, pk)
    if services.discard(statement_import=statement_import):
        messages.success(request, _("The preview was dropped: nothing was recorded."))
    else:
        messages.info(request, _("This statement was recorded: it cannot be dropped."))
        return redirect("bank_import", slug=slug, pk=pk)
    return redirect("bank_home", slug=slug)


@login_required
@require_safe
def bank_unmatched(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = treasurer_access(request, slug)
    return _unmatched(request, access)


def _unmatched(
    request: AuthenticatedRequest, access: GroupAccess, error_line: int | None = None, error: str = ""
) -> HttpResponse:
    lines = list(
        StatementLine.objects.filter(group=access.group, kept=True, status=Status.UNMATCHED).order_by(
            "-date", "pk"
        )
    )
    proposals = propose(access.group, lines)
    context = {
        **_base(access, "unmatched"),
        "rows": _rows(
            proposals,
            request.POST if request.method == "POST" else None,
            {error_line: error} if error_line is not None else {},
        ),
        "choices": Choices.of(access.group, [p.cycle for p in proposals if p.cycle is not None]),
        "error": error,
    }
    return render(request, "bank/unmatched.html", context, status=400 if error else 200)


@login_required
@require_POST
def bank_reconcile(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Match a line left to reconcile to a household's basket or top-up, or ignore it."""
    access = treasurer_access(request, slug)
    line = get_line(access, pk)
    decision, error = read_decision(request.POST, line, Choices.of(access.group))
    if not error and decision.kind == "later":
        error = _("Choose what this line is.")
    if not error and line.amount_cents <= 0:
        error = _("Money going out is not matched to a household.")
    if error:
        return _unmatched(request, access, line.pk, error)
    try:
        done = services.reconcile(line=line, by=request.user, decision=decision)
    except services.BankError as refusal:
        return _unmatched(request, access, line.pk, str(refusal))
    if done:
        messages.success(request, _("The line is reconciled."))
    else:
        messages.info(request, _("This line was reconciled already."))
    return redirect("bank_unmatched", slug=slug)


@login_required
@require_safe
def bank_balances(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Prepaid groups: every household's balance (the treasurers only)."""
    access = treasurer_access(request, slug)
    choices = Choices.of(access.group)
    balances = positions.household_balances(access.group, choices.households.values())
    rows = [
        {"household": h, "balance": balances.get(h.pk, 0), "low": is_low(access.group, balances.get(h.pk, 0))}
        for h in choices.households.values()
    ]
    today = timezone.localdate()
    cycles = [c for c in choices.cycles.values() if c.finalised_at and c.distribution_date <= today][:6]
    context = {**_base(access, "balances"), "rows": rows, "total": sum(balances.values()), "cycles": cycles}
    return render(request, "bank/balances.html", context)


@login_required
@require_POST
def bank_prepaid_debit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Pay a cycle's baskets from the households' prepaid accounts, as far as each one's credit goes."""
    access = treasurer_access(request, slug)
    cycle = get_published_cycle(access, pk)
    try:
        debited = services.debit_prepaid(cycle=cycle, by=request.user)
    except services.BankError as refusal:
        messages.error(request, str(refusal))
        return redirect("bank_balances", slug=slug)
    messages.success(
        request,
        ngettext(
            "%(count)s household's basket paid from its prepaid account.",
            "%(count)s households' baskets paid from their prepaid accounts.",
            debited,
        )
        % {"count": debited},
    )
    return redirect("bank_balances", slug=slug)


@login_required
@require_safe
def bank_my_account(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """A member's own prepaid account: balance, how to top up, the top-ups received."""
    access = group_access(request, slug, roles=ANY_ROLE)
    if not access.group.prepaid or access.membership is None or not access.membership.is_member:
        raise Http404
    membership: Membership = access.membership
    topups = StatementLine.objects.filter(
        group=access.group, kept=True, status=Status.TOPUP, household=request.user
    ).order_by("-date", "-pk")[:24]
    balance = balance_cents(access.group, request.user)
    handed = {
        cycle_id: money.household(request.user.pk).handed_cents
        for cycle_id, money in positions.household_positions(request.user, access.group).items()
        if cycle_id is not None and money.household(request.user.pk).handed_cents
    }
    cycles = Cycle.objects.in_bulk(list(handed))
    debited = sorted(
        ((cycles[pk], cents) for pk, cents in handed.items()),
        key=lambda row: row[0].distribution_date,
        reverse=True,
    )
    context = {
        "access": access,
        "group": access.group,
        "balance": balance,
        "low": is_low(access.group, balance),
        "reference": topup_reference(membership),
        "topups": list(topups),
        "debited": debited,
    }
    return render(request, "bank/my_account.html", context)
