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


@pytest.fixture
def small_demo(transactional_db) -> None:
    # Smaller still: every document is rendered (PDFs included) while the test waits.
    call_command("seed_demo", households=30, producers=4, verbosity=0)


def test_demo_coordinator_rounds_cartons_and_prepares_the_documents(small_demo, new_context) -> None:
    """The demo's closed cycle shows the closing: cartons to fill from tolerances, then the documents."""
    page = new_context().new_page()
    log_in_with_password(page, "coordination@demo.cabas.localhost", PASSWORD)
    page.goto("/g/saint-orens/manage/cycles/")
    closed = page.locator("main table tbody tr").filter(has_text=tr("Closed (adjustments)"))
    closed.get_by_role("link").first.click()
    page.get_by_role("link", name=tr("Round the cartons")).click()
    to_fill = page.locator("section.panel").filter(has=page.locator('[data-rounding="fill"]')).first
    expect(to_fill).to_be_visible()
    to_fill.locator("form button[type=submit]").first.click()
    expect(page.locator("main .messages")).to_be_visible()
    page.get_by_role("link", name=tr("Documents"), exact=True).first.click()
    # Tasks run at once in tests: the answer comes once every document is built.
    page.get_by_role("button", name=tr("Generate the documents")).click(timeout=120_000)
    expect(page.locator("#documents-state")).to_contain_text(
        tr("They show the orders as they are now."), timeout=60_000
    )
    expect(page.get_by_role("button", name=tr("Send to producers"))).to_be_enabled()
    assert page.locator("a[href*='/documents/files/']").count() == 6 + 4 * 5  # whole cycle, 4 producers
