"""The treasurer's settlement of a cycle: the board, each action, the settle step, reminders.

Every figure is checked to the cent against the ledger's positions; every
refused form leaves the ledger as it was.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabas.accounts import services as accounts
from cabas.accounts.models import Role
from cabas.cycles.models import CycleEvent, Phase, Step
from cabas.ledger import positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Line, Method
from cabas.settlement import services
from cabas.settlement.models import Reminder
from tests.cast import Cast, person
from tests.cycle_fixtures import make_cycle
from tests.settlement_fixtures import Settling, settling

A = "saint-orens"


@pytest.fixture
def scene(cast: Cast) -> Settling:
    return settling(cast)


def url(scene: Settling, name: str, **extra: Any) -> str:
    return reverse(name, kwargs={"slug": A, "pk": scene.cycle.pk, **extra})


def money(scene: Settling) -> positions.Positions:
    return positions.cycle_positions(scene.cycle)


def ledger_state() -> tuple[int, int]:
    return Entry.objects.count(), Line.objects.count()


def form(prefix: str, **fields: Any) -> dict[str, Any]:
    data = {f"{prefix}-token": str(fields.pop("token", uuid.uuid4()))}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


@pytest.fixture
def treasurer(scene: Settling, client_for) -> Client:
    return client_for(scene.cast.treasurer)


# --- The scene's money, as the board reads it -------------------------------------------------


def test_the_scene_money(scene: Settling) -> None:
    c = scene.cast
    m = money(scene)
    assert m.households[c.member.pk].owed_cents == 380
    assert m.households[c.member2.pk].owed_cents == 0
    assert m.households[c.beneficiary.pk].owed_cents == 1020
    assert m.households[c.treasurer.pk].owed_cents == -80
    assert m.producers[c.bakery.pk].association_owes_cents == 1040
    assert m.producers[c.dairy.pk].association_owes_cents == 900
    assert m.producers[c.dairy.pk].members_owe_cents == 380 + 1020
    assert m.desk_cents == 2020
    assert scene.cycle.phase() == Phase.DISTRIBUTED


def test_board_shows_producers_households_and_cheques(scene: Settling, treasurer: Client) -> None:
    response = treasurer.get(url(scene, "settlement_board"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fournil du Lauragais" in page and "Ferme de la Bergerie" in page
    assert "Bernadette Bénéficiaire" in page
    assert "10,20\u00a0€" in page  # what Bernadette owes
    assert "1234567" in page and "La Banque Postale" in page  # the desk's cheque
    assert f"CABAS-{scene.cycle.pk}-" in page
    assert "Relancer les 2 foyers" in page  # Marie and Bernadette owe
    assert "crédit 0,80\u00a0€" in page


def test_board_query_count_does_not_grow_with_households(cast: Cast, client_for) -> None:
    scene = settling(cast)
    client = client_for(cast.treasurer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(scene, "settlement_board")).status_code == 200
        return len(queries)

    small = count()
    context = ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=scene.cycle)
    for n in range(30):
        member = person(f"foyer{n}@example.org", f"Foyer {n}")
        accounts.add_member(group=cast.group_a, user=member)
        ledger.handover(context, household=member, producer=cast.bakery, amount_cents=300 + n)
        ledger.desk_payment(context, household=member, shares={cast.bakery: 100}, method=Method.CHEQUE)
        services.remind  # noqa: B018  (the board reads reminders in one query too)
        Reminder.objects.create(cycle=scene.cycle, household=member)
    assert count() == small


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("treasurer", 200), ("site_admin", 200), ("coordinator", 403), ("member", 403), ("coordinator_b", 403)],
)
def test_only_treasurers_see_the_board(scene: Settling, client_for, who: str, status: int) -> None:
    client = client_for(getattr(scene.cast, who))
    assert client.get(url(scene, "settlement_board")).status_code == status
    assert client.get(reverse("settlement_treasury", args=[A])).status_code == status


def test_another_groups_cycle_is_404(scene: Settling, client_for) -> None:
    cast = scene.cast
    accounts.add_member(group=cast.group_b, user=cast.treasurer, roles=[Role.MEMBER, Role.TREASURER])
    client = client_for(cast.treasurer)
    assert client.get(reverse("settlement_board", args=["balma", scene.cycle.pk])).status_code == 404
    before = ledger_state()
    response = client.post(
        reverse("settlement_transfer", args=["balma", scene.cycle.pk]),
        form("transfer", household=cast.beneficiary.pk, amount="10,20"),
    )
    assert response.status_code == 404
    assert ledger_state() == before


def test_an_entry_of_another_cycle_is_404(scene: Settling, treasurer: Client, cast: Cast) -> None:
    other = make_cycle(cast.group_a, name="Autre", phase="finalised")
    entry = ledger.handover(
        ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=other),
        household=cast.member,
        producer=cast.bakery,
        amount_cents=100,
    )
    assert treasurer.get(url(scene, "settlement_correct", entry_pk=entry.pk)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "settlement_transfer",
        "settlement_deposit",
        "settlement_producer_payment",
        "settlement_writeoff",
        "settlement_refund",
        "settlement_remind",
        "settlement_settle",
    ],
)
def test_actions_refuse_get(scene: Settling, treasurer: Client, name: str) -> None:
    assert treasurer.get(url(scene, name)).status_code == 405


# --- Actions ----------------------------------------------------------------------------------


def test_transfer_pays_what_is_owed_and_keeps_the_rest_as_credit(scene: Settling, treasurer: Client) -> None:
    c = scene.cast
    response = treasurer.post(
        url(scene, "settlement_transfer"), form("transfer", household=c.beneficiary.pk, amount="12,5")
    )
    assert response.status_code == 302
    m = money(scene)
    assert m.households[c.beneficiary.pk].owed_cents == -230
    assert m.households[c.beneficiary.pk].part(c.dairy.pk).owed_cents == 0
    assert m.bank_cents == 1250
    assert m.producers[c.dairy.pk].association_owes_cents == 900 + 1020


def test_double_submit_posts_once(scene: Settling, treasurer: Client) -> None:
    data = form("transfer", household=scene.cast.member.pk, amount="3,80")
    assert treasurer.post(url(scene, "settlement_transfer"), data).status_code == 302
    before = ledger_state()
    assert treasurer.post(url(scene, "settlement_transfer"), data).status_code == 302
    assert ledger_state() == before
    assert money(scene).bank_cents == 380


@pytest.mark.parametrize(
    ("typed", "cents"), [("12,5", 1250), ("12.50 €", 1250), ("1 000", 100000), ("0,05", 5)]
)
def test_amounts_are_read_the_french_way(scene: Settling, treasurer: Client, typed: str, cents: int) -> None:
    treasurer.post(
        url(scene, "settlement_transfer"), form("transfer", household=scene.cast.member.pk, amount=typed)
    )
    assert money(scene).bank_cents == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12,555", "au plus deux décimales"),
        ("-5", "supérieur à zéro"),
        ("0", "supérieur à zéro"),
        ("douze", "au plus deux décimales"),
        ("1000000", "trop élevé"),
        ("", "obligatoire"),
    ],
)
def test_a_refused_amount_changes_nothing(
    scene: Settling, treasurer: Client, typed: str, message: str
) -> None:
    before = ledger_state()
    response = treasurer.post(
        url(scene, "settlement_transfer"), form("transfer", household=scene.cast.member.pk, amount=typed)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ledger_state() == before


def test_deposit_of_the_desk_cheques(scene: Settling, treasurer: Client) -> None:
    page = treasurer.get(url(scene, "settlement_board")).content.decode()
    assert 'value="14,20"' in page  # prefilled: the cheque not yet deposited
    assert (
        treasurer.post(
            url(scene, "settlement_deposit"), form("deposit", amount="14,20", method="cheque")
        ).status_code
        == 302
    )
    m = money(scene)
    assert (m.desk_cents, m.bank_cents) == (600, 1420)
    refused = treasurer.post(url(scene, "settlement_deposit"), form("deposit", amount="6,01", method="cash"))
    assert (
        "L’accueil ne détient que 6,00" in refused.content.decode()
        or "ne détient que" in refused.content.decode()
    )
    assert money(scene).desk_cents == 600


def test_pay_a_producer_from_the_bank_or_the_desk(scene: Settling, treasurer: Client) -> None:
    c = scene.cast
    page = treasurer.get(url(scene, "settlement_board") + f"?producer={c.bakery.pk}").content.decode()
    assert 'value="10,40"' in page
    data = form("producer_payment", producer=c.bakery.pk, amount="10,40", from_account="desk", method="cash")
    assert treasurer.post(url(scene, "settlement_producer_payment"), data).status_code == 302
    m = money(scene)
    assert m.producers[c.bakery.pk].association_owes_cents == 0
    assert m.producers[c.bakery.pk].association_paid_cents == 1040
    assert m.desk_cents == 2020 - 1040
    too_much = form(
        "producer_payment", producer=c.dairy.pk, amount="9,01", from_account="bank", method="transfer"
    )
    response = treasurer.post(url(scene, "settlement_producer_payment"), too_much)
    assert response.status_code == 200 and "doit 9,00" in response.content.decode()


def test_writeoff_needs_a_reason_and_a_confirmation_above_the_limit(
    scene: Settling, treasurer: Client
) -> None:
    c = scene.cast
    before = ledger_state()
    no_reason = form("writeoff", household=c.member.pk, producer=c.dairy.pk, amount="0,30", reason="")
    assert treasurer.post(url(scene, "settlement_writeoff"), no_reason).status_code == 200
    large = form("writeoff", household=c.beneficiary.pk, amount="10,20", reason="Déménagé")
    response = treasurer.post(url(scene, "settlement_writeoff"), large)
    assert "confirmation" in response.content.decode()
    assert ledger_state() == before
    small = form("writeoff", household=c.member.pk, producer=c.dairy.pk, amount="0,30", reason="Arrondi")
    assert treasurer.post(url(scene, "settlement_writeoff"), small).status_code == 302
    confirmed = {**large, "writeoff-confirm": "on"}
    assert treasurer.post(url(scene, "settlement_writeoff"), confirmed).status_code == 302
    m = money(scene)
    assert m.households[c.member.pk].owed_cents == 350
    assert m.households[c.beneficiary.pk].owed_cents == 0
    assert m.writeoff_cents == 30 + 1020
    assert Entry.objects.filter(kind=EntryKind.WRITEOFF, memo="Déménagé").exists()
    more = form("writeoff", household=c.member.pk, producer=c.dairy.pk, amount="3,51", reason="x")
    assert "ne doit que 3,50" in treasurer.post(url(scene, "settlement_writeoff"), more).content.decode()


def test_refund_a_credit_never_more(scene: Settling, treasurer: Client) -> None:
    c = scene.cast
    too_much = form("refund", household=c.treasurer.pk, amount="0,81", from_account="desk", method="cash")
    assert treasurer.post(url(scene, "settlement_refund"), too_much).status_code == 200
    data = form("refund", household=c.treasurer.pk, amount="0,80", from_account="desk", method="cash")
    assert treasurer.post(url(scene, "settlement_refund"), data).status_code == 302
    assert money(scene).households[c.treasurer.pk].owed_cents == 0
    assert money(scene).desk_cents == 2020 - 80


def test_correct_an_entry(scene: Settling, treasurer: Client) -> None:
    c = scene.cast
    treasurer.post(
        url(scene, "settlement_transfer"), form("transfer", household=c.beneficiary.pk, amount="12,20")
    )
    entry = Entry.objects.get(kind=EntryKind.BANK_TRANSFER)
    assert treasurer.get(url(scene, "settlement_correct", entry_pk=entry.pk)).status_code == 200
    no_reason = {"token": str(uuid.uuid4()), "amount": "10,20", "reason": ""}
    assert treasurer.post(url(scene, "settlement_correct", entry_pk=entry.pk), no_reason).status_code == 200
    data = {"token": str(uuid.uuid4()), "amount": "10,20", "reason": "Relevé : 10,20 €"}
    assert treasurer.post(url(scene, "settlement_correct", entry_pk=entry.pk), data).status_code == 302
    assert (
        treasurer.post(url(scene, "settlement_correct", entry_pk=entry.pk), data).status_code == 302
    )  # twice
    m = money(scene)
    assert m.bank_cents == 1020 and m.households[c.beneficiary.pk].owed_cents == 0
    assert Entry.objects.filter(reverses=entry).count() == 1
    assert Entry.objects.filter(corrects=entry).count() == 1
    again = {"token": str(uuid.uuid4()), "amount": "9,00", "reason": "encore"}
    response = treasurer.post(url(scene, "settlement_correct", entry_pk=entry.pk), again)
    assert response.status_code == 200 and "déjà été corrigée" in response.content.decode()


def balance_everything(scene: Settling, client: Client) -> None:
    c = scene.cast
    steps = [
        ("settlement_transfer", form("transfer", household=c.beneficiary.pk, amount="10,20")),
        ("settlement_transfer", form("transfer", household=c.member.pk, amount="3,75")),
        (
            "settlement_writeoff",
            form("writeoff", household=c.member.pk, producer=c.dairy.pk, amount="0,05", reason="Arrondi"),
        ),
        (
            "settlement_refund",
            form("refund", household=c.treasurer.pk, amount="0,80", from_account="desk", method="cash"),
        ),
        ("settlement_deposit", form("deposit", amount="14,20", method="cheque")),
        (
            "settlement_producer_payment",
            form("producer_payment", producer=c.bakery.pk, amount="5,20", from_account="desk", method="cash"),
        ),
        (
            "settlement_producer_payment",
            form(
                "producer_payment",
                producer=c.bakery.pk,
                amount="5,20",
                from_account="bank",
                method="transfer",
            ),
        ),
        (
            "settlement_producer_payment",
            form(
                "producer_payment",
                producer=c.dairy.pk,
                amount="23,00",
                from_account="bank",
                method="transfer",
            ),
        ),
    ]
    for name, data in steps:
        response = client.post(url(scene, name), data)
        assert response.status_code == 302, (name, response.content.decode()[-3000:])


def test_settle_only_when_everything_balances(scene: Settling, treasurer: Client) -> None:
    response = treasurer.post(url(scene, "settlement_settle"), follow=True)
    page = response.content.decode()
    assert "ne sont pas encore équilibrés" in page
    assert "Bernadette Bénéficiaire doit encore 10,20" in page
    scene.cycle.refresh_from_db()
    assert scene.cycle.settled_at is None
    balance_everything(scene, treasurer)
    m = money(scene)
    assert m.balanced and m.total_cents == 0
    assert (m.desk_cents, m.bank_cents) == (0, 1020 + 375 + 1420 - 520 - 2300)
    assert treasurer.post(url(scene, "settlement_settle")).status_code == 302
    scene.cycle.refresh_from_db()
    assert scene.cycle.phase() == Phase.SETTLED
    assert (
        CycleEvent.objects.filter(cycle=scene.cycle, step=Step.SETTLE, by=scene.cast.treasurer).count() == 1
    )
    # Settled: only corrections.
    again = treasurer.post(url(scene, "settlement_settle"), follow=True).content.decode()
    assert "déjà été réglé" in again
    before = ledger_state()
    refused = treasurer.post(
        url(scene, "settlement_transfer"), form("transfer", household=scene.cast.member.pk, amount="1")
    )
    assert refused.status_code == 200 and "réglé" in refused.content.decode()
    assert ledger_state() == before
    entry = Entry.objects.filter(kind=EntryKind.WRITEOFF).get()
    data = {"token": str(uuid.uuid4()), "amount": "0,04", "reason": "Un centime de trop"}
    assert treasurer.post(url(scene, "settlement_correct", entry_pk=entry.pk), data).status_code == 302
    board = treasurer.get(url(scene, "settlement_board")).content.decode()
    assert "Un centime de trop" in board and "remplace" in board
    assert money(scene).households[scene.cast.member.pk].owed_cents == 1


def test_actions_wait_for_the_day_to_close(cast: Cast, client_for) -> None:
    scene = settling(cast, close=False)
    client = client_for(cast.treasurer)
    assert client.get(url(scene, "settlement_board")).status_code == 200
    before = ledger_state()
    response = client.post(
        url(scene, "settlement_transfer"), form("transfer", household=cast.member.pk, amount="3,80")
    )
    assert "pas encore clôturée" in response.content.decode()
    assert ledger_state() == before
    client.post(url(scene, "settlement_settle"))
    scene.cycle.refresh_from_db()
    assert scene.cycle.settled_at is None


# --- Reminders --------------------------------------------------------------------------------


def test_reminders_go_to_those_who_owe_at_most_once_a_week(
    scene: Settling, treasurer: Client, django_capture_on_commit_callbacks
) -> None:
    c = scene.cast
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert treasurer.post(url(scene, "settlement_remind")).status_code == 302
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([c.member.email, c.beneficiary.email])
    body = next(m.body for m in mail.outbox if c.beneficiary.email in m.to)
    assert "10,20" in body and "Ferme de la Bergerie" in body and f"CABAS-{scene.cycle.pk}-" in body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        treasurer.post(url(scene, "settlement_remind"))
    assert mail.outbox == []
    # A week later, Bernadette has paid: only Marie.
    services.record_transfer(
        cycle=scene.cycle, household=c.beneficiary, amount_cents=1020, memo="", by=c.treasurer, key="t1"
    )
    Reminder.objects.update(sent_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        treasurer.post(url(scene, "settlement_remind"))
    assert [m.to for m in mail.outbox] == [[c.member.email]]
    assert Reminder.objects.get(household=c.member).count == 2


def test_the_settle_check_lists_what_is_outstanding(scene: Settling) -> None:
    with pytest.raises(services.SettlementError) as refused:
        services.settle(cycle=scene.cycle, by=scene.cast.treasurer)
    assert "Bernadette" in str(refused.value)


def test_deposit_and_payments_refuse_wrong_accounts(scene: Settling) -> None:
    with pytest.raises(services.SettlementError):
        services.record_deposit(
            cycle=scene.cycle, amount_cents=100, method=Method.CARD, memo="", by=scene.cast.treasurer, key="k"
        )
    with pytest.raises(services.SettlementError):
        services.pay_producer(
            cycle=scene.cycle,
            producer=scene.cast.bakery,
            amount_cents=100,
            from_account=Account.FUND,
            method=Method.CASH,
            memo="",
            by=scene.cast.treasurer,
            key="k2",
        )
