"""The « Journal » page: a group's audit trail, for its coordinators and the site admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cabas.accounts.models import Role
from cabas.accounts.permissions import AuthenticatedRequest, require_manager
from cabas.audit import journal
from cabas.audit.forms import JournalFilterForm


@login_required
@require_safe
def journal_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    # Money is the committee's: a payment's amount would tell who the solidarity fund helps.
    confidential = access.is_site_admin or access.has_role(Role.TREASURER)
    form = JournalFilterForm(request.GET or None, group=access.group, confidential=confidential)
    filters = form.filters() if form.is_bound and form.is_valid() else journal.Filters()
    heads = journal.heads(access.group, filters, confidential=confidential)
    page = Paginator(heads, settings.CABAS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "group": access.group,
        "form": form,
        "page": page,
        "rows": journal.rows(page.object_list),
        "confidential": confidential,
    }
    return render(request, "audit/journal.html", context)
