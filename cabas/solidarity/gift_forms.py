"""The treasurer's form for a gift received by the fund outside a basket.

Amounts are read with ``parse_cents`` (through the settlement's ``AmountField``);
which household a gift names is looked up among the group's own households,
never trusted from the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import User
from cabas.ledger.models import Method
from cabas.settlement.forms import AmountField, TokenForm
from cabas.solidarity.gifts import MAX_GIFT_CENTS

GIFT_METHODS = [
    (Method.CASH, _("Cash")),
    (Method.CHEQUE, _("Cheque")),
    (Method.TRANSFER, _("Bank transfer")),
    (Method.CARD, _("Card")),
]


class GiftForm(TokenForm):
    donor = forms.TypedChoiceField(
        label=_("Household of the group"), coerce=int, required=False, empty_value=None
    )
    donor_name = forms.CharField(label=_("Or the donor's name"), max_length=120, required=False)
    donor_address = forms.CharField(
        label=_("Donor's address (optional, printed on the summary)"), max_length=300, required=False
    )
    amount = AmountField(label=_("Amount"), max_cents=MAX_GIFT_CENTS)
    method = forms.ChoiceField(label=_("How"), choices=GIFT_METHODS)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, households: dict[int, User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.households = households
        choices: list[tuple[str, Any]] = [("", _("— a person outside the group —"))]
        choices += [(str(pk), user.display_name) for pk, user in households.items()]
        self.fields["donor"].choices = choices  # type: ignore[attr-defined]
        self.initial.setdefault("received_on", timezone.localdate())

    def clean_received_on(self) -> Any:
        received = self.cleaned_data["received_on"]
        if received > timezone.localdate():
            raise forms.ValidationError(
                _("A gift is recorded once received: the date cannot be in the future.")
            )
        return received

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = " ".join((data.get("donor_name") or "").split())
        if data.get("donor") is None and not name and "donor" not in self.errors:
            self.add_error("donor_name", _("Choose a household or type the donor's name."))
        data["donor_user"] = self.households.get(data["donor"]) if data.get("donor") else None
        return data
