"""Cycles (an order window and a distribution day), their offers, and members' orders."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup
from cabas.catalog.models import Category, Producer, Product
from cabas.lib.money import MAX_LINE_TOTAL_CENTS, line_total_cents
from cabas.lib.quantities import MAX_LINE_QUANTITY, format_quantity

if TYPE_CHECKING:
    from cabas.catalog.permissions import ProducerAccess


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open for orders")
    CLOSED = "closed", _("Closed (adjustments)")
    FINALISED = "finalised", _("Finalised")
    DISTRIBUTED = "distributed", _("Distributed")
    SETTLED = "settled", _("Settled")


class CycleQuerySet(models.QuerySet["Cycle"]):
    def published(self) -> CycleQuerySet:
        return self.filter(published_at__isnull=False)

    def upcoming(self, today: date) -> CycleQuerySet:
        """Published cycles whose distribution is ``today`` or later and not yet done, soonest first:
        what a group's public page (and the public API) tells of its next distributions."""
        return (
            self.published()
            .filter(distribution_date__gte=today, distributed_at__isnull=True)
            .order_by("distribution_date", "pk")
        )

    def open_at(self, now: datetime) -> CycleQuerySet:
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def seen_through(self, access: ProducerAccess) -> CycleQuerySet:
        """Cycles the person may see through a producer's pages: its own accounts and the site
        admin see every group; a coordinator who manages it only the groups they coordinate."""
        if access.group_ids is None:
            return self
        return self.filter(group_id__in=access.group_ids)


