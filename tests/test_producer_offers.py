"""Producers prepare their part of a cycle: asked by e-mail, answered from their phone, accepted by
a coordinator through the offers' own write path; once orders are open, their requests."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cabas.catalog.models import ProducerAccount, Product
from cabas.cycles import proposals, services
from cabas.cycles.models import (
    ChangeKind,
    Cycle,
    Offer,
    OfferRequest,
    OrderChange,
    OrderLine,
    ProducerOffer,
    ProposedLine,
)
from cabas.cycles.ordering import LineChange, save_basket
from cabas.cycles.proposals import LineAnswer
from cabas.cycles.services import CycleError
from tests import scene
from tests.cast import Cast

A = "saint-orens"


@pytest.fixture
def draft(cast: Cast) -> Cycle:
    """A draft cycle of A opening in three days, bakery (Paul's account) and dairy (no account)."""
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    scene.product(cast.bakery, "Pain", price_cents=450, carton_size=None)
    scene.product(cast.bakery, "Brioche", price_cents=600)
    scene.product(cast.dairy, "Tomme", price_cents=900)
    now = timezone.now()
    fields = {
        "name": "Cabas de juillet",
        "opens_at": now + timedelta(days=3),
        "closes_at": now + timedelta(days=10),
        "distribution_date": timezone.localdate(now) + timedelta(days=14),
        "distribution_start": time(17),
        "distribution_end": time(19),
        "distribution_place": "Salle des fêtes",
        "message": "",
    }
    return services.create_cycle(
        group=cast.group_a, fields=fields, producers=[cast.bakery, cast.dairy], by=cast.coordinator
    )


def offer(cycle: Cycle, name: str) -> Offer:
    return cycle.offers.get(name=name)


def ask(cast: Cast, draft: Cycle, capture: Any) -> ProducerOffer:
    with capture(execute=True):
        proposals.ask_producers(cycle=draft, by=cast.coordinator)
    return ProducerOffer.objects.get(cycle=draft, producer=cast.bakery)


def form_data(draft: Cycle, **overrides: str) -> dict[str, str]:
    data = {"note": "Premières brioches aux pralines !"}
    for o in draft.offers.filter(producer__slug="fournil"):
        data |= {f"available_{o.pk}": "on", f"price_{o.pk}": "5,00", f"quota_{o.pk}": "", f"cap_{o.pk}": ""}
    return data | overrides


# --- Services ---------------------------------------------------------------------------------


class TestAskAndAnswer:
    def test_asking_mails_each_producer_account_once(self, cast, draft, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        assert ProducerOffer.objects.filter(cycle=draft).count() == 2  # the dairy too (no account: no mail)
        assert [m.to for m in mail.outbox] == [[cast.producer_user.email]]
        link = reverse("producer_cycle_offer", args=["fournil", draft.pk])
        assert link in mail.outbox[0].body
        assert proposal.asked_by == cast.coordinator
        with django_capture_on_commit_callbacks(execute=True):
            assert proposals.ask_producers(cycle=draft, by=cast.coordinator) == []  # never twice
        assert len(mail.outbox) == 1

    def test_remind_until_answered(self, cast, draft, django_capture_on_commit_callbacks):
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            proposals.remind(proposal=proposal, by=cast.coordinator)
        assert len(mail.outbox) == 1 and (
            "Rappel" in mail.outbox[0].subject or "Reminder" in mail.outbox[0].subject
        )
        proposals.answer(proposal=proposal, lines=_answers(draft), note="", by=cast.producer_user)
        with pytest.raises(CycleError):
            proposals.remind(proposal=proposal, by=cast.coordinator)

    def test_nothing_once_orders_have_opened(self, cast, draft, django_capture_on_commit_callbacks):
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        scene.set_phase(draft, "open")
        with pytest.raises(CycleError):
            proposals.answer(proposal=proposal, lines=_answers(draft), note="", by=cast.producer_user)
        with pytest.raises(CycleError):
            proposals.ask_producers(cycle=draft, by=cast.coordinator)
        assert not ProposedLine.objects.exists()

    def test_an_answer_must_cover_every_product(self, cast, draft, django_capture_on_commit_callbacks):
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        answers = _answers(draft)
        answers.popitem()
        with pytest.raises(CycleError):
            proposals.answer(proposal=proposal, lines=answers, note="", by=cast.producer_user)
        proposal.refresh_from_db()
        assert proposal.answered_at is None


def _answers(draft: Cycle, **by_name: LineAnswer) -> dict[int, LineAnswer]:
    return {
        o.pk: by_name.get(o.name, LineAnswer(available=True, price_cents=o.price_cents))
        for o in draft.offers.filter(producer__slug="fournil")
    }


class TestAccept:
    def test_accepting_writes_the_offers(self, cast, draft, django_capture_on_commit_callbacks):
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        answers = _answers(
            draft,
            Pain=LineAnswer(available=True, price_cents=480, quota=30_000, member_cap=2000),
            Brioche=LineAnswer(available=False, price_cents=600),
        )
        proposals.answer(proposal=proposal, lines=answers, note="Bonne saison", by=cast.producer_user)
        assert offer(draft, "Pain").price_cents == 450  # nothing reaches the offers before acceptance
        proposals.accept(proposal=proposal, by=cast.coordinator)
        bread, brioche = offer(draft, "Pain"), offer(draft, "Brioche")
        assert (bread.price_cents, bread.quota, bread.remaining, bread.member_cap) == (
            480,
            30_000,
            30_000,
            2000,
        )
        assert brioche.withdrawn_at is not None
        assert proposals.notes_of(draft) == {cast.bakery.pk: "Bonne saison"}
        # Available again in a new answer: the withdrawn product comes back (before opening).
        proposals.answer(proposal=proposal, lines=_answers(draft), note="", by=cast.producer_user)
        proposals.accept(proposal=proposal, by=cast.coordinator)
        assert offer(draft, "Brioche").withdrawn_at is None

    def test_the_coordinator_changes_then_accepts(self, cast, draft, django_capture_on_commit_callbacks):
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        proposals.answer(proposal=proposal, lines=_answers(draft), note="", by=cast.producer_user)
        changed = _answers(draft, Pain=LineAnswer(available=True, price_cents=470))
        proposals.accept(proposal=proposal, lines=changed, note="", by=cast.coordinator)
        assert offer(draft, "Pain").price_cents == 470

    def test_all_or_nothing(self, cast, draft, django_capture_on_commit_callbacks):
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        # A quota that is not a multiple of the step would break the offers' rules downstream.
        bad = _answers(
            draft,
            Pain=LineAnswer(available=True, price_cents=999),
            Brioche=LineAnswer(available=True, price_cents=600, member_cap=5000),
        )
        proposals.answer(proposal=proposal, lines=bad, note="", by=cast.producer_user)
        with pytest.raises(CycleError):
            proposals.accept(proposal=proposal, by=cast.coordinator, lines={})
        assert offer(draft, "Pain").price_cents == 450
        assert ProducerOffer.objects.get(pk=proposal.pk).accepted_at is None

    def test_nothing_to_accept_before_an_answer(self, cast, draft, django_capture_on_commit_callbacks):
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        with pytest.raises(CycleError):
            proposals.accept(proposal=proposal, by=cast.coordinator)


@pytest.fixture
def open_cycle(cast: Cast, draft: Cycle) -> Cycle:
    """The draft published and open; Marie ordered 2 loaves, Mehdi 1; bread has a quota of 10."""
    bread = offer(draft, "Pain")
    services.update_offer(
        offer=bread,
        price_cents=450,
        quota=10_000,
        member_cap=None,
        allocation="first_come",
        by=cast.coordinator,
    )
    services.publish(cycle=draft, by=cast.coordinator)
    scene.set_phase(draft, "open")
    for member, quantity in ((cast.member, 2000), (cast.member2, 1000)):
        result = save_basket(cycle=draft, member=member, changes=[LineChange(bread.pk, quantity)], by=member)
        assert result.ok
    return draft


class TestRequests:
    def test_withdrawal_accepted_tells_the_members(
        self, cast, open_cycle, django_capture_on_commit_callbacks
    ):
        bread = offer(open_cycle, "Pain")
        request = proposals.ask_change(
            offer=bread, kind="withdrawal", quota=None, reason="Four en panne", by=cast.producer_user
        )
        assert offer(open_cycle, "Pain").withdrawn_at is None  # nothing until a coordinator decides
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            proposals.decide(request=request, accepted=True, by=cast.coordinator)
        assert offer(open_cycle, "Pain").withdrawn_at is not None
        assert not OrderLine.objects.filter(offer=bread, quantity__gt=0).exists()
        changes = OrderChange.objects.filter(offer=bread, kind=ChangeKind.WITHDRAWAL)
        assert {c.reason for c in changes} == {"Four en panne"} and changes.count() == 2
        assert len(mail.outbox) == 2
        with pytest.raises(CycleError):
            proposals.decide(request=request, accepted=False, by=cast.coordinator)

    def test_quota_below_what_is_sold_is_refused(self, cast, open_cycle):
        bread = offer(open_cycle, "Pain")
        request = proposals.ask_change(
            offer=bread, kind="quota", quota=2000, reason="Moins de farine", by=cast.producer_user
        )
        with pytest.raises(CycleError, match=r"déjà vendu|already sold"):
            proposals.decide(request=request, accepted=True, by=cast.coordinator)
        request.refresh_from_db()
        assert request.is_pending  # still waiting: the coordinator may refuse it
        assert offer(open_cycle, "Pain").quota == 10_000

    def test_quota_change_accepted(self, cast, open_cycle):
        bread = offer(open_cycle, "Pain")
        request = proposals.ask_change(
            offer=bread, kind="quota", quota=20_000, reason="Bonne fournée", by=cast.producer_user
        )
        proposals.decide(request=request, accepted=True, by=cast.coordinator)
        bread.refresh_from_db()
        assert (bread.quota, bread.remaining) == (20_000, 17_000)

    def test_refused_changes_nothing(self, cast, open_cycle):
        bread = offer(open_cycle, "Pain")
        request = proposals.ask_change(
            offer=bread, kind="withdrawal", quota=None, reason="x", by=cast.producer_user
        )
        proposals.decide(request=request, accepted=False, by=cast.coordinator)
        request.refresh_from_db()
        assert request.accepted is False and offer(open_cycle, "Pain").withdrawn_at is None

    def test_requests_need_a_reason_and_an_open_cycle(self, cast, draft, open_cycle):
        bread = offer(open_cycle, "Pain")
        with pytest.raises(CycleError):
            proposals.ask_change(
                offer=bread, kind="withdrawal", quota=None, reason="  ", by=cast.producer_user
            )
        with pytest.raises(CycleError):
            proposals.ask_change(offer=bread, kind="quota", quota=1500, reason="x", by=cast.producer_user)
        scene.set_phase(open_cycle, "finalised")
        bread.refresh_from_db()
        with pytest.raises(CycleError):
            proposals.ask_change(
                offer=bread, kind="withdrawal", quota=None, reason="x", by=cast.producer_user
            )
        assert not OfferRequest.objects.exists()


# --- Views ------------------------------------------------------------------------------------


class TestProducerPage:
    def url(self, draft: Cycle) -> str:
        return reverse("producer_cycle_offer", args=["fournil", draft.pk])

    def test_answer_from_the_page(self, cast, draft, client_for, django_capture_on_commit_callbacks):
        ask(cast, draft, django_capture_on_commit_callbacks)
        client = client_for(cast.producer_user)
        page = client.get(self.url(draft))
        assert page.status_code == 200 and "Brioche" in page.text
        brioche = offer(draft, "Brioche")
        data = form_data(draft, **{f"available_{brioche.pk}": "", f"quota_{offer(draft, 'Pain').pk}": "30"})
        response = client.post(self.url(draft), data)
        assert response.status_code == 302
        proposal = ProducerOffer.objects.get(cycle=draft, producer=cast.bakery)
        assert proposal.answered_by == cast.producer_user and proposal.note.startswith("Premières")
        lines = {line.offer.name: line for line in proposal.lines.select_related("offer")}
        assert lines["Pain"].quota == 30_000 and lines["Pain"].price_cents == 500
        assert not lines["Brioche"].available
        # The dashboard links to it.
        assert self.url(draft) in client.get(reverse("producer_dashboard", args=["fournil"])).text

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("price", "abc", "montant"),
            ("price", "-3", "zéro"),
            ("price", "0", "supérieur à zéro"),
            ("quota", "-5", "nombre"),
            ("quota", "1,5", "multiple"),
            ("cap", "99999999", "trop"),
        ],
    )
    def test_bad_input_is_refused_with_a_message(
        self, cast, draft, client_for, django_capture_on_commit_callbacks, field, value, message
    ):
        ask(cast, draft, django_capture_on_commit_callbacks)
        bread = offer(draft, "Pain")
        response = client_for(cast.producer_user).post(
            self.url(draft), form_data(draft, **{f"{field}_{bread.pk}": value})
        )
        assert response.status_code == 200
        assert message in response.text.lower() or message in response.text
        assert value in response.text  # what was typed is kept
        assert not ProposedLine.objects.exists()
        assert ProducerOffer.objects.get(cycle=draft, producer=cast.bakery).answered_at is None

    def test_not_asked_or_other_producer_is_404(
        self, cast, draft, client_for, django_capture_on_commit_callbacks
    ):
        client = client_for(cast.producer_user)
        assert client.get(self.url(draft)).status_code == 404  # a draft nobody asked about
        ask(cast, draft, django_capture_on_commit_callbacks)
        assert (
            client.get(reverse("producer_cycle_offer", args=[cast.dairy.slug, draft.pk])).status_code == 403
        )
        assert client_for(cast.member).get(self.url(draft)).status_code == 403

    def test_read_only_once_open(self, cast, draft, client_for, django_capture_on_commit_callbacks):
        ask(cast, draft, django_capture_on_commit_callbacks)
        scene.set_phase(draft, "open")
        client = client_for(cast.producer_user)
        page = client.get(self.url(draft))
        assert page.status_code == 200 and 'name="note"' not in page.text
        assert reverse("producer_cycle_orders", args=["fournil", draft.pk]) in page.text
        response = client.post(self.url(draft), form_data(draft))
        assert response.status_code == 200 and not ProposedLine.objects.exists()


