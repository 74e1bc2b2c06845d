"""Coordinators' forms for cycles and offers. Fields are always listed explicitly.

Dates and times are typed in the site's time zone (the active one), the
group's local time: ``datetime-local`` inputs carry no zone of their own.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup
from cabas.catalog.forms import FieldsetsMixin
from cabas.catalog.models import Producer
from cabas.catalog.validation import MAX_CARTON, MAX_PRICE_CENTS
from cabas.cycles.models import Allocation, Cycle, Offer, Phase
from cabas.cycles.services import BEFORE_OPENING, CYCLE_FIELDS, EDITABLE_AFTER_OPENING, cycle_date_errors
from cabas.lib.forms import ModelIdsField, MoneyField, QuantityField
from cabas.lib.quantities import format_quantity


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CycleForm(FieldsetsMixin, forms.Form):
    fieldset_layout = (
        (_("Name"), "", ("name",)),
        (_("Order window"), _("In the group's local time."), ("opens_at", "closes_at")),
        (
            _("Distribution"),
            "",
            ("distribution_date", "distribution_start", "distribution_end", "distribution_place"),
        ),
        (
            _("Producers"),
            _("Their products on sale are offered at today's prices; you can then set quotas and caps."),
            ("producers",),
        ),
        (_("Message to members"), "", ("message",)),
    )

    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("E.g. Cabas of March."))
    opens_at = forms.DateTimeField(label=_("Orders open at"), widget=_datetime_input())
    closes_at = forms.DateTimeField(label=_("Orders close at"), widget=_datetime_input())
    distribution_date = forms.DateField(
        label=_("Distribution day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    distribution_start = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    distribution_end = forms.TimeField(
        label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    distribution_place = forms.CharField(label=_("Place"), max_length=200)
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: shown on the order page, e.g. what is new this time."),
    )
    producers = ModelIdsField(
        label=_("Participating producers"),
        queryset=Producer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one producer.")},
    )
    # Identifies one filled-in "new cycle" form, so that sending it twice creates one cycle.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, group: BuyingGroup, cycle: Cycle | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cycle is None:
            self.initial.setdefault("submission", uuid.uuid4())
        else:
            del self.fields["submission"]
        # Subqueries on the group's and the cycle's own rows: an OR across the two joins
        # read the producers of every group of the instance (17 ms with 100 groups).
        current = Producer.objects.filter(
            supplies__group=group, supplies__ended_at__isnull=True, is_active=True
        )
        supplying = Q(pk__in=current.values("pk"))
        if cycle is not None:
            # A producer that stopped supplying the group stays listed in the cycles it is part of.
            supplying |= Q(pk__in=Producer.objects.filter(cycles=cycle.pk).values("pk"))
        field = self.fields["producers"]
        field.queryset = Producer.objects.filter(supplying).order_by("name")  # type: ignore[attr-defined]
        self.locked = cycle is not None and cycle.phase() not in BEFORE_OPENING
        if self.locked:
            for name in self.fields:
                if name not in EDITABLE_AFTER_OPENING:
                    self.fields[name].disabled = True

    @staticmethod
    def initial_for(cycle: Cycle) -> dict[str, Any]:
        return {
            **{key: getattr(cycle, key) for key in CYCLE_FIELDS},
            "producers": list(cycle.producers.all()),
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter a name."), code="required")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, message in cycle_date_errors(data).items():
            if field not in self.errors:
                self.add_error(field, forms.ValidationError(message, code="dates"))
        return data

    def cycle_fields(self) -> dict[str, Any]:
        """The values to save: once orders have opened, only those that may still change."""
        keys = EDITABLE_AFTER_OPENING if self.locked else CYCLE_FIELDS
        return {key: self.cleaned_data[key] for key in keys}


class OfferForm(forms.Form):
    price_cents = MoneyField(label=_("Price (€)"), max_cents=MAX_PRICE_CENTS)
    quota = QuantityField(
        label=_("Total quota"),
        required=False,
        max_quantity=MAX_CARTON,
        help_text=_("Optional: the most that can be sold in this cycle, e.g. 30 chickens."),
    )
    member_cap = QuantityField(
        label=_("Cap per member"),
        required=False,
        max_quantity=MAX_CARTON,
        help_text=_("Optional: the most one household can order."),
    )
    allocation = forms.ChoiceField(
        label=_("When there is not enough for everyone"),
        choices=Allocation.choices,
        help_text=_(
            "First come: the quota goes to the first orders. Fair share: members state what they want "
            "and the quota is split evenly at the deadline."
        ),
    )

    def __init__(self, *args: Any, offer: Offer, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "price_cents": offer.price_cents,
                "quota": offer.quota,
                "member_cap": offer.member_cap,
                "allocation": offer.allocation,
            },
        )
        super().__init__(*args, **kwargs)
        self.offer = offer
        if offer.variable_weight:
            self.fields["price_cents"].label = _("Price per kg (€)")
        if offer.cycle.phase() not in (Phase.DRAFT, Phase.SCHEDULED):
            self.fields["allocation"].disabled = True
            self.fields["allocation"].help_text = _("Orders have opened: this can no longer change.")

    def _multiple_of_step(self, name: str) -> int | None:
        value: int | None = self.cleaned_data.get(name)
        step = self.offer.quantity_step
        if value is not None and value % step:
            raise forms.ValidationError(
                _("Enter a multiple of the step (%(step)s).") % {"step": format_quantity(step)}, code="step"
            )
        return value

    def clean_quota(self) -> int | None:
        return self._multiple_of_step("quota")

    def clean_member_cap(self) -> int | None:
        cap = self._multiple_of_step("member_cap")
        if cap is not None and cap < self.offer.min_quantity:
            raise forms.ValidationError(
                _("The cap cannot be below the minimum quantity (%(min)s).")
                % {"min": format_quantity(self.offer.min_quantity)},
                code="below_minimum",
            )
        return cap

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("allocation") == Allocation.FAIR_SHARE
            and not data.get("quota")
            and "quota" not in self.errors
        ):
            self.add_error(
                "quota", forms.ValidationError(_("A fair share needs a quota."), code="fair_share")
            )
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the members who ordered it)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("E.g. hail destroyed the harvest.")}),
    )


class PublishForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", "publish"), ("unpublish", "unpublish")])


class StepForm(forms.Form):
    """Moving a cycle on by hand: close its orders now, finalise it, or reopen its adjustments."""

    action = forms.ChoiceField(choices=[("close", "close"), ("finalise", "finalise"), ("reopen", "reopen")])
