"""The solidarity fund's confidential side: requests for help and the committee's decisions.

The fund's money is in the ledger (``cabas.ledger``: contributions and help are
entries on the ``fund`` account); here are only who asked, what the committee
decided and why. Only the committee (the group's treasurers) reads these rows.

Decisions are an append-only log: a change or an end is a new row, and a
household's current decision is its latest one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup
from cabas.ledger.models import Entry, Method


class HelpRequest(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the committee")
        GRANTED = "granted", _("Help granted")
        DECLINED = "declined", _("Declined")

    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    household = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    situation = models.TextField(_("situation"), max_length=4000)
    can_pay = models.CharField(_("what the household can pay"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    # A coordinator may propose a household to the committee; None: the household asked itself.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("request for help")
        verbose_name_plural = _("requests for help")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.household} ({self.get_status_display()})"


class HelpDecision(models.Model):
    """One step of a household's help: granted, changed or ended (``percent`` 0), with who and why."""

    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    household = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    request = models.ForeignKey(
        HelpRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    percent = models.PositiveSmallIntegerField(_("share covered (%)"))
    cap_cents = models.PositiveIntegerField(_("cap per cycle (cents)"))
    review_on = models.DateField(_("review on"), null=True, blank=True)
    why = models.CharField(_("why"), max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("help decision")
        verbose_name_plural = _("help decisions")
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["group", "household", "decided_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="solidarity_percent_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.household}: {self.percent} %"

    @property
    def active(self) -> bool:
        return self.percent > 0 and self.cap_cents > 0


class Gift(models.Model):
    """A gift to the fund outside any basket: from a household of the group or a named person.

    The money is in the ledger (``entry``: a ``contribution``, posted when the gift is recorded,
    that is when the association has received it); here is who gave it, and when.
    """

    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    donor_name = models.CharField(_("donor's name"), max_length=120, blank=True)
    donor_address = models.CharField(_("donor's address"), max_length=300, blank=True)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entry")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("gift to the solidarity fund")
        verbose_name_plural = _("gifts to the solidarity fund")
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["group", "received_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(donor__isnull=False) | ~Q(donor_name=""), name="solidarity_gift_names_donor"
            ),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="solidarity_gift_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.donor or self.donor_name}: {self.amount_cents}"
