"""Background work on documents: building every document of a cycle, and mailing producers theirs.

Both take ids and read fresh rows. Every state change is a guarded update,
so a task enqueued twice, a superseded task or several workers at once never
serve a half-built set or mail a producer twice for one dispatch.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from cabas.lib.emails import send_templated_to

if TYPE_CHECKING:
    from cabas.reports.models import Dispatch, DocumentSet

logger = logging.getLogger(__name__)


@task
def build_documents(set_id: int, generation: int) -> int:
    """Build generation ``generation`` of a cycle's documents; returns how many were stored.

    Stops (and throws its files away) as soon as a newer generation is asked
    for. The previous generation stays served until this one is complete.
    """
    from cabas.reports.models import DocumentSet

    claim = DocumentSet.objects.filter(pk=set_id, requested=generation).exclude(started=generation)
    now = timezone.now()
    if not claim.update(started=generation, started_at=now, progressed_at=now, done=0, total=0, error=""):
        logger.info("Documents %s: generation %s superseded or already taken.", set_id, generation)
        return 0
    doc_set = DocumentSet.objects.select_related("cycle__group").get(pk=set_id)
    try:
        return _build(doc_set, generation)
    except Exception as exc:
        logger.exception("Documents %s: generation %s failed.", set_id, generation)
        DocumentSet.objects.filter(pk=set_id, requested=generation).update(
            failed=generation, error=f"{type(exc).__name__}: {exc}"[:300]
        )
        _discard(set_id, generation)
        raise


def _build(doc_set: DocumentSet, generation: int) -> int:
    from cabas.reports import generation as gen
    from cabas.reports.models import DocumentSet, StoredDocument

    cycle = doc_set.cycle
    # Read before any data: a change committed after this point makes the set look outdated.
    fingerprint = gen.fingerprint(cycle, doc_set.slips_per_sheet)
    specs = gen.specs(cycle)
    mine = DocumentSet.objects.filter(pk=doc_set.pk, requested=generation)
    mine.update(total=len(specs))
    for spec in specs:
        document = gen.build(cycle, spec, doc_set.slips_per_sheet)
        StoredDocument.objects.create(
            document_set=doc_set,
            generation=generation,
            kind=spec.kind,
            fmt=spec.fmt,
            producer=spec.producer,
            filename=document.filename,
            content_type=document.content_type,
            content=document.content,
            size=len(document.content),
            data_hash=document.data_hash,
        )
        del document
        if not mine.update(done=F("done") + 1, progressed_at=timezone.now()):
            logger.info("Documents %s: generation %s superseded, stopped.", doc_set.pk, generation)
            _discard(doc_set.pk, generation)
            return 0
    with transaction.atomic():
        if mine.update(ready=generation, ready_at=timezone.now(), fingerprint=fingerprint):
            StoredDocument.objects.filter(document_set=doc_set, generation__lt=generation).delete()
            logger.info("Documents %s: generation %s ready (%d files).", doc_set.pk, generation, len(specs))
            return len(specs)
    _discard(doc_set.pk, generation)
    return 0


def _discard(set_id: int, generation: int) -> None:
    from cabas.reports.models import StoredDocument

    StoredDocument.objects.filter(document_set_id=set_id, generation=generation).delete()


@task
def send_documents(dispatch_id: int) -> bool:
    """E-mail a producer the PDFs of its purchase order and distribution list, and record it.

    The files attached are those served when the task runs (a newer
    generation may have replaced the one shown when the coordinator clicked);
    the record says which. Returns whether the e-mail went.
    """
    from cabas.reports.models import Dispatch

    dispatch = Dispatch.objects.select_related("producer", "document_set__cycle__group").get(pk=dispatch_id)
    if not dispatch.pending:
        return False
    try:
        _send(dispatch)
    except Exception as exc:
        logger.exception("Dispatch %s to producer %s failed.", dispatch_id, dispatch.producer_id)
        Dispatch.objects.filter(pk=dispatch_id, sent_at__isnull=True).update(
            failed_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:300]
        )
        raise
    return True


def _send(dispatch: Dispatch) -> None:
    from cabas.reports import generation as gen
    from cabas.reports.models import Dispatch, StoredDocument

    doc_set = dispatch.document_set
    wanted = [(kind.value, fmt) for kind, fmt in gen.SENT_TO_PRODUCERS]
    stored = StoredDocument.objects.filter(
        document_set=doc_set, generation=doc_set.ready, producer=dispatch.producer
    )
    # In the order of SENT_TO_PRODUCERS: the purchase order, then the distribution list.
    files = sorted(
        (document for document in stored if (document.kind, document.fmt) in wanted),
        key=lambda document: wanted.index((document.kind, document.fmt)),
    )
    if len(files) != len(wanted):
        raise LookupError(f"generation {doc_set.ready} has {len(files)} of the {len(wanted)} files to send")
    cycle = doc_set.cycle
    send_templated_to(
        addresses=dispatch.recipients,
        language=settings.LANGUAGE_CODE,
        template="reports/email/producer_documents",
        context={
            "cycle": cycle,
            "group": cycle.group,
            "producer": dispatch.producer,
            "files": files,
            "orders_path": reverse("producer_cycle_orders", args=[dispatch.producer.slug, cycle.pk]),
        },
        attachments=[(f.filename, bytes(f.content), f.content_type) for f in files],
    )
    # Claimed only now: a crash before this line leaves the dispatch pending, never marked sent unsent.
    Dispatch.objects.filter(pk=dispatch.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(),
        generation=doc_set.ready,
        files=[
            {"kind": f.kind, "filename": f.filename, "size": f.size, "data_hash": f.data_hash} for f in files
        ],
    )
