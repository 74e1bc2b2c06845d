"""Documents of a cycle generated in the background, kept, followed and sent to producers.

Tasks run inline (``ImmediateBackend``), and only when the commit callbacks
run: ``run_commit`` (pytest-django's ``django_capture_on_commit_callbacks``
with ``execute=True``) stands for the commit of a real request. PDFs cost
about 0.3 s a page: most tests keep only the spreadsheet formats
(``fast_formats``), a few render the PDFs a producer receives.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cabas.accounts import services as accounts
from cabas.catalog.models import Producer, ProducerAccount
from cabas.cycles import cartons
from cabas.cycles import services as cycles
from cabas.cycles.allocation import allocate
from cabas.cycles.models import Cycle, Order, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.reports import generation, services, tasks
from cabas.reports.documents import CSV, PDF, XLSX, Document
from cabas.reports.models import STUCK_AFTER, Dispatch, DocumentSet, Kind, Status, StoredDocument
from tests import test_reports
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer, make_producer
from tests.scene import Delivery
from tests.test_reports import A, cents, csv_rows, fr, pdf_pages, table_after, xlsx_rows

# Fixtures shared with the documents' own tests.
fast_formats = test_reports.fast_formats  # 9 spreadsheets for the delivery, no PDF

# ``run_commit()``: a block whose commit callbacks run at its end.
Commit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def sendable_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDFs a producer receives, and the purchase order's CSV to read the figures back."""
    monkeypatch.setattr(generation, "PER_CYCLE", ((Kind.MATRIX, (CSV,)),))
    monkeypatch.setattr(
        generation,
        "PER_PRODUCER",
        ((Kind.PURCHASE_ORDER, (PDF, CSV)), (Kind.DISTRIBUTION_LIST, (PDF,))),
    )


@pytest.fixture
def run_commit(django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]]) -> Commit:
    """A block whose commit callbacks run at its end, as after a request (tasks run inline)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def generate(run_commit: Commit, cycle: Cycle, **kwargs: Any) -> DocumentSet:
    """Ask for the documents (automatically unless ``by`` is given) and run the task at once."""
    kwargs.setdefault("by", None)
    with run_commit():
        doc_set = services.request_generation(cycle=cycle, **kwargs)
    doc_set.refresh_from_db()
    return doc_set


def served(doc_set: DocumentSet) -> list[StoredDocument]:
    doc_set.refresh_from_db()
    return list(StoredDocument.objects.filter(document_set=doc_set, generation=doc_set.ready))


def stored(doc_set: DocumentSet, kind: str, fmt: str, producer: Producer | None = None) -> StoredDocument:
    doc_set.refresh_from_db()
    return StoredDocument.objects.get(
        document_set=doc_set, generation=doc_set.ready, kind=kind, fmt=fmt, producer=producer
    )


def csv_amount(value: str) -> int:
    """« 1 234,56 » as the French CSV writes it, in cents."""
    return cents(re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", "."))


def po_csv(doc_set: DocumentSet, producer: Producer) -> dict[str, dict[str, str]]:
    """The stored purchase order CSV of ``producer``: each row by its first column, as header -> value."""
    rows = csv_rows(bytes(stored(doc_set, Kind.PURCHASE_ORDER, CSV, producer).content))
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def french(message: str) -> str:
    """A message as the coordinator (who speaks French) reads it, exactly (``fr`` squashes spaces)."""
    with translation.override("fr"):
        return translation.gettext(message)


def page_text(response: Any) -> str:
    """The HTML of a page as a reader sees its text: entities decoded, white space squashed."""
    text = html.unescape(response.content.decode())
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def documents_url(cycle: Cycle, name: str = "reports_cycle", slug: str = A) -> str:
    return reverse(name, args=[slug, cycle.pk])


def file_url(document: StoredDocument, cycle: Cycle, slug: str = A, filename: str | None = None) -> str:
    return reverse("reports_file", args=[slug, cycle.pk, document.pk, filename or document.filename])


def adjust(delivery: Delivery, member: Any, offer: Any, quantity: int) -> None:
    """A coordinator's adjustment of a closed cycle, with its reason."""
    result = save_basket(
        cycle=delivery.cycle,
        member=member,
        changes=[LineChange(offer.pk, quantity)],
        by=delivery.coordinator,
        reason="Erreur de saisie",
    )
    assert result.ok, result


# --- Generation end to end ----------------------------------------------------------------------


