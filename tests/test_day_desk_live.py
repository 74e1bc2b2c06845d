"""The welcome desk, the coordinators' live view (team, conflicts, decisions, closing) and a member's day."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cabas.cycles.models import CycleEvent, Phase, Step
from cabas.distribution.models import DayTeamMember, Event, EventKind
from cabas.ledger.models import Method
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle
from tests.day_fixtures import DayScene, day_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


def live_url(scene: DayScene, suffix: str = "", slug: str = "saint-orens") -> str:
    return f"/g/{slug}/manage/cycles/{scene.cycle.pk}/day/{suffix}"


def texts(response) -> str:
    return " ".join(response.content.decode().split())


def words(response) -> str:
    """The page as read: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def act(client: Client, url: str, follow: bool = True, **fields):
    data = {"action": fields.pop("action", None) or f"a{Event.objects.count()}-{sorted(fields)}"}
    data.update({key: str(value) for key, value in fields.items()})
    return client.post(url, data, follow=follow)


class TestDesk:
    def test_find_by_slip_number_opens_the_household(self, scene: DayScene, client_for) -> None:
        response = client_for(scene.cast.coordinator).get(live_url(scene, "desk/"), {"q": "2"})
        page = texts(response)
        assert 'data-day-scope="desk"' in page
        assert "Marie Membre" in page and "À encaisser maintenant : 28,33 €" in words(
            response
        )  # 10,40 + 17,93
        assert f"/day/desk/{scene.order_id(scene.cast.member)}/slip.pdf" in page

    def test_find_by_name(self, scene: DayScene, client_for) -> None:
        page = texts(client_for(scene.cast.coordinator).get(live_url(scene, "desk/"), {"q": "berna"}))
        assert "Bernadette" in page and "Mehdi" not in page

    def test_arrival_and_desk_payment_then_the_stand_shows_paid_at_the_desk(self, scene, client_for) -> None:
        client = client_for(scene.cast.coordinator)
        order_id = scene.order_id(scene.cast.member)
        response = act(client, live_url(scene, "desk/act/"), kind="arrived", order=order_id)
        assert "Marie Membre est arrivé·e." in texts(response)
        response = act(
            client,
            live_url(scene, "desk/act/"),
            kind="desk_paid",
            order=order_id,
            amount="28,33",
            method="card",
        )
        page = texts(response)
        assert "Payé par Marie Membre à l’accueil : 28,33 €, carte." in page
        assert "rien à encaisser" in page
        event = Event.objects.get(kind=EventKind.DESK_PAID)
        assert event.method == Method.CARD and not event.conflict
        stand = texts(
            client_for(scene.cast.producer_user).get(f"/producers/fournil/cycles/{scene.cycle.pk}/day/")
        )
        assert "réglé à l’accueil" in stand and "10,40" not in stand

    def test_a_day_team_volunteer_uses_this_cycles_desk_only(self, scene: DayScene, client_for) -> None:
        DayTeamMember.objects.create(cycle=scene.cycle, user=scene.cast.member2)
        client = client_for(scene.cast.member2)
        assert client.get(live_url(scene, "desk/")).status_code == 200
        assert client.get(live_url(scene)).status_code == 403  # the live view is for coordinators
        other = make_cycle(scene.cast.group_a, phase="finalised", name="Autre")
        assert client.get(f"/g/saint-orens/manage/cycles/{other.pk}/day/desk/").status_code == 403
        order_id = scene.order_id(scene.cast.member)
        act(client, live_url(scene, "desk/act/"), kind="arrived", order=order_id)
        refused = act(
            client, live_url(scene, "act/"), follow=False, kind="uncollected", order=order_id, reason="kept"
        )
        assert refused.status_code == 403
        assert list(Event.objects.values_list("kind", flat=True)) == [EventKind.ARRIVED]

    def test_wrong_roles_and_another_groups_cycle(self, scene: DayScene, client_for) -> None:
        for user in (scene.cast.member, scene.cast.producer_user):
            assert client_for(user).get(live_url(scene, "desk/")).status_code == 403
        assert (
            client_for(scene.cast.coordinator_b).get(live_url(scene, "desk/", slug="balma")).status_code
            == 404
        )
        assert client_for(scene.cast.coordinator).get(live_url(scene, "desk/act/")).status_code == 405

    def test_a_refused_desk_payment_keeps_what_was_typed(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.coordinator)
        order_id = scene.order_id(scene.cast.member)
        response = act(
            client,
            live_url(scene, "desk/act/"),
            follow=False,
            kind="desk_paid",
            order=order_id,
            amount="abc",
            method="cheque",
            **{"details-drawer": "Jean Membre"},
        )
        assert response.status_code == 200
        page = texts(response)
        assert 'value="Jean Membre"' in page and 'value="abc"' in page and 'role="alert"' in page
        assert not Event.objects.exists()

    def test_the_desk_reprints_a_slip(self, scene: DayScene, client_for) -> None:
        order_id = scene.order_id(scene.cast.member)
        url = live_url(scene, f"desk/{order_id}/slip.pdf")
        response = client_for(scene.cast.coordinator).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert client_for(scene.cast.member2).get(url).status_code == 403


