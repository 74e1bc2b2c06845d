"""The person's personal API tokens, on their profile page: create one (shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest
from cabas.api import tokens
from cabas.api.forms import TokenForm
from cabas.api.models import ApiToken, Scope

# The session key holding a new token's secret between its creation and the one page showing it.
NEW_TOKEN = "api_new_token"


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: AuthenticatedRequest) -> HttpResponse:
    """Create a token, then show it once (``token_created``): only its digest is kept."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = tokens.create_token(
                user=request.user, name=form.cleaned_data["name"], scope=Scope(form.cleaned_data["scope"])
            )
        except tokens.TokenError as error:
            form.add_error(None, str(error))
        else:
            # Redirect, so that reloading the page does not create another token; the
            # secret waits in the session for the next page, which takes it out.
            request.session[NEW_TOKEN] = {"pk": token.pk, "secret": secret}
            return redirect("api_token_created")
    return render(request, "api/token_new.html", {"form": form})


@login_required
@require_safe
def token_created(request: AuthenticatedRequest) -> HttpResponse:
    """The new token's secret, shown this once; afterwards (a reload) back to the profile page."""
    new = request.session.pop(NEW_TOKEN, None)
    token = new and ApiToken.objects.live().filter(pk=int(new["pk"]), user=request.user).first()
    if not token:
        return redirect("profile")
    response = render(request, "api/token_created.html", {"token": token, "secret": new["secret"]})
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.live(), pk=pk, user=request.user)
    tokens.revoke_token(token=token)
    messages.success(
        request, _("The token « %(name)s » is revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("profile")
