"""Creating, revoking and recognising personal tokens: the one place tokens are written."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cabas.accounts.models import User
from cabas.api.models import PREFIX, ApiToken, Scope, digest, new_secret

MAX_LIVE_TOKENS = 20
# ``last_used_at`` is written at most this often per token: a script polling every
# second must not turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(Exception):
    """A token cannot be created; the message is for the person."""


def create_token(*, user: User, name: str, scope: Scope) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its secret, which is never stored nor shown again."""
    from django.utils.translation import gettext as _

    if ApiToken.objects.live().filter(user=user).count() >= MAX_LIVE_TOKENS:
        raise TokenError(_("You have too many tokens: revoke one you no longer use first."))
    secret = new_secret()
    token = ApiToken.objects.create(
        user=user, name=name, scope=scope, digest=digest(secret), hint=secret[-4:]
    )
    return token, secret


def revoke_token(*, token: ApiToken) -> None:
    """From now on the token is refused; revoking twice keeps the first date."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def authenticate(secret: str) -> ApiToken | None:
    """The live token of an active person matching ``secret``, its use recorded; None otherwise."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.live()
        .select_related("user")
        .filter(digest=digest(secret), user__is_active=True, user__deleted_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
