"""What the settlement keeps besides the ledger: when each household was last reminded to pay.

The money itself is in the ledger (``cabas.ledger``); settling a cycle is a step
of the cycle (``settled_at``). This app only remembers reminders, so that a
household is not reminded twice within ``services.REMIND_EVERY``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.cycles.models import Cycle


class Reminder(models.Model):
    """The last payment reminder of one household for one cycle (one row each, updated in place)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", verbose_name=_("cycle"))
    household = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    sent_at = models.DateTimeField(_("last sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    count = models.PositiveSmallIntegerField(_("reminders sent"), default=1)

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "household"], name="settlement_reminder_once_per_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} · {self.cycle_id} · {self.sent_at:%Y-%m-%d}"
