"""The group's audit trail: who changed what, when, with the values before and after.

Why a model of ours and not django-auditlog (or another signal-based library):
such libraries listen to ``post_save``/``post_delete`` signals, which Django
does not send for ``QuerySet.update()`` or ``bulk_create()``, and Cabas's
services write with exactly those (guarded updates for quotas and join
decisions, bulk-created offers). They would also store one row per model
save, where a coordinator wants one line per decision (« roles of Marie:
member → member, coordinator »). So each service calls
``cabas.audit.services.record`` inside its own transaction: the event is
written if and only if the change is.

What already has a journal of its own is not copied here but read where it
lives (``cabas.audit.journal``): ledger entries, order changes, cycle steps,
documents sent to producers.

The table is append-only in the database (``cabas.lib.append_only``
triggers on SQLite and PostgreSQL): rows are never updated or deleted, which
is also why every foreign key here is ``PROTECT`` (people are anonymised,
never deleted, so their events keep pointing at them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MEMBER_ADDED = "member_added", _("Member added")
    ROLES_CHANGED = "roles_changed", _("Roles changed")
    MEMBER_ENDED = "member_ended", _("Membership ended")
    JOIN_APPROVED = "join_approved", _("Join request approved")
    JOIN_REFUSED = "join_refused", _("Join request refused")
    CYCLE_CREATED = "cycle_created", _("Cycle created")
    CYCLE_CHANGED = "cycle_changed", _("Cycle changed")
    OFFER_CHANGED = "offer_changed", _("Offer changed")
    OFFER_WITHDRAWN = "offer_withdrawn", _("Offer withdrawn")
    PRIVACY_CHANGED = "privacy_changed", _("Privacy page changed")
    ACCOUNT_ANONYMISED = "account_anonymised", _("Account anonymised")


class AuditEvent(models.Model):
    """One decision in a group. Append-only: never updated, never deleted."""

    group = models.ForeignKey(
        "accounts.BuyingGroup", on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # The person the decision concerns (the member whose roles changed...), if any.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concerning"),
    )
    cycle = models.ForeignKey(
        "cycles.Cycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cycle"),
    )
    # What was changed, as named at the time (an offer's product, a cycle's name).
    target = models.CharField(_("what"), max_length=200, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["group", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
