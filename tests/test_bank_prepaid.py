"""Prepaid accounts: the group setting, top-ups from the statement, the server's check at confirmation,
the balance shown, the day showing prepaid baskets as paid, low-balance e-mails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cabas.accounts.models import BuyingGroup
from cabas.bank import prepaid
from cabas.bank.matching import topup_reference
from cabas.bank.models import LowBalanceNotice, StatementImport, Status
from cabas.cycles.models import Order
from cabas.distribution.state import load_day
from cabas.ledger import positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Method
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene
from tests.scene import Shop

A = "saint-orens"


def make_prepaid(group: BuyingGroup, minimum_cents: int = 0) -> None:
    BuyingGroup.objects.filter(pk=group.pk).update(
        prepaid=True, prepaid_minimum_cents=minimum_cents, bank_iban="FR76 3000 4000 0100 0123 4567 890"
    )
    group.refresh_from_db()


def top_up(cast: Cast, cents: int, member=None) -> None:
    context = ledger.Context(group=cast.group_a, by=cast.treasurer, key=f"test-topup-{cents}-{member}")
    ledger.topup(context, household=member or cast.member, amount_cents=cents)


def confirm_basket(client: Client, shop: Shop) -> Client:
    data = {f"q-{shop.bread.pk}": "2", f"e-{shop.bread.pk}": "0", "confirm": "1"}  # 10,40 €
    return client.post(reverse("order", args=[A, shop.cycle.pk]), data, follow=True)


def test_settings_switch_prepaid_on(cast: Cast, client_for: Callable[..., Client]) -> None:
    client = client_for(cast.coordinator)
    url = reverse("manage_settings", args=[A])
    base = {"name": cast.group_a.name, "reminder_hours": "48", "max_line_units": "99", "prepaid": "on"}
    response = client.post(
        url, {**base, "prepaid_minimum": "5,00", "bank_iban": "fr76 3000 4000 0100 0123 4567 890"}
    )
    assert response.status_code == 302
    group = BuyingGroup.objects.get(pk=cast.group_a.pk)
    assert (group.prepaid, group.prepaid_minimum_cents, group.bank_iban) == (
        True,
        500,
        "FR76 3000 4000 0100 0123 4567 890",
    )
    for bad in (
        {"prepaid_minimum": "12,555"},
        {"prepaid_minimum": "dix"},
        {"prepaid_minimum": "99999"},
        {"bank_iban": "12"},
    ):
        response = client.post(url, {**base, "prepaid_minimum": "1", **bad})
        assert response.status_code == 200 and "has-error" in response.content.decode()
    assert BuyingGroup.objects.get(pk=cast.group_a.pk).prepaid_minimum_cents == 500


def test_confirmation_refused_below_the_minimum(shop: Shop, client_for: Callable[..., Client]) -> None:
    make_prepaid(shop.group_a)
    top_up(shop, 500)
    response = confirm_basket(client_for(shop.member), shop)
    page = response.content.decode()
    order = Order.objects.get(cycle=shop.cycle, user=shop.member)
    assert order.submitted_at is None  # not confirmed...
    assert order.lines.get().total_cents == 1040  # ...but saved
    membership = shop.membership(shop.member)
    assert topup_reference(membership) in page
    assert "5,00" in page and "10,40" in page
    assert mail.outbox == []

    top_up(shop, 600)  # 11,00 € in all: the basket fits
    confirm_basket(client_for(shop.member), shop)
    order.refresh_from_db()
    assert order.submitted_at is not None


def test_no_check_without_prepaid(shop: Shop, client_for: Callable[..., Client]) -> None:
    confirm_basket(client_for(shop.member), shop)
    assert Order.objects.get(cycle=shop.cycle, user=shop.member).submitted_at is not None


def test_negative_minimum_allows_some_debt(shop: Shop, client_for: Callable[..., Client]) -> None:
    make_prepaid(shop.group_a, minimum_cents=-1000)
    top_up(shop, 40)
    confirm_basket(client_for(shop.member), shop)
    assert Order.objects.get(cycle=shop.cycle, user=shop.member).submitted_at is not None


def test_topup_from_the_statement(cast: Cast, client_for: Callable[..., Client]) -> None:
    make_prepaid(cast.group_a)
    reference = topup_reference(cast.membership(cast.member))
    client = client_for(cast.treasurer)
    text = f"Date;Libellé;Montant\n02/12/2026;VIR MARIE {reference};50,00\n"
    client.post(reverse("bank_upload", args=[A]), {"statement": SimpleUploadedFile("r.csv", text.encode())})
    imported = StatementImport.objects.get()
    line = imported.lines.get()
    page = client.get(reverse("bank_import", args=[A, imported.pk])).content.decode()
    assert 'value="topup" selected' in page
    client.post(
        reverse("bank_confirm", args=[A, imported.pk]),
        {f"what-{line.pk}": "topup", f"who-{line.pk}": str(cast.member.pk)},
    )
    line.refresh_from_db()
    assert line.status == Status.TOPUP
    assert prepaid.balance_cents(cast.group_a, cast.member) == 5000
    balances = client.get(reverse("bank_balances", args=[A])).content.decode()
    assert "50,00" in balances
    mine = client_for(cast.member).get(reverse("bank_my_account", args=[A])).content.decode()
    assert "50,00" in mine and reference in mine and "FR76 3000" in mine


def test_balance_on_the_basket_page_and_profile(shop: Shop, client_for: Callable[..., Client]) -> None:
    make_prepaid(shop.group_a)
    top_up(shop, 2345)
    client = client_for(shop.member)
    assert "23,45" in client.get(reverse("order", args=[A, shop.cycle.pk])).content.decode()
    assert "23,45" in client.get(reverse("profile")).content.decode()


def test_my_account_lists_the_baskets_debited(cast: Cast, client_for: Callable[..., Client]) -> None:
    make_prepaid(cast.group_a)
    scene = day_scene(cast)
    top_up(cast, 3000)
    context = ledger.Context(group=cast.group_a, by=cast.coordinator, cycle=scene.cycle)
    ledger.handover(context, household=cast.member, producer=cast.bakery, amount_cents=1040)
    page = client_for(cast.member).get(reverse("bank_my_account", args=[A])).content.decode()
    assert scene.cycle.name in page and "10,40" in page and "19,60" in page


def test_my_account_is_for_members_of_a_prepaid_group(cast: Cast, client_for: Callable[..., Client]) -> None:
    url = reverse("bank_my_account", args=[A])
    assert client_for(cast.member).get(url).status_code == 404  # not a prepaid group
    make_prepaid(cast.group_a)
    assert client_for(cast.member).get(url).status_code == 200
    assert client_for(cast.member_b).get(url).status_code == 403
    assert client_for(cast.producer_user).get(url).status_code == 404  # a producer has no basket


@pytest.fixture
def prepaid_day(cast: Cast) -> DayScene:
    make_prepaid(cast.group_a)
    scene = day_scene(cast)
    scene.cycle.refresh_from_db()
    return scene


def test_the_day_shows_prepaid_baskets_as_paid(
    prepaid_day: DayScene, client_for: Callable[..., Client]
) -> None:
    cast, cycle = prepaid_day.cast, prepaid_day.cycle
    cycle = type(cycle).objects.select_related("group").get(pk=cycle.pk)
    day = load_day(cycle)
    marie = next(h for h in day.households if h.member.pk == cast.member.pk)
    assert marie.due_cents > 0 and marie.left_cents == 0
    assert all(stand.paid_by_account and stand.left_cents == 0 for stand in marie.stands)
    desk = client_for(cast.coordinator).get(
        reverse("day_desk", args=[A, cycle.pk]) + f"?order={marie.order_id}"
    )
    assert "compte prépayé" in desk.content.decode()
    stand = client_for(cast.producer_user).get(
        reverse("day_stand_household", args=["fournil", cycle.pk, marie.order_id])
    )
    page = stand.content.decode()
    assert "compte prépayé" in page and 'id="pay-title"' not in page


def test_the_day_without_prepaid_asks_for_money(cast: Cast) -> None:
    scene = day_scene(cast)
    day = load_day(scene.cycle)
    assert all(h.left_cents == h.due_cents > 0 for h in day.households)


def test_low_balance_mail_once_a_week(cast: Cast, django_capture_on_commit_callbacks) -> None:
    make_prepaid(cast.group_a)
    top_up(cast, 300)  # under 0 + 10 €: low
    top_up(cast, 5000, cast.member2)  # plenty
    call_command("bank_low_balance")
    assert [m.to for m in mail.outbox] == [[cast.member.email]]
    assert topup_reference(cast.membership(cast.member)) in mail.outbox[0].body
    call_command("bank_low_balance")
    assert len(mail.outbox) == 1
    LowBalanceNotice.objects.update(sent_at=timezone.now() - timedelta(days=8))
    call_command("bank_low_balance")
    assert len(mail.outbox) == 2


def test_household_balances_read_in_one_query(cast: Cast, django_assert_num_queries) -> None:
    top_up(cast, 3000)
    top_up(cast, 700, cast.member2)
    context = ledger.Context(group=cast.group_a, by=cast.treasurer)
    ledger.refund(
        context, household=cast.member2, amount_cents=200, from_account=Account.BANK, method=Method.TRANSFER
    )
    with django_assert_num_queries(1):
        balances = positions.household_balances(cast.group_a)
    assert balances == {cast.member.pk: 3000, cast.member2.pk: 500}
    assert positions.household_balances(cast.group_b) == {}


def debit(client: Client, scene: DayScene):
    return client.post(reverse("bank_prepaid_debit", args=[A, scene.cycle.pk]), follow=True)


def test_baskets_paid_from_the_prepaid_accounts(
    prepaid_day: DayScene, client_for: Callable[..., Client]
) -> None:
    cast, cycle = prepaid_day.cast, prepaid_day.cycle
    top_up(cast, 3000)
    top_up(cast, 2000, cast.beneficiary)
    context = ledger.Context(group=cast.group_a, by=cast.coordinator, cycle=cycle)
    ledger.handover(context, household=cast.member, producer=cast.bakery, amount_cents=1040)
    ledger.handover(context, household=cast.member, producer=cast.dairy, amount_cents=1793)
    ledger.handover(context, household=cast.beneficiary, producer=cast.dairy, amount_cents=2500)
    ledger.handover(context, household=cast.member2, producer=cast.bakery, amount_cents=520)
    client = client_for(cast.treasurer)
    assert client.get(reverse("bank_prepaid_debit", args=[A, cycle.pk])).status_code == 405
    assert (
        client_for(cast.coordinator).post(reverse("bank_prepaid_debit", args=[A, cycle.pk])).status_code
        == 403
    )
    client = client_for(cast.treasurer)
    response = debit(client, prepaid_day)
    assert "2" in response.content.decode()

    money = positions.cycle_positions(cycle)
    assert money.household(cast.member.pk).owed_cents == 0  # paid from 30,00 €: 1,67 € left
    assert money.household(cast.beneficiary.pk).owed_by_producer() == {cast.dairy.pk: 500}  # 20 € of 25 €
    assert money.household(cast.member2.pk).owed_cents == 520  # nothing on its account
    # The association now owes the producers what the accounts paid.
    assert money.producer(cast.bakery.pk).association_owes_cents == 1040
    assert money.producer(cast.dairy.pk).association_owes_cents == 1793 + 2000
    assert positions.prepaid_pools(cast.group_a) == {cast.member.pk: 167}
    balances = positions.household_balances(cast.group_a)
    assert balances[cast.member.pk] == 167 and balances[cast.beneficiary.pk] == -500
    # The other half of each debit is the prepaid account, outside any cycle: the group sums to zero.
    assert money.total_cents == -(2833 + 2000)
    assert sum(p.total_cents for p in positions.group_positions(cast.group_a).values()) == 0

    # Again: nothing more to debit; after a top-up, only the rest.
    debit(client, prepaid_day)
    assert Entry.objects.filter(kind=EntryKind.PREPAID_DEBIT).count() == 2
    top_up(cast, 1000, cast.beneficiary)
    debit(client, prepaid_day)
    assert positions.cycle_positions(cycle).household(cast.beneficiary.pk).owed_cents == 0
    assert positions.prepaid_pools(cast.group_a)[cast.beneficiary.pk] == 500


def test_a_prepaid_debit_reversed_gives_the_credit_back(prepaid_day: DayScene) -> None:
    cast, cycle = prepaid_day.cast, prepaid_day.cycle
    top_up(cast, 3000)
    context = ledger.Context(group=cast.group_a, by=cast.coordinator, cycle=cycle)
    ledger.handover(context, household=cast.member, producer=cast.bakery, amount_cents=1040)
    entry = ledger.prepaid_debit(context, household=cast.member, shares={cast.bakery: 1040})
    assert positions.prepaid_pools(cast.group_a) == {cast.member.pk: 1960}
    ledger.reverse(context, entry=entry)
    assert positions.prepaid_pools(cast.group_a) == {cast.member.pk: 3000}
    assert positions.cycle_positions(cycle).household(cast.member.pk).owed_cents == 1040


def test_no_debit_without_prepaid(cast: Cast, client_for: Callable[..., Client]) -> None:
    scene = day_scene(cast)
    response = client_for(cast.treasurer).post(
        reverse("bank_prepaid_debit", args=[A, scene.cycle.pk]), follow=True
    )
    assert response.status_code == 200 and not Entry.objects.filter(kind=EntryKind.PREPAID_DEBIT).exists()