class TestGeneration:
    def test_every_document_is_stored_with_the_persisted_figures(
        self, delivery: Delivery, run_commit: Commit
    ) -> None:
        """The real formats, PDFs included: the one test that renders every document."""
        bakery, dairy = delivery.bakery, delivery.dairy
        doc_set = generate(run_commit, delivery.cycle, by=delivery.coordinator, slips_per_sheet=2)
        assert doc_set.status == Status.READY
        assert (doc_set.requested, doc_set.ready, doc_set.requested_by) == (1, 1, delivery.coordinator)
        assert doc_set.done == doc_set.total == 16
        assert services.is_current(doc_set)
        files = served(doc_set)
        assert {(f.kind, f.fmt, f.producer_id) for f in files} == {
            (Kind.SLIPS, PDF, None),
            (Kind.MATRIX, PDF, None),
            (Kind.MATRIX, XLSX, None),
            (Kind.MATRIX, CSV, None),
            (Kind.SUMMARY, PDF, None),
            (Kind.SUMMARY, XLSX, None),
            *(
                (kind, fmt, producer.pk)
                for producer in (bakery, dairy)
                for kind, fmt in (
                    (Kind.PURCHASE_ORDER, PDF),
                    (Kind.PURCHASE_ORDER, XLSX),
                    (Kind.PURCHASE_ORDER, CSV),
                    (Kind.DISTRIBUTION_LIST, PDF),
                    (Kind.DISTRIBUTION_LIST, XLSX),
                )
            ),
        }
        assert all(f.size == len(bytes(f.content)) > 0 and len(f.data_hash) == 64 for f in files)
        # Figures: sums of the persisted line totals, to the cent.
        for producer in (bakery, dairy):
            by_name = po_csv(doc_set, producer)
            for offer in (delivery.bread, delivery.baguette, delivery.tomme, delivery.yoghurt):
                if offer.producer_id == producer.pk:
                    assert csv_amount(by_name[offer.name][fr("Amount (€)")]) == delivery.due(offer=offer)
            assert csv_amount(by_name[fr("Total")][fr("Amount (€)")]) == delivery.due(
                offer__producer=producer
            )
            workbook = xlsx_rows(bytes(stored(doc_set, Kind.PURCHASE_ORDER, XLSX, producer).content))
            _header, body = table_after(workbook, fr("Product"))
            assert cents(body[-1][8]) == delivery.due(offer__producer=producer)
        (page,) = pdf_pages(bytes(stored(doc_set, Kind.PURCHASE_ORDER, PDF, bakery).content))
        assert "Fournil du Lauragais" in page and "Pain complet" in page and "Tomme" not in page
        slips = pdf_pages(bytes(stored(doc_set, Kind.SLIPS, PDF).content))
        assert len(slips) == 3  # the 2 slips per sheet asked for: 5 slips on 3 sheets
        assert DocumentSet.objects.get(pk=doc_set.pk).slips_per_sheet == 2

    def test_progress_is_recorded_document_by_document(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        seen: list[tuple[str, int, int]] = []
        real_build = generation.build

        def watching(cycle: Cycle, spec: generation.Spec, per_sheet: int) -> Document:
            doc_set = DocumentSet.objects.get(cycle=cycle)
            seen.append((doc_set.status, doc_set.done, doc_set.total))
            return real_build(cycle, spec, per_sheet)

        monkeypatch.setattr(generation, "build", watching)
        doc_set = generate(run_commit, delivery.cycle)
        assert seen == [(Status.RUNNING, done, 9) for done in range(9)]
        assert (doc_set.status, doc_set.done, doc_set.total) == (Status.READY, 9, 9)

    def test_a_draft_cycle_has_no_documents(self, delivery: Delivery) -> None:
        Cycle.objects.filter(pk=delivery.cycle.pk).update(published_at=None)
        with pytest.raises(services.DocumentsError):
            services.request_generation(
                cycle=Cycle.objects.get(pk=delivery.cycle.pk), by=delivery.coordinator
            )
        assert not DocumentSet.objects.exists()


class TestGenerations:
    def test_a_superseded_generation_stores_nothing_and_serves_nothing(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        first = generate(run_commit, delivery.cycle)
        first_files = {f.pk for f in served(first)}
        # Two requests whose tasks have not run yet: the older one is superseded.
        services.request_generation(cycle=delivery.cycle, by=None)
        services.request_generation(cycle=delivery.cycle, by=None)
        assert tasks.build_documents.call(first.pk, 2) == 0
        doc_set = DocumentSet.objects.get(pk=first.pk)
        assert (doc_set.requested, doc_set.started, doc_set.ready, doc_set.status) == (3, 1, 1, Status.QUEUED)
        assert set(StoredDocument.objects.values_list("pk", flat=True)) == first_files
        assert tasks.build_documents.call(first.pk, 3) == 9
        doc_set.refresh_from_db()
        assert (doc_set.ready, doc_set.status) == (3, Status.READY)
        assert set(StoredDocument.objects.values_list("generation", flat=True)) == {3}
        assert tasks.build_documents.call(first.pk, 3) == 0  # enqueued twice: built once

    def test_a_generation_superseded_while_running_stops_and_throws_its_files_away(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        first = generate(run_commit, delivery.cycle)
        real_build = generation.build
        built: list[generation.Spec] = []

        def interrupted(cycle: Cycle, spec: generation.Spec, per_sheet: int) -> Document:
            built.append(spec)
            if len(built) == 3:  # a coordinator asks again meanwhile (its task runs later)
                services.request_generation(cycle=cycle, by=None)
            return real_build(cycle, spec, per_sheet)

        monkeypatch.setattr(generation, "build", interrupted)
        services.request_generation(cycle=delivery.cycle, by=None)
        assert tasks.build_documents.call(first.pk, 2) == 0
        assert len(built) == 3
        doc_set = DocumentSet.objects.get(pk=first.pk)
        assert (doc_set.requested, doc_set.started, doc_set.ready) == (3, 2, 1)
        assert set(StoredDocument.objects.values_list("generation", flat=True)) == {1}

    def test_the_previous_generation_is_served_until_the_new_one_is_complete(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        client_for: Callable[..., Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        client = client_for(delivery.coordinator)
        first = generate(run_commit, delivery.cycle)
        old = stored(first, Kind.PURCHASE_ORDER, CSV, delivery.bakery)
        services.request_generation(cycle=delivery.cycle, by=delivery.coordinator)
        # Queued: the old files are still there, linked and downloadable.
        response = client.get(documents_url(delivery.cycle))
        assert response.context["doc_set"].status == Status.QUEUED
        assert file_url(old, delivery.cycle) in response.text
        assert client.get(file_url(old, delivery.cycle)).status_code == 200
        real_build = generation.build
        calls: list[generation.Spec] = []
        during: list[tuple[str, int, int, bool]] = []

        def observed(cycle: Cycle, spec: generation.Spec, per_sheet: int) -> Document:
            calls.append(spec)
            if len(calls) == 9:  # the last document: the eight others of the new generation are stored
                page = client.get(documents_url(delivery.cycle))
                new = StoredDocument.objects.filter(generation=2).first()
                assert new is not None
                during.append(
                    (
                        page.context["doc_set"].status,
                        client.get(file_url(old, delivery.cycle)).status_code,
                        client.get(file_url(new, delivery.cycle)).status_code,  # not served yet
                        file_url(old, delivery.cycle) in page.text,
                    )
                )
            return real_build(cycle, spec, per_sheet)

        monkeypatch.setattr(generation, "build", observed)
        assert tasks.build_documents.call(first.pk, 2) == 9
        assert during == [(Status.RUNNING, 200, 302, True)]  # the new one: back to the page
        # Complete: only the new generation remains; the old link is gone.
        assert set(StoredDocument.objects.values_list("generation", flat=True)) == {2}
        assert client.get(file_url(old, delivery.cycle)).status_code == 302
        new = stored(first, Kind.PURCHASE_ORDER, CSV, delivery.bakery)
        assert client.get(file_url(new, delivery.cycle)).status_code == 200

    def test_a_failure_keeps_the_previous_generation_and_a_new_request_works(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        generate(run_commit, delivery.cycle)
        first_files = set(StoredDocument.objects.values_list("pk", flat=True))
        real_build = generation.build

        def broken(cycle: Cycle, spec: generation.Spec, per_sheet: int) -> Document:
            if spec.kind == Kind.PURCHASE_ORDER and spec.fmt == CSV and spec.producer == delivery.dairy:
                raise RuntimeError("disque plein")
            return real_build(cycle, spec, per_sheet)

        monkeypatch.setattr(generation, "build", broken)
        doc_set = generate(run_commit, delivery.cycle)
        assert (doc_set.status, doc_set.failed, doc_set.ready) == (Status.FAILED, 2, 1)
        assert doc_set.error == "RuntimeError: disque plein"
        assert not doc_set.in_progress
        assert not StoredDocument.objects.filter(generation=2).exists()
        assert set(StoredDocument.objects.values_list("pk", flat=True)) == first_files
        assert "generation 2 failed" in caplog.text
        monkeypatch.setattr(generation, "build", real_build)
        doc_set = generate(run_commit, delivery.cycle)
        assert (doc_set.status, doc_set.ready, doc_set.error) == (Status.READY, 3, "")
        assert services.is_current(doc_set)
        assert set(StoredDocument.objects.values_list("generation", flat=True)) == {3}


# --- Following the orders --------------------------------------------------------------------------


class TestFollowingOrders:
    @pytest.fixture(autouse=True)
    def _allocated(self, delivery: Delivery) -> None:
        """Fair shares split, as the clock does at closing: the changes below are the only ones."""
        allocate(delivery.cycle)

    def test_an_adjustment_after_closing_regenerates_the_documents(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        first = generate(run_commit, delivery.cycle, by=delivery.coordinator)
        assert po_csv(first, delivery.bakery)["Pain complet"][fr("Quantity")] == "4"
        with run_commit():
            adjust(delivery, delivery.member, delivery.bread, 5000)  # Marie: 2 loaves -> 5
        doc_set = DocumentSet.objects.get(pk=first.pk)
        assert doc_set.ready == doc_set.requested > 1
        assert doc_set.requested_by is None  # an automatic update
        assert services.is_current(doc_set)
        by_name = po_csv(doc_set, delivery.bakery)
        assert by_name["Pain complet"][fr("Quantity")] == "7"
        assert csv_amount(by_name["Pain complet"][fr("Amount (€)")]) == delivery.due(offer=delivery.bread)
        assert csv_amount(by_name[fr("Total")][fr("Amount (€)")]) == delivery.due(
            offer__producer=delivery.bakery
        )

    def test_a_carton_rounding_regenerates_the_documents(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        first = generate(run_commit, delivery.cycle)
        before = po_csv(first, delivery.bakery)["Baguette"][fr("Quantity")]
        assert before == "10"  # a carton of 6 and 4 left over
        with run_commit():
            assert cartons.accept_proposal(offer=delivery.baguette, by=delivery.coordinator) > 0
        doc_set = DocumentSet.objects.get(pk=first.pk)
        assert doc_set.ready == doc_set.requested > 1
        quantity = sum(line.quantity for line in delivery.lines(offer=delivery.baguette)) // 1000
        assert quantity % 6 == 0 and quantity != 10
        assert po_csv(doc_set, delivery.bakery)["Baguette"][fr("Quantity")] == str(quantity)

    def test_a_withdrawn_product_leaves_the_regenerated_documents(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        first = generate(run_commit, delivery.cycle)
        assert "Yaourt" in po_csv(first, delivery.dairy)
        with run_commit():
            cycles.withdraw_offer(
                offer=delivery.yoghurt, reason="Panne de la yaourtière", by=delivery.coordinator
            )
        doc_set = DocumentSet.objects.get(pk=first.pk)
        assert doc_set.ready == doc_set.requested > 1
        by_name = po_csv(doc_set, delivery.dairy)
        assert "Yaourt" not in by_name
        assert csv_amount(by_name[fr("Total")][fr("Amount (€)")]) == delivery.due(
            offer__producer=delivery.dairy
        )

    def test_nothing_automatic_while_orders_are_open(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        Cycle.objects.filter(pk=delivery.cycle.pk).update(closes_at=timezone.now() + timedelta(days=1))
        cycle = Cycle.objects.select_related("group").get(pk=delivery.cycle.pk)
        first = generate(run_commit, cycle)  # provisional documents, asked for by hand
        with run_commit():
            result = save_basket(
                cycle=cycle,
                member=delivery.member,
                changes=[LineChange(delivery.bread.pk, 3000)],
                by=delivery.member,
            )
        assert result.ok
        doc_set = DocumentSet.objects.get(pk=first.pk)
        assert (doc_set.requested, doc_set.ready) == (1, 1)
        assert not services.is_current(doc_set)  # they are out of date, and say so
        assert not services.follow_orders(cycle.pk)

    def test_nothing_automatic_before_the_first_generation(
        self, delivery: Delivery, run_commit: Commit
    ) -> None:
        with run_commit():
            adjust(delivery, delivery.member, delivery.bread, 5000)
        assert not DocumentSet.objects.exists()
        assert not services.follow_orders(delivery.cycle.pk)

    def test_nothing_is_regenerated_when_nothing_changed(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        first = generate(run_commit, delivery.cycle)
        with run_commit():
            assert not services.follow_orders(delivery.cycle.pk)
        assert DocumentSet.objects.get(pk=first.pk).requested == 1
        adjust(delivery, delivery.member, delivery.bread, 5000)  # the commit callbacks do not run here
        with run_commit():
            assert services.follow_orders(delivery.cycle.pk)
        assert DocumentSet.objects.get(pk=first.pk).ready == 2

    def test_distribution_details_changed_after_closing_regenerate(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        first = generate(run_commit, delivery.cycle)
        fields = {key: getattr(delivery.cycle, key) for key in cycles.CYCLE_FIELDS}
        with run_commit():
            cycles.update_cycle(
                cycle=delivery.cycle,
                fields={**fields, "distribution_place": "Halle aux grains"},
                producers=list(delivery.cycle.producers.all()),
                by=delivery.coordinator,
            )
        doc_set = DocumentSet.objects.get(pk=first.pk)
        assert doc_set.ready == 2 and services.is_current(doc_set)
        workbook = xlsx_rows(bytes(stored(doc_set, Kind.PURCHASE_ORDER, XLSX, delivery.dairy).content))
        assert any("Halle aux grains" in str(cell) for row in workbook[:5] for cell in row if cell)


class TestFingerprint:
    def test_changes_with_what_the_documents_show(self, delivery: Delivery) -> None:
        def current() -> str:
            return generation.fingerprint(Cycle.objects.get(pk=delivery.cycle.pk), 1)

        allocate(delivery.cycle)  # done at closing; then only the changes below move the fingerprint
        start = current()
        assert current() == start
        assert generation.fingerprint(delivery.cycle, 2) != start  # slips per sheet
        fields = {key: getattr(delivery.cycle, key) for key in cycles.CYCLE_FIELDS}
        cycles.update_cycle(
            cycle=delivery.cycle,
            fields={**fields, "distribution_place": "Halle aux grains"},
            producers=list(delivery.cycle.producers.all()),
            by=delivery.coordinator,
        )
        moved = current()
        assert moved != start
        adjust(delivery, delivery.member2, delivery.tomme, 3000)
        adjusted = current()
        assert adjusted != moved
        Producer.objects.filter(pk=delivery.dairy.pk).update(iban="FR7630006000011234567890189")
        assert current() != adjusted


# --- Sending producers their documents ------------------------------------------------------


def give_addresses(delivery: Delivery) -> None:
    """The bakery: a contact address that is also its account's, then a second account (and a
    former one, inactive); the dairy: a contact address only."""
    Producer.objects.filter(pk=delivery.bakery.pk).update(contact_email="Paul@Example.org")
    Producer.objects.filter(pk=delivery.dairy.pk).update(contact_email="bergerie@example.org")
    ProducerAccount.objects.create(producer=delivery.bakery, user=delivery.producer_user2)
    gone = accounts.create_user(email="ancien@example.org", full_name="Ancien Associé")
    gone.is_active = False
    gone.save()
    ProducerAccount.objects.create(producer=delivery.bakery, user=gone)


def both_producers(delivery: Delivery) -> list[Producer]:
    """The bakery and the dairy as stored now (with the addresses just given)."""
    return list(Producer.objects.filter(pk__in=[delivery.bakery.pk, delivery.dairy.pk]).order_by("name"))


class TestSending:
    def test_each_producer_receives_its_two_pdfs(
        self, delivery: Delivery, sendable_formats: None, run_commit: Commit
    ) -> None:
        give_addresses(delivery)
        doc_set = generate(run_commit, delivery.cycle)
        with run_commit():
            dispatches = services.send_to_producers(
                doc_set=doc_set, producers=both_producers(delivery), by=delivery.coordinator
            )
        assert len(dispatches) == 2
        assert len(mail.outbox) == 2
        by_recipients = {tuple(message.to): message for message in mail.outbox}
        assert set(by_recipients) == {("paul@example.org", "pauline@example.org"), ("bergerie@example.org",)}
        for producer, to in (
            (delivery.bakery, ("paul@example.org", "pauline@example.org")),
            (delivery.dairy, ("bergerie@example.org",)),
        ):
            message = by_recipients[to]
            assert "Cabas de juin" in message.subject
            expected = {
                stored(doc_set, kind, PDF, producer).filename
                for kind in (Kind.PURCHASE_ORDER, Kind.DISTRIBUTION_LIST)
            }
            names = [attachment[0] for attachment in message.attachments]
            assert sorted(names) == sorted(expected)
            for _name, content, content_type in message.attachments:
                assert content_type == "application/pdf" and content.startswith(b"%PDF")
                text = " ".join(pdf_pages(content))
                assert producer.name in text
            dispatch = Dispatch.objects.get(producer=producer)
            assert dispatch.sent_at is not None and dispatch.failed_at is None
            assert (dispatch.generation, dispatch.requested_by) == (doc_set.ready, delivery.coordinator)
            assert dispatch.recipients == list(to)
            assert {entry["filename"] for entry in dispatch.files} == expected
            assert dispatch.data_hashes() == {
                stored(doc_set, kind, PDF, producer).data_hash
                for kind in (Kind.PURCHASE_ORDER, Kind.DISTRIBUTION_LIST)
            }
        # The distribution list went to the bakery only with its own customers.
        bakery_text = " ".join(
            pdf_pages(
                next(
                    content
                    for name, content, _type in by_recipients[
                        ("paul@example.org", "pauline@example.org")
                    ].attachments
                    if name == stored(doc_set, Kind.DISTRIBUTION_LIST, PDF, delivery.bakery).filename
                )
            )
        )
        assert "Marie Membre" in bakery_text and "Émile Essai" not in bakery_text

    def test_refused_while_the_documents_are_not_current(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        give_addresses(delivery)
        doc_set = generate(run_commit, delivery.cycle)
        not_current = french(
            "The documents are not up to date with the orders: wait until they are, then send them."
        )
        adjust(
            delivery, delivery.member, delivery.bread, 5000
        )  # not regenerated yet (its callbacks have not run)
        with run_commit(), pytest.raises(services.DocumentsError, match=re.escape(not_current)):
            services.send_to_producers(
                doc_set=doc_set, producers=both_producers(delivery), by=delivery.coordinator
            )
        assert not Dispatch.objects.exists()
        # Generated again, then again with nothing changed: the version served still shows the
        # orders as they are, so it may go while the newer one is being made.
        doc_set = generate(run_commit, delivery.cycle)
        services.request_generation(cycle=delivery.cycle, by=None)
        doc_set.refresh_from_db()
        assert doc_set.in_progress
        with run_commit():
            services.send_to_producers(
                doc_set=doc_set, producers=both_producers(delivery), by=delivery.coordinator
            )
        # Accepted for the version served (spreadsheets only here: the e-mail itself needs PDFs).
        assert list(Dispatch.objects.values_list("generation", flat=True)) == [doc_set.ready] * 2
        assert not mail.outbox

    def test_refused_for_a_producer_without_an_address(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        Producer.objects.filter(pk=delivery.bakery.pk).update(contact_email="fournil@example.org")
        doc_set = generate(run_commit, delivery.cycle)
        with run_commit(), pytest.raises(services.DocumentsError) as refusal:
            services.send_to_producers(
                doc_set=doc_set, producers=both_producers(delivery), by=delivery.coordinator
            )
        assert "Ferme de la Bergerie" in str(refusal.value) and "Fournil" not in str(refusal.value)
        with run_commit(), pytest.raises(services.DocumentsError):
            services.send_to_producers(doc_set=doc_set, producers=[], by=delivery.coordinator)
        assert not Dispatch.objects.exists()
        assert not mail.outbox

    def test_a_failed_dispatch_is_recorded(
        self, delivery: Delivery, fast_formats: None, run_commit: Commit
    ) -> None:
        """Without the PDFs in the served generation, the task cannot attach them: it says so."""
        give_addresses(delivery)
        doc_set = generate(run_commit, delivery.cycle)
        with run_commit():
            services.send_to_producers(
                doc_set=doc_set,
                producers=Producer.objects.filter(pk=delivery.dairy.pk),
                by=delivery.coordinator,
            )
        dispatch = Dispatch.objects.get()
        assert dispatch.sent_at is None and dispatch.failed_at is not None
        assert dispatch.error.startswith("LookupError")
        assert not mail.outbox

    def test_the_page_tells_which_producer_figures_changed_since_sent(
        self,
        delivery: Delivery,
        sendable_formats: None,
        run_commit: Commit,
        client_for: Callable[..., Client],
    ) -> None:
        give_addresses(delivery)
        doc_set = generate(run_commit, delivery.cycle)
        with run_commit():
            services.send_to_producers(
                doc_set=doc_set, producers=both_producers(delivery), by=delivery.coordinator
            )
        client = client_for(delivery.coordinator)
        rows = {row.producer.pk: row for row in client.get(documents_url(delivery.cycle)).context["rows"]}
        assert [(row.changed_since_sent, row.to_send) for row in rows.values()] == [(False, False)] * 2
        with run_commit():
            adjust(delivery, delivery.member, delivery.bread, 5000)  # the bakery's figures only
        response = client.get(documents_url(delivery.cycle))
        assert response.context["is_current"]
        rows = {row.producer.pk: row for row in response.context["rows"]}
        bakery, dairy = rows[delivery.bakery.pk], rows[delivery.dairy.pk]
        assert (bakery.changed_since_sent, bakery.to_send) == (True, True)
        assert (dairy.changed_since_sent, dairy.to_send) == (False, False)
        assert bakery.last_sent == Dispatch.objects.get(producer=delivery.bakery)
        assert page_text(response).count(fr("Changed since it was sent")) == 1


# --- The documents page ------------------------------------------------------------------------


class TestPage:
    def test_every_state(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        client_for: Callable[..., Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        client = client_for(delivery.coordinator)
        url = documents_url(delivery.cycle)

        def get() -> tuple[Any, str]:
            response = client.get(url)
            assert response.status_code == 200
            return response, page_text(response)

        response, text = get()
        assert response.context["doc_set"] is None
        assert (
            fr(
                "The documents have not been generated yet. For a cycle of 150 baskets it takes a minute "
                "or two, in the background: you can leave this page meanwhile."
            )
            in text
        )
        assert fr("Generate the documents") in text and "/files/" not in text
        assert fr("Send to producers") not in text and "hx-trigger" not in text

        services.request_generation(cycle=delivery.cycle, by=delivery.coordinator)
        response, text = get()
        assert response.context["doc_set"].status == Status.QUEUED
        assert fr("Waiting for the task queue…") in text and 'hx-trigger="every 3s"' in text
        assert fr("Generate again") in text

        real_build = generation.build
        calls: list[generation.Spec] = []
        running: list[str] = []

        def observed(cycle: Cycle, spec: generation.Spec, per_sheet: int) -> Document:
            calls.append(spec)
            if len(calls) == 5:  # four documents built
                running.append(get()[1])
            return real_build(cycle, spec, per_sheet)

        monkeypatch.setattr(generation, "build", observed)
        assert tasks.build_documents.call(DocumentSet.objects.get().pk, 1) == 9
        (text,) = running
        assert fr("Generating: %(done)s of %(total)s documents", done=4, total=9) in text
        assert '<progress id="documents-progress" max="9" value="4">' in text
        assert 'hx-trigger="every 3s"' in text

        response, text = get()
        doc_set = response.context["doc_set"]
        assert doc_set.status == Status.READY and response.context["is_current"]
        for document in served(doc_set):
            assert f'href="{file_url(document, delivery.cycle)}"' in response.text
        assert fr("They show the orders as they are now.") in text
        assert "hx-trigger" not in text
        assert fr("Send to producers") in text and 'aria-describedby="send-wait"' not in text

        def broken(cycle: Cycle, spec: generation.Spec, per_sheet: int) -> Document:
            raise RuntimeError("plus de mémoire")

        monkeypatch.setattr(generation, "build", broken)
        generate(run_commit, delivery.cycle)
        response, text = get()
        assert response.context["doc_set"].status == Status.FAILED
        assert (
            fr(
                "The generation failed. Try again; if it fails again, tell the site administrator "
                "(the error is in the server's log)."
            )
            in text
        )
        assert "hx-trigger" not in text
        for document in served(doc_set):  # the previous generation is still offered
            assert f'href="{file_url(document, delivery.cycle)}"' in response.text
        # Nothing changed since it was made: it still shows the orders, and may be sent.
        assert fr("They show the orders as they are now.") in text
        assert 'aria-describedby="send-wait"' not in text

    def test_out_of_date_documents_say_so(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        client_for: Callable[..., Client],
    ) -> None:
        generate(run_commit, delivery.cycle)
        adjust(delivery, delivery.member, delivery.bread, 5000)  # not regenerated: its callbacks do not run
        response = client_for(delivery.coordinator).get(documents_url(delivery.cycle))
        assert not response.context["is_current"]
        text = page_text(response)
        assert fr("Orders or details have changed since: generate again before printing or sending.") in text
        assert fr("Sending is possible once the documents show the current orders.") in text

    def test_status_part_polls_only_while_something_is_under_way(
        self, delivery: Delivery, fast_formats: None, client_for: Callable[..., Client]
    ) -> None:
        client = client_for(delivery.coordinator)
        url = documents_url(delivery.cycle, "reports_status")
        services.request_generation(cycle=delivery.cycle, by=delivery.coordinator)
        response = client.get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        assert 'id="documents"' in response.text and "hx-trigger" in response.text
        assert "<html" not in response.text  # the part alone
        assert tasks.build_documents.call(DocumentSet.objects.get().pk, 1) == 9
        response = client.get(url)
        assert "hx-trigger" not in response.text and "/files/" in response.text
        Producer.objects.filter(pk=delivery.dairy.pk).update(contact_email="bergerie@example.org")
        Dispatch.objects.create(
            document_set=DocumentSet.objects.get(),
            producer=delivery.dairy,
            generation=1,
            recipients=["bergerie@example.org"],
            requested_by=delivery.coordinator,
        )  # its e-mail not sent yet
        assert "hx-trigger" in client.get(url).text

    def test_generate(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        client_for: Callable[..., Client],
    ) -> None:
        client = client_for(delivery.coordinator)
        url = documents_url(delivery.cycle, "reports_generate")
        with run_commit():
            response = client.post(url, {"slips_per_sheet": "3"})
        assert response.status_code == 302 and response["Location"] == documents_url(delivery.cycle)
        doc_set = DocumentSet.objects.get()
        assert (doc_set.requested, doc_set.ready, doc_set.slips_per_sheet) == (1, 1, 3)
        assert doc_set.requested_by == delivery.coordinator
        assert 'value="3" selected' in client.get(documents_url(delivery.cycle)).text

    @pytest.mark.parametrize("value", ["9", "x", "0", "", "²"])
    def test_generate_refuses_a_bad_number_of_slips_per_sheet(
        self,
        delivery: Delivery,
        client_for: Callable[..., Client],
        run_commit: Commit,
        value: str,
    ) -> None:
        client = client_for(delivery.coordinator)
        with run_commit():
            response = client.post(
                documents_url(delivery.cycle, "reports_generate"), {"slips_per_sheet": value}, follow=True
            )
        assert [str(m) for m in response.context["messages"]] == [french("Choose 1, 2 or 3 slips per sheet.")]
        assert not DocumentSet.objects.exists()

    def test_post_endpoints_refuse_get(self, delivery: Delivery, client_for: Callable[..., Client]) -> None:
        client = client_for(delivery.coordinator)
        for name in ("reports_generate", "reports_send"):
            assert client.get(documents_url(delivery.cycle, name)).status_code == 405
        assert not DocumentSet.objects.exists()

    def test_files_outside_the_served_generation_are_404(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        client_for: Callable[..., Client],
    ) -> None:
        cast = delivery
        client = client_for(cast.coordinator)
        first = generate(run_commit, delivery.cycle)
        old = stored(first, Kind.MATRIX, CSV)
        old_url = file_url(old, delivery.cycle)
        assert client.get(old_url).status_code == 200
        generate(run_commit, delivery.cycle)
        replaced = client.get(old_url, follow=True)  # a page opened before: back to the current files
        assert replaced.redirect_chain == [(reverse("reports_cycle", args=[A, delivery.cycle.pk]), 302)]
        assert french("That version of the file has been replaced: here are the current documents.") in (
            replaced.text
        )
        current = stored(first, Kind.MATRIX, CSV)
        assert client.get(file_url(current, delivery.cycle)).status_code == 200
        assert client.get(file_url(current, delivery.cycle, filename="autre.csv")).status_code == 404
        assert (
            client.get(file_url(current, delivery.cycle, filename=current.filename.upper())).status_code
            == 404
        )
        # Another cycle's files: not through this cycle's address, nor through another group's.
        other = make_cycle(cast.group_a, phase="closed", name="Cabas de juillet")
        make_offer(other, cast.bakery, "Fougasse")
        other_set = generate(run_commit, other)
        theirs = stored(other_set, Kind.MATRIX, CSV)
        assert client.get(file_url(theirs, other)).status_code == 200
        assert client.get(file_url(theirs, delivery.cycle)).status_code == 302  # not this cycle's: its page
        balma = make_cycle(cast.group_b, phase="closed", name="Panier de juin")
        make_offer(balma, cast.bakery, "Pain de Balma")
        balma_file = stored(generate(run_commit, balma), Kind.MATRIX, CSV)
        assert client.get(file_url(balma_file, balma)).status_code == 404  # B's cycle under A's address
        assert client.get(file_url(balma_file, balma, slug="balma")).status_code == 403
        assert (
            client_for(cast.coordinator_b).get(file_url(current, delivery.cycle, slug="balma")).status_code
            == 404
        )

    def test_pdfs_open_in_the_browser_spreadsheets_are_saved(
        self,
        delivery: Delivery,
        run_commit: Commit,
        client_for: Callable[..., Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(generation, "PER_CYCLE", ((Kind.SUMMARY, (PDF, XLSX)), (Kind.MATRIX, (CSV,))))
        monkeypatch.setattr(generation, "PER_PRODUCER", ())
        doc_set = generate(run_commit, delivery.cycle)
        client = client_for(delivery.coordinator)
        for fmt, disposition in ((PDF, "inline"), (XLSX, "attachment"), (CSV, "attachment")):
            document = stored(doc_set, Kind.SUMMARY if fmt != CSV else Kind.MATRIX, fmt)
            response = client.get(file_url(document, delivery.cycle))
            assert response["Content-Disposition"] == f'{disposition}; filename="{document.filename}"'
            assert response["Content-Type"] == document.content_type
            assert response.content == bytes(document.content)

    def test_send(
        self,
        delivery: Delivery,
        sendable_formats: None,
        run_commit: Commit,
        client_for: Callable[..., Client],
    ) -> None:
        give_addresses(delivery)
        generate(run_commit, delivery.cycle)
        client = client_for(delivery.coordinator)
        with run_commit():
            response = client.post(
                documents_url(delivery.cycle, "reports_send"), {"producer": [str(delivery.dairy.pk)]}
            )
        assert response.status_code == 302 and response["Location"] == documents_url(delivery.cycle)
        dispatch = Dispatch.objects.get()
        assert (dispatch.producer, dispatch.requested_by) == (delivery.dairy, delivery.coordinator)
        assert dispatch.sent_at is not None
        assert [message.to for message in mail.outbox] == [["bergerie@example.org"]]
        history = client.get(documents_url(delivery.cycle)).context["history"]
        assert history == [dispatch]

    def test_send_refuses_nothing_ticked_and_producers_of_elsewhere(
        self,
        delivery: Delivery,
        fast_formats: None,
        run_commit: Commit,
        client_for: Callable[..., Client],
    ) -> None:
        give_addresses(delivery)
        generate(run_commit, delivery.cycle)
        client = client_for(delivery.coordinator)
        url = documents_url(delivery.cycle, "reports_send")
        stranger = make_producer(delivery.group_b, "Ruche de Balma")
        Producer.objects.filter(pk=stranger.pk).update(contact_email="ruche@example.org")
        make_offer(make_cycle(delivery.group_b, name="Panier de juin"), stranger, "Miel")
        neighbour = make_producer(delivery.group_a, "Maraîcher du coin")  # in another cycle of the group
        Producer.objects.filter(pk=neighbour.pk).update(contact_email="maraicher@example.org")
        make_offer(make_cycle(delivery.group_a, name="Cabas de juillet"), neighbour, "Salade")
        for data in (
            {},
            {"producer": [str(stranger.pk)]},
            {"producer": [str(neighbour.pk)]},
            {"producer": ["x", "-1", "", "²"]},
        ):
            with run_commit():
                response = client.post(url, data, follow=True)
            assert [str(m) for m in response.context["messages"]] == [
                french("Choose at least one producer.")
            ], data
        assert not Dispatch.objects.exists()
        assert not mail.outbox


# --- Query counts --------------------------------------------------------------------------


def add_producers(cycle: Cycle, members: list[Any], count: int) -> list[Producer]:
    """``count`` more producers in ``cycle``, each with an offer every member ordered once."""
    made = []
    for _ in range(count):
        producer = make_producer(cycle.group, f"Ferme {Producer.objects.count():02d}")
        Producer.objects.filter(pk=producer.pk).update(contact_email=f"{producer.slug}@example.org")
        offer = make_offer(cycle, producer, f"Panier {producer.slug}", price_cents=1250)
        for member in members:
            order, _created = Order.objects.get_or_create(cycle=cycle, user=member)
            OrderLine.objects.create(
                order=order, offer=offer, quantity=1000, requested=1000, total_cents=offer.line_total(1000)
            )
        made.append(producer)
    return made


def record_dispatches(doc_set: DocumentSet, producers: list[Producer], by: Any) -> None:
    """Two dispatches a producer, as a sent one then a newer failed one leave them."""
    doc_set.refresh_from_db()
    files = {
        (f.producer_id, f.kind): f
        for f in StoredDocument.objects.filter(document_set=doc_set, generation=doc_set.ready)
    }
    now = timezone.now()
    Dispatch.objects.bulk_create(
        Dispatch(
            document_set=doc_set,
            producer=producer,
            generation=doc_set.ready,
            recipients=[f"{producer.slug}@example.org"],
            files=[
                {"kind": kind, "filename": files[producer.pk, kind].filename, "data_hash": "ancien"}
                for kind in (Kind.PURCHASE_ORDER, Kind.DISTRIBUTION_LIST)
            ],
            requested_by=by,
            requested_at=now - timedelta(minutes=minutes),
            sent_at=now - timedelta(minutes=minutes) if minutes else None,
            failed_at=None if minutes else now,
        )
        for producer in producers
        for minutes in (10, 0)
    )


def test_page_queries_do_not_grow_with_producers(
    cast: Cast,
    fast_formats: None,
    run_commit: Commit,
    client_for: Callable[..., Client],
) -> None:
    cycle = Cycle.objects.select_related("group").get(pk=make_cycle(cast.group_a, phase="closed").pk)
    members = [cast.member, cast.member2, cast.beneficiary]
    client = client_for(cast.coordinator)

    def count(producers: list[Producer]) -> tuple[int, int]:
        doc_set = generate(run_commit, cycle, by=cast.coordinator)
        Dispatch.objects.all().delete()
        record_dispatches(doc_set, producers, cast.coordinator)
        counts = []
        for name in ("reports_cycle", "reports_status"):
            with CaptureQueriesContext(connection) as context:
                response = client.get(documents_url(cycle, name))
            assert response.status_code == 200
            assert len(response.context["rows"]) == len(producers)
            assert all(row.last_sent and row.changed_since_sent for row in response.context["rows"])
            counts.append(len(context))
        return counts[0], counts[1]

    producers = add_producers(cycle, members, 3)
    few = count(producers)
    producers += add_producers(cycle, members, 9)
    assert count(producers) == few


class TestStuck:
    """A generation with no document built for far longer than one takes: the worker is down."""

    def test_running_is_judged_on_the_last_document_not_the_start(self) -> None:
        now = timezone.now()
        running = DocumentSet(requested=2, started=2, ready=1, started_at=now - timedelta(hours=2))
        running.progressed_at = now - timedelta(minutes=1)
        assert running.status == Status.RUNNING and not running.looks_stuck(now)
        running.progressed_at = now - STUCK_AFTER - timedelta(seconds=1)
        assert running.looks_stuck(now)

    def test_queued_is_judged_on_the_request(self) -> None:
        now = timezone.now()
        queued = DocumentSet(requested=1, requested_at=now - timedelta(minutes=5))
        assert queued.status == Status.QUEUED and not queued.looks_stuck(now)
        queued.requested_at = now - STUCK_AFTER - timedelta(seconds=1)
        assert queued.looks_stuck(now)
        done = DocumentSet(requested=1, ready=1, requested_at=now - timedelta(days=3))
        assert not done.looks_stuck(now)

    def test_the_page_says_so(self, delivery: Delivery, client_for: Callable[..., Client]) -> None:
        DocumentSet.objects.create(
            cycle=delivery.cycle,
            requested=1,
            requested_at=timezone.now() - STUCK_AFTER - timedelta(minutes=1),
        )
        page = (
            client_for(delivery.coordinator).get(reverse("reports_cycle", args=[A, delivery.cycle.pk])).text
        )
        warning = french(
            "This is taking far longer than usual: the task worker may be stopped. "
            "Generate again, or tell the site administrator."
        )
        assert warning in page
