"""Forms for people, groups and memberships. Fields are always listed explicitly."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup, Role, User
from cabas.lib.money import format_amount, parse_cents

PHONE_HELP = _("Optional. Coordinators call you if something goes wrong with an order.")


def normalise_phone(value: str) -> str:
    value = " ".join(value.split())
    allowed = set("0123456789 +.-()")
    if value and (set(value) - allowed or sum(c.isdigit() for c in value) < 6):
        raise forms.ValidationError(_("Enter a phone number made of digits, e.g. 06 12 34 56 78."))
    return value


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As the other members and producers will see it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def signup(self, request: Any, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language", "wants_announcements", "wants_reminders"]
        # One choice for the group's e-mails to everyone: its news and the opening of a cycle.
        labels = {"wants_announcements": _("E-mail me the group's announcements and when a cycle opens")}
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }
        help_texts = {"phone": PHONE_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


class DeleteAccountForm(forms.Form):
    email = forms.EmailField(
        label=_("Type your e-mail address to confirm"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email != self.user.email.lower():
            raise forms.ValidationError(_("This is not the e-mail address of your account."))
        return email


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("A word for the coordinators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: who you are, how you heard of the group."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the person)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )

    def cleaned_roles(self) -> list[Role]:
        return [Role(value) for value in self.cleaned_data["roles"]]


class AddMemberForm(forms.Form):
    """A coordinator registers someone without internet (phone or paper orders)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("If the person has no e-mail address, use one of the household's."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        initial=[Role.MEMBER],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter the person's name."))
        return name

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


def clean_fund_percents(text: str) -> str:
    """The group's suggested contributions to the solidarity fund, checked and written « 2 5 10 »."""
    words = text.replace(",", " ").replace(";", " ").split()
    numbers = [number for word in words if (number := word.rstrip("%").strip())]
    if any(not (n.isascii() and n.isdigit() and 0 < int(n) <= 50) for n in numbers) or len(numbers) > 6:
        raise forms.ValidationError(_("Type up to 6 whole percentages between 1 and 50, such as « 2 5 10 »."))
    return " ".join(str(int(n)) for n in numbers)


class FundPercentsForm(forms.ModelForm[BuyingGroup]):
    """The treasurers' own way to the same setting (they do not manage the group's other settings)."""

    class Meta:
        model = BuyingGroup
        fields = ["fund_percents"]

    def clean_fund_percents(self) -> str:
        return clean_fund_percents(self.cleaned_data["fund_percents"])


class GroupSettingsForm(forms.ModelForm[BuyingGroup]):
    class Meta:
        model = BuyingGroup
        fields = [
            "name",
            "description",
            "place",
            "distribution_info",
            "contact_email",
            "contact_phone",
            "requires_approval",
            "reminder_hours",
            "max_line_units",
            "bank_iban",
            "prepaid",
            "fund_percents",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    prepaid_minimum = forms.CharField(
        label=_("Minimum balance after a basket (€)"),
        required=False,
        max_length=20,
        help_text=_(
            "Prepaid accounts: 0 means the balance must cover the whole basket; -20 allows 20 € of debt."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("prepaid_minimum", format_amount(self.instance.prepaid_minimum_cents))

    def clean_prepaid_minimum(self) -> int:
        text = self.cleaned_data["prepaid_minimum"].strip() or "0"
        try:
            cents = parse_cents(text)
        except ValueError:
            raise forms.ValidationError(_("Type an amount in euros, such as 10 or 10,50.")) from None
        if abs(cents) > 100_000:
            raise forms.ValidationError(_("The minimum balance must stay between -1000 € and 1000 €."))
        return cents

    def clean_bank_iban(self) -> str:
        iban = "".join(self.cleaned_data["bank_iban"].split()).upper()
        if iban and not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:].isalnum()):
            raise forms.ValidationError(_("This does not look like an IBAN."))
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))

    def save(self, commit: bool = True) -> BuyingGroup:
        self.instance.prepaid_minimum_cents = self.cleaned_data["prepaid_minimum"]
        return super().save(commit=commit)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 3:
            raise forms.ValidationError(_("The name needs at least 3 characters."))
        return name

    def clean_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_fund_percents(self) -> str:
        return clean_fund_percents(self.cleaned_data["fund_percents"])


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or e-mail"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])
