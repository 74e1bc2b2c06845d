"""The demo that `./bin/demo` starts, clicked through as its people would."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cabas.cycles.models import Order
from tests.browser.helpers import log_in_with_password, tr

PASSWORD = "cabas-demo"


@pytest.fixture
def demo(transactional_db) -> None:
    # A smaller group than the default, same code path: cycles, catalogues, baskets.
    call_command("seed_demo", households=60, producers=6, verbosity=0)


def test_demo_member_orders_in_the_open_cycle(demo, new_context) -> None:
    page = new_context().new_page()
    log_in_with_password(page, "membre@demo.cabas.localhost", PASSWORD)
    page.goto("/g/saint-orens/")
    page.get_by_role("link", name=tr("Order"), exact=True).first.click()
    page.wait_for_load_state("load")
    expect(page.locator("#basket-total")).to_contain_text("0,00")
    plus = page.locator("button.step").filter(has_text="+").first
    plus.click()
    expect(page.locator("#basket-total")).not_to_contain_text(" 0,00")
    page.get_by_role("button", name=tr("Save and confirm my basket"), exact=True).click()
    expect(page.locator("main .messages")).to_contain_text(
        tr("Your basket is saved. A confirmation e-mail is on its way.")
    )
    order = Order.objects.get(
        user__email="membre@demo.cabas.localhost",
        submitted_at__isnull=False,
        cycle__closes_at__gt=timezone.now(),
    )
    assert order.total_cents() > 0


def test_demo_coordinator_and_producer_pages(demo, new_context) -> None:
    page = new_context().new_page()
    log_in_with_password(page, "coordination@demo.cabas.localhost", PASSWORD)
    page.goto("/g/saint-orens/manage/cycles/")
    expect(page.locator("main table")).to_contain_text(tr("Open for orders"))
    page = new_context().new_page()
    log_in_with_password(page, "producteur@demo.cabas.localhost", PASSWORD)
    page.get_by_role("link", name=tr("My farm")).click()
    expect(page.locator("table.products tbody tr").first).to_be_visible()
