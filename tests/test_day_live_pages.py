"""The coordinators' live view: closing the day, conflicts, the day team, the money table."""

from __future__ import annotations

import re

import pytest

from cabas.cycles.models import Phase
from cabas.lib.names import person_sort_key
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene
from tests.test_day_desk_live import act, live_url, texts, words

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


class TestClosing:
    def test_undecided_baskets_are_counted_by_the_button_and_in_the_confirmation(
        self, scene, client_for
    ) -> None:
        client = client_for(scene.cast.coordinator)
        page = words(client.get(live_url(scene)))
        assert "3 paniers non retirés sans décision." in page
        assert "3 paniers non retirés sans décision : ce qu’ils doivent reste dû" in page
        act(
            client,
            live_url(scene, "act/"),
            kind="uncollected",
            order=scene.order_id(scene.cast.member),
            reason="kept",
        )
        assert "2 paniers non retirés sans décision." in words(client.get(live_url(scene)))

    def test_no_warning_once_every_basket_is_decided(self, scene, client_for) -> None:
        client = client_for(scene.cast.coordinator)
        for member in (scene.cast.member, scene.cast.member2, scene.cast.beneficiary):
            act(
                client,
                live_url(scene, "act/"),
                kind="uncollected",
                order=scene.order_id(member),
                reason="kept",
            )
        assert "sans décision" not in words(client.get(live_url(scene)))

    def test_after_closing_one_banner_says_where_what_is_owed_goes(self, scene, client_for) -> None:
        client = client_for(scene.cast.coordinator)
        response = client.post(live_url(scene, "close/"), follow=True)
        scene.cycle.refresh_from_db()
        assert scene.cycle.phase() == Phase.DISTRIBUTED
        html = texts(response)
        assert len(re.findall(r'class="(?:alert|message)[ "]', html)) == 1
        assert "réglé avec le trésorier" in words(response) or "règlement avec le trésorier" in words(
            response
        )
        assert f"/g/saint-orens/manage/cycles/{scene.cycle.pk}/documents/day/summary.pdf" in html


class TestConflictCard:
    def pay_twice(self, scene: DayScene, client_for) -> None:
        stand_url = f"/producers/fournil/cycles/{scene.cycle.pk}/day/act/"
        bakery = client_for(scene.cast.producer_user)
        order_id = scene.order_id(scene.cast.member)
        for method in ("cash", "cheque"):
            act(
                bakery,
                stand_url,
                kind="paid",
                order=order_id,
                producer=scene.cast.bakery.pk,
                amount="10,40",
                method=method,
            )

    def test_both_payments_with_translated_methods_and_what_the_conflict_is(self, scene, client_for) -> None:
        self.pay_twice(scene, client_for)
        response = client_for(scene.cast.coordinator).get(live_url(scene))
        section = words(response).split("À régler")[1].split("Manques signalés")[0]
        assert "cash" not in section and "cheque" not in section
        assert "Ce paiement : 10,40 €, chèque" in section
        assert "Autre paiement : 10,40 €, espèces" in section
        assert (
            "Deux paiements ont été enregistrés au stand de Fournil du Lauragais pour le même panier"
            in section
        )
        assert section.count("par Paul") == 2 and "appareil web-" in section

    def test_desk_then_stand(self, scene, client_for) -> None:
        order_id = scene.order_id(scene.cast.member)
        coordinator = client_for(scene.cast.coordinator)
        act(
            coordinator,
            live_url(scene, "desk/act/"),
            kind="desk_paid",
            order=order_id,
            amount="28,33",
            method="card",
        )
        stand_url = f"/producers/fournil/cycles/{scene.cycle.pk}/day/act/"
        bakery = client_for(scene.cast.producer_user)
        act(
            bakery,
            stand_url,
            kind="paid",
            order=order_id,
            producer=scene.cast.bakery.pk,
            amount="10,40",
            method="cash",
        )
        section = words(client_for(scene.cast.coordinator).get(live_url(scene))).split("À régler")[1]
        assert "l’accueil avait déjà encaissé" in section
        assert "Autre paiement : 28,33 €, carte (accueil)" in section


class TestDayTeamForm:
    def test_an_empty_first_choice_refused_with_a_message(self, scene, client_for) -> None:
        from cabas.distribution.models import DayTeamMember

        client = client_for(scene.cast.coordinator)
        html = texts(client.get(live_url(scene)))
        select = html.split('id="team-user"')[1].split("</select>")[0]
        assert select.split("<option")[1].startswith(' value="">— choisir —')
        assert 'data-filter-target="#team-user"' in html
        response = client.post(live_url(scene, "team/"), {"user": ""}, follow=True)
        assert response.status_code == 200
        assert "Choisissez qui ajouter à l’accueil." in texts(response)
        assert not DayTeamMember.objects.exists()

    def test_candidates_sorted_by_name(self, scene, client_for) -> None:
        html = texts(client_for(scene.cast.coordinator).get(live_url(scene)))
        select = html.split('id="team-user"')[1].split("</select>")[0]
        names = re.findall(r'data-filter-item="[^"]*">([^<]+)<', select)
        assert names and names == sorted(names, key=person_sort_key)  # by surname


def stand_household(scene: DayScene, member) -> str:
    return f"/producers/fournil/cycles/{scene.cycle.pk}/day/{scene.order_id(member)}/"


