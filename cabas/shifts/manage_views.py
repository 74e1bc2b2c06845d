"""Coordinators: a cycle's shifts and who is on them, the fairness view, rules and exemptions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest, require_manager
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_household
from cabas.lib.inputs import clean_text, parse_digits
from cabas.shifts import queries, services
from cabas.shifts.forms import ExemptionForm, PastHelpForm, RulesForm, ShiftForm
from cabas.shifts.models import Rules
from cabas.shifts.permissions import get_cycle_shift, get_cycle_signup, manager_cycle
from cabas.shifts.views import describe


def _back(slug: str, cycle: Cycle, anchor: str = "") -> HttpResponse:
    url = reverse("manage_shifts", args=[slug, cycle.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_safe
def cycle_shifts(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, cycle = manager_cycle(request, slug, pk)
    return _page(request, access.group, cycle)


def _page(
    request: AuthenticatedRequest,
    group: Any,
    cycle: Cycle,
    *,
    new_form: ShiftForm | None = None,
    edit: tuple[int, ShiftForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    shifts = queries.cycle_shifts(cycle)
    forms = {
        shift.pk: edit[1]
        if edit and edit[0] == shift.pk
        else ShiftForm(
            initial={name: getattr(shift, name) for name in services.SHIFT_FIELDS},
            prefix_id=f"shift-{shift.pk}",
        )
        for shift in shifts
    }
    source = None if shifts else services.previous_with_shifts(cycle)
    context = {
        "group": group,
        "cycle": cycle,
        "shifts": [(shift, forms[shift.pk]) for shift in shifts],
        "missing": queries.missing_total(shifts),
        "new_form": new_form or ShiftForm(prefix_id="new"),
        "households": queries.households(group),
        "source": source,
        "closed": queries.is_closed(cycle) and cycle.settled_at is not None,
        "active": "cycles",
    }
    return render(request, "shifts/manage/cycle.html", context, status=status)


@login_required
@require_POST
def shift_add(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, cycle = manager_cycle(request, slug, pk)
    form = ShiftForm(request.POST, prefix_id="new")
    if not form.is_valid():
        return _page(request, access.group, cycle, new_form=form, status=400)
    shift = services.add_shift(cycle=cycle, fields=form.cleaned_data)
    messages.success(request, _("Shift added: %(shift)s.") % {"shift": describe(shift)})
    return _back(slug, cycle)


@login_required
@require_POST
def shift_edit(request: AuthenticatedRequest, slug: str, pk: int, shift_pk: int) -> HttpResponse:
    access, cycle = manager_cycle(request, slug, pk)
    shift = get_cycle_shift(cycle, shift_pk)
    form = ShiftForm(request.POST, prefix_id=f"shift-{shift.pk}")
    if not form.is_valid():
        return _page(request, access.group, cycle, edit=(shift.pk, form), status=400)
    try:
        services.edit_shift(shift=shift, fields=form.cleaned_data)
    except services.ShiftError as error:
        form.add_error("capacity", str(error))
        return _page(request, access.group, cycle, edit=(shift.pk, form), status=409)
    messages.success(request, _("Shift saved: %(shift)s.") % {"shift": describe(shift)})
    return _back(slug, cycle, f"shift-{shift.pk}")


@login_required
@require_POST
def shift_delete(request: AuthenticatedRequest, slug: str, pk: int, shift_pk: int) -> HttpResponse:
    _access, cycle = manager_cycle(request, slug, pk)
    shift = get_cycle_shift(cycle, shift_pk)
    try:
        services.delete_shift(shift=shift)
    except services.ShiftError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Shift removed: %(shift)s.") % {"shift": describe(shift)})
    return _back(slug, cycle)


@login_required
@require_POST
def shifts_copy(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Copy the previous cycle's shifts, or start from the usual five (only into a cycle without shifts)."""
    _access, cycle = manager_cycle(request, slug, pk)
    count = services.copy_shifts(cycle=cycle)
    if count:
        messages.success(request, _("%(count)s shifts are ready: adjust them if needed.") % {"count": count})
    return _back(slug, cycle)


