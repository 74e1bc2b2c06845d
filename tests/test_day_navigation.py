"""Finding the day's pages: a member's own day, a volunteer's welcome desk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cabas.cycles.models import Cycle
from cabas.distribution.models import DayTeamMember
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


def day_url(scene: DayScene) -> str:
    return f"/g/saint-orens/cycles/{scene.cycle.pk}/day/"


def desk_url(scene: DayScene) -> str:
    return f"/g/saint-orens/manage/cycles/{scene.cycle.pk}/day/desk/"


class TestMemberDayLinks:
    def test_group_page_cycles_list_and_order_page_link_to_my_day(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.member)
        for url in ("/g/saint-orens/", "/g/saint-orens/cycles/", f"/g/saint-orens/cycles/{scene.cycle.pk}/"):
            page = client.get(url).content.decode()
            assert day_url(scene) in page, url
            assert "Ma distribution : ce que j’ai reçu et ce qu’il reste à payer" in page, url

    def test_cycles_list_shows_the_finalised_cycle_of_today(self, scene: DayScene, client_for) -> None:
        page = client_for(scene.cast.member).get("/g/saint-orens/cycles/").content.decode()
        assert scene.cycle.name in page
        assert "Aucun cycle" not in page

    def test_no_link_without_a_basket(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.coordinator)
        for url in ("/g/saint-orens/", f"/g/saint-orens/cycles/{scene.cycle.pk}/"):
            assert day_url(scene) not in client.get(url).content.decode(), url

    def test_after_the_day_the_cycles_list_still_links_to_it(self, scene: DayScene, client_for) -> None:
        Cycle.objects.filter(pk=scene.cycle.pk).update(distributed_at=timezone.now())
        client = client_for(scene.cast.member)
        assert day_url(scene) in client.get("/g/saint-orens/cycles/").content.decode()
        assert day_url(scene) in client.get("/g/saint-orens/").content.decode()


class TestVolunteerDeskLinks:
    def test_home_and_group_page_link_to_the_desk_of_a_volunteer(self, scene: DayScene, client_for) -> None:
        DayTeamMember.objects.create(cycle=scene.cycle, user=scene.cast.member2)
        client = client_for(scene.cast.member2)
        for url in ("/", "/g/saint-orens/"):
            assert desk_url(scene) in client.get(url).content.decode(), url
        assert client.get(desk_url(scene)).status_code == 200

    def test_not_for_others_nor_once_the_day_is_closed(self, scene: DayScene, client_for) -> None:
        DayTeamMember.objects.create(cycle=scene.cycle, user=scene.cast.member2)
        assert desk_url(scene) not in client_for(scene.cast.member).get("/").content.decode()
        Cycle.objects.filter(pk=scene.cycle.pk).update(distributed_at=timezone.now())
        client = client_for(scene.cast.member2)
        for url in ("/", "/g/saint-orens/"):
            assert desk_url(scene) not in client.get(url).content.decode(), url

    def test_constant_queries_on_the_home_page(self, scene: DayScene, client_for, cast: Cast) -> None:
        client = client_for(scene.cast.member2)
        client.get("/")
        with CaptureQueriesContext(connection) as before:
            client.get("/")
        DayTeamMember.objects.create(cycle=scene.cycle, user=scene.cast.member2)
        with CaptureQueriesContext(connection) as after:
            client.get("/")
        assert len(after) == len(before)


class TestErrorPages:
    def test_404_in_french_with_a_way_home(self, client_for, cast: Cast) -> None:
        response = client_for(cast.member).get("/g/nowhere-at-all/")
        assert response.status_code == 404
        page = response.content.decode()
        assert "Page introuvable" in page and 'href="/"' in page and 'lang="fr"' in page

    def test_403_in_french_with_a_way_home(self, scene: DayScene, client_for) -> None:
        response = client_for(scene.cast.member).get(desk_url(scene))
        assert response.status_code == 403
        page = response.content.decode()
        assert "Accès refusé" in page and 'href="/"' in page

    def test_404_in_english(self, client_for, cast: Cast) -> None:
        response = client_for(cast.member2).get("/g/nowhere-at-all/", headers={"accept-language": "en"})
        assert "Page not found" in response.content.decode()

    def test_500_stands_alone(self, rf) -> None:
        from django.views.defaults import server_error

        request = rf.get("/")
        response = server_error(request)
        page = response.content.decode()
        assert response.status_code == 500
        assert "Retour à l’accueil" in page or "Back to the home page" in page
        assert 'href="/"' in page


class TestMemberDayAfterClosing:
    def test_items_not_collected_and_what_to_do_next(self, scene: DayScene, client_for) -> None:
        client = client_for(scene.cast.member)
        page = client.get(day_url(scene)).content.decode()
        assert "à retirer" in page and "non retiré" not in page
        Cycle.objects.filter(pk=scene.cycle.pk).update(distributed_at=timezone.now())
        page = " ".join(client.get(day_url(scene)).content.decode().split())
        assert "à retirer" not in page and "non retiré" in page
        assert "Ce qui reste dû sera réglé avec le trésorier" in page
