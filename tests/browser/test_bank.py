"""A treasurer imports the bank statement in a browser: upload, check the preview, record it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cabas.bank.models import StatementImport, Status
from cabas.cycles.baskets import slip_numbers
from cabas.cycles.models import Order
from cabas.ledger import positions
from cabas.ledger import services as ledger
from tests.browser.helpers import assert_accessible, tr
from tests.day_fixtures import DayScene, day_scene

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(cast) -> DayScene:
    scene = day_scene(cast)
    context = ledger.Context(group=cast.group_a, by=cast.coordinator, cycle=scene.cycle)
    ledger.handover(context, household=cast.member, producer=cast.bakery, amount_cents=1040)
    return scene


def test_upload_preview_and_record_a_statement(page_as, scene: DayScene, tmp_path: Path) -> None:
    cast, cycle = scene.cast, scene.cycle
    order = Order.objects.get(cycle=cycle, user=cast.member)
    reference = f"CABAS-{cycle.pk}-{slip_numbers(cycle)[order.pk]}"
    statement = tmp_path / "releve.csv"
    statement.write_bytes(
        (
            "Date;Libellé;Débit euros;Crédit euros;\r\n"
            f'02/12/2026;"VIR MARIE MEMBRE {reference}";;10,40;\r\n'
            '03/12/2026;"VIR INCONNU";;5,00;\r\n'
            '04/12/2026;"FRAIS BANCAIRES";3,20;;\r\n'
        ).encode("cp1252")
    )
    page: Page = page_as(cast.treasurer, bypass_csp=True)
    page.goto(f"/g/{cast.group_a.slug}/")
    page.get_by_role("link", name=tr("Bank statements")).first.click()
    assert_accessible(page, "bank statements")
    page.locator("#statement").set_input_files(str(statement))
    page.get_by_role("button", name=tr("Read the statement")).click()

    expect(page.locator("h1")).to_have_text(tr("Check the statement before recording it"))
    imported = StatementImport.objects.get()
    marie, unknown, _fees = imported.lines.order_by("position")
    expect(page.locator(f"#what-{marie.pk}")).to_have_value(f"cycle-{cycle.pk}")
    expect(page.locator(f"#who-{marie.pk}")).to_have_value(str(cast.member.pk))
    expect(page.locator(f"#line-{marie.pk}")).to_contain_text("10,40")
    assert_accessible(page, "statement preview")
    assert positions.cycle_positions(cycle).household(cast.member.pk).owed_cents == 1040  # nothing yet

    page.get_by_role("button", name=tr("Record the statement")).click()
    expect(page.locator("main .messages")).to_contain_text(
        tr("The statement is recorded. Lines left to reconcile stay listed.")
    )
    assert positions.cycle_positions(cycle).household(cast.member.pk).owed_cents == 0
    unknown.refresh_from_db()
    assert unknown.status == Status.UNMATCHED

    page.get_by_role("link", name=tr("reconcile"), exact=True).click()
    expect(page.locator(f"#line-{unknown.pk}")).to_contain_text("VIR INCONNU")
    assert_accessible(page, "lines to reconcile")
    page.locator(f"#what-{unknown.pk}").select_option(f"cycle-{cycle.pk}")
    page.locator(f"#who-{unknown.pk}").select_option(str(cast.member2.pk))
    page.get_by_role("button", name=tr("Record"), exact=True).click()
    expect(page.locator("main .messages")).to_contain_text(tr("The line is reconciled."))
    expect(page.locator("main")).to_contain_text(tr("Nothing to reconcile."))
