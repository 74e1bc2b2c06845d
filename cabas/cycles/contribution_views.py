"""The household's promise to the solidarity fund, from its order page (POST only).

The page shows the choices (the group's suggested percentages, another amount, none)
under the basket; this view reads them and calls ``contribution.promise``, the one
write path. A refused choice shows the order page again with the message and what
was typed, and nothing changed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cabas.accounts.models import Role
from cabas.accounts.permissions import AuthenticatedRequest, group_access
from cabas.cycles import contribution
from cabas.cycles.models import Order
from cabas.cycles.order_page import Section, order_context
from cabas.cycles.permissions import get_published_cycle
from cabas.lib.forms import MoneyField


class PromiseAmountField(MoneyField):
    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "min_value":
                raise forms.ValidationError(_("Enter an amount above zero."), code="min_value") from None
            raise


class PromiseForm(forms.Form):
    """``choice``: « none », « p<percent> » (a percentage the group suggests) or « amount »."""

    choice = forms.CharField(max_length=10)
    amount = PromiseAmountField(
        label=gettext_lazy("Another amount (€)"), required=False, max_cents=contribution.MAX_AMOUNT_CENTS
    )

    def __init__(self, *args: Any, percents: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.percents = percents

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("choice") or ""
        data["percent"], data["amount_cents"] = 0, 0
        if choice == "amount":
            if data.get("amount"):
                data["amount_cents"] = data["amount"]
            elif "amount" not in self.errors:
                self.add_error("amount", _("Type the amount you want to give, e.g. 5 or 2,50."))
        elif choice.startswith("p") and choice[1:].isascii() and choice[1:].isdigit():
            if int(choice[1:]) not in self.percents:
                self.add_error(None, _("Choose one of the percentages offered."))
            data["percent"] = int(choice[1:])
        elif choice != "none":
            self.add_error(None, _("Choose one of the percentages offered."))
        return data


@login_required
@require_POST
def order_contribution(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Add, change or remove the household's contribution to the fund on its own basket."""
    access = group_access(request, slug, roles=(Role.MEMBER,))
    cycle = get_published_cycle(access, pk)
    url = reverse("order", args=[access.group.slug, cycle.pk])
    order = Order.objects.filter(cycle=cycle, user=request.user).first()
    if order is None:
        messages.error(request, _("Add something to your basket first."))
        return HttpResponseRedirect(url)
    form = PromiseForm(request.POST, percents=access.group.suggested_fund_percents)
    error = ""
    if form.is_valid():
        try:
            contribution.promise(
                order=order,
                percent=form.cleaned_data["percent"],
                amount_cents=form.cleaned_data["amount_cents"],
            )
        except contribution.PromiseRefused as refused:
            error = str(refused)
        else:
            changed = form.cleaned_data["percent"] or form.cleaned_data["amount_cents"]
            messages.success(
                request,
                _("Thank you: your contribution is added to your basket. You pay it with your basket.")
                if changed
                else _("Your contribution is removed from your basket."),
            )
            return HttpResponseRedirect(f"{url}#contribution")
    context = order_context(access, cycle, request.user, section=Section("basket"))
    context["promise_form"] = form
    context["promise_error"] = error or " ".join(str(e) for e in form.non_field_errors())
    return render(request, "cycles/order.html", context, status=400)
