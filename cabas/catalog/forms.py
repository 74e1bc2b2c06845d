"""Forms for producers and products. Fields are always listed explicitly."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cabas.accounts.forms import normalise_phone
from cabas.catalog import validation
from cabas.catalog.models import Category, Producer, Product
from cabas.catalog.services import PRODUCER_FIELDS, PRODUCT_FIELDS
from cabas.lib.forms import MoneyField, QuantityField

MAX_PHOTO_BYTES = 5 * 1024 * 1024


def check_photo(photo: Any) -> Any:
    if photo and getattr(photo, "size", 0) > MAX_PHOTO_BYTES:
        raise ValidationError(_("The photo is too large (5 MB at most)."))
    return photo


def _clean_iban(value: str) -> str:
    iban = "".join(value.split()).upper()
    if not iban:
        return ""
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:].isalnum()) or _iban_mod97(iban) != 1:
        raise ValidationError(_("This IBAN is not valid: check it against your bank details (RIB)."))
    return iban


def _iban_mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97


class FieldsetsMixin:
    """Forms with ``fieldset_layout`` = ((legend, help, (field names...)), ...) render in groups."""

    fieldset_layout: tuple[tuple[Any, Any, tuple[str, ...]], ...] = ()

    def fieldsets(self) -> list[tuple[Any, Any, list[Any]]]:
        return [
            (legend, help_text, [self[name] for name in names])  # type: ignore[index]
            for legend, help_text, names in self.fieldset_layout
        ]


class ProducerForm(FieldsetsMixin, forms.ModelForm[Producer]):
    fieldset_layout = (
        (
            _("Presentation"),
            "",
            ("name", "speciality", "description", "photo", "farming_practice", "labels", "website"),
        ),
        (_("Address and contact"), "", ("address", "postcode", "town", "contact_email", "contact_phone")),
        (
            _("Payment at distribution"),
            _("Members see these instructions on their order and slip."),
            Producer.PAYMENT_FIELDS,
        ),
    )

    class Meta:
        model = Producer
        fields = list(PRODUCER_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "farming_practice": forms.Textarea(attrs={"rows": 3}),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise ValidationError(_("The name needs at least 2 characters."))
        return name

    def clean_photo(self) -> Any:
        return check_photo(self.cleaned_data.get("photo"))

    def clean_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_iban(self) -> str:
        return _clean_iban(self.cleaned_data["iban"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("accepts_transfer") and not data.get("iban") and "iban" not in self.errors:
            self.add_error("iban", _("Give your IBAN, since you accept bank transfers."))
        if not (data.get("accepts_cash") or data.get("accepts_cheque") or data.get("accepts_transfer")):
            self.add_error(None, _("Accept at least one way of paying: cash, cheque or transfer."))
        return data


class NewProducerForm(forms.ModelForm[Producer]):
    """What a coordinator knows when creating a producer on its behalf."""

    invite_email = forms.EmailField(
        label=_("Invite the producer (e-mail)"),
        required=False,
        help_text=_("Optional: the producer receives a link to manage their own catalogue."),
    )

    class Meta:
        model = Producer
        fields = ["name", "speciality", "town", "contact_email", "contact_phone"]

    def clean_name(self) -> str:
        return ProducerForm.clean_name(self)  # type: ignore[arg-type]

    def clean_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data["contact_phone"])


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the producer"))


class ProductForm(FieldsetsMixin, forms.ModelForm[Product]):
    fieldset_layout = (
        (_("Description"), "", ("name", "category", "description", "photo", "labels")),
        (
            _("Unit and price"),
            _(
                "E.g. a jar of 500 g at 6,50 €: sold by “jar”, size 500, size unit “g”, price 6,50. "
                "Members then also see 13,00 €/kg."
            ),
            ("unit", "content", "content_unit", "price_cents", "vat_rate"),
        ),
        (_("Quantities"), "", ("quantity_step", "min_quantity", "carton_size")),
        (
            _("Variable weight"),
            _(
                "For a chicken or a piece of cheese: the price is per kg, members order pieces and see an "
                "estimated price, and pay on the weight you weigh at distribution."
            ),
            ("variable_weight", "estimated_weight_grams"),
        ),
    )
    price_cents = MoneyField(label=_("Price (€)"), max_cents=validation.MAX_PRICE_CENTS)
    quantity_step = QuantityField(
        label=_("Quantity step"),
        max_quantity=validation.MAX_STEP,
        initial=1000,
        help_text=_("Members order in multiples of it, e.g. 0,5 for half-kilos."),
    )
    min_quantity = QuantityField(label=_("Minimum quantity"), max_quantity=validation.MAX_STEP, initial=1000)
    carton_size = QuantityField(
        label=_("Carton size"),
        required=False,
        max_quantity=validation.MAX_CARTON,
        help_text=_("Optional: how many units make a carton or crate, e.g. 6 bottles."),
    )

    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "content": forms.NumberInput(attrs={"min": 1, "max": validation.MAX_CONTENT}),
            "estimated_weight_grams": forms.NumberInput(attrs={"min": 1, "max": validation.MAX_PIECE_GRAMS}),
        }
        help_texts = {
            "variable_weight": _("Sold by the kg, ordered by the piece, paid on the actual weight.")
        }

    def __init__(self, *args: Any, producer: Producer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.producer = producer
        self.instance.producer = producer
        self.fields["content"].validators.append(_max_validator(validation.MAX_CONTENT))
        self.fields["estimated_weight_grams"].validators.append(_max_validator(validation.MAX_PIECE_GRAMS))
        self.fields["content"].min_value = 1  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise ValidationError(_("The name needs at least 2 characters."))
        return name

    def clean_photo(self) -> Any:
        return check_photo(self.cleaned_data.get("photo"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = validation.product_errors(
            data, producer_id=self.producer.pk, exclude_pk=self.instance.pk if self.instance.pk else None
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, message)
        return data

    def validate_unique(self) -> None:
        # ``product_errors`` above checks the same rules as the model's
        # constraints (unique name, step divides minimum...) with messages a
        # producer understands; the generic constraint messages would repeat them.
        return


def _max_validator(limit: int) -> Any:
    from django.core.validators import MaxValueValidator

    return MaxValueValidator(limit, message=_("This is too large (%(limit_value)s at most)."))


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("On sale")), ("archived", _("Archived")), ("all", _("All"))],
    )


class PriceForm(forms.Form):
    price_cents = MoneyField(label=_("Price (€)"), max_cents=validation.MAX_PRICE_CENTS)


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search a product or producer"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
