"""The account codes a group's books use, from the French associations' chart of accounts.

The ledger (``cabas.ledger``) knows six accounts; the association's
accountant knows codes. Each group keeps its own codes here, set by its
treasurers; the defaults follow the chart of accounts of associations
(règlement ANC n° 2018-06, on the plan comptable général):

==============  =====  =============================================================
ledger account  code   why
==============  =====  =============================================================
household       411    « Clients – usagers »: what members owe the association.
                       Optionally one sub-account per household (411 + number).
producer        401    « Fournisseurs »: what is owed to producers; one sub-account
                       per producer (401 + number) by default, since a group has few
                       producers and the accountant follows each one's balance.
bank            512    « Banques ».
desk            530    « Caisse »: the cash and cheques the welcome desk holds.
writeoff        654    « Pertes sur créances irrécouvrables »: what a household will
                       not pay. (658, « charges diverses de gestion courante », suits
                       groups that only write off rounding cents.)
fund, gifts     754    « Ressources liées à la générosité du public » (dons manuels):
                       contributions to the solidarity fund.
fund, help      657    « Aides financières » granted: the fund's help to households.
==============  =====  =============================================================

The solidarity fund is money given for a purpose: its contributions are
income (754) and its help is an expense (657), so what the fund holds is the
difference. Entries go to the bank journal (BQ) when they move the bank, to
the cash journal (CA) when they move the desk's cash, otherwise to the
miscellaneous journal (OD).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup

# Accounting software (Paheko among them) takes account codes made of digits and capital letters.
account_code = RegexValidator(
    r"\A[0-9][0-9A-Z]{1,11}\Z",
    _("An account code starts with a digit and holds 2 to 12 digits or capital letters, e.g. 411."),
)
journal_code = RegexValidator(
    r"\A[A-Z0-9]{1,6}\Z", _("A journal code holds 1 to 6 capital letters or digits, e.g. BQ.")
)

# Digits of a household's or producer's number in a sub-account (411 + 00042).
SUBACCOUNT_DIGITS = 5


class AccountCodes(models.Model):
    """One group's chart of accounts for its books (defaults: see the module's docstring)."""

    group = models.OneToOneField(
        BuyingGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("group")
    )
    household_code = models.CharField(
        _("members (households)"), max_length=12, default="411", validators=[account_code]
    )
    household_subaccounts = models.BooleanField(
        _("one sub-account per household"),
        default=False,
        help_text=_("411 followed by the household's number, e.g. 41100042."),
    )
    producer_code = models.CharField(_("producers"), max_length=12, default="401", validators=[account_code])
    producer_subaccounts = models.BooleanField(
        _("one sub-account per producer"),
        default=True,
        help_text=_("401 followed by the producer's number, e.g. 40100007."),
    )
    bank_code = models.CharField(_("bank"), max_length=12, default="512", validators=[account_code])
    cash_code = models.CharField(
        _("cash (welcome desk)"), max_length=12, default="530", validators=[account_code]
    )
    writeoff_code = models.CharField(
        _("amounts written off"), max_length=12, default="654", validators=[account_code]
    )
    gifts_code = models.CharField(
        _("contributions to the solidarity fund"), max_length=12, default="754", validators=[account_code]
    )
    help_code = models.CharField(
        _("help granted by the solidarity fund"), max_length=12, default="657", validators=[account_code]
    )
    bank_journal = models.CharField(_("bank journal"), max_length=6, default="BQ", validators=[journal_code])
    cash_journal = models.CharField(_("cash journal"), max_length=6, default="CA", validators=[journal_code])
    misc_journal = models.CharField(
        _("miscellaneous journal"), max_length=6, default="OD", validators=[journal_code]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("account codes")
        verbose_name_plural = _("account codes")

    def __str__(self) -> str:
        return str(self.group)

    @classmethod
    def of(cls, group: BuyingGroup) -> AccountCodes:
        """The group's codes, or the defaults (unsaved) while its treasurers have set none."""
        return cls.objects.filter(group=group).first() or cls(group=group)
