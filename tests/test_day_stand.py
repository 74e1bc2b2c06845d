"""A producer's stand on the distribution day: the list, a household's panel, the plain forms."""

from __future__ import annotations

import pytest
from django.test import Client

from cabas.cycles.services import close_distribution
from cabas.distribution.models import Event, EventKind
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer
from tests.day_fixtures import DayScene, day_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


def stand_url(scene: DayScene, slug: str = "fournil", suffix: str = "") -> str:
    return f"/producers/{slug}/cycles/{scene.cycle.pk}/day/{suffix}"


def post(client: Client, scene: DayScene, slug: str = "fournil", follow: bool = True, **fields):
    data = {
        "device": "",
        "action": fields.pop("action", None) or f"a-{Event.objects.count()}-{sorted(fields)}",
    }
    data.update({key: str(value) for key, value in fields.items()})
    return client.post(stand_url(scene, slug, "act/"), data, follow=follow)


def texts(response) -> str:
    return " ".join(response.content.decode().split())


class TestStandList:
    def test_the_households_of_this_stand_and_the_amount_each_owes(self, scene: DayScene, client_for) -> None:
        response = client_for(scene.cast.producer_user).get(stand_url(scene))
        assert response.status_code == 200
        page = texts(response)
        assert 'data-day-scope="stand"' in page and 'data-day-producer="fournil"' in page
        assert f'data-day-cycle="{scene.cycle.pk}"' in page
        assert "Marie Membre" in page and "Mehdi Member" in page
        assert "Bernadette" not in page  # no bread for her
        assert "10,40 €" in page and "5,20 €" in page

    def test_search_by_slip_number_or_name(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        by_number = texts(client.get(stand_url(scene), {"q": "3"}))
        assert "Mehdi Member" in by_number and "Marie Membre" not in by_number
        by_name = texts(client.get(stand_url(scene), {"q": "marie"}))
        assert "Marie Membre" in by_name and "Mehdi Member" not in by_name

    def test_served_households_are_greyed(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        line = scene.line(scene.cast.member2, scene.bread)
        post(client, scene, kind="handed", order=line.order_id, producer=scene.cast.bakery.pk, line=line.pk)
        page = texts(client.get(stand_url(scene)))
        assert page.count('class="served"') == 1

    def test_another_producers_stand_or_another_groups_cycle(self, scene: DayScene, client_for) -> None:
        assert client_for(scene.cast.producer_user2).get(stand_url(scene)).status_code == 403
        assert client_for(scene.cast.member).get(stand_url(scene)).status_code == 403
        assert client_for(scene.cast.coordinator_b).get(stand_url(scene)).status_code == 403
        # A cycle of B the bakery takes no part in, and one of A without the bakery.
        cycle_b = make_cycle(scene.cast.group_b)
        make_offer(cycle_b, scene.cast.dairy, "Tomme de Balma")
        lone = make_cycle(scene.cast.group_a, name="Sans pain")
        bakery = client_for(scene.cast.producer_user)
        for cycle in (cycle_b, lone):
            assert bakery.get(f"/producers/fournil/cycles/{cycle.pk}/day/").status_code == 404


class TestHouseholdPanel:
    def test_lines_amount_due_and_transfer_reference(self, scene: DayScene, client_for) -> None:
        order_id = scene.order_id(scene.cast.member)
        response = client_for(scene.cast.producer_user2).get(stand_url(scene, "bergerie", f"{order_id}/"))
        page = texts(response)
        assert "Tomme" in page and "17,93 €" in page  # 23,90 €/kg x 750 g, estimated
        assert f"CABAS-{scene.cycle.pk}-2" in page
        assert page.count("data-day-action") >= 4

    def test_a_household_not_at_this_stand_is_404(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        order_id = scene.order_id(scene.cast.beneficiary)
        assert client.get(stand_url(scene, suffix=f"{order_id}/")).status_code == 404
        response = post(client, scene, kind="arrived", order=order_id)
        assert response.status_code == 404
        assert not Event.objects.exists()


class TestRecording:
    def test_handed_over_once_even_if_submitted_twice(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        line = scene.line(scene.cast.member, scene.bread)
        fields = {
            "kind": "handed",
            "order": line.order_id,
            "producer": scene.cast.bakery.pk,
            "line": line.pk,
            "action": "x1",
        }
        first = post(client, scene, **fields)
        second = post(client, scene, **fields)
        assert first.redirect_chain[-1][0].endswith(f"/day/{line.order_id}/")
        assert "Remis à Marie Membre : Pain complet × 2." in texts(first)
        assert "Déjà enregistré" in texts(second)
        assert Event.objects.filter(kind=EventKind.HANDED).count() == 1

    def test_all_handed_over_records_each_line(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user2)
        tomme = scene.line(scene.cast.beneficiary, scene.tomme)
        yoghurt = scene.line(scene.cast.beneficiary, scene.yoghurt)
        data = {
            "kind": "handed",
            "order": tomme.order_id,
            "producer": scene.cast.dairy.pk,
            "line": [tomme.pk, yoghurt.pk],
            "action": "all1",
        }
        client.post(stand_url(scene, "bergerie", "act/"), data)
        client.post(stand_url(scene, "bergerie", "act/"), data)
        events = Event.objects.filter(kind=EventKind.HANDED).order_by("pk")
        assert [e.action for e in events] == [f"all1-{tomme.pk}", f"all1-{yoghurt.pk}"]
        page = texts(client.get(stand_url(scene, "bergerie")))
        assert page.count('class="served"') == 1

    def test_weighing_recomputes_the_line(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user2)
        line = scene.line(scene.cast.member, scene.tomme)
        response = post(
            client,
            scene,
            "bergerie",
            kind="weighed",
            order=line.order_id,
            producer=scene.cast.dairy.pk,
            line=line.pk,
            weight="0,812",
        )
        line.refresh_from_db()
        assert line.total_cents == 1941  # 23,90 x 0,812 = 19,4068
        assert "0,812 kg" in texts(response) and "19,41 €" in texts(response)

    def test_shortage_with_a_reason(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        line = scene.line(scene.cast.member, scene.bread)
        post(
            client,
            scene,
            kind="short",
            order=line.order_id,
            producer=scene.cast.bakery.pk,
            line=line.pk,
            quantity="1",
            reason="sold_out",
        )
        line.refresh_from_db()
        assert line.quantity == 1000 and line.total_cents == 520

    def test_cash_payment_tells_the_change(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        order_id = scene.order_id(scene.cast.member)
        response = post(
            client,
            scene,
            kind="paid",
            order=order_id,
            producer=scene.cast.bakery.pk,
            amount="10,40",
            method="cash",
            **{"details-tendered": "20"},
        )
        page = texts(response)
        assert "Monnaie à rendre : 9,60 €" in page
        assert "To collect" not in page and "0,00 €" in page
        event = Event.objects.get(kind=EventKind.PAID)
        assert event.amount_cents == 1040 and event.details == {"tendered": "20"}

    def test_cheque_details_are_kept(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        order_id = scene.order_id(scene.cast.member)
        post(
            client,
            scene,
            kind="paid",
            order=order_id,
            producer=scene.cast.bakery.pk,
            amount="10,40",
            method="cheque",
            **{"details-number": "1234567", "details-bank": "CCF", "details-drawer": "M. Membre"},
        )
        event = Event.objects.get(kind=EventKind.PAID)
        assert event.details == {"number": "1234567", "bank": "CCF", "drawer": "M. Membre"}

    def test_a_refusal_keeps_what_was_typed(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        order_id = scene.order_id(scene.cast.member)
        response = post(
            client,
            scene,
            follow=False,
            kind="paid",
            order=order_id,
            producer=scene.cast.bakery.pk,
            amount="0",
            method="cheque",
            **{"details-number": "99887766"},
        )
        assert response.status_code == 200
        page = texts(response)
        assert "Indiquez un montant" in page and 'value="99887766"' in page and 'value="0"' in page
        assert not Event.objects.exists()

    def test_cancelling_a_mistake_needs_a_note(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        line = scene.line(scene.cast.member, scene.bread)
        post(client, scene, kind="handed", order=line.order_id, producer=scene.cast.bakery.pk, line=line.pk)
        handed = Event.objects.get()
        refused = post(client, scene, follow=False, kind="cancelled", order=line.order_id, corrects=handed.pk)
        assert refused.status_code == 200 and Event.objects.count() == 1
        post(client, scene, kind="cancelled", order=line.order_id, corrects=handed.pk, note="Pas le bon sac")
        assert Event.objects.filter(kind=EventKind.CANCELLED, corrects=handed).exists()

    def test_another_stands_line_is_refused(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.producer_user)
        line = scene.line(scene.cast.member, scene.tomme)
        response = post(
            client,
            scene,
            follow=False,
            kind="handed",
            order=line.order_id,
            producer=scene.cast.dairy.pk,
            line=line.pk,
        )
        assert response.status_code == 200 and not Event.objects.exists()

    def test_get_on_the_action_endpoint_is_405(self, scene: DayScene, client_for) -> None:
        assert client_for(scene.cast.producer_user).get(stand_url(scene, suffix="act/")).status_code == 405

    def test_once_the_day_is_closed_the_stand_is_read_only(self, scene: DayScene, client_for) -> None:
        close_distribution(cycle=scene.cycle, by=scene.cast.coordinator)
        client = client_for(scene.cast.producer_user)
        line = scene.line(scene.cast.member, scene.bread)
        panel = texts(client.get(stand_url(scene, suffix=f"{line.order_id}/")))
        assert "lecture seule" in panel and "data-day-action" not in panel
        response = post(
            client,
            scene,
            follow=False,
            kind="handed",
            order=line.order_id,
            producer=scene.cast.bakery.pk,
            line=line.pk,
        )
        assert response.status_code == 200 and not Event.objects.exists()
