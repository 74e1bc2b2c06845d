"""Form fields for amounts and quantities typed the French way (``12,50``, ``0,5``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cabas.lib.inputs import parse_digits
from cabas.lib.money import format_amount, format_cents, parse_cents
from cabas.lib.quantities import format_quantity, parse_quantity


class MoneyField(forms.CharField):
    """Reads ``12,50`` or ``12.50 €`` into integer cents."""

    default_error_messages = {"invalid": _("Enter an amount in euros, e.g. 12,50.")}

    def __init__(self, *, max_cents: int | None = None, **kwargs: Any) -> None:
        self.max_cents = max_cents
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "20")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return format_amount(value)
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            cents = parse_cents(str(text)[:40])
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if cents <= 0:
            raise forms.ValidationError(_("The price must be more than zero."), code="min_value")
        if self.max_cents is not None and cents > self.max_cents:
            raise forms.ValidationError(
                _("This amount is too high (%(max)s at most).") % {"max": format_cents(self.max_cents)},
                code="max_value",
            )
        return cents


class QuantityField(forms.CharField):
    """Reads ``0,5`` or ``2`` into integer thousandths of the unit."""

    default_error_messages = {"invalid": _("Enter a number, e.g. 0,5 or 2.")}

    def __init__(self, *, max_quantity: int | None = None, **kwargs: Any) -> None:
        self.max_quantity = max_quantity
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "20")

    def prepare_value(self, value: Any) -> Any:
        return format_quantity(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            quantity = parse_quantity(str(text)[:40])
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if quantity <= 0:
            raise forms.ValidationError(_("Enter a quantity above zero."), code="min_value")
        if self.max_quantity is not None and quantity > self.max_quantity:
            raise forms.ValidationError(
                _("This is too much (%(max)s at most).") % {"max": format_quantity(self.max_quantity)},
                code="max_value",
            )
        return quantity


class ModelIdsField(forms.ModelMultipleChoiceField):
    """Several objects chosen by id, refusing values no id column holds.

    Django looks the values up with ``pk__in``: on SQLite an id above 2⁶³
    raises ``OverflowError`` instead of matching nothing.
    """

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            if isinstance(pk, str) and parse_digits(pk) is None:  # typed values; not initial objects
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super().clean(value)
