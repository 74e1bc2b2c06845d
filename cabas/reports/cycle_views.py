"""The coordinators' documents page of a cycle: generate in the background, follow, download, send.

Every view looks the cycle up inside the coordinator's group (another
group's cycle is a 404). Writes are POST only and go through ``services``;
the rendering itself runs in the task queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest, GroupAccess, require_manager
from cabas.catalog.models import Producer, ProducerAccount
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_cycle
from cabas.lib.inputs import parse_digits, parse_ids
from cabas.reports import services
from cabas.reports.data import cycle_producers, cycle_summary
from cabas.reports.documents import CSV, PDF, SLIPS_PER_SHEET, XLSX
from cabas.reports.generation import SENT_TO_PRODUCERS
from cabas.reports.models import Dispatch, DocumentSet, Kind, StoredDocument
from cabas.reports.views import file_response

WHOLE_CYCLE = (Kind.SLIPS, Kind.MATRIX, Kind.SUMMARY)
PER_PRODUCER = (Kind.PURCHASE_ORDER, Kind.DISTRIBUTION_LIST)
FORMAT_ORDER = {PDF: 0, XLSX: 1, CSV: 2}


def _managed_cycle(request: AuthenticatedRequest, slug: str, pk: int) -> tuple[GroupAccess, Cycle]:
    access = require_manager(request, slug)
    return access, get_cycle(access, pk)


def _with_accounts(producers: QuerySet[Producer]) -> QuerySet[Producer]:
    """Producers with their accounts' people: ``services.producer_addresses`` then reads no more."""
    return producers.prefetch_related(
        Prefetch("accounts", queryset=ProducerAccount.objects.select_related("user"))
    )


@dataclass
class ProducerRow:
    """One producer on the page: its figures, its files, where its e-mail goes, what it was sent."""

    producer: Producer
    baskets: int
    amount_cents: int
    addresses: list[str]
    files: dict[str, list[StoredDocument]] = field(default_factory=dict)
    last_sent: Dispatch | None = None
    last_attempt: Dispatch | None = None
    changed_since_sent: bool = False

    @property
    def file_columns(self) -> list[tuple[str, list[StoredDocument]]]:
        """The purchase order's files, then the distribution list's, with the column's name."""
        return [(str(kind.label), self.files.get(kind, [])) for kind in PER_PRODUCER]

    @property
    def to_send(self) -> bool:
        """Ticked by default: has an address, and was never sent these figures."""
        return bool(self.addresses) and (self.last_sent is None or self.changed_since_sent)


def _producer_rows(
    cycle: Cycle, files: list[StoredDocument], history: list[Dispatch], summary: Any
) -> list[ProducerRow]:
    producers = _with_accounts(cycle_producers(cycle))
    turnover = {row.producer.pk: row for row in summary.producers}
    rows = {}
    for producer in producers:
        figures = turnover.get(producer.pk)
        rows[producer.pk] = ProducerRow(
            producer=producer,
            baskets=figures.baskets if figures else 0,
            amount_cents=figures.amount_cents if figures else 0,
            addresses=services.producer_addresses(producer),
        )
    sent_kinds = {(kind.value, fmt) for kind, fmt in SENT_TO_PRODUCERS}
    current: dict[int, set[str]] = {}
    for document in files:
        if document.producer_id in rows:
            rows[document.producer_id].files.setdefault(document.kind, []).append(document)
            if (document.kind, document.fmt) in sent_kinds:
                current.setdefault(document.producer_id, set()).add(document.data_hash)
    for dispatch in history:  # newest first
        row = rows.get(dispatch.producer_id)
        if row is None:
            continue
        row.last_attempt = row.last_attempt or dispatch
        if dispatch.sent_at and row.last_sent is None:
            row.last_sent = dispatch
            row.changed_since_sent = dispatch.data_hashes() != current.get(dispatch.producer_id, set())
    return list(rows.values())


