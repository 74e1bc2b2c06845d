"""News a group's coordinators post to its people: shown on their home page and the group's page,
archived on the group's news page, optionally e-mailed.

Deleting an announcement hides it (``hidden_at``): it was read, maybe e-mailed;
the row stays as the record of what the group was told.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup


class AnnouncementQuerySet(models.QuerySet["Announcement"]):
    def shown(self) -> AnnouncementQuerySet:
        return self.filter(hidden_at__isnull=True).order_by("-published_at", "-pk")


class Announcement(models.Model):
    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="announcements", verbose_name=_("group")
    )
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("text"), max_length=5000)
    send_email = models.BooleanField(
        _("E-mail it to the group's households"),
        default=False,
        help_text=_("Only to those who accept the group's e-mails (a choice on their account page)."),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["group", "-published_at"])]

    def __str__(self) -> str:
        return self.title
