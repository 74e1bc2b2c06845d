"""Who is calling the API, and how often: personal tokens and a rate limit per token.

Only tokens authenticate API calls: a session cookie is never accepted, so no
page can be made to call the API on a visitor's behalf (no CSRF to defend) and
a script holds exactly the rights its token gives. Once a token is recognised,
``request.user`` is its person, so the pages' permission helpers
(``group_access``, ``producer_access``, the ``get_*`` lookups) answer for the
API exactly as they answer for the pages.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from cabas.api.models import ApiToken
from cabas.api.tokens import authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cabas_…``: a live token of an active person."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = authenticate(token.strip())
        if found is not None:
            request.user = found.user
            # As the pages speak to a logged-in person: in the language of their profile.
            if found.user.language in dict(settings.LANGUAGES):
                translation.activate(found.user.language)
                request.LANGUAGE_CODE = found.user.language
        return found


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken), "endpoint without TokenAuth"
    return token


def require_basket_scope(request: HttpRequest) -> ApiToken:
    """The token may change its person's baskets (403 for a read-only token)."""
    token = token_of(request)
    if not token.may_write_basket:
        raise HttpError(403, "This token may only read: create one with the basket access to change baskets.")
    return token


class PerTokenThrottle(BaseThrottle):
    """At most ``CABAS_API_RATE_PER_MINUTE`` requests a minute per token (per address without one).

    A fixed window counted in the shared cache (``cache.add`` then ``incr``), so every
    app server counts together. On the database cache ``incr`` is a read then a
    write: two servers may each let one extra request through at the very edge of
    the window, which a rate limit can afford.
    """

    window = 60

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        ident = f"t{token.pk}" if isinstance(token, ApiToken) else f"ip{self.get_ident(request)}"
        started = int(time.time()) // self.window * self.window
        self.retry_after = started + self.window - time.time()
        key = f"cabas-api-rate:{ident}:{started}"
        cache.add(key, 0, self.window + 5)
        try:
            count: Any = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.set(key, 1, self.window + 5)
            count = 1
        return int(count) <= settings.CABAS_API_RATE_PER_MINUTE

    def wait(self) -> float | None:
        return max(self.retry_after, 1.0)
