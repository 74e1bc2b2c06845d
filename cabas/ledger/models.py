"""The money ledger: append-only, double entry, integer cents.

An ``Entry`` is one event's movement of money (a basket handed over, a payment
at a stand, a transfer matched on the bank statement...). Its ``Line``s say
which accounts it moves, in signed cents: a debit is positive, a credit
negative, and the lines of an entry sum to zero.

Accounts (per group; every line also names the cycle and, where it applies,
the household and the producer it concerns; a prepaid group's top-ups are
outside any cycle, and the entry that pays a basket from them has one line
outside the cycle, on the household's prepaid credit):

=============  ========================================================  ============
account        what its balance is                                        normal side
=============  ========================================================  ============
``household``  what a household still owes (negative: it has credit)     debit
``producer``   what is still owed to a producer, by households or by     credit
               the association
``desk``       money collected at the welcome desk, still held           debit
``bank``       the association's bank account                            debit
``fund``       the solidarity fund's money                               credit
``writeoff``   what the association gave up on, with reasons             debit
=============  ========================================================  ============

A debit-normal account shows the sum of its lines; a credit-normal one shows
minus that sum, so « owed to P » and « the fund holds » read as positive
figures. Lines on the household account carry the producer they concern when
there is one, so « what H still owes P » is the sum of H's lines for P.

The database itself keeps the ledger append-only (triggers, both backends):
lines are never updated or deleted; an entry is written *open*, its lines are
added, and it is *sealed* in the same transaction, which the database accepts
only if its lines sum to zero; a sealed entry never changes and takes no
more lines. A correction is a new entry that ``reverses`` the wrong one, plus
a new one that ``corrects`` it. Once a cycle is settled, only corrections post
on it. Only ``cabas.ledger.services`` writes here; ``cabas.ledger.positions``
reads balances back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup
from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle


class Account(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    PRODUCER = "producer", _("Producer")
    DESK = "desk", _("Welcome desk")
    BANK = "bank", _("Bank")
    FUND = "fund", _("Solidarity fund")
    WRITEOFF = "writeoff", _("Written off")


# Credit-normal accounts show minus the sum of their lines.
CREDIT_NORMAL = frozenset({Account.PRODUCER, Account.FUND})


class EntryKind(models.TextChoices):
    HANDOVER = "handover", _("Handed over")
    STAND_PAYMENT = "stand_payment", _("Paid at the stand")
    DESK_PAYMENT = "desk_payment", _("Paid at the welcome desk")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer received")
    PRODUCER_PAYMENT = "producer_payment", _("The association paid the producer")
    WRITEOFF = "writeoff", _("Written off")
    REFUND = "refund", _("Refund")
    CONTRIBUTION = "contribution", _("Contribution to the solidarity fund")
    SUBSIDY = "subsidy", _("Help from the solidarity fund")
    TOPUP = "topup", _("Account topped up")
    PREPAID_DEBIT = "prepaid_debit", _("Paid from the prepaid account")
    DEPOSIT = "deposit", _("Deposited at the bank")
    REVERSAL = "reversal", _("Correction (reversal)")


class Method(models.TextChoices):
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    TRANSFER = "transfer", _("Bank transfer")
    CARD = "card", _("Card")


class Entry(models.Model):
    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("cycle")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, blank=True)
    memo = models.CharField(_("note"), max_length=300, blank=True)
    # What caused it, outside the ledger (a day's event, a bank line): "<kind>:<id>".
    source = models.CharField(_("source"), max_length=60, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    # The second half of a correction: the new entry that replaces the one reversed.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    # An idempotency key: the same request sent twice posts once.
    key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    sealed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["group", "cycle"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Line(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lines")
    group = models.ForeignKey(BuyingGroup, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    account = models.CharField(max_length=10, choices=Account.choices)
    household = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount_cents = models.BigIntegerField()  # debit +, credit -

    class Meta:
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        indexes = [
            models.Index(fields=["group", "account", "cycle"]),
            models.Index(fields=["household", "cycle"]),
            models.Index(fields=["producer", "cycle"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_cents=0), name="ledger_line_not_zero"),
            models.CheckConstraint(
                condition=~Q(account=Account.HOUSEHOLD) | Q(household__isnull=False),
                name="ledger_household_line_names_household",
            ),
            models.CheckConstraint(
                condition=~Q(account=Account.PRODUCER) | Q(producer__isnull=False),
                name="ledger_producer_line_names_producer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount_cents:+d}"
