from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cabas.imports.models import SolalimImport
from cabas.imports.notes import ODDITY, SKIPPED, describe
from cabas.imports.solalim import KINDS


@login_required
@require_safe
def solalim_report(request: HttpRequest) -> HttpResponse:
    """The site admin: the last Solalim import's report, and when the earlier ones ran."""
    if not request.user.is_superuser:
        raise PermissionDenied
    imports = list(SolalimImport.objects.all()[:10])
    last = imports[0] if imports else None
    context: dict[str, object] = {"last": last, "earlier": imports[1:]}
    if last is not None:
        report = last.report
        context |= {
            "counts": [(kind, report.get("counts", {}).get(kind, {})) for kind in KINDS],
            "oddities": [describe(n) for n in report.get("notes", []) if n["level"] == ODDITY],
            "skipped": [describe(n) for n in report.get("notes", []) if n["level"] == SKIPPED],
        }
    return render(request, "imports/solalim_report.html", context)
