"""The login page, answering 429 when password guesses for an account are throttled."""

from __future__ import annotations

from typing import Any

from allauth.account.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponse


class ThrottledLoginView(LoginView):
    """Allauth's login page; a throttled attempt answers 429 Too Many Requests, not 200.

    The page itself is the same: the message says what to do (wait, or ask for a
    code by e-mail, whose link the page carries), so the person is never stuck.
    """

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "too_many_login_attempts"):
            response.status_code = 429
        return response


login = ThrottledLoginView.as_view()