class TestLiveView:
    def test_stands_money_shortages_and_conflicts(self, scene: DayScene, client_for) -> None:
        cast = scene.cast
        coordinator = client_for(cast.coordinator)
        order_id = scene.order_id(cast.member)
        line = scene.line(cast.member2, scene.bread)
        stand_url = f"/producers/fournil/cycles/{scene.cycle.pk}/day/act/"
        bakery = client_for(cast.producer_user)
        act(
            bakery,
            stand_url,
            kind="paid",
            order=order_id,
            producer=cast.bakery.pk,
            amount="10,40",
            method="cash",
        )
        act(
            bakery,
            stand_url,
            kind="paid",
            order=order_id,
            producer=cast.bakery.pk,
            amount="10,40",
            method="cheque",
        )
        act(
            bakery,
            stand_url,
            kind="short",
            order=line.order_id,
            producer=cast.bakery.pk,
            line=line.pk,
            quantity="1",
            reason="damaged",
        )
        page = texts(client_for(cast.coordinator).get(live_url(scene)))
        assert 'data-day-scope="live"' in page
        assert "Fournil du Lauragais" in page and "Manques signalés" in page and "Pain complet" in page
        assert page.count("10,40 €") >= 2  # cash and cheque columns
        conflict = Event.objects.get(conflict=True)
        assert f'name="corrects" value="{conflict.pk}"' in page
        response = act(
            coordinator,
            live_url(scene, "act/"),
            kind="resolved",
            order=order_id,
            corrects=conflict.pk,
            note="Deux sacs",
        )
        assert "Conflit réglé pour Marie Membre" in texts(response)
        assert f'name="corrects" value="{conflict.pk}"' not in texts(response)

    def test_the_day_team(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.coordinator)
        response = client.post(live_url(scene, "team/"), {"user": scene.cast.member2.pk}, follow=True)
        assert "Mehdi Member tient l’accueil" in texts(response)
        client.post(live_url(scene, "team/"), {"user": scene.cast.member2.pk})
        member = DayTeamMember.objects.get()
        assert member.added_by == scene.cast.coordinator
        assert client.post(live_url(scene, "team/"), {"user": scene.cast.member_b.pk}).status_code == 404
        client.post(live_url(scene, f"team/{member.pk}/remove/"))
        assert not DayTeamMember.objects.exists()
        assert client.get(live_url(scene, "team/")).status_code == 405

    def test_decide_on_baskets_not_collected_and_close_the_day(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.coordinator)
        order_id = scene.order_id(scene.cast.beneficiary)
        response = act(
            client,
            live_url(scene, "act/"),
            kind="uncollected",
            order=order_id,
            reason="kept",
            note="Passe lundi",
        )
        page = texts(response)
        assert "Panier de Bernadette Bénéficiaire : Gardé pour plus tard." in page
        assert "Décidé : Gardé pour plus tard, par Claire Coordinatrice" in words(response)
        event = Event.objects.get(kind=EventKind.UNCOLLECTED)
        assert event.by == scene.cast.coordinator and event.note == "Passe lundi"
        response = client.post(live_url(scene, "close/"), follow=True)
        scene.cycle.refresh_from_db()
        assert scene.cycle.phase() == Phase.DISTRIBUTED
        assert CycleEvent.objects.filter(cycle=scene.cycle, step=Step.DISTRIBUTE).count() == 1
        page = texts(response)
        assert "lecture seule" in page and "data-day-action" not in page
        again = client.post(live_url(scene, "close/"), follow=True)
        assert again.status_code == 200
        assert CycleEvent.objects.filter(cycle=scene.cycle, step=Step.DISTRIBUTE).count() == 1

    def test_only_coordinators_of_the_group(self, scene: DayScene, client_for) -> None:
        for user in (scene.cast.member, scene.cast.producer_user, scene.cast.treasurer):
            assert client_for(user).get(live_url(scene)).status_code == 403
            assert client_for(user).post(live_url(scene, "close/")).status_code == 403
        assert client_for(scene.cast.coordinator_b).get(live_url(scene, slug="balma")).status_code == 404
        scene.cycle.refresh_from_db()
        assert scene.cycle.distributed_at is None

    def test_the_cycle_page_links_the_live_view(self, scene: DayScene, client_for) -> None:
        page = texts(
            client_for(scene.cast.coordinator).get(f"/g/saint-orens/manage/cycles/{scene.cycle.pk}/")
        )
        assert live_url(scene) in page and live_url(scene, "desk/") in page
        dashboard = texts(client_for(scene.cast.producer_user).get("/producers/fournil/"))
        assert f"/producers/fournil/cycles/{scene.cycle.pk}/day/" in dashboard


