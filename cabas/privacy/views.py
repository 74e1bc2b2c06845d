"""A person's data export and each group's privacy page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest, group_access, require_manager
from cabas.privacy import notice
from cabas.privacy.export import build_zip
from cabas.privacy.forms import NoticeForm


@login_required
@require_POST
def my_data(request: AuthenticatedRequest) -> HttpResponse:
    """The ZIP of everything about the person asking (never anyone else: no id is read)."""
    response = HttpResponse(build_zip(request.user), content_type="application/zip")
    filename = f"cabas-my-data-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def privacy_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: whoever is thinking of joining may read it first."""
    access = group_access(request, slug)
    text, current = notice.text_of(access.group)
    context = {"access": access, "group": access.group, "text": text, "notice": current}
    return render(request, "privacy/page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def manage_privacy(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    text, current = notice.text_of(access.group)
    form = NoticeForm(request.POST if request.method == "POST" else None, initial={"text": text})
    if request.method == "POST" and form.is_valid():
        notice.save_text(group=access.group, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, _("The privacy page has been saved."))
        return redirect("group_privacy", slug=access.group.slug)
    context = {"access": access, "group": access.group, "form": form, "notice": current}
    return render(request, "privacy/manage.html", context)
