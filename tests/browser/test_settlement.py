"""The treasurer takes a distributed cycle from « payments everywhere » to « settled », in a browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cabas.cycles.models import Phase
from cabas.ledger.positions import cycle_positions
from tests.browser.helpers import assert_accessible, tr
from tests.settlement_fixtures import Settling, settling

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(cast) -> Settling:
    return settling(cast)


def message(page: Page):
    return page.locator("main .messages")


def row(page: Page, name: str):
    return page.locator("#households-caption").locator("xpath=..").locator("tr").filter(has_text=name)


def submit(page: Page, label: str) -> None:
    page.get_by_role("button", name=tr(label), exact=True).click()


def test_the_treasurer_settles_a_cycle(page_as, scene: Settling) -> None:
    c = scene.cast
    page = page_as(c.treasurer, bypass_csp=True)
    page.goto("/g/saint-orens/")
    page.get_by_role("link", name=tr("Treasury")).click()
    page.get_by_role("link", name=scene.cycle.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tr("Settlement"))
    assert_accessible(page, "settlement board")

    # Bernadette's transfer came in: from her row, the form is filled with what she owes.
    row(page, "Bernadette").get_by_role("link", name=tr("Record a transfer")).click()
    expect(page.locator("#id_transfer-amount")).to_have_value("10,20")
    submit(page, "Record the transfer")
    expect(message(page)).to_contain_text("Virement de 10,20 € de Bernadette Bénéficiaire enregistré.")

    # Marie transferred 3,75 € of her 3,80 €: a mistyped amount first, then the rest written off.
    row(page, "Marie").get_by_role("link", name=tr("Record a transfer")).click()
    page.locator("#id_transfer-amount").fill("3,755")
    submit(page, "Record the transfer")
    expect(page.locator("#id_transfer-amount_error")).to_contain_text("au plus deux décimales")
    page.locator("#id_transfer-amount").fill("3,75")
    submit(page, "Record the transfer")
    expect(message(page)).to_contain_text("Virement de 3,75 €")
    row(page, "Marie").get_by_role("link", name=tr("Write off the rest")).click()
    expect(page.locator("#id_writeoff-amount")).to_have_value("0,05")
    page.locator("#id_writeoff-reason").fill("Arrondi du virement")
    submit(page, "Write off")
    expect(message(page)).to_contain_text("0,05 € passés en perte pour Marie Membre.")

    # Théo paid the desk 0,80 € too much: given back from the desk's cash.
    row(page, "Théo").get_by_role("link", name=tr("Refund the credit")).click()
    expect(page.locator("#id_refund-amount")).to_have_value("0,80")
    page.locator("#id_refund-from_account").select_option("desk")
    page.locator("#id_refund-method").select_option("cash")
    submit(page, "Record the refund")
    expect(message(page)).to_contain_text("Remboursement de 0,80 €")

    # The desk's cheque is deposited; then the producers are paid what the association owes them.
    expect(page.locator("#deposit")).to_contain_text("1234567")
    expect(page.locator("#id_deposit-amount")).to_have_value("14,20")
    submit(page, "Record the deposit")
    expect(message(page)).to_contain_text("Remise en banque de 14,20 € enregistrée.")
    for producer, amount in ((c.bakery, "10,40"), (c.dairy, "23,00")):
        page.get_by_role("link", name=f"{tr('Pay the producer')} {producer.name}").click()
        expect(page.locator("#id_producer_payment-amount")).to_have_value(amount)
        submit(page, "Record the payment")
        expect(message(page)).to_contain_text(f"Paiement de {amount} € à {producer.name} enregistré.")

    # Everything balances: settle.
    submit(page, "Settle the cycle")
    expect(message(page)).to_contain_text(
        tr("The cycle is settled. Its money now changes only by corrections.")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(tr("Settled"))
    expect(page.locator("#transfer")).to_have_count(0)
    assert_accessible(page, "settled board")
    scene.cycle.refresh_from_db()
    assert scene.cycle.phase() == Phase.SETTLED
    money = cycle_positions(scene.cycle)
    assert money.balanced and money.total_cents == 0
    assert money.desk_cents == 600 - 80  # the cash kept in the desk's box