@login_required
@require_POST
def person_add(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Put a household on a shift (someone without internet, or who asked at the desk)."""
    access, cycle = manager_cycle(request, slug, pk)
    shift_id, user_id = parse_digits(request.POST.get("shift")), parse_digits(request.POST.get("user"))
    if shift_id is None or user_id is None:
        messages.error(request, _("Choose a shift and a household."))
        return _back(slug, cycle, "add-person")
    shift = get_cycle_shift(cycle, shift_id)
    user = get_household(access, user_id)
    try:
        outcome = services.sign_up(shift=shift, user=user, by=request.user, coordinator=True)
    except services.ShiftError as error:
        messages.error(request, str(error))
        return _back(slug, cycle, f"shift-{shift.pk}")
    text = _("%(name)s is on %(shift)s.") if outcome.created else _("%(name)s was already on %(shift)s.")
    messages.success(request, text % {"name": user.display_name, "shift": describe(shift)})
    return _back(slug, cycle, f"shift-{shift.pk}")


SIGNUP_ACTIONS = ("remove", "move", "absent", "present")


@login_required
@require_POST
def signup_act(request: AuthenticatedRequest, slug: str, pk: int, signup_pk: int) -> HttpResponse:
    """Take someone off a shift, move them to another, or mark that they did (not) come."""
    _access, cycle = manager_cycle(request, slug, pk)
    action = str(request.POST.get("action", ""))
    if action not in SIGNUP_ACTIONS:
        raise Http404
    try:
        signup = get_cycle_signup(cycle, signup_pk)
    except Http404:
        messages.info(request, _("This person is no longer on this shift."))
        return _back(slug, cycle)
    name = signup.user.display_name
    if action == "remove":
        services.remove(signup=signup, by=request.user)
        messages.success(
            request, _("%(name)s is off %(shift)s.") % {"name": name, "shift": describe(signup.shift)}
        )
    elif action in ("absent", "present"):
        services.mark_absent(signup=signup, absent=action == "absent")
        text = (
            _("%(name)s is marked as absent.") if action == "absent" else _("%(name)s is marked as present.")
        )
        messages.success(request, text % {"name": name})
    else:
        to_id = parse_digits(request.POST.get("to"))
        if to_id is None:
            messages.error(request, _("Choose the shift to move them to."))
            return _back(slug, cycle, f"shift-{signup.shift_id}")
        to = get_cycle_shift(cycle, to_id)
        try:
            services.move(signup=signup, to=to, by=request.user)
        except services.ShiftError as error:
            messages.error(request, str(error))
            return _back(slug, cycle, f"shift-{signup.shift_id}")
        messages.success(request, _("%(name)s is now on %(shift)s.") % {"name": name, "shift": describe(to)})
        return _back(slug, cycle, f"shift-{to.pk}")
    return _back(slug, cycle, f"shift-{signup.shift_id}")


# --- Fairness ---------------------------------------------------------------------------------


@login_required
@require_safe
def fairness(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Who helped how often over the last 12 months, with exemptions: coordinators only."""
    access = require_manager(request, slug)
    sort = str(request.GET.get("sort", "count"))
    if sort not in queries.SORTS:
        sort = "count"
    return _fairness(request, access.group, sort)


def _fairness(
    request: AuthenticatedRequest,
    group: Any,
    sort: str = "count",
    rules_form: RulesForm | None = None,
    help_form: PastHelpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = queries.fairness(group, sort)
    context = {
        "group": group,
        "rows": rows,
        "sort": sort,
        "sorts": queries.SORTS,
        "helped": sum(1 for row in rows if row.count),
        "rules_form": rules_form or RulesForm(instance=Rules.of(group)),
        "exemption_form": ExemptionForm(),
        "help_form": help_form or PastHelpForm(),
        "upcoming": queries.upcoming_cycles(group),
        "active": "shifts",
    }
    return render(request, "shifts/manage/fairness.html", context, status=status)


@login_required
@require_POST
def rules(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    form = RulesForm(request.POST, instance=Rules.of(access.group))
    if not form.is_valid():
        return _fairness(request, access.group, rules_form=form, status=400)
    data = form.cleaned_data
    services.save_rules(
        group=access.group,
        cancel_hours=data["cancel_hours"],
        yearly_help=data["yearly_help"],
        call_after_cycles=data["call_after_cycles"],
    )
    messages.success(request, _("The shift rules are saved."))
    return redirect("manage_fairness", slug=slug)


@login_required
@require_POST
def exemption(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Exempt a household (or end its exemption): private to coordinators."""
    access = require_manager(request, slug)
    user_id = parse_digits(request.POST.get("user"))
    if user_id is None:
        raise Http404
    user = get_household(access, user_id)
    back = reverse("manage_fairness", args=[slug]) + f"#household-{user.pk}"
    if request.POST.get("end"):
        services.end_exemption(group=access.group, user=user)
        messages.success(request, _("%(name)s is no longer exempted.") % {"name": user.display_name})
        return redirect(back)
    try:
        services.exempt(
            group=access.group,
            user=user,
            reason=str(request.POST.get("reason", "")),
            note=clean_text(request.POST.get("note"), 200),
            by=request.user,
        )
    except services.ShiftError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _("%(name)s is exempted.") % {"name": user.display_name})
    return redirect(back)


@login_required
@require_POST
def past_help(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Record help given outside a shift (or before the group used Cabas), so that the counts are true."""
    access = require_manager(request, slug)
    form = PastHelpForm(request.POST)
    if not form.is_valid():
        return _fairness(request, access.group, help_form=form, status=400)
    user = get_household(access, form.cleaned_data["user"])
    services.record_past_help(
        group=access.group,
        users=[user],
        day=form.cleaned_data["day"],
        what=form.cleaned_data["what"],
        by=request.user,
    )
    messages.success(request, _("Help recorded for %(name)s.") % {"name": user.display_name})
    return redirect("manage_fairness", slug=slug)
