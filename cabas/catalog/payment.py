"""How a producer wants to be paid, in one sentence: the order page and the printed slips read it here."""

from __future__ import annotations

from typing import Protocol

from django.utils.translation import gettext as _


class PaymentDetails(Protocol):
    """A producer's payment fields: a ``Producer``, or the frozen copy the documents read."""

    @property
    def accepts_cash(self) -> bool: ...
    @property
    def accepts_cheque(self) -> bool: ...
    @property
    def cheque_payee(self) -> str: ...
    @property
    def accepts_transfer(self) -> bool: ...
    @property
    def iban_display(self) -> str: ...
    @property
    def payment_notes(self) -> str: ...


def payment_sentence(payment: PaymentDetails) -> str:
    """« espèces, chèque à l’ordre de X, virement (IBAN FR76 …). Notes » in the active language.

    The methods in that order, separated by commas, then the producer's own
    notes as a sentence of their own. Plain text: templates escape it.
    """
    methods = []
    if payment.accepts_cash:
        methods.append(_("cash"))
    if payment.accepts_cheque:
        methods.append(_("cheque payable to %(payee)s") % {"payee": payment.cheque_payee})
    if payment.accepts_transfer:
        iban = f" (IBAN {payment.iban_display})" if payment.iban_display else ""
        methods.append(_("transfer") + iban)
    text = ", ".join(methods)
    if not payment.payment_notes:
        return text
    return f"{text}. {payment.payment_notes}" if text else payment.payment_notes
