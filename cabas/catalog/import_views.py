"""Catalogue spreadsheets: export, template, upload, preview, confirm.

Reading, planning and applying are in ``spreadsheets`` and ``importing``;
these views check who may act, move the request along and word the plan.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest
from cabas.catalog import importing, spreadsheets
from cabas.catalog.models import Product
from cabas.catalog.permissions import get_import, producer_access
from cabas.catalog.services import CatalogError
from cabas.catalog.spreadsheets import COLUMN_BY_FIELD, display_value

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
RECENT_IMPORTS = 10
ACTION_LABELS = {
    "create": gettext_lazy("New"),
    "update": gettext_lazy("Changed"),
    "unchanged": gettext_lazy("Unchanged"),
    "archive": gettext_lazy("Taken off sale"),
    "restore": gettext_lazy("Back on sale"),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (XLSX or CSV)"),
        help_text=gettext_lazy(
            "One row per product, with the column names on the first row; 2 MB and 2,000 products at most."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _write(fmt: str, rows: list[dict[str, object]]) -> bytes:
    if fmt == "xlsx":
        return spreadsheets.write_xlsx(rows)
    if fmt == "csv":
        return spreadsheets.write_csv(rows)
    raise Http404


def _download(data: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


# --- Showing a plan ------------------------------------------------------------------


def preview_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's rows as the preview shows them, in the page's language."""
    return [_preview_row(row, plan["headers"]) for row in plan["rows"]]


def _preview_row(row: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    changes = [
        {
            "column": headers.get(name) or COLUMN_BY_FIELD[name].header,
            "old": _short(display_value(name, old)),
            "new": _short(display_value(name, new)),
        }
        for name, old, new in row["changes"]
    ]
    summary = _new_product_summary(row) if row["action"] == "create" and not row["errors"] else ""
    return {**row, "label": ACTION_LABELS[row["action"]], "changes": changes, "summary": summary}


def _new_product_summary(row: dict[str, Any]) -> str:
    """``Bread · 5,20 € / piece of 1 kg``, as the catalogue will show it."""
    product = Product(**row["fields"])
    parts = [str(product.get_category_display()), product.price_display()]
    if not row["active"]:
        parts.append(str(_("not on sale")))
    return " · ".join(parts)


def _short(text: str) -> str:
    return Truncator(text).chars(60)


def plan_counts(plan: dict[str, Any]) -> dict[str, int]:
    """How many rows without errors of each action, and how many rows with errors."""
    counts = Counter(row["action"] for row in plan["rows"] if not row["errors"])
    return {
        **{action: counts[action] for action in ACTION_LABELS},
        "errors": sum(1 for row in plan["rows"] if row["errors"]),
    }


def has_work(plan: dict[str, Any]) -> bool:
    return any(row["action"] != "unchanged" for row in plan["rows"])


def summary_message(counts: Counter[str]) -> str:
    return _(
        "The import is done. New products: %(created)s; changed: %(updated)s; "
        "taken off sale: %(archived)s; back on sale: %(restored)s."
    ) % {
        "created": counts["create"],
        "updated": counts["update"],
        "archived": counts["archive"],
        "restored": counts["restore"],
    }


# --- Views ---------------------------------------------------------------------------


@login_required
@require_safe
def export(request: AuthenticatedRequest, slug: str, fmt: str) -> HttpResponse:
    """The whole catalogue, archived products included, so that re-importing it changes nothing."""
    access = producer_access(request, slug)
    products = Product.objects.filter(producer=access.producer).order_by("category", "name")
    data = _write(fmt, spreadsheets.export_rows(products))
    return _download(data, fmt, f"catalogue-{access.producer.slug}-{timezone.localdate():%Y-%m-%d}")


@login_required
@require_safe
def template(request: AuthenticatedRequest, slug: str, fmt: str) -> HttpResponse:
    access = producer_access(request, slug)
    data = _write(fmt, list(spreadsheets.TEMPLATE_ROWS))
    return _download(data, fmt, f"modele-catalogue-{access.producer.slug}")


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = producer_access(request, slug)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(spreadsheets.MAX_BYTES + 1)
        try:
            catalog_import = importing.create_import(
                producer=access.producer, user=request.user, filename=upload.name, data=data
            )
        except spreadsheets.SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("catalog_import_preview", slug=access.producer.slug, pk=catalog_import.pk)
    recent = access.producer.imports.select_related("uploaded_by")[:RECENT_IMPORTS]
    context = {"access": access, "producer": access.producer, "form": form, "imports": recent}
    return render(request, "catalog/import/upload.html", context)


@login_required
@require_safe
def preview(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = producer_access(request, slug)
    catalog_import = get_import(access, pk)
    plan = importing.plan_of(catalog_import)
    context = {
        "access": access,
        "producer": access.producer,
        "import": catalog_import,
        "rows": preview_rows(plan),
        "counts": plan_counts(plan),
        "untouched": plan["untouched"],
        "ignored_columns": plan["ignored_columns"],
        "can_confirm": not catalog_import.error_count
        and catalog_import.applied_at is None
        and has_work(plan),
    }
    return render(request, "catalog/import/preview.html", context)


@login_required
@require_POST
def confirm(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = producer_access(request, slug)
    catalog_import = get_import(access, pk)
    try:
        counts = importing.apply_import(catalog_import, by=request.user)
    except CatalogError as error:
        messages.error(request, str(error))
        return redirect("catalog_import_preview", slug=access.producer.slug, pk=catalog_import.pk)
    messages.success(request, summary_message(counts))
    return redirect("producer_dashboard", slug=access.producer.slug)