class TestCoordinatorPages:
    def test_list_ask_remind_accept(self, cast, draft, client_for, django_capture_on_commit_callbacks):
        client = client_for(cast.coordinator)
        listing = reverse("manage_producer_offers", args=[A, draft.pk])
        assert reverse("manage_ask_producers", args=[A, draft.pk]) in client.get(listing).text
        assert client.get(reverse("manage_ask_producers", args=[A, draft.pk])).status_code == 405
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("manage_ask_producers", args=[A, draft.pk])).status_code == 302
        proposal = ProducerOffer.objects.get(cycle=draft, producer=cast.bakery)
        remind = reverse("manage_remind_producer", args=[A, draft.pk, proposal.pk])
        assert client.get(remind).status_code == 405
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(remind).status_code == 302
        proposal.refresh_from_db()
        assert proposal.reminded_at is not None
        review = reverse("manage_producer_offer", args=[A, draft.pk, proposal.pk])
        assert client.get(review).status_code == 200
        bread = offer(draft, "Pain")
        assert client.post(review, form_data(draft, **{f"price_{bread.pk}": "4,75"})).status_code == 302
        proposal.refresh_from_db()
        assert proposal.accepted_by == cast.coordinator
        assert offer(draft, "Pain").price_cents == 475

    def test_other_group_and_members_are_refused(
        self, cast, draft, client_for, django_capture_on_commit_callbacks
    ):
        ask(cast, draft, django_capture_on_commit_callbacks)
        proposal = ProducerOffer.objects.get(cycle=draft, producer=cast.bakery)
        review = reverse("manage_producer_offer", args=[A, draft.pk, proposal.pk])
        assert client_for(cast.member).get(review).status_code == 403
        assert client_for(cast.coordinator_b).get(review).status_code == 403
        # Another group's cycle id through group B's URL: 404.
        assert (
            client_for(cast.coordinator_b)
            .get(reverse("manage_producer_offers", args=["balma", draft.pk]))
            .status_code
            == 404
        )

    def test_decide_a_request(self, cast, open_cycle, client_for, django_capture_on_commit_callbacks):
        bread = offer(open_cycle, "Pain")
        producer = client_for(cast.producer_user)
        url = reverse("producer_offer_request", args=["fournil", open_cycle.pk, bread.pk])
        assert producer.get(url).status_code == 405
        response = producer.post(url, {"kind": "quota", "quota": "-4", "reason": "x"})
        assert response.status_code == 302 and not OfferRequest.objects.exists()
        assert (
            producer.post(url, {"kind": "quota", "quota": "12", "reason": "Belle fournée"}).status_code == 302
        )
        request = OfferRequest.objects.get()
        assert request.quota == 12_000 and request.asked_by == cast.producer_user
        # The producer's live page shows quotas left, and the pending request.
        live = producer.get(reverse("producer_cycle_orders", args=["fournil", open_cycle.pk]))
        assert "7 sur 10" in live.text or "7 of 10" in live.text
        decide = reverse("manage_decide_request", args=[A, open_cycle.pk, request.pk])
        assert client_for(cast.member).post(decide, {"action": "accept"}).status_code == 403
        coordinator = client_for(cast.coordinator)
        page = coordinator.get(reverse("manage_producer_offers", args=[A, open_cycle.pk]))
        assert "Belle fournée" in page.text
        assert coordinator.get(decide).status_code == 405
        with django_capture_on_commit_callbacks(execute=True):
            assert coordinator.post(decide, {"action": "accept"}).status_code == 302
        bread.refresh_from_db()
        assert bread.quota == 12_000 and bread.remaining == 9000

    def test_a_word_to_members_on_the_order_page(
        self, cast, draft, client_for, django_capture_on_commit_callbacks
    ):
        proposal = ask(cast, draft, django_capture_on_commit_callbacks)
        proposals.answer(
            proposal=proposal, lines=_answers(draft), note="Fournée spéciale", by=cast.producer_user
        )
        proposals.accept(proposal=proposal, by=cast.coordinator)
        services.publish(cycle=draft, by=cast.coordinator)
        scene.set_phase(draft, "open")
        page = client_for(cast.member).get(
            reverse("order", args=[A, draft.pk]) + "?producer=" + str(cast.bakery.pk)
        )
        assert "Fournée spéciale" in page.text


def test_products_fixture_sanity(draft: Cycle) -> None:
    assert Product.objects.filter(producer__slug="fournil").count() == 2
    assert draft.offers.count() == 3


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_products(cast, draft, client_for, django_capture_on_commit_callbacks):
    proposal = ask(cast, draft, django_capture_on_commit_callbacks)
    producer_page = reverse("producer_cycle_offer", args=["fournil", draft.pk])
    review = reverse("manage_producer_offer", args=[A, draft.pk, proposal.pk])
    listing = reverse("manage_producer_offers", args=[A, draft.pk])

    def counts() -> list[int]:
        return [
            _queries(client_for(cast.producer_user), producer_page),
            _queries(client_for(cast.coordinator), review),
            _queries(client_for(cast.coordinator), listing),
        ]

    few = counts()
    for index in range(6):
        scene.product(cast.bakery, f"Pain {index}")
    services.sync_offers(cycle=draft)
    proposals.answer(proposal=proposal, lines=_answers(draft), note="", by=cast.producer_user)
    assert counts() == few
