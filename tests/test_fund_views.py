"""The pages of money into the fund: the order page's contribution, the treasury's gifts and
donor summaries, a household's own gifts. Who may, what is written, refusals, query counts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cabas.accounts.models import BuyingGroup
from cabas.cycles import contribution
from cabas.cycles.models import Order
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, Method
from cabas.solidarity import gifts
from cabas.solidarity.models import Gift
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer
from tests.day_fixtures import DayScene, day_scene, order
from tests.fund_fixtures import pay_at_desk, the_order

A = "saint-orens"
YEAR = timezone.localdate().year


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


def gift(cast: Cast, cents: int, **who: object) -> Gift:
    return gifts.record_gift(
        group=cast.group_a,
        by=cast.treasurer,
        amount_cents=cents,
        method=Method.CASH,
        received_on=timezone.localdate(),
        **who,  # type: ignore[arg-type]
    )


class TestContributionOnTheOrderPage:
    @pytest.fixture
    def open_cycle(self, cast: Cast):
        cycle = make_cycle(cast.group_a)
        bread = make_offer(cycle, cast.bakery, "Pain complet", price_cents=520)
        order(cycle, cast.member, {bread: 3000})  # 15,60 €
        return cycle

    def url(self, cycle) -> str:
        return reverse("order_contribution", args=[A, cycle.pk])

    def test_the_page_offers_the_groups_percentages(
        self, cast: Cast, open_cycle, client_for: Callable[..., Client]
    ) -> None:
        page = client_for(cast.member).get(reverse("order", args=[A, open_cycle.pk])).content.decode()
        assert 'value="p2"' in page and 'value="p5"' in page and 'value="p10"' in page
        assert "0,78\u00a0€" in page  # 5 % of 15,60 €

    def test_a_member_adds_five_percent_then_removes_it(
        self, cast: Cast, open_cycle, client_for: Callable[..., Client]
    ) -> None:
        client = client_for(cast.member)
        response = client.post(self.url(open_cycle), {"choice": "p5"})
        assert response.status_code == 302
        stored = Order.objects.get(cycle=open_cycle, user=cast.member)
        assert (stored.fund_percent, stored.fund_amount_cents) == (5, 0)
        page = client.get(reverse("order", args=[A, open_cycle.pk])).content.decode()
        assert 'id="basket-contribution"' in page and "0,78\u00a0€" in page and "16,38\u00a0€" in page
        assert not Entry.objects.exists()  # a promise, not money
        client.post(self.url(open_cycle), {"choice": "amount", "amount": "3,50"})
        stored.refresh_from_db()
        assert (stored.fund_percent, stored.fund_amount_cents) == (0, 350)
        client.post(self.url(open_cycle), {"choice": "none"})
        stored.refresh_from_db()
        assert (stored.fund_percent, stored.fund_amount_cents) == (0, 0)
        assert not Entry.objects.exists()

    def test_a_line_changed_with_htmx_updates_the_contribution(
        self, cast: Cast, open_cycle, client_for: Callable[..., Client]
    ) -> None:
        client = client_for(cast.member)
        client.post(self.url(open_cycle), {"choice": "p5"})
        bread = open_cycle.offers.get()
        response = client.post(
            reverse("order_line", args=[A, open_cycle.pk, bread.pk]),
            {f"q-{bread.pk}": "4", f"e-{bread.pk}": "3000"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert 'id="basket-contribution"' in response.text
        assert "1,04\u00a0€" in response.text and "21,84\u00a0€" in response.text  # 5 % of 20,80 €

    @pytest.mark.parametrize(
        "data",
        [
            {"choice": "p7"},  # not a percentage the group suggests
            {"choice": "p99999999999999999999"},
            {"choice": "amount", "amount": ""},
            {"choice": "amount", "amount": "-3"},
            {"choice": "amount", "amount": "1e9"},
            {"choice": "amount", "amount": "5000"},  # above 1 000 €
            {"choice": "amount", "amount": "\u0663"},
            {"choice": "x" * 5000},
            {},
        ],
    )
    def test_bad_choices_change_nothing_and_keep_what_was_typed(
        self, cast: Cast, open_cycle, client_for: Callable[..., Client], data: dict[str, str]
    ) -> None:
        contribution.promise(order=Order.objects.get(cycle=open_cycle, user=cast.member), percent=2)
        response = client_for(cast.member).post(self.url(open_cycle), data)
        assert response.status_code == 400
        page = response.content.decode()
        assert 'role="alert"' in page or 'class="error"' in page
        if data.get("amount") and len(data["amount"]) < 20:
            assert f'value="{data["amount"]}"' in page
        stored = Order.objects.get(cycle=open_cycle, user=cast.member)
        assert (stored.fund_percent, stored.fund_amount_cents) == (2, 0)

    def test_who_may(self, cast: Cast, open_cycle, client_for: Callable[..., Client]) -> None:
        url = self.url(open_cycle)
        assert client_for(cast.member).get(url).status_code == 405
        assert client_for(cast.member_b).post(url, {"choice": "p5"}).status_code == 403
        assert client_for(cast.producer_user).post(url, {"choice": "p5"}).status_code == 403
        assert client_for(None).post(url, {"choice": "p5"}).status_code == 302
        other = make_cycle(cast.group_b)
        assert (
            client_for(cast.member).post(reverse("order_contribution", args=[A, other.pk])).status_code == 404
        )
        # Without a basket: back to the order page, nothing written.
        response = client_for(cast.member2).post(url, {"choice": "p5"})
        assert response.status_code == 302 and not Order.objects.filter(user=cast.member2).exists()
        stored = Order.objects.get(cycle=open_cycle, user=cast.member)
        assert (stored.fund_percent, stored.fund_amount_cents) == (0, 0)

    def test_the_setting_of_the_group(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        group = BuyingGroup.objects.get(pk=cast.group_a.pk)
        group.fund_percents = "3, 7 %"
        assert group.suggested_fund_percents == [3, 7]
        group.fund_percents = "x 0 200 3 3"
        assert group.suggested_fund_percents == [3]


class TestTheDeskAndTheSlip:
    def test_the_desk_and_the_members_day_ask_for_the_promise(
        self, scene: DayScene, client_for: Callable[..., Client]
    ) -> None:
        cast = scene.cast
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        desk = client_for(cast.coordinator).get(
            reverse("day_desk", args=[A, scene.cycle.pk]), {"order": the_order(scene, cast.member).pk}
        )
        assert "29,75\u00a0€" in desk.content.decode()  # 28,33 € + 1,42 €
        mine = client_for(cast.member).get(reverse("day_member", args=[A, scene.cycle.pk])).content.decode()
        assert "29,75\u00a0€" in mine and 'id="my-contribution"' in mine

    def test_the_slip_says_the_promise(self, scene: DayScene) -> None:
        from cabas.reports import data as reports_data
        from cabas.reports.prints import slip

        cast = scene.cast
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        printed = slip(reports_data.member_slip(scene.cycle, the_order(scene, cast.member)), None)
        assert "1,42\u00a0€" in printed["grand_total"]


class TestTreasuryGifts:
    def url(self) -> str:
        return reverse("treasury_gifts", args=[A])

    def form(self, **values: str) -> dict[str, str]:
        return {
            "token": "0f8e2a57-0c3f-4d8e-9a59-5b1c1f3b7a99",
            "donor": "",
            "donor_name": "Jeanne Dupont",
            "amount": "25,50",
            "method": "cheque",
            "received_on": timezone.localdate().isoformat(),
            **values,
        }

    def test_a_treasurer_records_a_gift_once(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        client = client_for(cast.treasurer)
        assert client.get(self.url()).status_code == 200
        response = client.post(self.url(), self.form())
        assert response.status_code == 302
        client.post(self.url(), self.form())  # a double submit
        (stored,) = Gift.objects.all()
        assert (stored.donor_name, stored.amount_cents, stored.method) == ("Jeanne Dupont", 2550, "cheque")
        assert ledger.balance(cast.group_a, Account.FUND) == 2550
        assert ledger.balance(cast.group_a, Account.DESK) == 2550
        page = client.get(self.url()).content.decode()
        assert "Jeanne Dupont" in page and "25,50\u00a0€" in page

    def test_a_gift_from_a_household(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        response = client_for(cast.treasurer).post(
            self.url(), self.form(donor=str(cast.member2.pk), donor_name="", method="transfer")
        )
        assert response.status_code == 302
        assert Gift.objects.get().donor == cast.member2
        assert ledger.balance(cast.group_a, Account.BANK) == 2550

    @pytest.mark.parametrize(
        "values",
        [
            {"donor_name": ""},  # nobody named
            {"donor": str(10**12)},
            {"donor": "-1"},
            {"amount": "0"},
            {"amount": "-5"},
            {"amount": "9" * 30},
            {"amount": "NaN"},
            {"method": "bitcoin"},
            {"received_on": "2999-01-01"},
            {"received_on": "bogus"},
            {"donor_name": "x" * 10_000},
            {"token": "not-a-token"},
        ],
    )
    def test_refused_gifts_write_nothing_and_keep_what_was_typed(
        self, cast: Cast, client_for: Callable[..., Client], values: dict[str, str]
    ) -> None:
        response = client_for(cast.treasurer).post(self.url(), self.form(**values))
        assert response.status_code == 400
        assert not Gift.objects.exists() and not Entry.objects.exists()
        if values.get("amount") is None:
            assert 'value="25,50"' in response.content.decode()

    def test_a_household_of_another_group_is_not_a_donor(
        self, cast: Cast, client_for: Callable[..., Client]
    ) -> None:
        response = client_for(cast.treasurer).post(self.url(), self.form(donor=str(cast.member_b.pk)))
        assert response.status_code == 400 and not Gift.objects.exists()

    def test_who_may(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        for user in (cast.member, cast.coordinator, cast.producer_user, cast.coordinator_b):
            assert client_for(user).get(self.url()).status_code == 403
            assert client_for(user).post(self.url(), self.form()).status_code == 403
        assert client_for(None).get(self.url()).status_code == 302
        assert not Gift.objects.exists()

    def test_donor_summaries_one_and_all(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        gift(cast, 1000, donor=cast.member)
        gift(cast, 2500, donor_name="Jeanne Dupont")
        client = client_for(cast.treasurer)
        every = client.get(reverse("treasury_donors_pdf", args=[A, YEAR]))
        assert every.status_code == 200 and every["Content-Type"] == "application/pdf"
        assert every.content.startswith(b"%PDF")
        one = client.get(reverse("treasury_donor_pdf", args=[A, YEAR, f"h{cast.member.pk}"]))
        assert one.status_code == 200 and one.content.startswith(b"%PDF")
        assert client.get(reverse("treasury_donor_pdf", args=[A, YEAR, "h999999"])).status_code == 404
        assert client.get(reverse("treasury_donor_pdf", args=[A, YEAR, "x" * 50])).status_code == 404
        assert client.get(reverse("treasury_donors_pdf", args=[A, 1999])).status_code == 404
        assert client.get(reverse("treasury_donors_pdf", args=[A, YEAR + 1])).status_code == 404
        for user in (cast.member, cast.coordinator):
            assert client_for(user).get(reverse("treasury_donors_pdf", args=[A, YEAR])).status_code == 403
            url = reverse("treasury_donor_pdf", args=[A, YEAR, f"h{cast.member.pk}"])
            assert client_for(user).get(url).status_code == 403

    def test_the_page_runs_a_fixed_number_of_queries(
        self, cast: Cast, client_for: Callable[..., Client], django_assert_max_num_queries
    ) -> None:
        client = client_for(cast.treasurer)
        gift(cast, 1000, donor=cast.member)
        with django_assert_max_num_queries(14) as few:
            client.get(self.url())
        for n in range(12):
            gift(cast, 100 + n, donor_name=f"Donateur {n}")
            gift(cast, 100 + n, donor=cast.member2)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(self.url()).status_code == 200


class TestSuggestedPercentages:
    def url(self) -> str:
        return reverse("treasury_fund_percents", args=[A])

    def stored(self, cast: Cast) -> str:
        return BuyingGroup.objects.get(pk=cast.group_a.pk).fund_percents

    def test_a_treasurer_sets_them(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        client = client_for(cast.treasurer)
        assert client.post(self.url(), {"fund_percents": "3 % ; 6, 12"}).status_code == 302
        assert self.stored(cast) == "3 6 12"
        assert client.post(self.url(), {"fund_percents": ""}).status_code == 302
        assert self.stored(cast) == ""
        assert client.get(self.url()).status_code == 405

    @pytest.mark.parametrize("typed", ["0", "51", "x", "1 2 3 4 5 6 7", "\u0663", "9" * 30, "5.5"])
    def test_bad_percentages_change_nothing(
        self, cast: Cast, client_for: Callable[..., Client], typed: str
    ) -> None:
        response = client_for(cast.treasurer).post(self.url(), {"fund_percents": typed})
        assert response.status_code == 400
        assert "Tapez jusqu" in response.content.decode()
        assert self.stored(cast) == "2 5 10"

    def test_who_may(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        for user in (cast.member, cast.coordinator, cast.coordinator_b, cast.producer_user):
            assert client_for(user).post(self.url(), {"fund_percents": "1"}).status_code == 403
        assert self.stored(cast) == "2 5 10"


class TestMyGifts:
    def test_a_household_sees_its_own_and_prints_its_summary(
        self, scene: DayScene, client_for: Callable[..., Client]
    ) -> None:
        cast = scene.cast
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        pay_at_desk(scene, cast.member, 2833 + 142)
        gift(cast, 1000, donor=cast.member)
        gift(cast, 7777, donor=cast.member2)
        client = client_for(cast.member)
        payments = client.get(reverse("member_payments", args=[A])).content.decode()
        assert reverse("my_gifts", args=[A]) in payments
        page = client.get(reverse("my_gifts", args=[A])).content.decode()
        assert "1,42\u00a0€" in page and "10,00\u00a0€" in page and "11,42\u00a0€" in page
        assert "77,77" not in page  # another household's
        pdf = client.get(reverse("my_gifts_pdf", args=[A, YEAR]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        # Someone who gave nothing has no summary; another group's member sees nothing of A.
        assert client_for(cast.beneficiary).get(reverse("my_gifts_pdf", args=[A, YEAR])).status_code == 404
        assert client_for(cast.member_b).get(reverse("my_gifts", args=[A])).status_code == 403
        assert client_for(cast.producer_user).get(reverse("my_gifts", args=[A])).status_code == 403
        assert client_for(cast.member).post(reverse("my_gifts", args=[A])).status_code == 405

    def test_a_fixed_number_of_queries(
        self, scene: DayScene, client_for: Callable[..., Client], django_assert_max_num_queries
    ) -> None:
        cast = scene.cast
        client = client_for(cast.member)
        contribution.promise(order=the_order(scene, cast.member), percent=5)
        gift(cast, 1000, donor=cast.member)
        with django_assert_max_num_queries(16) as few:
            client.get(reverse("my_gifts", args=[A]))
        for n in range(10):
            gift(cast, 100 + n, donor=cast.member)
        pay_at_desk(scene, cast.member, 3000)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("my_gifts", args=[A])).status_code == 200
