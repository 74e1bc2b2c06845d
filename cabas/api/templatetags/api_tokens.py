"""The profile page (accounts) lists the person's tokens without importing this app."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from cabas.accounts.models import User
from cabas.api.forms import TokenForm
from cabas.api.models import ApiToken

register = template.Library()


@register.simple_tag
def live_tokens(user: User | AnonymousUser) -> list[ApiToken]:
    if not isinstance(user, User):
        return []
    return list(ApiToken.objects.live().filter(user=user))


@register.simple_tag
def new_token_form() -> TokenForm:
    return TokenForm()
