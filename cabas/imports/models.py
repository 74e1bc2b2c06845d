"""What an import brought over, so that running it again updates instead of duplicating."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportedRecord(models.Model):
    """One Solalim row (or group of rows) and the Cabas object it became.

    ``kind`` names the Cabas model (``user``, ``offer``, ``line``...), ``key``
    the Solalim rows it comes from; ``origin`` tells two Solalim instances apart.
    """

    origin = models.CharField(_("origin"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("key"), max_length=200)
    object_id = models.BigIntegerField(_("object"))

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "kind", "key"], name="importedrecord_one_per_source_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.origin}:{self.kind}:{self.key} → {self.object_id}"


class SolalimImport(models.Model):
    """The report of one real import: what was created or updated, what was odd or skipped."""

    origin = models.CharField(_("origin"), max_length=60)
    source = models.CharField(_("source"), max_length=300)
    report = models.JSONField(_("report"), default=dict)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Solalim import")
        verbose_name_plural = _("Solalim imports")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} ({self.started_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("solalim_import_report")
