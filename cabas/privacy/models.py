"""Each group's privacy page and the state of the retention of inactive accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup

NOTICE_MAX_LENGTH = 20000


class PrivacyNotice(models.Model):
    """What a group tells its members about their data, as its coordinators wrote it.

    A group without one shows the default text (``notice.default_text``) in the reader's language.
    """

    group = models.OneToOneField(
        BuyingGroup, on_delete=models.CASCADE, related_name="privacy_notice", verbose_name=_("group")
    )
    text = models.TextField(_("text"), max_length=NOTICE_MAX_LENGTH)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("privacy page")
        verbose_name_plural = _("privacy pages")

    def __str__(self) -> str:
        return str(self.group)


class RetentionWarning(models.Model):
    """An inactive account was told it will be anonymised; gone again if the person comes back."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    warned_at = models.DateTimeField(_("warned at"), default=timezone.now)

    class Meta:
        verbose_name = _("retention warning")
        verbose_name_plural = _("retention warnings")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.warned_at:%Y-%m-%d}"


class RetentionSweep(models.Model):
    """One row per day the retention ran: the clock's claim that makes it run once a day."""

    day = models.DateField(_("day"), unique=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return self.day.isoformat()
