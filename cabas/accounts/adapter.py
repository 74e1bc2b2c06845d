"""Allauth hooks: new accounts take the language they signed up in; e-mails say "Cabas"."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without django.contrib.sites, allauth names the site after the host
        # ("Hello from 127.0.0.1"); people know the service as Cabas.
        site = context.get("current_site")
        domain = getattr(site, "domain", "")
        context = {**context, "current_site": SimpleNamespace(name=settings.CABAS_SITE_NAME, domain=domain)}
        super().send_mail(template_prefix, email, context)
