"""The distribution day's journal: what happened at the stands and the welcome desk.

The day is an append-only list of ``Event``s (a line handed over, a weight, a
shortage, a payment, an arrival, a decision on a basket nobody collected, the
cancellation of a mistake). Nothing is edited or deleted: the database refuses
it (triggers, both backends), and a correction is a new event that points at
the one it cancels. The current state of the day is derived from the journal
(``cabas.distribution.state``); every event that moves money posts its ledger
entry in the same transaction (``cabas.distribution.services``).

Each event comes from a device (a producer's phone, a desk tablet) with an id
made on that device: the same action sent twice (a retry after the wifi
dropped) is applied once, thanks to the unique (device, action) pair.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle, Order, OrderLine
from cabas.ledger.models import Entry, Method


class EventKind(models.TextChoices):
    ARRIVED = "arrived", _("Arrived")
    HANDED = "handed", _("Handed over")
    WEIGHED = "weighed", _("Weighed")
    SHORT = "short", _("Not delivered")
    PAID = "paid", _("Paid at the stand")
    DESK_PAID = "desk_paid", _("Paid at the welcome desk")
    UNCOLLECTED = "uncollected", _("Basket not collected")
    CANCELLED = "cancelled", _("Cancelled")
    RESOLVED = "resolved", _("Conflict resolved")


class ShortReason(models.TextChoices):
    NOT_HARVESTED = "not_harvested", _("Not harvested or not made")
    DAMAGED = "damaged", _("Damaged")
    FORGOTTEN = "forgotten", _("Forgotten at the farm")
    SOLD_OUT = "sold_out", _("Not enough for everyone")
    OTHER = "other", _("Other")


class Uncollected(models.TextChoices):
    KEPT = "kept", _("Kept for later")
    GIVEN_AWAY = "given_away", _("Given away")
    CHARGED = "charged", _("Charged anyway")
    CANCELLED = "cancelled", _("Cancelled, nothing owed")


class DayTeamMember(models.Model):
    """A volunteer a coordinator put on the welcome desk of one cycle's day (that cycle only)."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="day_team", verbose_name=_("cycle")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("volunteer")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("day team member")
        verbose_name_plural = _("day team")
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="dayteam_once_per_cycle")]

    def __str__(self) -> str:
        return f"{self.user} · {self.cycle}"


class Event(models.Model):
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="day_events", verbose_name=_("cycle")
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="day_events", verbose_name=_("basket")
    )
    producer = models.ForeignKey(
        Producer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("producer"),
    )
    line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="day_events",
        verbose_name=_("line"),
    )
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)  # thousandths
    grams = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    amount_cents = models.BigIntegerField(_("amount"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Cheque: number, bank, drawer; transfer: the reference the member will use; cash: given.
    details = models.JSONField(_("details"), default=dict, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    # Two helpers recorded the same payment: both are kept, coordinators resolve.
    conflict = models.BooleanField(_("conflict"), default=False)
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    device = models.CharField(_("device"), max_length=64)
    action = models.CharField(_("action"), max_length=64)
    happened_at = models.DateTimeField(_("at (device)"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("distribution event")
        verbose_name_plural = _("distribution events")
        ordering = ["pk"]
        indexes = [models.Index(fields=["cycle", "producer"]), models.Index(fields=["order"])]
        constraints = [
            models.UniqueConstraint(fields=["device", "action"], name="day_event_once_per_device_action"),
            models.CheckConstraint(
                condition=Q(amount_cents__isnull=True) | Q(amount_cents__gte=0),
                name="day_event_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.order_id}"
