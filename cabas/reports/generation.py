"""Which documents a cycle has, how to build each one, and a fingerprint of what they show.

Nothing here writes: ``tasks.build_documents`` stores what ``build`` returns,
and ``services`` decides when to ask for it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Max, Sum

from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle, Order
from cabas.reports import documents
from cabas.reports.data import cycle_producers, document_header
from cabas.reports.documents import CSV, PDF, XLSX, Document
from cabas.reports.models import Kind

# The formats kept for each document: every one a person can download from the documents page.
PER_PRODUCER = ((Kind.PURCHASE_ORDER, (PDF, XLSX, CSV)), (Kind.DISTRIBUTION_LIST, (PDF, XLSX)))
PER_CYCLE = ((Kind.SLIPS, (PDF,)), (Kind.MATRIX, (PDF, XLSX, CSV)), (Kind.SUMMARY, (PDF, XLSX)))
# What a producer receives by e-mail: the PDFs, ready to print.
SENT_TO_PRODUCERS = ((Kind.PURCHASE_ORDER, PDF), (Kind.DISTRIBUTION_LIST, PDF))


@dataclass(frozen=True)
class Spec:
    """One document to build: its kind, format, and producer (``None`` for a whole-cycle one)."""

    kind: Kind
    fmt: str
    producer: Producer | None = None


def specs(cycle: Cycle) -> list[Spec]:
    """Every document of ``cycle``: each producer's, then the whole-cycle ones (one query).

    The quick ones first, so the progress moves at once; the slips, the
    longest (half of the time), come last.
    """
    whole = [Spec(kind, fmt) for kind, formats in reversed(PER_CYCLE) for fmt in formats]
    producers = list(cycle_producers(cycle))
    return [
        Spec(kind, fmt, producer)
        for producer in producers
        for kind, formats in PER_PRODUCER
        for fmt in formats
    ] + whole


def build(cycle: Cycle, spec: Spec, slips_per_sheet: int) -> Document:
    """Render one document from the current data."""
    if spec.kind == Kind.PURCHASE_ORDER:
        assert spec.producer is not None
        return documents.purchase_order_document(cycle, spec.producer, spec.fmt)
    if spec.kind == Kind.DISTRIBUTION_LIST:
        assert spec.producer is not None
        return documents.distribution_list_document(cycle, spec.producer, spec.fmt)
    if spec.kind == Kind.SLIPS:
        return documents.slips_document(cycle, spec.fmt, slips_per_sheet)
    if spec.kind == Kind.MATRIX:
        return documents.matrix_document(cycle, spec.fmt)
    return documents.summary_document(cycle, spec.fmt)


def fingerprint(cycle: Cycle, slips_per_sheet: int) -> str:
    """Changes whenever anything the documents show may have changed (three queries).

    Orders: every write to a line bumps its order's version (``mark_changed``),
    so the sum of versions only grows. The page header (group, cycle,
    distribution, « provisional » while open) and the producers' names and payment
    details count too. Members' names and phones do not: a regeneration by
    hand picks them up.
    """
    cycle = Cycle.objects.select_related("group").get(pk=cycle.pk)
    orders = Order.objects.filter(cycle=cycle).aggregate(
        count=Count("pk"), versions=Sum("version"), updated=Max("updated_at")
    )
    producers = list(
        cycle_producers(cycle).values_list(
            "pk",
            "name",
            "contact_email",
            "contact_phone",
            *Producer.PAYMENT_FIELDS,
        )
    )
    details = (document_header(cycle), slips_per_sheet)
    return hashlib.sha256(repr((details, orders, producers)).encode()).hexdigest()