class Cycle(models.Model):
    """A *Cabas*: an order window, then a distribution day.

    The phase is derived from the clock and from explicit coordinator actions,
    never from a job that might not run: a cycle whose deadline has passed
    refuses orders at that second.
    """

    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("group")
    )
    name = models.CharField(_("name"), max_length=120)
    opens_at = models.DateTimeField(_("orders open at"))
    closes_at = models.DateTimeField(_("orders close at"))
    distribution_date = models.DateField(_("distribution day"))
    distribution_start = models.TimeField(_("from"))
    distribution_end = models.TimeField(_("to"))
    distribution_place = models.CharField(_("place"), max_length=200)
    message = models.TextField(_("message to members"), blank=True, max_length=4000)
    producers = models.ManyToManyField(
        Producer, related_name="cycles", verbose_name=_("participating producers"), blank=True
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    distributed_at = models.DateTimeField(_("distributed at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    announced_at = models.DateTimeField(_("opening announced at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    recap_sent_at = models.DateTimeField(_("recap sent at"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("fair shares allocated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    # The token of the "new cycle" form that created it: the same form sent twice
    # (a double click, a resent page) finds this cycle instead of making a second one.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-distribution_date", "-opens_at"]
        indexes = [models.Index(fields=["group", "opens_at", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="cycle_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(distribution_end__gt=F("distribution_start")),
                name="cycle_distribution_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("order", args=[self.group.slug, self.pk])

    def phase(self, now: datetime | None = None) -> Phase:
        now = now or timezone.now()
        for stamp, phase in (
            (self.settled_at, Phase.SETTLED),
            (self.distributed_at, Phase.DISTRIBUTED),
            (self.finalised_at, Phase.FINALISED),
        ):
            if stamp:
                return phase
        if not self.published_at:
            return Phase.DRAFT
        if now < self.opens_at:
            return Phase.SCHEDULED
        if now < self.closes_at:
            return Phase.OPEN
        return Phase.CLOSED

    def distribution_starts_at(self) -> datetime:
        """The moment the distribution begins, in the site's time zone."""
        return datetime.combine(
            self.distribution_date, self.distribution_start, tzinfo=timezone.get_default_timezone()
        )

    def day_started(self) -> bool:
        """Something was recorded on the distribution day (its journal: ``distribution``), or it is over."""
        if self.phase() in (Phase.DISTRIBUTED, Phase.SETTLED):
            return True
        return self.day_events.exists()

    def phase_label(self) -> str:
        return str(self.phase().label)

    def is_open(self, now: datetime | None = None) -> bool:
        return self.phase(now) == Phase.OPEN

    def accepts_adjustments(self, now: datetime | None = None) -> bool:
        """Coordinators may change orders before opening ends and until the cycle is finalised."""
        return self.phase(now) in {Phase.SCHEDULED, Phase.OPEN, Phase.CLOSED}


class Allocation(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    FAIR_SHARE = "fair_share", _("Fair share at closing")


class Offer(models.Model):
    """A product on sale in one cycle, copied from the catalogue with its price frozen.

    Quantities are integer thousandths of the sale unit. ``remaining`` is what
    is left of a first-come quota; it only changes through a guarded update
    (and a check constraint keeps it >= 0). Fair-share offers keep their quota
    untouched until the deadline, when ``allocate`` splits it.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="offers", verbose_name=_("cycle"))
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="offers", verbose_name=_("product")
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="offers", verbose_name=_("producer")
    )
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit_label = models.CharField(_("unit"), max_length=120)
    price_cents = models.PositiveIntegerField(_("price"))
    vat_rate = models.PositiveIntegerField(_("VAT rate"), default=550)
    quantity_step = models.PositiveIntegerField(_("quantity step"), default=1000)
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), default=1000)
    carton_size = models.PositiveIntegerField(_("carton size"), null=True, blank=True)
    variable_weight = models.BooleanField(_("variable weight"), default=False)
    estimated_weight_grams = models.PositiveIntegerField(
        _("estimated weight of a piece (g)"), null=True, blank=True
    )
    quota = models.PositiveIntegerField(_("total quota"), null=True, blank=True)
    remaining = models.IntegerField(_("remaining"), null=True, blank=True)
    member_cap = models.PositiveIntegerField(_("cap per member"), null=True, blank=True)
    allocation = models.CharField(
        _("when scarce"), max_length=12, choices=Allocation.choices, default=Allocation.FIRST_COME
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["producer__name", "category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "product"], name="offer_one_per_product_per_cycle"),
            models.CheckConstraint(condition=Q(price_cents__gt=0), name="offer_price_positive"),
            models.CheckConstraint(condition=Q(remaining__gte=0), name="offer_remaining_not_negative"),
            models.CheckConstraint(
                condition=Q(remaining__lte=F("quota")), name="offer_remaining_within_quota"
            ),
            models.CheckConstraint(
                condition=Q(quota__isnull=True, remaining__isnull=True)
                | Q(quota__isnull=False, remaining__isnull=False),
                name="offer_quota_and_remaining_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cycle})"

    @property
    def is_available(self) -> bool:
        return self.withdrawn_at is None

    @property
    def is_fair_share(self) -> bool:
        return self.quota is not None and self.allocation == Allocation.FAIR_SHARE

    def line_total(self, quantity: int) -> int:
        """The amount of ``quantity`` of this offer (estimated for variable weight), in cents."""
        grams = self.estimated_weight_grams if self.variable_weight else None
        return line_total_cents(self.price_cents, quantity, grams_per_piece=grams)

    @property
    def estimated_piece_cents(self) -> int | None:
        """The estimated price of one piece of a variable-weight offer."""
        return self.line_total(1000) if self.variable_weight else None

    def room_under_cap(self, quantity: int, extra: int) -> int:
        """How much of ``extra`` a member holding ``quantity`` may add within the cap (whole steps)."""
        if self.member_cap is None:
            return extra
        room = max(self.member_cap - quantity, 0)
        return min(extra, room - room % self.quantity_step)

    def step_display(self) -> str:
        return format_quantity(self.quantity_step)

    def remaining_display(self) -> str:
        return format_quantity(self.remaining) if self.remaining is not None else ""


class OrderQuerySet(models.QuerySet["Order"]):
    def mark_changed(self, cycle_id: int) -> int:
        """Bump the version of these orders (a page showing an older one is stale) and announce it.

        Every write to order lines ends with this call, inside its transaction.
        """
        from cabas.cycles.signals import announce_change

        count = self.update(version=F("version") + 1, updated_at=timezone.now())
        announce_change(cycle_id)
        return count

    def for_member(self, user: object) -> OrderQuerySet:
        return self.filter(user=user)


class Order(models.Model):
    """One basket per member per cycle, across all producers."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="orders", verbose_name=_("cycle"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("member")
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    submitted_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # A promise to the solidarity fund added to the basket: a percentage of the basket's total
    # or a fixed amount, never both (``cycles.contribution``). A promise only: the fund's ledger
    # receives it when it is paid (at the desk, by transfer), never here.
    fund_percent = models.PositiveSmallIntegerField(_("contribution to the solidarity fund (%)"), default=0)
    fund_amount_cents = models.PositiveIntegerField(
        _("contribution to the solidarity fund (cents)"), default=0
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="order_one_per_member_per_cycle"),
            models.CheckConstraint(
                condition=Q(fund_percent__lte=100, fund_amount_cents__lte=100_000)
                & (Q(fund_percent=0) | Q(fund_amount_cents=0)),
                name="order_fund_promise_one_kind_within_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.cycle}"

    def total_cents(self) -> int:
        """What the basket comes to, as ``cabas.cycles.baskets`` counts it (the one place that does)."""
        from cabas.cycles.baskets import basket

        return basket(self).total_cents


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="lines", verbose_name=_("offer"))
    quantity = models.PositiveIntegerField(_("quantity"))
    requested = models.PositiveIntegerField(
        _("requested"), help_text=_("What the member asked for (a fair share may give less).")
    )
    total_cents = models.PositiveIntegerField(_("amount"))
    tolerance = models.PositiveIntegerField(
        _("tolerance"),
        default=0,
        help_text=_("I would take up to … more, to fill a carton (thousandths of the sale unit)."),
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "offer"], name="orderline_one_per_offer"),
            models.CheckConstraint(
                condition=Q(quantity__lte=F("requested")), name="orderline_not_more_than_asked"
            ),
            # The absolute ceiling; each group's own maximum (lower) is checked when saving a basket.
            models.CheckConstraint(
                condition=Q(
                    requested__lte=MAX_LINE_QUANTITY,
                    tolerance__lte=MAX_LINE_QUANTITY,
                    total_cents__lte=MAX_LINE_TOTAL_CENTS,
                ),
                name="orderline_within_ceiling",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer.name} x {format_quantity(self.quantity)}"


class ChangeKind(models.TextChoices):
    MEMBER = "member", _("Changed by the member")
    ON_BEHALF = "on_behalf", _("Changed by a coordinator on the member's behalf")
    ADJUSTMENT = "adjustment", _("Adjusted after closing")
    ALLOCATION = "allocation", _("Fair share of a scarce product")
    WITHDRAWAL = "withdrawal", _("Product withdrawn")
    PRICE = "price", _("Price changed")
    CARTON = "carton", _("Carton rounding")
    WEIGHING = "weighing", _("Actual weight at the distribution")
    SHORTAGE = "shortage", _("Not delivered at the distribution")


class OrderChange(models.Model):
    """The audit trail of every change to an order line, with who did it and why."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="changes", verbose_name=_("order")
    )
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+", verbose_name=_("offer"))
    kind = models.CharField(_("kind"), max_length=12, choices=ChangeKind.choices)
    old_quantity = models.PositiveIntegerField(_("before"))
    new_quantity = models.PositiveIntegerField(_("after"))
    old_total_cents = models.PositiveIntegerField(_("amount before"))
    new_total_cents = models.PositiveIntegerField(_("amount after"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    changed_at = models.DateTimeField(_("at"), default=timezone.now)
    notified_at = models.DateTimeField(_("member told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order change")
        verbose_name_plural = _("order changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.order}: {self.offer.name} {self.old_quantity} → {self.new_quantity}"


class Step(models.TextChoices):
    """A coordinator's step that moves a cycle on (the rules are ``services.STEPS``)."""

    PUBLISH = "publish", _("Published")
    UNPUBLISH = "unpublish", _("Taken back to draft")
    CLOSE = "close", _("Orders closed")
    FINALISE = "finalise", _("Finalised")
    REOPEN = "reopen", _("Adjustments reopened")
    DISTRIBUTE = "distribute", _("Distribution closed")
    SETTLE = "settle", _("Settled")


class CycleEvent(models.Model):
    """The history of a cycle's steps: which step, who took it and when."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events", verbose_name=_("cycle"))
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("cycle event")
        verbose_name_plural = _("cycle events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.step} · {self.at:%Y-%m-%d %H:%M}"


class ProducerOffer(models.Model):
    """A producer's own offer for a cycle that has not opened yet, from the coordinator's request
    to its acceptance.

    The producer answers from their catalogue (the cycle's offers of their products): which are
    available, at what price, with which quota and cap, and a word to members. Nothing reaches
    the cycle's offers until a coordinator accepts it (``proposals.accept``), through the offers'
    own write path.
    """

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="producer_offers", verbose_name=_("cycle")
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="+", verbose_name=_("producer")
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("a word to members"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("producer's offer")
        verbose_name_plural = _("producers' offers")
        ordering = ["producer__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "producer"], name="producer_offer_one_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.producer} · {self.cycle}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


class ProposedLine(models.Model):
    """One product in a producer's offer: available or not, price, quota and cap for this cycle."""

    proposal = models.ForeignKey(
        ProducerOffer, on_delete=models.CASCADE, related_name="lines", verbose_name=_("producer's offer")
    )
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+", verbose_name=_("offer"))
    available = models.BooleanField(_("available"), default=True)
    price_cents = models.PositiveIntegerField(_("price"))
    quota = models.PositiveIntegerField(_("total quota"), null=True, blank=True)
    member_cap = models.PositiveIntegerField(_("cap per member"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposed product")
        verbose_name_plural = _("proposed products")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "offer"], name="proposed_line_one_per_offer"),
            models.CheckConstraint(condition=Q(price_cents__gt=0), name="proposed_line_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.offer.name} · {self.proposal}"


class RequestKind(models.TextChoices):
    WITHDRAWAL = "withdrawal", _("Withdraw the product")
    QUOTA = "quota", _("Change the quota")


class OfferRequest(models.Model):
    """A producer asks, once orders are open, to withdraw a product or change its quota.

    A coordinator decides; an accepted request goes through ``services.withdraw_offer`` or
    ``services.update_offer``, so the members concerned are told and nothing is trimmed silently.
    """

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="requests", verbose_name=_("offer")
    )
    kind = models.CharField(_("request"), max_length=12, choices=RequestKind.choices)
    quota = models.PositiveIntegerField(_("new quota"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("producer's request")
        verbose_name_plural = _("producers' requests")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="withdrawal") | Q(quota__isnull=False), name="offer_request_quota_given"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.offer}"

    @property
    def is_pending(self) -> bool:
        return self.decided_at is None
