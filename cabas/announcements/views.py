"""A group's news: the archive for its people, posting, correcting and deleting for coordinators."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.permissions import (
    ANY_ROLE,
    AuthenticatedRequest,
    GroupAccess,
    group_access,
    require_manager,
)
from cabas.announcements import services
from cabas.announcements.forms import AnnouncementForm, EditAnnouncementForm
from cabas.announcements.models import Announcement


def get_announcement(access: GroupAccess, pk: int) -> Announcement:
    """A shown announcement of this group only (another group's, or a deleted one: 404)."""
    return get_object_or_404(Announcement.objects.shown(), pk=pk, group=access.group)


@login_required
@require_safe
def news(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Every announcement of the group, latest first: for its people (any role)."""
    access = group_access(request, slug, roles=ANY_ROLE)
    shown = Announcement.objects.shown().filter(group=access.group).select_related("published_by")
    page = Paginator(shown, settings.CABAS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "announcements/news.html", {"access": access, "group": access.group, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def news_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        announcement = services.post(group=access.group, by=request.user, **form.cleaned_data)
        if announcement.send_email:
            messages.success(request, _("The announcement is published; the e-mails are on their way."))
        else:
            messages.success(request, _("The announcement is published."))
        return redirect("news", slug=access.group.slug)
    context = {"access": access, "group": access.group, "form": form}
    return render(request, "announcements/news_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def news_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    announcement = get_announcement(access, pk)
    form = EditAnnouncementForm(request.POST if request.method == "POST" else None, instance=announcement)
    if request.method == "POST" and form.is_valid():
        services.edit(announcement=announcement, **form.cleaned_data)
        messages.success(request, _("The announcement is corrected."))
        return redirect("news", slug=access.group.slug)
    context = {"access": access, "group": access.group, "form": form, "announcement": announcement}
    return render(request, "announcements/news_form.html", context)


@login_required
@require_POST
def news_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    announcement = get_announcement(access, pk)
    services.hide(announcement=announcement, by=request.user)
    messages.success(request, _("The announcement « %(title)s » is deleted.") % {"title": announcement.title})
    return redirect("news", slug=access.group.slug)