class TestStandPayment:
    def test_paid_in_full_folds_the_form_away(self, scene, client_for) -> None:
        bakery = client_for(scene.cast.producer_user)
        url = stand_household(scene, scene.cast.member)
        html = texts(bakery.get(url))
        assert "Réglé" not in words(bakery.get(url)) and '<details class="day-pay-more">' not in html
        stand_url = f"/producers/fournil/cycles/{scene.cycle.pk}/day/act/"
        order_id = scene.order_id(scene.cast.member)
        act(
            bakery,
            stand_url,
            kind="paid",
            order=order_id,
            producer=scene.cast.bakery.pk,
            amount="10,40",
            method="cash",
        )
        response = bakery.get(url)
        assert 'id="pay-settled"' in texts(response) and "Réglé" in words(response)
        assert "Enregistrer un autre paiement" in words(response)
        assert texts(response).index('<details class="day-pay-more">') < texts(response).index(
            'class="day-pay"'
        )

    def test_a_cancelled_payment_is_no_longer_to_check(self, scene, client_for) -> None:
        from cabas.distribution.models import Event, EventKind

        bakery = client_for(scene.cast.producer_user)
        stand_url = f"/producers/fournil/cycles/{scene.cycle.pk}/day/act/"
        order_id = scene.order_id(scene.cast.member)
        for method in ("cash", "cheque"):
            act(
                bakery,
                stand_url,
                kind="paid",
                order=order_id,
                producer=scene.cast.bakery.pk,
                amount="10,40",
                method=method,
            )
        url = stand_household(scene, scene.cast.member)
        assert "à vérifier par les référents" in words(bakery.get(url))
        conflict = Event.objects.get(conflict=True)
        act(bakery, stand_url, kind="cancelled", order=order_id, corrects=conflict.pk, note="Erreur")
        assert Event.objects.filter(kind=EventKind.CANCELLED, corrects=conflict).exists()
        assert "à vérifier par les référents" not in words(bakery.get(url))

    def test_method_details_grouped_per_method(self, scene, client_for) -> None:
        html = texts(client_for(scene.cast.producer_user).get(stand_household(scene, scene.cast.member)))
        for method, legend in (
            ("cash", "Si paiement en espèces"),
            ("cheque", "Si paiement par chèque"),
            ("transfer", "Si paiement par virement"),
        ):
            assert (
                f'<fieldset class="method-details" data-method="{method}"> <legend>{legend}</legend>' in html
            )
        assert "data-method-choice" in html


class TestWeighing:
    def test_the_field_speaks_of_kilograms_and_a_refusal_names_the_item(self, scene, client_for) -> None:
        dairy = client_for(scene.cast.producer_user2)
        url = f"/producers/bergerie/cycles/{scene.cycle.pk}/day/"
        line = scene.line(scene.cast.member, scene.tomme)
        page = words(dairy.get(url + f"{line.order_id}/"))
        assert "En kilogrammes, avec une virgule : 0,750 pour 750 g." in page
        response = act(
            dairy,
            url + "act/",
            kind="weighed",
            order=line.order_id,
            producer=scene.cast.dairy.pk,
            line=line.pk,
            weight="0",
        )
        html = texts(response)
        assert f'id="weight-error-{line.pk}"' in html and 'aria-invalid="true"' in html
        alert = html.split('role="alert">')[1].split("</p>")[0]
        assert alert.startswith("Tomme :")


class TestDeskSlip:
    def test_the_reprinted_slip_carries_the_slip_number(self, scene, client_for) -> None:
        from tests.test_reports import pdf_pages

        order_id = scene.order_id(scene.cast.member)
        response = client_for(scene.cast.coordinator).get(live_url(scene, f"desk/{order_id}/slip.pdf"))
        assert response.status_code == 200
        (page,) = pdf_pages(b"".join(response.streaming_content) if response.streaming else response.content)
        assert "Récapitulatif 2 / 3" in page and "Marie Membre" in page

    def test_a_members_own_slip_carries_the_same_number(self, scene) -> None:
        """The member's own slip shows the number the desk and the stands find them by."""
        from cabas.cycles.baskets import slip_numbers
        from cabas.cycles.models import Order
        from cabas.reports import documents
        from tests.test_reports import pdf_pages

        order = Order.objects.select_related("user").get(pk=scene.order_id(scene.cast.member))
        (page,) = pdf_pages(documents.member_slip_document(scene.cycle, order).content)
        assert f"Récapitulatif {slip_numbers(scene.cycle)[order.pk]}" in page


class TestMoneyTable:
    def test_a_scrollable_region_with_a_caption_and_links_to_the_stands_one_may_open(
        self, scene, client_for, cast
    ) -> None:
        from cabas.catalog.models import ProducerAccount

        ProducerAccount.objects.filter(producer=cast.dairy).delete()  # the group keeps the dairy's data
        html = texts(client_for(cast.coordinator).get(live_url(scene)))
        assert '<div class="table-wrap" role="region" tabindex="0" aria-labelledby="stands-caption">' in html
        assert '<caption id="stands-caption"' in html
        assert f'href="/producers/bergerie/cycles/{scene.cycle.pk}/day/"' in html
        # The bakery has its own account: its stand is not the coordinator's to open.
        assert f'href="/producers/fournil/cycles/{scene.cycle.pk}/day/"' not in html
        assert (
            client_for(cast.coordinator).get(f"/producers/bergerie/cycles/{scene.cycle.pk}/day/").status_code
            == 200
        )

    def test_the_producer_side_says_whose_stand(self, scene, client_for, cast) -> None:
        from cabas.catalog.models import ProducerAccount

        ProducerAccount.objects.filter(producer=cast.dairy).delete()
        page = words(client_for(cast.coordinator).get(f"/producers/bergerie/cycles/{scene.cycle.pk}/"))
        assert "stand de Ferme de la Bergerie" in page and "mon stand" not in page
        page = words(client_for(cast.producer_user).get(f"/producers/fournil/cycles/{scene.cycle.pk}/"))
        assert "mon stand" in page
