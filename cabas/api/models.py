"""Personal API tokens: a person's key for scripts, created and revoked on their profile page.

Only a SHA-256 digest of a token is stored: the token itself is shown once, at
creation. Tokens are 256 random bits, so an unsalted fast hash is enough (no
dictionary to try); the digest is unique and looked up directly.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PREFIX = "cabas_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> str:
    """A fresh token: a recognisable prefix (secret scanners, logs) and 256 random bits."""
    return PREFIX + secrets.token_urlsafe(32)


class Scope(models.TextChoices):
    READ = "read", _("Read only")
    BASKET = "basket", _("Read, and change my baskets")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("access"), max_length=8, choices=Scope.choices, default=Scope.READ)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("ends with"), max_length=4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "basket"]), name="apitoken_scope_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

    @property
    def may_write_basket(self) -> bool:
        return self.scope == Scope.BASKET
