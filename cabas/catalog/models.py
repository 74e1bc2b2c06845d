"""Producers, the groups they supply, the people who manage them, and their products."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Mod
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup
from cabas.catalog.payment import payment_sentence
from cabas.lib.money import format_cents
from cabas.lib.quantities import ONE, format_quantity, price_per_reference

PHOTO_HELP = _("JPEG, PNG or WebP, 5 MB at most.")


class ProducerQuerySet(models.QuerySet["Producer"]):
    def supplying(self, group: BuyingGroup) -> ProducerQuerySet:
        """Producers currently supplying ``group``, by name."""
        return self.filter(supplies__group=group, supplies__ended_at__isnull=True, is_active=True).order_by(
            "name"
        )

    def managed_by(self, user: object) -> ProducerQuerySet:
        return self.filter(accounts__user=user)

    def taking_part_in(self, cycle: models.Model) -> ProducerQuerySet:
        """The producers of ``cycle``: chosen for it, or with an offer in it, by name.

        An offer stays in a cycle while someone ordered it (even withdrawn), so
        its producer stays on the cycle's documents.
        """
        # Two subqueries, each on its cycle index, rather than one OR across two
        # joins: that joined every offer of every cycle of the instance before
        # filtering (130 ms with 20 groups, growing with each group).
        chosen = Producer.objects.filter(cycles=cycle.pk).values("pk")
        offering = Producer.objects.filter(offers__cycle=cycle.pk).values("pk")
        return self.filter(Q(pk__in=chosen) | Q(pk__in=offering)).distinct().order_by("name")


class Producer(models.Model):
    """A farm, bakery, brewery... An organisation that may supply several groups."""

    # How members pay it at distribution (its form's section, slips, payment instructions).
    PAYMENT_FIELDS = (
        "accepts_cash",
        "accepts_cheque",
        "cheque_payable_to",
        "accepts_transfer",
        "iban",
        "payment_notes",
    )

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    speciality = models.CharField(_("what they make"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(5000)])
    photo = models.ImageField(_("photo"), upload_to="producers/", blank=True, help_text=PHOTO_HELP)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    town = models.CharField(_("town"), max_length=120, blank=True)
    farming_practice = models.TextField(
        _("farming practice"),
        blank=True,
        validators=[MaxLengthValidator(2000)],
        help_text=_("How you grow, raise or make your products."),
    )
    labels = models.CharField(
        _("labels and certifications"), max_length=200, blank=True, help_text=_("E.g. AB, Nature & Progrès.")
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    accepts_cash = models.BooleanField(_("cash accepted"), default=True)
    accepts_cheque = models.BooleanField(_("cheques accepted"), default=True)
    cheque_payable_to = models.CharField(_("cheques payable to"), max_length=120, blank=True)
    accepts_transfer = models.BooleanField(_("bank transfers accepted"), default=False)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    payment_notes = models.CharField(
        _("other payment instructions"), max_length=300, blank=True, help_text=_("Shown to members.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Whose coordinators keep its data while it has no account of its own: the group that
    # created it (or, once that group stops working with it, the longest-standing group it
    # still supplies). Other groups it supplies only offer its products.
    managing_group = models.ForeignKey(
        BuyingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_producers",
        verbose_name=_("managed by"),
        help_text=_("The group whose coordinators keep its data while it has no account of its own."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ProducerQuerySet.as_manager()

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("producer_dashboard", args=[self.slug])

    @property
    def cheque_payee(self) -> str:
        return self.cheque_payable_to or self.name

    @property
    def iban_display(self) -> str:
        """The IBAN in groups of four, as printed on a RIB."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))

    def payment_sentence(self) -> str:
        """How members pay it, in one sentence (``payment.payment_sentence``)."""
        return payment_sentence(self)


class ProducerAccount(models.Model):
    """A person who manages a producer's data (the farmer, the baker, their partner)."""

    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, related_name="accounts", verbose_name=_("producer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="producer_accounts",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("producer account")
        verbose_name_plural = _("producer accounts")
        constraints = [models.UniqueConstraint(fields=["producer", "user"], name="produceraccount_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.producer}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class ProducerInvitation(models.Model):
    """An e-mailed invitation to manage a producer; valid for a while, usable once."""

    VALID_FOR = timedelta(days=30)

    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("producer")
    )
    group = models.ForeignKey(
        BuyingGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("group")
    )
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        verbose_name = _("producer invitation")
        verbose_name_plural = _("producer invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.producer}"

    def get_absolute_url(self) -> str:
        return reverse("producer_invitation", args=[self.token])

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and timezone.now() < self.created_at + self.VALID_FOR


class Supply(models.Model):
    """A producer supplying a group, from a date; ending it keeps the history."""

    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="supplies", verbose_name=_("producer")
    )
    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="supplies", verbose_name=_("group")
    )
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("supply")
        verbose_name_plural = _("supplies")
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "group"],
                condition=models.Q(ended_at__isnull=True),
                name="supply_one_current_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.producer} → {self.group}"


