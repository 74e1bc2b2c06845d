"""The offline sync of the distribution day: snapshots and batches, as the device's queue sends them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabas.accounts import services as accounts
from cabas.accounts.models import User
from cabas.catalog.models import ProducerAccount
from cabas.cycles.models import Cycle, Offer, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.distribution.models import DayTeamMember, Event
from cabas.distribution.state import load_day
from cabas.distribution.sync_views import MAX_ACTIONS, MAX_BYTES
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, Line
from tests.cast import Cast, person
from tests.cycle_fixtures import make_cycle, make_offer

A = "saint-orens"


@dataclass
class Day:
    cast: Cast
    cycle: Cycle
    bread: Offer  # the bakery's (Paul's own stand), 5,20 €
    tomme: Offer  # the dairy's, variable weight, 23,90 €/kg
    yoghurt: Offer  # the dairy's, 0,95 €

    def line(self, member: User, offer: Offer) -> OrderLine:
        return OrderLine.objects.get(order__cycle=self.cycle, order__user=member, offer=offer)

    def stand_url(self, name: str = "day_stand_sync", slug: str = "fournil") -> str:
        return reverse(name, args=[slug, self.cycle.pk])

    def desk_url(self, name: str = "day_desk_sync") -> str:
        return reverse(name, args=[A, self.cycle.pk])


def finalise(cycle: Cycle) -> None:
    Cycle.objects.filter(pk=cycle.pk).update(
        closes_at=timezone.now() - timedelta(hours=1), finalised_at=timezone.now()
    )
    cycle.refresh_from_db()


def order(cycle: Cycle, member: User, quantities: dict[Offer, int]) -> None:
    changes = [LineChange(offer.pk, quantity) for offer, quantity in quantities.items()]
    assert save_basket(cycle=cycle, member=member, changes=changes, by=member).ok


@pytest.fixture
def day(cast: Cast) -> Day:
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    cycle = make_cycle(cast.group_a)
    bread = make_offer(cycle, cast.bakery, "Pain complet", price_cents=520)
    tomme = make_offer(cycle, cast.dairy, "Tomme", price_cents=2390, estimated_weight_grams=750)
    yoghurt = make_offer(cycle, cast.dairy, "Yaourt", price_cents=95)
    order(cycle, cast.member, {bread: 2000, tomme: 1000})
    order(cycle, cast.member2, {bread: 1000, yoghurt: 6000})
    finalise(cycle)
    return Day(cast, cycle, bread, tomme, yoghurt)


def send(client: Client, url: str, body: object, *, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def batch(*actions: dict[str, object], device: str = "phone-1") -> dict[str, object]:
    return {"device": device, "actions": list(actions)}


def handed(day: Day, member: User, offer: Offer, action: str) -> dict[str, object]:
    line = day.line(member, offer)
    return {
        "action": action,
        "kind": "handed",
        "order": line.order_id,
        "producer": offer.producer_id,
        "line": line.pk,
        "happened_at": timezone.now().isoformat(),
    }


def paid(day: Day, member: User, producer_id: int, action: str, amount: str = "10,40") -> dict[str, object]:
    order_id = day.line(member, day.bread).order_id
    return {
        "action": action,
        "kind": "paid",
        "order": order_id,
        "producer": producer_id,
        "amount": amount,
        "method": "cash",
    }


def owes(day: Day, member: User) -> int:
    return ledger.balance(day.cast.group_a, Account.HOUSEHOLD, household=member)


class TestStandSync:
    def test_a_batch_is_applied_in_order_once(self, day: Day, client_for) -> None:
        client = client_for(day.cast.producer_user)
        bakery = day.cast.bakery.pk
        body = batch(
            handed(day, day.cast.member, day.bread, "a1"),
            paid(day, day.cast.member, bakery, "a2"),
            handed(day, day.cast.member2, day.bread, "a3"),
        )
        response = send(client, day.stand_url(), body)
        assert response.status_code == 200
        answer = response.json()
        assert [r["status"] for r in answer["results"]] == ["applied"] * 3
        assert [r["action"] for r in answer["results"]] == ["a1", "a2", "a3"]
        events = list(Event.objects.order_by("pk"))
        assert [e.pk for e in events] == [r["event"] for r in answer["results"]]
        assert answer["version"] == events[-1].pk
        assert {e.device for e in events} == {"phone-1"} and {e.by for e in events} == {
            day.cast.producer_user
        }
        assert owes(day, day.cast.member) == 1040 - 1040 and owes(day, day.cast.member2) == 520
        # The same batch again (the answer was lost when the wifi dropped): nothing twice.
        again = send(client, day.stand_url(), body).json()
        assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
        assert [r["event"] for r in again["results"]] == [e.pk for e in events]
        assert Event.objects.count() == 3 and owes(day, day.cast.member2) == 520

    def test_a_refused_action_does_not_stop_the_next_ones(self, day: Day, client_for) -> None:
        client = client_for(day.cast.producer_user)
        foreign = handed(day, day.cast.member, day.tomme, "a1")  # the dairy's line, at the bakery
        foreign["producer"] = day.cast.bakery.pk
        body = batch(
            foreign, {"action": "a2"}, "not an object", handed(day, day.cast.member, day.bread, "a3")
        )
        results = send(client, day.stand_url(), body).json()["results"]
        assert [r["status"] for r in results] == ["refused", "refused", "refused", "applied"]
        assert [r["action"] for r in results] == ["a1", "a2", None, "a3"]
        assert all(r["message"] and r["event"] is None for r in results[:3])
        assert Event.objects.count() == 1

    def test_a_stand_cannot_record_the_desks_actions(self, day: Day, client_for) -> None:
        client = client_for(day.cast.producer_user)
        order_id = day.line(day.cast.member, day.bread).order_id
        body = batch(
            {"action": "a1", "kind": "arrived", "order": order_id},
            {"action": "a2", "kind": "desk_paid", "order": order_id, "amount": "5", "method": "cash"},
            paid(day, day.cast.member, day.cast.dairy.pk, "a3"),
        )
        results = send(client, day.stand_url(), body).json()["results"]
        assert [r["status"] for r in results] == ["refused"] * 3
        assert not Event.objects.exists() and not Entry.objects.exists()

    def test_weighing_and_a_cancellation_queued_before_its_event_id_was_known(
        self, day: Day, client_for
    ) -> None:
        # The dairy has no account: A's coordinator keeps its stand.
        client = client_for(day.cast.coordinator)
        dairy = day.cast.dairy.pk
        line = day.line(day.cast.member, day.tomme)
        common = {"order": line.order_id, "producer": dairy, "line": line.pk}
        body = batch(
            {"action": "w1", "kind": "handed", **common},
            {"action": "w2", "kind": "weighed", "weight": "0,812", **common},
            {
                "action": "w3",
                "kind": "paid",
                "order": line.order_id,
                "producer": dairy,
                "amount": "19,41",
                "method": "cheque",
                "details": {"number": "0012345", "bank": "CA", "drawer": "Marie"},
            },
            {
                "action": "w4",
                "kind": "cancelled",
                "order": line.order_id,
                "corrects_action": "w3",
                "note": "erreur",
            },
            {
                "action": "w5",
                "kind": "cancelled",
                "order": line.order_id,
                "corrects_action": "nope",
                "note": "x",
            },
        )
        results = send(client, day.stand_url(slug="bergerie"), body).json()["results"]
        assert [r["status"] for r in results] == ["applied"] * 4 + ["refused"]
        cheque = Event.objects.get(action="w3")
        assert cheque.details == {"number": "0012345", "bank": "CA", "drawer": "Marie"}
        assert Event.objects.get(action="w4").corrects == cheque
        line.refresh_from_db()
        assert line.total_cents == 1941
        assert owes(day, day.cast.member) == 1941  # handed, weighed, the cheque cancelled

    def test_a_stand_payment_after_the_desk_is_kept_and_flagged(self, day: Day, client_for) -> None:
        order_id = day.line(day.cast.member, day.bread).order_id
        desk = client_for(day.cast.coordinator)
        left = load_day(day.cycle).household(order_id).left_cents
        desk_paid = {
            "action": "d1",
            "kind": "desk_paid",
            "order": order_id,
            "amount": f"{left / 100:.2f}".replace(".", ","),
            "method": "card",
        }
        assert (
            send(desk, day.desk_url(), batch(desk_paid, device="desk-1")).json()["results"][0]["status"]
            == "applied"
        )
        stand = client_for(day.cast.producer_user)
        result = send(
            stand, day.stand_url(), batch(paid(day, day.cast.member, day.cast.bakery.pk, "s1"))
        ).json()
        assert result["results"][0]["status"] == "applied" and result["results"][0]["conflict"]
        assert result["results"][0]["message"]
        assert Event.objects.filter(conflict=True).count() == 1
        assert sum(Line.objects.values_list("amount_cents", flat=True)) == 0


class TestDeskSync:
    def test_a_day_team_volunteer_records_arrivals_and_basket_payments(self, day: Day, client_for) -> None:
        DayTeamMember.objects.create(
            cycle=day.cycle, user=day.cast.beneficiary, added_by=day.cast.coordinator
        )
        client = client_for(day.cast.beneficiary)
        order_id = day.line(day.cast.member2, day.bread).order_id
        body = batch(
            {"action": "d1", "kind": "arrived", "order": order_id},
            {
                "action": "d2",
                "kind": "desk_paid",
                "order": order_id,
                "amount": "10,90",
                "method": "cash",
                "details": {"tendered": "20"},
            },
            {"action": "d3", "kind": "uncollected", "order": order_id, "reason": "kept"},  # coordinators only
        )
        results = send(client, day.desk_url(), batch(*body["actions"], device="desk-2")).json()["results"]
        assert [r["status"] for r in results] == ["applied", "applied", "refused"]
        household = load_day(day.cycle).household(order_id)
        assert household.arrived and household.left_cents == 0
        assert ledger.balance(day.cast.group_a, Account.DESK) == 1090

    def test_a_volunteer_of_another_cycle_or_a_member_is_refused(self, day: Day, client_for) -> None:
        other = make_cycle(day.cast.group_a, name="Un autre cycle")
        DayTeamMember.objects.create(cycle=other, user=day.cast.beneficiary)
        order_id = day.line(day.cast.member2, day.bread).order_id
        body = batch({"action": "d1", "kind": "arrived", "order": order_id})
        for user in (day.cast.beneficiary, day.cast.member, day.cast.producer_user):
            assert send(client_for(user), day.desk_url(), body).status_code == 403
            assert client_for(user).get(day.desk_url("day_desk_state")).status_code == 403
        assert not Event.objects.exists()


class TestAccess:
    def test_get_on_sync_is_405_and_anonymous_is_401(self, day: Day, client_for) -> None:
        client = client_for(day.cast.producer_user)
        assert client.get(day.stand_url()).status_code == 405
        assert client_for(day.cast.coordinator).get(day.desk_url()).status_code == 405
        anonymous = client_for(None)
        for url in (day.stand_url(), day.desk_url(), day.stand_url("day_stand_state")):
            response = anonymous.post(url, "{}", content_type="application/json")
            assert response.status_code == 401 and response.json()["login"]

    def test_another_producers_stand_or_cycle(self, day: Day, client_for) -> None:
        client = client_for(day.cast.producer_user)
        body = batch(handed(day, day.cast.member, day.tomme, "x"))
        assert send(client, day.stand_url(slug="bergerie"), body).status_code == 403
        lone = make_cycle(day.cast.group_a, name="Sans le fournil")
        url = reverse("day_stand_sync", args=["fournil", lone.pk])
        assert send(client, url, body).status_code == 404
        assert (
            send(client, reverse("day_stand_sync", args=["nowhere", day.cycle.pk]), body).status_code == 404
        )
        assert (
            send(
                client_for(day.cast.coordinator_b),
                reverse("day_desk_sync", args=["balma", day.cycle.pk]),
                body,
            ).status_code
            == 404
        )
        assert not Event.objects.exists()

    def test_the_csrf_token_is_required(self, day: Day) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(day.cast.producer_user)
        body = batch(handed(day, day.cast.member, day.bread, "a1"))
        assert send(client, day.stand_url(), body).status_code == 403
        token = "a" * 32  # as the page gives it
        client.cookies[settings.CSRF_COOKIE_NAME] = token
        response = client.post(
            day.stand_url(), json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token}
        )
        assert response.status_code == 200 and Event.objects.count() == 1


class TestSnapshots:
    def test_the_stand_sees_its_households_without_contacts_nor_desk_amounts(
        self, day: Day, client_for
    ) -> None:
        member = day.cast.member
        order_id = day.line(member, day.bread).order_id
        desk = client_for(day.cast.coordinator)
        desk_paid = {
            "action": "d1",
            "kind": "desk_paid",
            "order": order_id,
            "amount": "28,33",
            "method": "cash",
        }
        assert (
            send(desk, day.desk_url(), batch(desk_paid, device="desk-1")).json()["results"][0]["status"]
            == "applied"
        )
        response = client_for(day.cast.producer_user).get(day.stand_url("day_stand_state"))
        assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
        state = response.json()
        assert state["scope"] == "stand" and state["version"] == Event.objects.get().pk
        assert state["producer"]["id"] == day.cast.bakery.pk and state["server_time"]
        text = response.content.decode()
        for user in (day.cast.member, day.cast.member2):
            assert user.email not in text
        assert "desk_cents" not in text and "2833" not in text
        # By surname: Mehdi Member, then Marie Membre.
        second, first = state["households"]
        assert first["order"] == order_id and first["name"] == "Marie Membre"
        assert first["paid_at_desk"] is True and first["left_cents"] == 0 and first["due_cents"] == 1040
        assert second["paid_at_desk"] is False and second["left_cents"] == 520
        assert [line["name"] for line in first["lines"]] == ["Pain complet"]
        line = first["lines"][0]
        assert (line["quantity"], line["total_cents"], line["handed"], line["variable_weight"]) == (
            2000,
            1040,
            False,
            False,
        )

    def test_the_desk_sees_every_household_per_producer(self, day: Day, client_for) -> None:
        client = client_for(day.cast.producer_user)
        send(client, day.stand_url(), batch(paid(day, day.cast.member, day.cast.bakery.pk, "p1", "4,00")))
        state = client_for(day.cast.coordinator).get(day.desk_url("day_desk_state")).json()
        assert state["scope"] == "desk" and len(state["households"]) == 2
        assert {p["id"] for p in state["producers"]} == {day.cast.bakery.pk, day.cast.dairy.pk}
        marie = next(h for h in state["households"] if h["name"] == "Marie Membre")
        bakery = next(s for s in marie["stands"] if s["producer"] == day.cast.bakery.pk)
        assert (bakery["due_cents"], bakery["paid_cents"], bakery["left_cents"]) == (1040, 400, 640)
        assert marie["left_cents"] == 640 + 1793
        assert state["conflicts"] == []

    def test_query_counts_do_not_grow_with_households(self, cast: Cast, client_for) -> None:
        ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
        counts = []
        for size in (3, 30):
            cycle = make_cycle(cast.group_a, name=f"Cycle {size}")
            bread = make_offer(cycle, cast.bakery, price_cents=520)
            tomme = make_offer(cycle, cast.dairy, price_cents=2390, estimated_weight_grams=750)
            for n in range(size):
                user = person(f"h{size}-{n}@example.org", f"Foyer {n}")
                accounts.add_member(group=cast.group_a, user=user)
                order(cycle, user, {bread: 1000, tomme: 1000})
            finalise(cycle)
            measured = []
            for user, url in (
                (cast.producer_user, reverse("day_stand_state", args=["fournil", cycle.pk])),
                (cast.coordinator, reverse("day_desk_state", args=[A, cycle.pk])),
            ):
                client = client_for(user)
                client.get(url)  # the session, warmed
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                measured.append(len(queries))
            counts.append(measured)
        assert counts[0] == counts[1], counts


# --- Hostile bodies: 400 or 413, or refused one by one; never a 500, nothing written ----------

HUGE = "9" * 5000


def _raw(text: str) -> bytes:
    return text.encode()


BAD_BATCHES: list[tuple[str, bytes, int]] = [
    ("not json", b"device=phone&actions=1", 400),
    ("not utf-8", b"\xff\xfe{}", 400),
    ("a list", _raw("[]"), 400),
    ("a string", _raw('"x"'), 400),
    ("no device", _raw('{"actions": []}'), 400),
    ("device a number", _raw('{"device": 5, "actions": []}'), 400),
    ("device a list", _raw('{"device": ["d"], "actions": []}'), 400),
    ("device 10 kB", _raw(json.dumps({"device": "d" * 10_000, "actions": []})), 400),
    ("device NUL", _raw(json.dumps({"device": "d\x00", "actions": []})), 400),
    ("actions an object", _raw('{"device": "d", "actions": {"a": 1}}'), 400),
    ("no actions", _raw('{"device": "d"}'), 400),
    ("NaN", _raw('{"device": "d", "actions": [], "x": NaN}'), 400),
    ("a number of 5,000 digits", _raw('{"device": "d", "actions": [' + HUGE + "]}"), 400),
    ("nested deep", _raw('{"device": "d", "actions": ' + "[" * 100_000 + "]" * 100_000 + "}"), 400),
    ("too many actions", _raw(json.dumps({"device": "d", "actions": [{}] * (MAX_ACTIONS + 1)})), 413),
    ("too big", _raw(json.dumps({"device": "d", "actions": [{"note": "x" * MAX_BYTES}]})), 413),
]


def _nothing_written(day: Day, lines: list[tuple[int, int, int]]) -> None:
    assert not Event.objects.exists() and not Entry.objects.exists()
    assert list(OrderLine.objects.order_by("pk").values_list("pk", "quantity", "total_cents")) == lines


@pytest.mark.parametrize(("case", "body", "status"), BAD_BATCHES, ids=[case for case, _b, _s in BAD_BATCHES])
def test_a_body_that_is_not_a_batch(day: Day, client_for, case: str, body: bytes, status: int) -> None:
    lines = list(OrderLine.objects.order_by("pk").values_list("pk", "quantity", "total_cents"))
    for user, url in ((day.cast.producer_user, day.stand_url()), (day.cast.coordinator, day.desk_url())):
        response = send(client_for(user), url, None, raw=body)
        assert response.status_code == status, response.content[:200]
        assert response.json()["error"]
    _nothing_written(day, lines)


def _hostile_actions(day: Day) -> list[object]:
    line = day.line(day.cast.member, day.bread)
    good = {
        "kind": "paid",
        "order": line.order_id,
        "producer": line.offer.producer_id,
        "line": line.pk,
        "amount": "5",
        "method": "cash",
    }
    variants: list[object] = [
        ["a list", "instead of an object"],
        None,
        12,
        {"action": "x1"},  # nothing but an id
        {**good},  # no action id
        {**good, "action": "x2", "kind": ["paid"]},
        {**good, "action": "x3", "order": "\u0661\u0662"},  # Arabic-Indic digits
        {**good, "action": "x4", "order": 10**30},
        {**good, "action": "x5", "order": -1},
        {**good, "action": "x6", "order": 2**63},
        {**good, "action": "x7", "line": 2**62, "kind": "handed"},
        {**good, "action": "x8", "amount": 1e308},
        {**good, "action": "x9", "amount": "9" * 10_000},
        {**good, "action": "x10", "amount": "\u00b2"},
        {**good, "action": "x11", "amount": ["5"]},
        {**good, "action": "x12", "amount": {"€": 5}},
        {**good, "action": "x13", "amount": True},
        {**good, "action": "x14", "amount": "-5"},
        {**good, "action": "x15", "method": "x" * 10_000},
        {**good, "action": "x16", "producer": {"id": 1}},
        {**good, "action": "x17", "kind": "weighed", "weight": "1" * 10_000},
        {**good, "action": "x18", "kind": "short", "quantity": 10**20, "reason": "damaged"},
        {**good, "action": "x19", "kind": "cancelled", "corrects": "1" * 10_000, "note": "x"},
        {**good, "action": "x20", "kind": "cancelled", "corrects_action": ["x"], "note": "x"},
        {**good, "action": "x21", "kind": "cancelled", "corrects_action": "z" * 10_000, "note": "x"},
        {**good, "action": "a" * 10_000},
        {**good, "action": ["x22"]},
        {**good, "action": "x23", "amount": "5", "method": None},
    ]
    return variants


def test_hostile_actions_are_refused_one_by_one(day: Day, client_for) -> None:
    lines = list(OrderLine.objects.order_by("pk").values_list("pk", "quantity", "total_cents"))
    actions = _hostile_actions(day)
    client = client_for(day.cast.producer_user)
    response = send(client, day.stand_url(), {"device": "phone-1", "actions": actions})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == len(actions)
    assert [r["status"] for r in results] == ["refused"] * len(actions), results
    assert all(r["message"] for r in results)
    _nothing_written(day, lines)


def test_long_texts_are_cut_not_refused(day: Day, client_for) -> None:
    """10 kB of note or cheque details: kept to what the journal holds, the rest dropped."""
    action = paid(day, day.cast.member, day.cast.bakery.pk, "long")
    action.update(
        method="cheque",
        note="n" * 10_000,
        details={"number": "1" * 10_000, "other": "x"},
        happened_at="z" * 10_000,
    )
    results = send(client_for(day.cast.producer_user), day.stand_url(), batch(action)).json()["results"]
    assert results[0]["status"] == "applied"
    event = Event.objects.get()
    assert len(event.note) == 300 and event.details == {"number": "1" * 80}
