"""Forms of the producers' offers: one row per product of theirs in the cycle, and their requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cabas.catalog.validation import MAX_CARTON, MAX_PRICE_CENTS
from cabas.cycles.models import Offer, ProposedLine, RequestKind
from cabas.cycles.proposals import LineAnswer
from cabas.lib.forms import MoneyField, QuantityField
from cabas.lib.quantities import format_quantity


@dataclass
class Row:
    """One product in the form, with its four fields (for the template)."""

    offer: Offer
    available: forms.BoundField
    price: forms.BoundField
    quota: forms.BoundField
    cap: forms.BoundField


class ProposalForm(forms.Form):
    note = forms.CharField(
        label=_("A word to members"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: shown to members on the order page, e.g. « First strawberries! »."),
    )

    def __init__(
        self, *args: Any, offers: list[Offer], lines: dict[int, ProposedLine], note: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offers = offers
        self.initial.setdefault("note", note)
        for offer in offers:
            line = lines.get(offer.pk)
            self._add_fields(offer, line)

    def _add_fields(self, offer: Offer, line: ProposedLine | None) -> None:
        pk = offer.pk
        price_label = _("Price per kg (€)") if offer.variable_weight else _("Price (€)")
        self.fields[f"available_{pk}"] = forms.BooleanField(label=_("Available this time"), required=False)
        self.fields[f"price_{pk}"] = MoneyField(label=price_label, max_cents=MAX_PRICE_CENTS, required=False)
        self.fields[f"quota_{pk}"] = QuantityField(
            label=_("Total quota"), required=False, max_quantity=MAX_CARTON, help_text=_("Optional.")
        )
        self.fields[f"cap_{pk}"] = QuantityField(
            label=_("Cap per member"), required=False, max_quantity=MAX_CARTON, help_text=_("Optional.")
        )
        source: Any = line or offer
        self.initial.setdefault(f"available_{pk}", line.available if line else offer.is_available)
        self.initial.setdefault(f"price_{pk}", source.price_cents)
        self.initial.setdefault(f"quota_{pk}", source.quota)
        self.initial.setdefault(f"cap_{pk}", source.member_cap)

    def rows(self) -> list[Row]:
        return [
            Row(offer, *(self[f"{name}_{offer.pk}"] for name in ("available", "price", "quota", "cap")))
            for offer in self.offers
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for offer in self.offers:
            self._clean_row(offer, data)
        return data

    def _clean_row(self, offer: Offer, data: dict[str, Any]) -> None:
        pk, step = offer.pk, offer.quantity_step
        if (
            data.get(f"available_{pk}")
            and data.get(f"price_{pk}") is None
            and f"price_{pk}" not in self.errors
        ):
            self.add_error(f"price_{pk}", _("Enter the price of an available product."))
        for name in ("quota", "cap"):
            value = data.get(f"{name}_{pk}")
            if value is not None and value % step:
                self.add_error(
                    f"{name}_{pk}",
                    _("Enter a multiple of the step (%(step)s).") % {"step": format_quantity(step)},
                )
        cap = data.get(f"cap_{pk}")
        if cap is not None and not cap % step and cap < offer.min_quantity:
            self.add_error(
                f"cap_{pk}",
                _("The cap cannot be below the minimum quantity (%(min)s).")
                % {"min": format_quantity(offer.min_quantity)},
            )

    def answers(self) -> dict[int, LineAnswer]:
        data = self.cleaned_data
        return {
            offer.pk: LineAnswer(
                available=bool(data[f"available_{offer.pk}"]),
                price_cents=data[f"price_{offer.pk}"] or offer.price_cents,
                quota=data[f"quota_{offer.pk}"],
                member_cap=data[f"cap_{offer.pk}"],
            )
            for offer in self.offers
        }


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I would like to"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    quota = QuantityField(
        label=_("New quota"), required=False, max_quantity=MAX_CARTON, help_text=_("For a quota change.")
    )
    reason = forms.CharField(
        label=_("Reason (sent to the members concerned)"),
        max_length=300,
        error_messages={"required": _("Give the reason: the members who ordered it will be told.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == RequestKind.QUOTA and data.get("quota") is None and "quota" not in self.errors:
            self.add_error("quota", _("Enter the new quota."))
        return data


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "accept"), ("refuse", "refuse")])