class Category(models.TextChoices):
    BREAD = "bread", _("Bread")
    FLOUR = "flour", _("Flour and grains")
    OIL = "oil", _("Oil")
    MEAT = "meat", _("Meat")
    POULTRY = "poultry", _("Poultry")
    DAIRY = "dairy", _("Dairy and eggs")
    VEGETABLES = "vegetables", _("Vegetables")
    FRUIT = "fruit", _("Fruit")
    DRINKS = "drinks", _("Drinks")
    HONEY = "honey", _("Honey")
    SWEETS = "sweets", _("Sweets and biscuits")
    COSMETICS = "cosmetics", _("Cosmetics and household")
    OTHER = "other", _("Other")


class SaleUnit(models.TextChoices):
    PIECE = "piece", _("piece")
    KG = "kg", _("kg")
    LITRE = "litre", _("litre")
    BOTTLE = "bottle", _("bottle")
    JAR = "jar", _("jar")
    BAG = "bag", _("bag")
    PACK = "pack", _("pack")
    BOX = "box", _("box")
    BUNCH = "bunch", _("bunch")


class ContentUnit(models.TextChoices):
    GRAM = "g", _("g")
    MILLILITRE = "ml", _("ml")


class VatRate(models.IntegerChoices):
    """In basis points (550 = 5.5 %), the French rates."""

    NONE = 0, _("none (0 %)")
    SUPER_REDUCED = 210, "2,1 %"
    REDUCED = 550, "5,5 %"
    INTERMEDIATE = 1000, "10 %"
    STANDARD = 2000, "20 %"


# Units whose price already is per kg or per litre: no size to give.
MEASURED_UNITS = {SaleUnit.KG: ContentUnit.GRAM, SaleUnit.LITRE: ContentUnit.MILLILITRE}


class ProductQuerySet(models.QuerySet["Product"]):
    def active(self) -> ProductQuerySet:
        return self.filter(is_active=True)

    def on_sale_in(self, group: BuyingGroup) -> ProductQuerySet:
        """Active products of active producers currently supplying ``group``."""
        return self.active().filter(
            producer__is_active=True,
            producer__supplies__group=group,
            producer__supplies__ended_at__isnull=True,
        )