def _context(access: GroupAccess, cycle: Cycle) -> dict[str, Any]:
    doc_set = DocumentSet.objects.filter(cycle=cycle).select_related("requested_by").first()
    files: list[StoredDocument] = []
    history: list[Dispatch] = []
    if doc_set is not None:
        doc_set.cycle = cycle
        if doc_set.ready:
            stored = StoredDocument.objects.filter(document_set=doc_set, generation=doc_set.ready)
            # PDF first (to print), then the spreadsheets.
            files = sorted(stored.defer("content"), key=lambda d: FORMAT_ORDER.get(d.fmt, len(FORMAT_ORDER)))
        history = list(doc_set.dispatches.select_related("producer", "requested_by"))
    summary = cycle_summary(cycle)
    whole: dict[str, list[StoredDocument]] = {}
    for document in files:
        if document.producer_id is None:
            whole.setdefault(document.kind, []).append(document)
    current = services.is_current(doc_set) if doc_set is not None else False
    return {
        "access": access,
        "group": access.group,
        "cycle": cycle,
        "doc_set": doc_set,
        "is_current": current,
        "summary": summary,
        "whole": [(Kind(kind).label, whole[kind]) for kind in WHOLE_CYCLE if kind in whole],
        "rows": _producer_rows(cycle, files, history, summary),
        "history": history,
        "per_sheet_choices": SLIPS_PER_SHEET,
        "day_started": cycle.day_started(),
        # The documents part asks for itself again while something is under way.
        "polling": (doc_set is not None and doc_set.in_progress) or any(d.pending for d in history),
    }


@login_required
@require_safe
def cycle_documents(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Where the documents stand, their download links, and sending them to producers."""
    access, cycle = _managed_cycle(request, slug, pk)
    return render(request, "reports/cycle.html", _context(access, cycle))


@login_required
@require_safe
@never_cache
def documents_status(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """The same page's documents part alone: htmx asks for it every few seconds during a generation."""
    access, cycle = _managed_cycle(request, slug, pk)
    # ``live``: the status also goes to the page's live region, for screen readers.
    return render(request, "reports/cycle.html#documents", {**_context(access, cycle), "live": True})


@login_required
@require_POST
def generate_documents(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Ask for every document of the cycle to be generated again, in the background."""
    access, cycle = _managed_cycle(request, slug, pk)
    # Anything but a small number (5,000 digits, "²") is 0, which the service refuses with a message.
    per_sheet = parse_digits(request.POST.get("slips_per_sheet", "1"), maximum=100) or 0
    try:
        services.request_generation(cycle=cycle, by=request.user, slips_per_sheet=per_sheet)
    except services.DocumentsError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The documents are being generated. This page shows the progress, then the links.")
        )
    return redirect("reports_cycle", access.group.slug, cycle.pk)


@login_required
@require_safe
@never_cache
def stored_document(
    request: AuthenticatedRequest, slug: str, pk: int, doc_pk: int, filename: str
) -> HttpResponse:
    """A file of the served generation.

    A link to a version replaced meanwhile (from a page opened earlier) leads
    back to the documents page, with a word; a wrong file name is a 404.
    """
    access, cycle = _managed_cycle(request, slug, pk)
    document = (
        StoredDocument.objects.select_related("document_set")
        .filter(pk=doc_pk, document_set__cycle=cycle)
        .first()
    )
    if document is None or document.generation != document.document_set.ready:
        messages.info(
            request, _("That version of the file has been replaced: here are the current documents.")
        )
        return redirect("reports_cycle", access.group.slug, cycle.pk)
    if document.filename != filename:
        raise Http404
    return file_response(bytes(document.content), document.content_type, document.filename)


@login_required
@require_POST
def send_documents(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """E-mail the ticked producers their purchase order and distribution list."""
    access, cycle = _managed_cycle(request, slug, pk)
    doc_set = get_object_or_404(DocumentSet.objects.select_related("cycle__group"), cycle=cycle)
    wanted = parse_ids(request.POST.getlist("producer"))
    producers = list(_with_accounts(cycle_producers(cycle).filter(pk__in=wanted)))
    try:
        dispatches = services.send_to_producers(doc_set=doc_set, producers=producers, by=request.user)
    except services.DocumentsError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "Sending the documents to %(count)d producer. The list below shows when it has gone.",
                "Sending the documents to %(count)d producers. The list below shows when they have gone.",
                len(dispatches),
            )
            % {"count": len(dispatches)},
        )
    return redirect("reports_cycle", access.group.slug, cycle.pk)
