"""Producers and the groups they supply. Products come with the catalogue."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup


class ProducerQuerySet(models.QuerySet["Producer"]):
    def supplying(self, group: BuyingGroup) -> ProducerQuerySet:
        """Producers currently supplying ``group``, by name."""
        return self.filter(supplies__group=group, supplies__ended_at__isnull=True, is_active=True).order_by(
            "name"
        )


class Producer(models.Model):
    """A farm, bakery, brewery... An organisation that may supply several groups."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    speciality = models.CharField(_("what they make"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    town = models.CharField(_("town"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ProducerQuerySet.as_manager()

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Supply(models.Model):
    """A producer supplying a group, from a date; ending it keeps the history."""

    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="supplies", verbose_name=_("producer")
    )
    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="supplies", verbose_name=_("group")
    )
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("supply")
        verbose_name_plural = _("supplies")
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "group"],
                condition=models.Q(ended_at__isnull=True),
                name="supply_one_current_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.producer} → {self.group}"
