"""The treasurer's forms: amounts read with ``parse_cents``, ids as plain numbers, a token per form.

The ``token`` is the form's idempotency key: made when the board is shown,
sent back with the form, so that the same form sent twice posts once. Which
household, producer or entry an id names is checked by the views and the
services against the cycle itself, never trusted from the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cabas.ledger.models import Account, Method
from cabas.lib.forms import MoneyField
from cabas.lib.inputs import MAX_ID
from cabas.lib.money import parse_cents
from cabas.settlement.services import MAX_AMOUNT_CENTS

AMOUNT_INVALID = _("Enter an amount in euros with at most two decimals, e.g. 12,50.")


class AmountField(MoneyField):
    """An amount of money above zero (``12,5``, ``12.50 €``, ``1 000``), in cents."""

    default_error_messages = {"invalid": AMOUNT_INVALID}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_cents", MAX_AMOUNT_CENTS)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "min_value":
                raise forms.ValidationError(_("Enter an amount above zero."), code="min_value") from None
            raise


class CorrectedAmountField(AmountField):
    """Like ``AmountField``, but 0 is allowed: it cancels the entry."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = forms.CharField.to_python(self, value)
        try:
            if text not in self.empty_values and parse_cents(str(text)[:40]) == 0:
                return 0
        except ValueError:
            pass  # refused below, with the usual message
        return super().to_python(value)


def _id_field(label: Any, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_ID, required=required)


class TokenForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)

    def key(self, action: str, cycle_pk: int) -> str:
        return f"settlement:{cycle_pk}:{action}:{self.cleaned_data['token'].hex}"


class TransferForm(TokenForm):
    household = _id_field(_("Household"))
    amount = AmountField(label=_("Amount received"))
    memo = forms.CharField(label=_("Bank statement line (optional)"), max_length=200, required=False)


class DepositForm(TokenForm):
    amount = AmountField(label=_("Amount deposited"))
    method = forms.ChoiceField(
        label=_("What"), choices=[(Method.CHEQUE, _("Cheques")), (Method.CASH, _("Cash"))]
    )
    memo = forms.CharField(label=_("Deposit slip number (optional)"), max_length=200, required=False)


FROM_ACCOUNTS = [(Account.BANK, _("Bank")), (Account.DESK, _("The desk's cash"))]
PAY_METHODS = [(Method.TRANSFER, _("Bank transfer")), (Method.CHEQUE, _("Cheque")), (Method.CASH, _("Cash"))]


class ProducerPaymentForm(TokenForm):
    producer = _id_field(_("Producer"))
    amount = AmountField(label=_("Amount paid"))
    from_account = forms.ChoiceField(label=_("Paid from"), choices=FROM_ACCOUNTS)
    method = forms.ChoiceField(label=_("How"), choices=PAY_METHODS)
    memo = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class WriteoffForm(TokenForm):
    household = _id_field(_("Household"))
    producer = _id_field(_("Producer"), required=False)
    amount = AmountField(label=_("Amount written off"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    confirm = forms.BooleanField(label=_("I confirm this write-off"), required=False)


class RefundForm(TokenForm):
    household = _id_field(_("Household"))
    amount = AmountField(label=_("Amount refunded"))
    from_account = forms.ChoiceField(label=_("Paid from"), choices=FROM_ACCOUNTS)
    method = forms.ChoiceField(label=_("How"), choices=PAY_METHODS)
    memo = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class CorrectForm(TokenForm):
    amount = CorrectedAmountField(label=_("Correct amount (0 cancels the entry)"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
