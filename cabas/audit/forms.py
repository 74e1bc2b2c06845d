"""The journal's filters (a GET form: nothing it receives is trusted beyond its choices)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup, Membership
from cabas.audit.journal import CATEGORIES, Filters
from cabas.cycles.models import Cycle

# Dates a journal can hold (and that a day can be added to without leaving the calendar).
DATE_RANGE = [MinValueValidator(date(2000, 1, 1)), MaxValueValidator(date(2999, 12, 31))]


class JournalFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    person = forms.TypedChoiceField(label=_("By"), required=False, coerce=int, empty_value=None)
    cycle = forms.TypedChoiceField(label=_("Cycle"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label=_("Since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=DATE_RANGE,
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=DATE_RANGE,
    )

    def __init__(self, *args: Any, group: BuyingGroup, confidential: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("All"))]
        kinds = [(key, label) for key, label in CATEGORIES.items() if confidential or key != "money"]
        self._choices("kind", everyone + kinds)
        people = (
            Membership.objects.filter(group=group)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        seen: dict[int, str] = {}
        for membership in people:
            seen.setdefault(membership.user_id, membership.user.display_name)
        self._choices("person", everyone + sorted(seen.items(), key=lambda item: item[1].lower()))
        cycles = Cycle.objects.filter(group=group).order_by("-opens_at").values_list("pk", "name")
        self._choices("cycle", everyone + list(cycles))

    def _choices(self, name: str, choices: list[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must not be before the start date."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            category=data.get("kind") or "",
            person=data.get("person"),
            since=data.get("since"),
            until=data.get("until"),
            cycle=data.get("cycle"),
        )
