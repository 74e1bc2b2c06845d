"""People, buying groups and who holds which role in which group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabas.lib.quantities import MAX_LINE_UNITS

if TYPE_CHECKING:
    from collections.abc import Iterable


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The e-mail address is the login; there is no username."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    wants_announcements = models.BooleanField(_("E-mail me when a cycle opens"), default=True)
    wants_reminders = models.BooleanField(_("E-mail me a reminder before the deadline"), default=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.deleted_at:
            return str(_("Former member"))
        return self.full_name or self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.display_name


class BuyingGroupQuerySet(models.QuerySet["BuyingGroup"]):
    def active(self) -> BuyingGroupQuerySet:
        return self.filter(is_active=True)


class BuyingGroup(models.Model):
    """A citizen buying group (groupement d'achats). Fully separate from the others."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    distribution_info = models.CharField(
        _("distributions"),
        max_length=200,
        blank=True,
        help_text=_("When and where distributions usually happen."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    requires_approval = models.BooleanField(
        _("joining needs approval"),
        default=True,
        help_text=_("If unticked, anyone with an account can join at once."),
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("Send the reminder this many hours before the deadline"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
    )
    max_line_units = models.PositiveSmallIntegerField(
        _("most of one product in a basket"),
        default=99,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LINE_UNITS)],
        help_text=_(
            "In the product's unit (pieces, kg, bottles…), extra to fill a carton included: "
            "99 allows 99 loaves or 99 kg of apples. Coordinators ordering for a member have the same limit."
        ),
    )
    # Prepaid accounts: members top up by transfer, baskets are debited when handed over.
    prepaid = models.BooleanField(
        _("prepaid accounts"),
        default=False,
        help_text=_(
            "Members top up their account by bank transfer; each basket is debited from it when "
            "handed over, and a basket can be confirmed only if the balance covers it."
        ),
    )
    prepaid_minimum_cents = models.IntegerField(_("minimum balance after a basket, in cents"), default=0)
    bank_iban = models.CharField(
        _("the association's IBAN"),
        max_length=42,
        blank=True,
        help_text=_("Shown to members so they can pay by transfer with their reference."),
    )
    # The contributions to the solidarity fund the order page suggests, in percent of the basket.
    fund_percents = models.CharField(
        _("suggested contributions to the solidarity fund (%)"),
        max_length=40,
        default="2 5 10",
        blank=True,
        help_text=_(
            "Percentages of the basket offered to members while ordering, e.g. « 2 5 10 »; empty: none."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = BuyingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("buying group")
        verbose_name_plural = _("buying groups")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_line_units__gte=1, max_line_units__lte=MAX_LINE_UNITS),
                name="buyinggroup_max_line_units_within_ceiling",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("group_detail", args=[self.slug])

    @property
    def suggested_fund_percents(self) -> list[int]:
        """The percentages ``fund_percents`` lists (whole numbers from 1 to 50, as
        ``cycles.contribution`` accepts), in order, once each."""
        found: list[int] = []
        for word in self.fund_percents.replace(",", " ").replace(";", " ").split():
            number = word.rstrip("%")
            if number.isascii() and number.isdigit() and 0 < int(number) <= 50 and int(number) not in found:
                found.append(int(number))
        return found


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    PRODUCER = "producer", _("Producer")
    COORDINATOR = "coordinator", _("Coordinator")
    TREASURER = "treasurer", _("Treasurer / solidarity committee")


ROLE_FIELDS = {
    Role.MEMBER: "is_member",
    Role.PRODUCER: "is_producer",
    Role.COORDINATOR: "is_coordinator",
    Role.TREASURER: "is_treasurer",
}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        return self.filter(ended_at__isnull=True)

    def with_role(self, role: Role) -> MembershipQuerySet:
        return self.filter(**{ROLE_FIELDS[role]: True})


class Membership(models.Model):
    """A person's time in a group, with their roles there.

    Leaving ends a membership (``ended_at``); it is never deleted, so the
    group's history (orders, payments) keeps pointing at it. Rejoining starts a
    new row. At most one current membership per person and group.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("person"),
    )
    group = models.ForeignKey(
        BuyingGroup,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("group"),
    )
    is_member = models.BooleanField(_("member (household)"), default=True)
    is_producer = models.BooleanField(_("producer"), default=False)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    is_treasurer = models.BooleanField(_("treasurer / solidarity committee"), default=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group"],
                condition=models.Q(ended_at__isnull=True),
                name="membership_one_current_per_group",
            ),
            models.CheckConstraint(
                condition=models.Q(is_member=True)
                | models.Q(is_producer=True)
                | models.Q(is_coordinator=True)
                | models.Q(is_treasurer=True),
                name="membership_has_a_role",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.group}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    def has_role(self, *roles: Role) -> bool:
        return any(getattr(self, ROLE_FIELDS[role]) for role in roles)

    @property
    def roles(self) -> list[Role]:
        return [role for role, field in ROLE_FIELDS.items() if getattr(self, field)]

    def role_labels(self) -> list[str]:
        return [str(role.label) for role in self.roles]

    def set_roles(self, roles: Iterable[Role]) -> None:
        chosen = set(roles)
        for role, field in ROLE_FIELDS.items():
            setattr(self, field, role in chosen)


class JoinRequestQuerySet(models.QuerySet["JoinRequest"]):
    def pending(self) -> JoinRequestQuerySet:
        return self.filter(status=JoinRequest.Status.PENDING)


class JoinRequest(models.Model):
    """Someone asking to join a group that needs approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="join_requests",
        verbose_name=_("person"),
    )
    group = models.ForeignKey(
        BuyingGroup, on_delete=models.PROTECT, related_name="join_requests", verbose_name=_("group")
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group"],
                condition=models.Q(status="pending"),
                name="joinrequest_one_pending_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.group} ({self.get_status_display()})"
