"""The audit trail: written by the services in their own transaction, append-only in the
database, read by the group's coordinators on the « Journal » page with the existing journals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from cabas.accounts import services as accounts
from cabas.accounts.models import JoinRequest, Role
from cabas.audit import journal
from cabas.audit.models import AuditEvent, Kind
from cabas.audit.services import record
from cabas.cycles import services as cycles
from cabas.cycles.models import Cycle
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Method
from cabas.privacy import notice
from cabas.reports.models import Dispatch, DocumentSet
from tests import scene
from tests.cast import Cast

A = "saint-orens"
JOURNAL = reverse_lazy("manage_journal", args=[A])


def events(cast: Cast, kind: Kind) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(group=cast.group_a, kind=kind).order_by("pk"))


class TestServicesRecord:
    def test_a_role_change_with_who_before_and_after(self, cast: Cast) -> None:
        membership = cast.membership(cast.member)
        accounts.set_roles(membership=membership, roles=[Role.MEMBER, Role.COORDINATOR], by=cast.coordinator)
        (event,) = events(cast, Kind.ROLES_CHANGED)
        assert (event.actor, event.subject) == (cast.coordinator, cast.member)
        assert event.before == {"roles": ["member"]}
        assert event.after == {"roles": ["member", "coordinator"]}

    def test_a_refused_change_writes_no_event(self, cast: Cast) -> None:
        with pytest.raises(accounts.MembershipError):
            accounts.set_roles(membership=cast.membership(cast.coordinator), roles=[Role.MEMBER])
        with pytest.raises(accounts.MembershipError):
            accounts.end_membership(membership=cast.membership(cast.coordinator), by=cast.coordinator)
        assert not AuditEvent.objects.filter(kind__in=[Kind.ROLES_CHANGED, Kind.MEMBER_ENDED]).exists()

    def test_the_event_shares_the_changes_transaction(self, cast: Cast) -> None:
        membership = cast.membership(cast.member)
        seen_inside: list[int] = []

        def change_then_fail() -> None:
            with transaction.atomic():
                accounts.set_roles(membership=membership, roles=[Role.TREASURER], by=cast.coordinator)
                seen_inside.append(len(events(cast, Kind.ROLES_CHANGED)))
                raise RuntimeError("the request fails after the service")

        with pytest.raises(RuntimeError):
            change_then_fail()
        assert seen_inside == [1]
        membership.refresh_from_db()
        assert membership.roles == [Role.MEMBER]
        assert events(cast, Kind.ROLES_CHANGED) == []

    def test_join_decisions_membership_end_and_anonymisation(self, cast: Cast) -> None:
        first = accounts.request_to_join(group=cast.group_a, user=cast.outsider, message="Bonjour")
        assert isinstance(first, JoinRequest)
        accounts.refuse_join_request(join_request=first, by=cast.coordinator, reason="Complet")
        second = accounts.request_to_join(group=cast.group_a, user=cast.outsider)
        assert isinstance(second, JoinRequest)
        accounts.approve_join_request(join_request=second, by=cast.coordinator)
        (refused,) = events(cast, Kind.JOIN_REFUSED)
        assert refused.after == {"status": "refused", "reason": "Complet"}
        (approved,) = events(cast, Kind.JOIN_APPROVED)
        assert (approved.actor, approved.subject) == (cast.coordinator, cast.outsider)
        assert events(cast, Kind.MEMBER_ADDED)[-1].actor == cast.coordinator
        accounts.end_membership(membership=cast.membership(cast.member2), by=cast.member2)
        (ended,) = events(cast, Kind.MEMBER_ENDED)
        assert (ended.actor, ended.subject, ended.before) == (
            cast.member2,
            cast.member2,
            {"roles": ["member"]},
        )
        accounts.delete_account(user=cast.member, by=cast.member)
        (anonymised,) = events(cast, Kind.ACCOUNT_ANONYMISED)
        assert anonymised.subject == cast.member

    def test_cycle_and_offer_changes(self, shop: scene.Shop) -> None:
        (created,) = events(shop, Kind.CYCLE_CREATED)
        assert created.cycle == shop.cycle and created.after["name"] == "Cabas de juin"
        cycles.update_cycle(
            cycle=shop.cycle,
            fields={"distribution_place": "Grange", "message": "Apportez vos sacs"},
            producers=shop.cycle.producers.all(),
            by=shop.coordinator,
        )
        (changed,) = events(shop, Kind.CYCLE_CHANGED)
        assert changed.before == {"distribution_place": "Salle des fêtes", "message": ""}
        assert changed.after == {"distribution_place": "Grange", "message": "Apportez vos sacs"}
        cycles.update_offer(
            offer=shop.bread,
            price_cents=540,
            quota=None,
            member_cap=None,
            allocation="first_come",
            by=shop.coordinator,
        )
        offer_changed = events(shop, Kind.OFFER_CHANGED)[-1]
        assert (offer_changed.target, offer_changed.before, offer_changed.after) == (
            "Pain complet",
            {"price_cents": 520},
            {"price_cents": 540},
        )
        cycles.withdraw_offer(offer=shop.tomme, reason="Grêle", by=shop.coordinator)
        cycles.withdraw_offer(offer=shop.tomme, reason="Grêle", by=shop.coordinator)  # twice: once
        (withdrawn,) = events(shop, Kind.OFFER_WITHDRAWN)
        assert withdrawn.after == {"withdrawn": True, "reason": "Grêle"}

    def test_a_change_that_changes_nothing_is_not_recorded(self, shop: scene.Shop) -> None:
        cycles.update_cycle(
            cycle=shop.cycle, fields={}, producers=shop.cycle.producers.all(), by=shop.coordinator
        )
        accounts.set_roles(membership=shop.membership(shop.member), roles=[Role.MEMBER], by=shop.coordinator)
        assert events(shop, Kind.CYCLE_CHANGED) == events(shop, Kind.ROLES_CHANGED) == []

    def test_privacy_text(self, cast: Cast) -> None:
        notice.save_text(group=cast.group_a, text="Nous gardons peu de choses.", by=cast.coordinator)
        (event,) = events(cast, Kind.PRIVACY_CHANGED)
        assert event.after == {"text": "Nous gardons peu de choses."}


class TestTheDatabaseRefuses:
    """Not only the model: SQL written by hand cannot change or remove an event (both backends)."""

    @pytest.fixture
    def event(self, cast: Cast) -> AuditEvent:
        with transaction.atomic():
            return record(
                group=cast.group_a, kind=Kind.ROLES_CHANGED, actor=cast.coordinator, after={"roles": []}
            )

    def _refused(self, sql: str, params: list[object]) -> None:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    def test_update_and_delete_are_refused(self, event: AuditEvent) -> None:
        self._refused("UPDATE audit_auditevent SET target = 'x' WHERE id = %s", [event.pk])
        self._refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(actor=None)
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
        event.refresh_from_db()
        assert (event.target, event.actor_id) == ("", event.actor_id)
        assert connection.vendor in {"sqlite", "postgresql"}


def _history(cast: Cast, cycle: Cycle, size: int) -> None:
    """``size`` of each kind of journal line: role changes, steps, payments, order changes."""
    membership = cast.membership(cast.member)
    for index in range(size):
        roles = [Role.MEMBER, Role.TREASURER] if index % 2 == 0 else [Role.MEMBER]
        accounts.set_roles(membership=membership, roles=roles, by=cast.coordinator)
        context = ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=cycle)
        ledger.handover(context, household=cast.member, producer=cast.bakery, amount_cents=100 + index)
        ledger.contribution(
            context, amount_cents=200, into=Account.DESK, method=Method.CASH, household=cast.beneficiary
        )


class TestJournalPage:
    def test_the_coordinator_reads_every_source(self, delivery: scene.Delivery, client_for) -> None:
        accounts.set_roles(
            membership=delivery.membership(delivery.member),
            roles=[Role.MEMBER, Role.PRODUCER],
            by=delivery.coordinator,
        )
        context = ledger.Context(group=delivery.group_a, by=delivery.coordinator, cycle=delivery.cycle)
        entry = ledger.stand_payment(
            context,
            household=delivery.member,
            producer=delivery.bakery,
            amount_cents=1040,
            method=Method.CHEQUE,
        )
        ledger.reverse(context, entry=entry)
        cycles.withdraw_offer(offer=delivery.yoghurt, reason="Panne du frigo", by=delivery.coordinator)
        cycles.finalise(cycle=delivery.cycle, by=delivery.coordinator)
        document_set = DocumentSet.objects.create(cycle=delivery.cycle)
        Dispatch.objects.create(
            document_set=document_set,
            producer=delivery.dairy,
            generation=1,
            recipients=["bergerie@example.org"],
            requested_by=delivery.coordinator,
            sent_at=timezone.now(),
        )
        response = client_for(delivery.coordinator).get(JOURNAL)
        assert response.status_code == 200
        text = response.text
        assert "Rôles modifiés" in text and "Membre, Producteur" in text
        assert "Cycle créé" in text
        assert "Produit retiré · Yaourt · Panne du frigo" in text  # an order change, per member
        assert text.count("Produit retiré · Yaourt") == 2  # Mehdi's and Bernadette's yoghurts
        assert "Finalisé" in text  # the cycle's step
        assert "bergerie@example.org : envoyé" in text  # the documents sent
        assert 'aria-current="page">Journal<' in text
        # Money is the committee's: the coordinator is told where it is, and sees none of it.
        assert "Écriture n°" not in text and "10,40" not in text
        assert "journal des trésoriers" in text
        money = client_for(delivery.site_admin).get(JOURNAL).text
        assert f"Écriture n° {entry.pk}" in money and "10,40" in money
        assert f"annule l’écriture n° {entry.pk}" in money
        assert "journal des trésoriers" not in money

    def test_filters(self, shop: scene.Shop, client_for) -> None:
        _history(shop, shop.cycle, 2)
        other = scene.cycle(shop.group_a, name="Cabas de juillet")
        client = client_for(shop.coordinator)
        members = client.get(JOURNAL, {"kind": "members"})
        assert {row.category for row in members.context["rows"]} == {"Membres et rôles"}
        refused = client.get(JOURNAL, {"kind": "money"})  # not a choice the coordinator has
        assert "kind" in refused.context["form"].errors
        assert not [row for row in refused.context["rows"] if row.category == "Argent"]
        money = client_for(shop.site_admin).get(JOURNAL, {"kind": "money"})
        assert len(money.context["rows"]) == 4  # per round, a handover and a gift to the fund
        by_treasurer = client.get(JOURNAL, {"person": shop.treasurer.pk})
        assert {row.actor for row in by_treasurer.context["rows"]} == {shop.treasurer.display_name}
        in_july = client.get(JOURNAL, {"cycle": other.pk})
        assert [row.what for row in in_july.context["rows"]] == ["Cycle créé · Cabas de juillet"]
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        assert client.get(JOURNAL, {"since": tomorrow}).context["rows"] == []
        today = timezone.localdate().isoformat()
        assert len(client.get(JOURNAL, {"since": today, "until": today}).context["rows"]) > 0

    def test_money_stays_with_the_treasurers(self, shop: scene.Shop, client_for) -> None:
        """A payment's amount, even an entry's number, would tell who the fund helps."""
        _history(shop, shop.cycle, 1)
        coordinator = client_for(shop.coordinator).get(JOURNAL)
        assert all(row.category != "Argent" for row in coordinator.context["rows"])
        admin = client_for(shop.site_admin).get(JOURNAL, {"kind": "money"})
        concerning = [row.concerning for row in admin.context["rows"]]
        assert "Bernadette Bénéficiaire" in concerning and "Fournil du Lauragais, Marie Membre" in concerning

    def test_bad_filters_are_said_and_ignored(self, cast: Cast, client_for) -> None:
        response = client_for(cast.coordinator).get(
            JOURNAL,
            {"kind": "nope", "person": "x", "since": "2026-13-45", "until": "<script>", "cycle": "99999"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors.keys() == {"kind", "person", "since", "until", "cycle"}
        assert len(response.context["rows"]) == AuditEvent.objects.filter(group=cast.group_a).count()
        assert "<script>" not in response.text
        reversed_dates = client_for(cast.coordinator).get(
            JOURNAL, {"since": "2026-06-02", "until": "2026-06-01"}
        )
        assert "La date de fin ne peut pas précéder la date de début." in reversed_dates.text

    @pytest.mark.parametrize("who", ["member", "treasurer", "producer_user", "coordinator_b", "outsider"])
    def test_others_are_refused(self, cast: Cast, client_for, who: str) -> None:
        assert client_for(getattr(cast, who)).get(JOURNAL).status_code == 403

    def test_anonymous_is_sent_to_login_and_post_is_refused(self, cast: Cast, client_for) -> None:
        assert client_for(None).get(JOURNAL).status_code == 302
        assert client_for(cast.coordinator).post(JOURNAL).status_code == 405
        assert (
            client_for(cast.coordinator).get(reverse("manage_journal", args=["nowhere"])).status_code == 404
        )

    def test_nothing_of_another_group(self, cast: Cast, client_for) -> None:
        accounts.set_roles(
            membership=cast.membership(cast.member_b, cast.group_b),
            roles=[Role.TREASURER],
            by=cast.coordinator_b,
        )
        rows = client_for(cast.coordinator).get(JOURNAL).context["rows"]
        assert all("Martin" not in row.concerning for row in rows)

    def test_pages(self, shop: scene.Shop, client_for, settings) -> None:
        settings.CABAS_PAGE_SIZE = 3
        _history(shop, shop.cycle, 3)
        client = client_for(shop.coordinator)
        first = client.get(JOURNAL)
        second = client.get(JOURNAL, {"page": 2})
        assert first.context["page"].paginator.count == second.context["page"].paginator.count
        assert [r.at for r in first.context["rows"]] >= [r.at for r in second.context["rows"]]
        assert first.context["rows"][0].at >= second.context["rows"][0].at
        seen = {(r.what, r.at) for r in first.context["rows"]} & {
            (r.what, r.at) for r in second.context["rows"]
        }
        assert not seen

    def test_query_count_does_not_grow_with_the_history(self, delivery: scene.Delivery, client_for) -> None:
        client = client_for(delivery.site_admin)
        _history(delivery, delivery.cycle, 2)
        client.get(JOURNAL)
        with CaptureQueriesContext(connection) as small:
            client.get(JOURNAL)
        _history(delivery, delivery.cycle, 30)
        with CaptureQueriesContext(connection) as large:
            response = client.get(JOURNAL)
        assert len(response.context["rows"]) == 50
        assert len(large.captured_queries) == len(small.captured_queries)


def test_journal_rows_are_read_in_one_query_per_source(cast: Cast, django_assert_max_num_queries) -> None:
    heads = list(journal.heads(cast.group_a, journal.Filters(), confidential=True))
    with django_assert_max_num_queries(1):
        rows = journal.rows(heads)
    assert len(rows) == len(heads)
