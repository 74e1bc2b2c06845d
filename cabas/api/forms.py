from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cabas.api.models import ApiToken, Scope


class TokenForm(forms.ModelForm[ApiToken]):
    scope = forms.ChoiceField(
        label=_("Access"), choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect
    )

    class Meta:
        model = ApiToken
        fields = ["name", "scope"]
        labels = {"name": _("Name of the token")}
        help_texts = {"name": _("What it is for, e.g. « my spreadsheet ».")}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name
