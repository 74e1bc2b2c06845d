"""Allauth hooks: new accounts take the language they signed up in; e-mails say "Cabas";
failed password logins are counted per account *and* address.

Allauth counts failed logins per account alone: five wrong passwords typed by
anyone, from anywhere, lock the owner out for five minutes. On an opening
morning a stranger could lock out whichever households they like. Counting per
account and address keeps guessing throttled (five tries per address, ten per
minute per address over all accounts) while the owner, from their own address,
still gets in; login by e-mailed code is counted apart and keeps working.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many wrong passwords for this account from your connection. Wait a few minutes, "
            "or log in at once with a code sent by e-mail."
        ),
    }

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # Allauth's key is the e-mail alone; the address makes it per account and address.
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"
        )

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without django.contrib.sites, allauth names the site after the host
        # ("Hello from 127.0.0.1"); people know the service as Cabas.
        # E-mails sent outside a request (a task) had no domain: « …son compte sur . ».
        site = context.get("current_site")
        domain = getattr(site, "domain", "") or urlsplit(settings.CABAS_SITE_URL).netloc
        context = {**context, "current_site": SimpleNamespace(name=settings.CABAS_SITE_NAME, domain=domain)}
        super().send_mail(template_prefix, email, context)