class TestMemberDay:
    def test_what_was_handed_over_and_what_is_left(self, scene: DayScene, client_for) -> None:
        cast = scene.cast
        line = scene.line(cast.member, scene.tomme)
        dairy = client_for(cast.producer_user2)
        stand_url = f"/producers/bergerie/cycles/{scene.cycle.pk}/day/act/"
        act(
            dairy,
            stand_url,
            kind="weighed",
            order=line.order_id,
            producer=cast.dairy.pk,
            line=line.pk,
            weight="0,812",
        )
        act(dairy, stand_url, kind="handed", order=line.order_id, producer=cast.dairy.pk, line=line.pk)
        act(
            dairy,
            stand_url,
            kind="paid",
            order=line.order_id,
            producer=cast.dairy.pk,
            amount="19,41",
            method="cash",
        )
        response = client_for(cast.member).get(f"/g/saint-orens/cycles/{scene.cycle.pk}/day/")
        page = texts(response)
        assert 'data-day-scope="member"' in page and 'hx-trigger="every 20s"' in page
        assert "pesé : 0,812 kg" in page and "19,41 €, payé" in page
        assert "10,40 € à payer à Fournil du Lauragais" in page
        assert "Reste à payer : 10,40 €" in words(response)

    def test_no_basket_and_other_groups(self, scene: DayScene, client_for) -> None:
        page = texts(client_for(scene.cast.treasurer).get(f"/g/saint-orens/cycles/{scene.cycle.pk}/day/"))
        assert "Vous n’avez pas de panier" in page
        assert (
            client_for(scene.cast.member_b).get(f"/g/saint-orens/cycles/{scene.cycle.pk}/day/").status_code
            == 403
        )
        assert (
            client_for(scene.cast.member_b).get(f"/g/balma/cycles/{scene.cycle.pk}/day/").status_code == 404
        )
