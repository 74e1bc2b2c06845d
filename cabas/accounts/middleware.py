"""Speak to a logged-in person in the language of their profile; keep their pages private."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


class UserLanguageMiddleware:
    """After authentication, switch to the user's preferred language.

    Anonymous visitors keep what LocaleMiddleware chose (cookie, then browser).
    The language switch updates the profile, so the two never disagree.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in self.languages:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class PrivatePagesMiddleware:
    """A page answered to a logged-in person is marked ``Cache-Control: private``.

    Such a page shows someone's basket, money or members' names: no shared cache
    (a proxy, a CDN in front of an instance) may keep it and hand it to the next
    visitor. Pages for anonymous visitors are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response
