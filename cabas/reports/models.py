"""The documents of a cycle, generated in the background and kept, and what was sent to producers.

A cycle has at most one ``DocumentSet``. Each request to (re)generate its
documents takes a new *generation* number; the task that builds that
generation stores its files as ``StoredDocument`` rows, then makes it the
served one in one guarded update. Until then the previous generation stays
downloadable, so nobody loses the papers while they are being updated. A
newer request supersedes an older one: the older task notices it and stops.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle

# A generation that has not finished a document for this long was cut short (the worker
# stopped), or one waiting that long in the queue has no worker: say so. The longest
# document (the slips of 1,500 members) takes about 7 minutes on a busy 2-core machine.
STUCK_AFTER = timedelta(minutes=20)


class Status(models.TextChoices):
    NONE = "none", _("Not generated yet")
    QUEUED = "queued", _("Waiting for the task queue")
    RUNNING = "running", _("Being generated")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class DocumentSet(models.Model):
    """Where a cycle's stored documents stand: which generation is asked for, built, served."""

    cycle = models.OneToOneField(
        Cycle, on_delete=models.CASCADE, related_name="document_set", verbose_name=_("cycle")
    )
    slips_per_sheet = models.PositiveSmallIntegerField(_("slips per sheet"), default=1)
    requested = models.PositiveIntegerField(_("generation asked for"), default=0)
    requested_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
        help_text=_("Empty when the documents were updated after an order changed."),
    )
    started = models.PositiveIntegerField(_("generation being built"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progressed_at = models.DateTimeField(_("last document built at"), null=True, blank=True)
    total = models.PositiveSmallIntegerField(_("documents to build"), default=0)
    done = models.PositiveSmallIntegerField(_("documents built"), default=0)
    ready = models.PositiveIntegerField(_("generation served"), default=0)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    fingerprint = models.CharField(_("fingerprint of the data served"), max_length=64, blank=True)
    failed = models.PositiveIntegerField(_("generation that failed"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("documents of a cycle")
        verbose_name_plural = _("documents of cycles")

    def __str__(self) -> str:
        return str(self.cycle)

    @property
    def status(self) -> Status:
        if not self.requested:
            return Status.NONE
        if self.ready == self.requested:
            return Status.READY
        if self.failed == self.requested:
            return Status.FAILED
        if self.started == self.requested:
            return Status.RUNNING
        return Status.QUEUED

    @property
    def in_progress(self) -> bool:
        return self.status in {Status.QUEUED, Status.RUNNING}

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def looks_stuck(self, now: datetime | None = None) -> bool:
        """No document built (or not started) for far longer than one takes: the worker is probably down."""
        since = (
            (self.progressed_at or self.started_at) if self.status == Status.RUNNING else self.requested_at
        )
        return self.in_progress and since is not None and (now or timezone.now()) - since > STUCK_AFTER


class Kind(models.TextChoices):
    PURCHASE_ORDER = "purchase_order", _("Purchase order")
    DISTRIBUTION_LIST = "distribution_list", _("Distribution list")
    SLIPS = "slips", _("Member slips")
    MATRIX = "matrix", _("Who ordered where")
    SUMMARY = "summary", _("Cycle summary")


class StoredDocument(models.Model):
    """One generated file. The bytes live in the database: every app server and worker sees them."""

    document_set = models.ForeignKey(
        DocumentSet, on_delete=models.CASCADE, related_name="documents", verbose_name=_("documents")
    )
    generation = models.PositiveIntegerField(_("generation"))
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    fmt = models.CharField(_("format"), max_length=4)
    producer = models.ForeignKey(
        Producer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("producer"),
    )
    filename = models.CharField(_("file name"), max_length=140)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size in bytes"))
    data_hash = models.CharField(
        _("fingerprint of the figures"),
        max_length=64,
        help_text=_("The same when the figures are the same, whatever the time of printing."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        ordering = ["kind", "fmt"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_set", "generation", "kind", "fmt", "producer"],
                condition=Q(producer__isnull=False),
                name="storeddocument_one_per_producer",
            ),
            models.UniqueConstraint(
                fields=["document_set", "generation", "kind", "fmt"],
                condition=Q(producer__isnull=True),
                name="storeddocument_one_per_cycle",
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class Dispatch(models.Model):
    """A producer's purchase order and distribution list sent by e-mail: what, to whom, when, by whom."""

    document_set = models.ForeignKey(
        DocumentSet, on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("documents")
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="+", verbose_name=_("producer")
    )
    generation = models.PositiveIntegerField(_("generation"))
    recipients = models.JSONField(_("sent to"), default=list)
    files = models.JSONField(
        _("files"), default=list, help_text=_("Name, size and fingerprint of each file sent.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("documents sent to a producer")
        verbose_name_plural = _("documents sent to producers")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.producer} · {self.document_set}"

    @property
    def pending(self) -> bool:
        return self.sent_at is None and self.failed_at is None

    def data_hashes(self) -> set[str]:
        return {entry.get("data_hash", "") for entry in self.files}
