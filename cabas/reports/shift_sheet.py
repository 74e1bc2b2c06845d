"""The day's shift sheet (PDF): each shift, its volunteers and their phone, a box to tick on arrival,
blank lines for the places still open. For coordinators; made on request, never stored."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.formats import time_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cabas.accounts.permissions import AuthenticatedRequest, require_manager
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_cycle
from cabas.reports import documents
from cabas.reports.data import document_header
from cabas.reports.pdf import render_pdf
from cabas.reports.prints import Data, page
from cabas.reports.views import file_response
from cabas.shifts.models import Shift
from cabas.shifts.queries import cycle_shifts


def _shift(shift: Shift) -> Data:
    title = f"{shift.title} · {time_format(shift.starts_at, 'H:i')}–{time_format(shift.ends_at, 'H:i')}"
    return {
        "title": title,
        "rows": [[signup.user.display_name, signup.user.phone] for signup in shift.people],
        "missing": shift.missing,
    }


def shift_sheet(cycle: Cycle, title: str) -> Data:
    shifts = cycle_shifts(cycle)
    # Shifts do not depend on the orders: no « provisional » banner while orders are open.
    header = replace(document_header(cycle), provisional=False)
    return page(title, header) | {
        "intro": _("%(count)s volunteers signed up, %(missing)s places still open.")
        % {"count": sum(s.taken for s in shifts), "missing": sum(s.missing for s in shifts)},
        "columns": [_("Volunteer"), _("Phone"), _("Here")],
        "shifts": [_shift(shift) for shift in shifts],
        "free": _("(free place)"),
        "empty": _("No shift is set for this distribution."),
        "note": _(
            "Someone who did not come can be marked on the cycle's shifts page, so that the counts stay true."
        ),
    }


def shift_sheet_pdf(cycle: Cycle) -> tuple[bytes, str]:
    with documents.group_language():
        title = _("Shift sheet")
        content = render_pdf("shift_sheet.typ", shift_sheet(cycle, title))
    return content, f"{slugify(f'{title} {cycle.name}')[:120]}.pdf"


@login_required
@require_safe
@never_cache
def shift_sheet_view(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The cycle's shift sheet, for coordinators (another group's cycle: 404)."""
    access = require_manager(request, slug)
    content, filename = shift_sheet_pdf(get_cycle(access, pk))
    return file_response(content, documents.CONTENT_TYPES[documents.PDF], filename)