class Product(models.Model):
    """One item of a producer's catalogue.

    Quantities (step, minimum, carton) are integer thousandths of the sale
    unit; the price is integer cents per sale unit, or per kg for a
    variable-weight product, which members order by the piece and pay on the
    actual weight. A product that was ever ordered is archived, never deleted.
    """

    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="products", verbose_name=_("producer")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(2000)])
    photo = models.ImageField(_("photo"), upload_to="products/", blank=True, help_text=PHOTO_HELP)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    labels = models.CharField(_("labels"), max_length=120, blank=True, help_text=_("E.g. AB, Demeter."))
    unit = models.CharField(_("sold by"), max_length=8, choices=SaleUnit.choices)
    content = models.PositiveIntegerField(
        _("size"),
        null=True,
        blank=True,
        help_text=_("Weight or volume of one unit, e.g. 500 for a 500 g jar."),
    )
    content_unit = models.CharField(_("size unit"), max_length=2, choices=ContentUnit.choices, blank=True)
    price_cents = models.PositiveIntegerField(_("price"))
    vat_rate = models.PositiveIntegerField(_("VAT rate"), choices=VatRate.choices, default=VatRate.REDUCED)
    quantity_step = models.PositiveIntegerField(_("quantity step"), default=ONE)
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), default=ONE)
    carton_size = models.PositiveIntegerField(_("carton size"), null=True, blank=True)
    variable_weight = models.BooleanField(_("variable weight"), default=False)
    estimated_weight_grams = models.PositiveIntegerField(
        _("estimated weight of a piece (g)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProductQuerySet.as_manager()

    UNIT_FIELDS: ClassVar[tuple[str, ...]] = ("unit", "content", "content_unit")

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["producer", "category", "name"]
        indexes = [models.Index(fields=["producer", "is_active", "category"])]
        constraints = [
            models.UniqueConstraint("producer", Lower("name"), name="product_name_unique_per_producer"),
            models.CheckConstraint(condition=models.Q(price_cents__gt=0), name="product_price_positive"),
            models.CheckConstraint(condition=models.Q(quantity_step__gt=0), name="product_step_positive"),
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=models.F("quantity_step")),
                name="product_min_at_least_step",
            ),
            models.CheckConstraint(
                condition=Exact(Mod("min_quantity", "quantity_step"), 0), name="product_step_divides_min"
            ),
            models.CheckConstraint(
                condition=models.Q(carton_size__isnull=True)
                | models.Q(models.Q(carton_size__gt=0), Exact(Mod("carton_size", "quantity_step"), 0)),
                name="product_step_divides_carton",
            ),
            models.CheckConstraint(
                condition=models.Q(variable_weight=False)
                | models.Q(estimated_weight_grams__gt=0, unit=SaleUnit.PIECE),
                name="product_variable_weight_is_per_piece_with_estimate",
            ),
            models.CheckConstraint(
                condition=models.Q(content__isnull=True, content_unit="")
                | models.Q(content__gt=0, content_unit__in=ContentUnit.values),
                name="product_content_with_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # --- Display -------------------------------------------------------------------

    def unit_label(self) -> str:
        """``pot de 500 g``, ``bouteille de 75 cl``, ``kg``, ``pièce (≈ 1,8 kg)``."""
        label = str(self.get_unit_display())
        if self.content and self.content_unit:
            label = _("%(unit)s of %(size)s") % {"unit": label, "size": self.content_display()}
        if self.variable_weight and self.estimated_weight_grams:
            weight = format_quantity(self.estimated_weight_grams)
            label = _("%(unit)s (about %(weight)s kg)") % {"unit": label, "weight": weight}
        return label

    def content_display(self) -> str:
        if not self.content:
            return ""
        if self.content_unit == ContentUnit.GRAM:
            return f"{format_quantity(self.content)} kg" if self.content >= ONE else f"{self.content} g"
        if self.content >= ONE:
            return f"{format_quantity(self.content)} l"
        return f"{self.content // 10} cl" if self.content % 10 == 0 else f"{self.content} ml"

    def price_display(self) -> str:
        """``6,50 € / pot de 500 g`` or ``18,00 € / kg`` (variable weight)."""
        if self.variable_weight:
            return _("%(price)s / kg") % {"price": format_cents(self.price_cents)}
        return f"{format_cents(self.price_cents)} / {self.unit_label()}"

    def reference_price_display(self) -> str:
        """``13,00 €/kg`` for a 500 g jar at 6,50 €; empty when it would say nothing new."""
        if self.variable_weight or not self.content or self.unit in MEASURED_UNITS:
            return ""
        per = price_per_reference(self.price_cents, self.content)
        reference = "kg" if self.content_unit == ContentUnit.GRAM else "l"
        return f"{format_cents(per)}/{reference}"

    def estimated_piece_price_cents(self) -> int | None:
        """Estimated price of one piece of a variable-weight product (rounded half up)."""
        if not self.variable_weight or not self.estimated_weight_grams:
            return None
        return (self.price_cents * self.estimated_weight_grams * 2 + ONE) // (ONE * 2)

    def step_display(self) -> str:
        return format_quantity(self.quantity_step)

    def min_display(self) -> str:
        return format_quantity(self.min_quantity)

    def carton_display(self) -> str:
        return format_quantity(self.carton_size) if self.carton_size else ""


class PriceChange(models.Model):
    """Append-only history of a product's price. A change never touches placed orders."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="price_changes", verbose_name=_("product")
    )
    old_price_cents = models.PositiveIntegerField(_("old price"))
    new_price_cents = models.PositiveIntegerField(_("new price"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.product}: {self.old_price_cents} → {self.new_price_cents}"


class CatalogImport(models.Model):
    """An uploaded spreadsheet, parsed and waiting for confirmation.

    ``plan`` holds, row by row, what the import would do (create, update,
    archive, unchanged) and what is wrong; nothing touches the catalogue until
    the producer confirms, and an import with errors can never be applied.
    """

    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, related_name="imports", verbose_name=_("producer")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    filename = models.CharField(_("file"), max_length=200)
    plan = models.JSONField(_("plan"), default=dict)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.producer}: {self.filename}"
