"""Asking for a cycle's documents to be generated, and sending producers theirs.

Both only write a few rows and enqueue the work after commit: the rendering
and the e-mails run in the task queue (``tasks``), never inside a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.tasks import Task
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle, Phase
from cabas.reports import generation, tasks
from cabas.reports.documents import SLIPS_PER_SHEET
from cabas.reports.models import Dispatch, DocumentSet, Status

# Documents follow the orders by themselves from the closing on, while they still change.
FOLLOWS_ORDERS = {Phase.CLOSED, Phase.FINALISED, Phase.DISTRIBUTED}
# An automatic update waits this long, so that a coordinator fixing ten orders in a row
# causes one generation, not ten (each request supersedes the previous one).
FOLLOW_DELAY = timedelta(seconds=30)


class DocumentsError(Exception):
    """A request that cannot be carried out; the message is for the coordinator."""


def request_generation(
    *, cycle: Cycle, by: User | None, slips_per_sheet: int | None = None, delay: timedelta | None = None
) -> DocumentSet:
    """Ask for every document of ``cycle`` to be generated again; the task starts after commit.

    ``by`` is ``None`` for an automatic update. The documents already made stay
    downloadable until the new ones are all ready.
    """
    if cycle.published_at is None:
        raise DocumentsError(_("Publish the cycle before generating its documents."))
    if slips_per_sheet is not None and slips_per_sheet not in SLIPS_PER_SHEET:
        raise DocumentsError(_("Choose 1, 2 or 3 slips per sheet."))
    with transaction.atomic():
        doc_set, _created = DocumentSet.objects.get_or_create(cycle=cycle)
        changes = {"requested": F("requested") + 1, "requested_at": timezone.now(), "requested_by": by}
        if slips_per_sheet is not None:
            changes["slips_per_sheet"] = slips_per_sheet
        DocumentSet.objects.filter(pk=doc_set.pk).update(**changes)
        doc_set.refresh_from_db()
        transaction.on_commit(partial(_enqueue, tasks.build_documents, delay, doc_set.pk, doc_set.requested))
    return doc_set


def _enqueue(task: Task, delay: timedelta | None, *args: int) -> None:
    if delay is not None and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(*args)


def follow_orders(cycle_id: int) -> bool:
    """After an order changed: update the documents if they were generated and the cycle is closed.

    Returns whether an update was asked for. Nothing happens before the first
    generation (nobody asked for documents yet), while orders are open (the
    documents are provisional anyway) or after settlement.
    """
    doc_set = DocumentSet.objects.filter(cycle_id=cycle_id, requested__gt=0).select_related("cycle").first()
    if doc_set is None or doc_set.cycle.phase() not in FOLLOWS_ORDERS:
        return False
    if doc_set.status == Status.READY and is_current(doc_set):
        return False
    request_generation(cycle=doc_set.cycle, by=None, delay=FOLLOW_DELAY)
    return True


def is_current(doc_set: DocumentSet) -> bool:
    """The documents served show the data as it is now (nothing changed since they were made).

    True even while a newer generation is under way or after one failed, as
    long as the served one still matches the orders.
    """
    return bool(doc_set.ready) and doc_set.fingerprint == generation.fingerprint(
        doc_set.cycle, doc_set.slips_per_sheet
    )


def producer_addresses(producer: Producer) -> list[str]:
    """Where a producer's documents go: its contact address and its accounts' addresses."""
    emails = [producer.contact_email] if producer.contact_email else []
    # ``accounts.all()``: prefetched with their users on the documents page (no query per producer).
    accounts = sorted(producer.accounts.all(), key=lambda account: account.pk)
    emails += [account.user.email for account in accounts if account.user.is_active and account.user.email]
    return list(dict.fromkeys(email.lower() for email in emails))


def send_to_producers(*, doc_set: DocumentSet, producers: Iterable[Producer], by: User) -> list[Dispatch]:
    """Record a dispatch per producer and e-mail each one its purchase order and distribution list.

    Refused while the documents are being updated or do not show the current
    orders: a producer must never receive figures that are already wrong.
    Producers without any e-mail address are refused by name.
    """
    producers = list(producers)
    if not producers:
        raise DocumentsError(_("Choose at least one producer."))
    if not is_current(doc_set):
        raise DocumentsError(
            _("The documents are not up to date with the orders: wait until they are, then send them.")
        )
    addresses = {producer.pk: producer_addresses(producer) for producer in producers}
    if missing := [producer.name for producer in producers if not addresses[producer.pk]]:
        raise DocumentsError(
            _("No e-mail address for %(names)s: add one to the producer first.")
            % {"names": ", ".join(missing)}
        )
    with transaction.atomic():
        dispatches = Dispatch.objects.bulk_create(
            Dispatch(
                document_set=doc_set,
                producer=producer,
                generation=doc_set.ready,
                recipients=addresses[producer.pk],
                requested_by=by,
            )
            for producer in producers
        )
        for dispatch in dispatches:
            transaction.on_commit(partial(tasks.send_documents.enqueue, dispatch.pk))
    return dispatches
