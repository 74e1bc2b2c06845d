"""Volunteer shifts of a distribution, who signed up for them, and how the load is shared.

A ``Shift`` is a task of one cycle's distribution day (set-up, welcome desk…)
at set times, for ``capacity`` people. ``taken`` counts its current sign-ups:
it only changes through the guarded updates of ``services`` (``taken <
capacity`` re-checked by the database at the moment of the write) and a check
constraint keeps it between 0 and ``capacity``, so a shift is never overfilled,
even when the whole group clicks at once.

A ``Signup`` is kept when cancelled (``cancelled_at``), so that who helped is
history, not a guess; a volunteer who did not come is marked ``absent`` and
does not count. ``Exemption`` (health, age, already on the board) is private
to coordinators: households never see who is exempted, nor why.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup
from cabas.cycles.models import Cycle

MAX_CAPACITY = 50


class Kind(models.TextChoices):
    SETUP = "setup", _("Set-up")
    DESK = "desk", _("Welcome desk")
    CASHIER = "cashier", _("Cashier help")
    STANDS = "stands", _("Helping at the stands")
    TIDY = "tidy", _("Tidy-up")


# « Il manque 2 personnes pour le rangement »: each task said as what people are missing for.
PURPOSES = {
    Kind.SETUP: _("for the set-up"),
    Kind.DESK: _("at the welcome desk"),
    Kind.CASHIER: _("to help the cashiers"),
    Kind.STANDS: _("to help at the stands"),
    Kind.TIDY: _("for the tidy-up"),
}


class Shift(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("cycle"))
    kind = models.CharField(_("task"), max_length=10, choices=Kind.choices)
    label = models.CharField(
        _("details"), max_length=80, blank=True, help_text=_("Optional, e.g. « at the cheese stand »")
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"))
    capacity = models.PositiveSmallIntegerField(
        _("people needed"), default=2, validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    taken = models.PositiveSmallIntegerField(_("signed up"), default=0, editable=False)
    # Its current sign-ups with their people, when read through ``queries.with_people``.
    people: list[Signup]

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(taken__lte=F("capacity")), name="shift_taken_within_capacity"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def title(self) -> str:
        """« Rangement », or « Aide aux stands (fromagerie) » with its details."""
        kind = str(self.get_kind_display())
        return f"{kind} ({self.label})" if self.label else kind

    @property
    def purpose(self) -> str:
        """« pour le rangement », « à l'accueil (fromagerie) »."""
        purpose = str(PURPOSES[Kind(self.kind)])
        return f"{purpose} ({self.label})" if self.label else purpose

    @property
    def missing(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.taken >= self.capacity

    def starts(self) -> datetime:
        """The moment the shift begins, in the site's time zone."""
        return datetime.combine(
            self.cycle.distribution_date, self.starts_at, tzinfo=timezone.get_default_timezone()
        )

    def ends(self) -> datetime:
        return datetime.combine(
            self.cycle.distribution_date, self.ends_at, tzinfo=timezone.get_default_timezone()
        )


class SignupQuerySet(models.QuerySet["Signup"]):
    def active(self) -> SignupQuerySet:
        return self.filter(cancelled_at__isnull=True)

    def helped(self) -> SignupQuerySet:
        """Sign-ups that count as help given: not cancelled, not marked absent, on a day now past."""
        return self.active().filter(absent=False, shift__cycle__distribution_date__lt=timezone.localdate())


class Signup(models.Model):
    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="signups", verbose_name=_("shift")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="shift_signups",
        verbose_name=_("volunteer"),
    )
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    absent = models.BooleanField(_("did not come"), default=False)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "user"], condition=Q(cancelled_at__isnull=True), name="signup_once_per_shift"
            )
        ]
        indexes = [models.Index(fields=["user", "cancelled_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.shift}"


class Rules(models.Model):
    """A group's shift rules; a group without a row has the defaults."""

    group = models.OneToOneField(
        BuyingGroup, on_delete=models.CASCADE, related_name="shift_rules", verbose_name=_("group")
    )
    cancel_hours = models.PositiveSmallIntegerField(
        _("Volunteers may cancel until this many hours before their shift"),
        default=48,
        validators=[MaxValueValidator(336)],
    )
    yearly_help = models.BooleanField(
        _("Each household helps at least once a year"),
        default=False,
        help_text=_("Shown as a gentle reminder to households, never a block on ordering."),
    )
    call_after_cycles = models.PositiveSmallIntegerField(
        _("Ask for help households who have not helped in this many distributions"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )

    class Meta:
        verbose_name = _("shift rules")
        verbose_name_plural = _("shift rules")

    def __str__(self) -> str:
        return str(self.group)

    @classmethod
    def of(cls, group: BuyingGroup) -> Rules:
        """The group's rules, or the defaults (unsaved) if it never changed them."""
        return cls.objects.filter(group=group).first() or cls(group=group)

    def cancel_deadline(self, shift: Shift) -> datetime:
        return shift.starts() - timedelta(hours=self.cancel_hours)


class Roster(models.Model):
    """What was told about one cycle's shifts, each exactly once (claimed by a guarded update)."""

    cycle = models.OneToOneField(
        Cycle, on_delete=models.CASCADE, related_name="roster", verbose_name=_("cycle")
    )
    call_sent_at = models.DateTimeField(_("call for help sent at"), null=True, blank=True)
    short_early_at = models.DateTimeField(
        _("coordinators told (three days before) at"), null=True, blank=True
    )
    short_late_at = models.DateTimeField(_("coordinators told (the day before) at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")

    def __str__(self) -> str:
        return str(self.cycle)


class Reason(models.TextChoices):
    HEALTH = "health", _("Health")
    AGE = "age", _("Age")
    BOARD = "board", _("Already on the board")
    OTHER = "other", _("Other")


class Exemption(models.Model):
    """A household the group does not ask for help (private to coordinators)."""

    group = models.ForeignKey(
        BuyingGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("group")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="exemption_once_per_group")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_reason_display()})"


class PastHelp(models.Model):
    """Help recorded by hand: given before the group used Cabas (its notebook), or outside a shift."""

    group = models.ForeignKey(
        BuyingGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("group")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    day = models.DateField(_("day"))
    what = models.CharField(_("what"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("help recorded by hand")
        verbose_name_plural = _("help recorded by hand")
        indexes = [models.Index(fields=["group", "day"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.day}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A household's private calendar address; resetting it makes the old address answer 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("household"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
