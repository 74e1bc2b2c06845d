"""Coordinators' forms for shifts, rules and exemptions. Fields are always listed explicitly."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.shifts.models import MAX_CAPACITY, Kind, Reason, Rules


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ShiftForm(forms.Form):
    kind = forms.ChoiceField(label=_("Task"), choices=Kind.choices)
    label = forms.CharField(
        label=_("Details (optional)"), max_length=80, required=False, help_text=_("E.g. at the cheese stand.")
    )
    starts_at = forms.TimeField(label=_("From"), widget=_time_input())
    ends_at = forms.TimeField(label=_("To"), widget=_time_input())
    capacity = forms.IntegerField(label=_("People needed"), min_value=1, max_value=MAX_CAPACITY, initial=2)

    def __init__(self, *args: Any, prefix_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"{prefix_id}-%s"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The shift must end after it starts."))
        return data


class RulesForm(forms.ModelForm[Rules]):
    class Meta:
        model = Rules
        fields = ["cancel_hours", "yearly_help", "call_after_cycles"]


class ExemptionForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class PastHelpForm(forms.Form):
    user = forms.IntegerField(label=_("Household"))
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    what = forms.CharField(label=_("What"), max_length=120)

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Record help already given: choose a day in the past."))
        return day
