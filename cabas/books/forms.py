"""The treasurers' settings of the books: the group's account codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cabas.books.models import AccountCodes

CODE_FIELDS = (
    "household_code",
    "producer_code",
    "bank_code",
    "cash_code",
    "writeoff_code",
    "gifts_code",
    "help_code",
)
# The class of the chart each account belongs to: its code's first digit.
CLASSES = {
    "household_code": "4",
    "producer_code": "4",
    "bank_code": "5",
    "cash_code": "5",
    "writeoff_code": "6",
    "gifts_code": "7",
    "help_code": "6",
}
CLASS_NAMES = {
    "4": gettext_lazy("4 (third parties)"),
    "5": gettext_lazy("5 (financial accounts)"),
    "6": gettext_lazy("6 (expenses)"),
    "7": gettext_lazy("7 (income)"),
}


class AccountCodesForm(forms.ModelForm):
    class Meta:
        model = AccountCodes
        fields = [
            "household_code",
            "household_subaccounts",
            "producer_code",
            "producer_subaccounts",
            "bank_code",
            "cash_code",
            "writeoff_code",
            "gifts_code",
            "help_code",
            "bank_journal",
            "cash_journal",
            "misc_journal",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (*CODE_FIELDS, "bank_journal", "cash_journal", "misc_journal"):
            self.fields[name].widget.attrs.update(autocomplete="off", spellcheck="false", size="12")

    def _clean_code(self, name: str) -> str:
        code = (self.cleaned_data.get(name) or "").strip().upper()
        if code and not code.startswith(CLASSES[name]):
            raise forms.ValidationError(
                _("This account belongs to class %(class)s: its code starts with %(digit)s.")
                % {"class": CLASS_NAMES[CLASSES[name]], "digit": CLASSES[name]}
            )
        return code

    def clean_household_code(self) -> str:
        return self._clean_code("household_code")

    def clean_producer_code(self) -> str:
        return self._clean_code("producer_code")

    def clean_bank_code(self) -> str:
        return self._clean_code("bank_code")

    def clean_cash_code(self) -> str:
        return self._clean_code("cash_code")

    def clean_writeoff_code(self) -> str:
        return self._clean_code("writeoff_code")

    def clean_gifts_code(self) -> str:
        return self._clean_code("gifts_code")

    def clean_help_code(self) -> str:
        return self._clean_code("help_code")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: dict[str, str] = {}
        for name in CODE_FIELDS:
            code = cleaned.get(name)
            if not code:
                continue
            if code in seen:
                self.add_error(
                    name,
                    _("%(code)s is already the code of « %(other)s »: each account needs its own code.")
                    % {"code": code, "other": self.fields[seen[code]].label},
                )
            else:
                seen[code] = name
        return cleaned
