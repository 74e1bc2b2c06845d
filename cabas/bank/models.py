"""Bank statements imported by the treasurers, line by line, and what each line became.

An import is kept from the upload on, *unconfirmed*: its preview lives in the
database (not in the session) so the treasurer can leave the page, come back,
and choose line by line; an unconfirmed import counts for nothing: its lines
post nothing and do not make a later import's lines « already imported ».
Confirming stamps the import, posts each line's ledger entry and marks its
lines ``kept``, in one transaction.

Each line has a fingerprint (date, amount, label, bank id, and its rank among
identical lines of the same file): a kept line's fingerprint is unique in its
group, so importing the same statement twice, or two statements that overlap,
never posts a line twice: the database refuses it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup
from cabas.cycles.models import Cycle
from cabas.ledger.models import Entry


class StatementImport(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        OFX = "ofx", "OFX"
        CAMT = "camt053", "CAMT.053"

    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    filename = models.CharField(_("file"), max_length=200)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename


class Status(models.TextChoices):
    PENDING = "pending", _("To decide")  # in an unconfirmed import
    MATCHED = "matched", _("Matched to a basket")
    TOPUP = "topup", _("Prepaid account top-up")
    GIFT = "gift", _("Gift to the solidarity fund")
    IGNORED = "ignored", _("Ignored")
    UNMATCHED = "unmatched", _("To reconcile")
    DEBIT = "debit", _("Money out")
    DUPLICATE = "duplicate", _("Already imported")


class StatementLine(models.Model):
    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    group = models.ForeignKey(BuyingGroup, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    date = models.DateField(_("date"))
    amount_cents = models.BigIntegerField(_("amount"))
    label = models.CharField(_("label"), max_length=500, blank=True)
    bank_id = models.CharField(_("bank reference"), max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64)
    # Kept: the line belongs to a confirmed import (a preview's lines are not).
    kept = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    household = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "fingerprint"], condition=Q(kept=True), name="bank_line_imported_once"
            ),
            models.CheckConstraint(condition=~Q(amount_cents=0), name="bank_line_not_zero"),
            models.CheckConstraint(
                condition=~Q(status__in=["matched", "topup"])
                | Q(household__isnull=False, entry__isnull=False),
                name="bank_line_posted_names_household_and_entry",
            ),
        ]
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return f"{self.date} {self.amount_cents:+d} {self.label[:40]}"

    @property
    def is_credit(self) -> bool:
        return self.amount_cents > 0


class LowBalanceNotice(models.Model):
    """When a household of a prepaid group was last told its balance runs low (at most once a week)."""

    group = models.ForeignKey(BuyingGroup, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "household"], name="bank_one_notice_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.sent_at:%Y-%m-%d}"
