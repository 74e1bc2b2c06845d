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
    # 449 products: the page opens on the producers and categories, one tap from any of them.
    page.locator("#by-producer ~ ul a").first.click()
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
    # Every proposal at once: what it will change is shown first, then confirmed.
    page.get_by_role("link", name=tr("Accept all proposals")).click()
    page.get_by_role("button", name=tr("Accept all these proposals")).click()
    expect(page.locator("main .messages")).to_be_visible()
    expect(page.locator('[data-rounding="fill"]')).to_have_count(0)
    page.get_by_role("link", name=tr("Documents"), exact=True).first.click()
    # Tasks run at once in tests: the answer comes once every document is built.
    page.get_by_role("button", name=tr("Generate the documents")).click(timeout=120_000)
    expect(page.locator("#documents-state")).to_contain_text(
        tr("They show the orders as they are now."), timeout=60_000
    )
    expect(page.get_by_role("button", name=tr("Send to producers"))).to_be_enabled()
    assert page.locator("a[href*='/documents/files/']").count() == 6 + 4 * 5  # whole cycle, 4 producers


def test_demo_distribution_day_from_the_links(small_demo, new_context) -> None:
    """The demo's cycle in the middle of its day, reached by clicking as its people would:
    the coordinator's live view and desk, the producer's stand, a member's own day."""
    from cabas.cycles.models import Cycle
    from cabas.distribution.services import is_day_open

    (day,) = [cycle for cycle in Cycle.objects.filter(group__slug="saint-orens") if is_day_open(cycle)]
    page = new_context().new_page()
    log_in_with_password(page, "coordination@demo.cabas.localhost", PASSWORD)
    page.goto(f"/g/saint-orens/manage/cycles/{day.pk}/")
    page.locator("main").get_by_role("link", name=tr("Distribution day: the live view")).first.click()
    expect(page.locator("h1")).to_contain_text(day.name)
    page.locator("main").get_by_role("link", name=tr("Welcome desk")).first.click()
    expect(page.locator("[data-day-scope=desk]")).to_be_visible()

    producer = new_context().new_page()
    log_in_with_password(producer, "producteur@demo.cabas.localhost", PASSWORD)
    producer.goto("/producers/")
    producer.get_by_role("link", name=tr("Distribution day: my stand")).first.click()
    expect(producer.locator("[data-day-scope=stand]")).to_be_visible()

    buyer = Order.objects.filter(cycle=day, lines__quantity__gt=0).select_related("user").first()
    assert buyer is not None
    member = new_context().new_page()
    log_in_with_password(member, buyer.user.email, PASSWORD)
    member.goto("/g/saint-orens/")
    member.get_by_role(
        "link", name=tr("My distribution: what I received and what is left to pay")
    ).first.click()
    expect(member.locator("[data-day-scope=member]")).to_be_visible()
    expect(member.locator("main")).to_contain_text("€")
