"""A large cycle on a phone: ten products from four producers found, added and confirmed in under
a minute; the same without JavaScript comes back to the product tapped; every state scanned by axe.

The cycle has 4 producers of 30 products each (more than the page shows at once), so the page
opens on the member's basket, the producers and the categories.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from cabas.catalog.models import Category, Producer, Product, SaleUnit
from cabas.cycles import services as cycles
from cabas.cycles.models import Cycle, Order
from tests import scene
from tests.browser.helpers import blocking_violations, tr
from tests.browser.test_phone import PHONE, assert_no_sideways_scrolling
from tests.cast import Cast

pytestmark = pytest.mark.browser

FARMS = ("Fournil du Lauragais", "Ferme de la Bergerie", "Jardins de la Saune", "Rucher d'Auzielle")


@pytest.fixture
def big(cast: Cast) -> tuple[Cycle, list[Producer]]:
    made = scene.cycle(cast.group_a)
    farms = [cast.bakery, cast.dairy] + [scene.producer(cast.group_a, name) for name in FARMS[2:]]
    for index, farm in enumerate(farms):
        Product.objects.bulk_create(
            Product(
                producer=farm,
                name=f"{farm.name.split()[0]} produit {n:02d}",
                category=[Category.BREAD, Category.DAIRY, Category.VEGETABLES, Category.HONEY][index],
                unit=SaleUnit.PIECE,
                price_cents=150 + n * 10,
            )
            for n in range(30)
        )
    made.producers.add(*farms)
    cycles.sync_offers(cycle=made)
    return made, farms


def order_url(cycle: Cycle) -> str:
    return f"/g/saint-orens/cycles/{cycle.pk}/"


def tap_plus(page: Page, nth: int) -> None:
    button = page.locator("button.step[id^='plus-']").nth(nth)
    button.tap()
    expect(page.locator(".htmx-request")).to_have_count(0)


def test_ten_products_from_four_producers_in_under_a_minute_on_a_phone(page_as, cast: Cast, big) -> None:
    cycle, farms = big
    page = page_as(cast.member, **PHONE)
    started = time.monotonic()
    page.goto(order_url(cycle))
    expect(page.locator("tr[id^='offer-']")).to_have_count(0)  # not the whole catalogue
    assert_no_sideways_scrolling(page)
    for farm, count in zip(farms, (3, 3, 2, 2), strict=True):
        page.get_by_role("link", name=farm.name, exact=True).first.tap()
        expect(page.get_by_role("heading", name=farm.name)).to_be_visible()
        for nth in range(count):
            tap_plus(page, nth)
        page.get_by_role("link", name=tr("All producers and categories"), exact=True).tap()
    page.get_by_role("link", name=re.compile(re.escape(tr("My basket")))).first.tap()
    expect(page.locator("tr[id^='offer-']")).to_have_count(10)
    page.get_by_role("button", name=tr("Save and confirm my basket"), exact=True).tap()
    expect(page.locator("main .messages")).to_contain_text(
        tr("Your basket is saved. A confirmation e-mail is on its way.")
    )
    elapsed = time.monotonic() - started
    order = Order.objects.get(cycle=cycle, user=cast.member)
    assert order.submitted_at is not None
    assert order.lines.filter(requested__gt=0).count() == 10
    assert len({line.offer.producer_id for line in order.lines.select_related("offer")}) == 4
    assert elapsed < 60, f"{elapsed:.1f} s"


def test_search_finds_a_product_accents_ignored(page_as, cast: Cast, big) -> None:
    cycle, _farms = big
    page = page_as(cast.member, **PHONE)
    page.goto(order_url(cycle))
    page.get_by_role("searchbox", name=tr("Find a product")).fill("rucher produit 07")
    page.get_by_role("button", name=tr("Search"), exact=True).tap()
    expect(page.locator("tr[id^='offer-']")).to_have_count(1)
    expect(page.locator("tr[id^='offer-']")).to_contain_text("Rucher produit 07")


def test_without_javascript_a_plus_comes_back_to_the_product(page_as, cast: Cast, big) -> None:
    cycle, farms = big
    page = page_as(cast.member, java_script_enabled=False, **PHONE)
    page.goto(order_url(cycle))
    page.get_by_role("link", name=farms[2].name, exact=True).first.click()
    target = page.locator("button.step[id^='plus-']").nth(20)
    offer_id = (target.get_attribute("id") or "").removeprefix("plus-")
    target.click()
    expect(page).to_have_url(re.compile(rf"\?producer={farms[2].pk}#offer-{offer_id}$"))
    expect(page.locator(f"#offer-{offer_id}")).to_be_in_viewport()
    expect(page.locator(f"#q-{offer_id}")).to_have_value("1")


def test_every_state_of_the_order_page_passes_axe(page_as, cast: Cast, big) -> None:
    cycle, farms = big
    page = page_as(cast.member, bypass_csp=True, **PHONE)
    reports = []
    page.goto(order_url(cycle))
    reports.append(blocking_violations(page, "order page: basket, producers, categories"))
    page.goto(order_url(cycle) + f"?producer={farms[0].pk}")
    tap_plus(page, 0)
    reports.append(blocking_violations(page, "a producer's section, one line in the basket"))
    page.goto(order_url(cycle) + "?category=honey")
    reports.append(blocking_violations(page, "a category"))
    page.goto(order_url(cycle) + "?q=zzz")
    reports.append(blocking_violations(page, "a search that finds nothing"))
    page.goto(order_url(cycle) + "?view=basket")
    reports.append(blocking_violations(page, "the basket"))
    page.locator("input[id^='q-']").first.fill("abc")
    page.get_by_role("button", name=tr("Save and confirm my basket"), exact=True).tap()
    expect(page.locator("#basket-problems")).to_be_visible()
    reports.append(blocking_violations(page, "a refused confirmation"))
    assert not any(reports), "\n\n".join(report for report in reports if report)


def test_ten_products_from_four_producers_without_javascript_in_under_a_minute(
    page_as, cast: Cast, big
) -> None:
    """Each + sends the whole form and comes back to the product; the basket's count follows."""
    cycle, farms = big
    page = page_as(cast.member, java_script_enabled=False, **PHONE)
    started = time.monotonic()
    page.goto(order_url(cycle))
    added = 0
    for farm, count in zip(farms, (3, 3, 2, 2), strict=True):
        page.get_by_role("link", name=farm.name, exact=True).first.click()
        for nth in range(count):
            target = page.locator("button.step[id^='plus-']").nth(nth)
            offer_id = (target.get_attribute("id") or "").removeprefix("plus-")
            target.click()
            added += 1
            expect(page).to_have_url(re.compile(rf"\?producer={farm.pk}#offer-{offer_id}$"))
            expect(page.locator(f"#q-{offer_id}")).to_have_value("1")
            expect(page.locator("#basket-link")).to_contain_text(str(added))
        page.get_by_role("link", name=tr("All producers and categories"), exact=True).click()
    page.get_by_role("link", name=re.compile(re.escape(tr("My basket")))).first.click()
    expect(page.locator("tr[id^='offer-']")).to_have_count(10)
    page.get_by_role("button", name=tr("Save and confirm my basket"), exact=True).click()
    expect(page.locator("main .messages")).to_contain_text(
        tr("Your basket is saved. A confirmation e-mail is on its way.")
    )
    elapsed = time.monotonic() - started
    order = Order.objects.get(cycle=cycle, user=cast.member)
    assert order.submitted_at is not None
    assert order.lines.filter(requested__gt=0).count() == 10
    assert len({line.offer.producer_id for line in order.lines.select_related("offer")}) == 4
    assert elapsed < 60, f"{elapsed:.1f} s"


def test_a_plus_with_htmx_updates_the_row_and_the_basket_count(page_as, cast: Cast, big) -> None:
    cycle, farms = big
    page = page_as(cast.member, **PHONE)
    page.goto(order_url(cycle) + f"?producer={farms[1].pk}")
    tap_plus(page, 0)
    tap_plus(page, 1)
    expect(page.locator("#basket-link")).to_contain_text("2")
    expect(page).to_have_url(re.compile(rf"\?producer={farms[1].pk}$"))  # no reload
    expect(page.locator("#basket-total")).not_to_contain_text("0,00")


def test_the_other_states_pass_axe_too(page_as, cast: Cast, big) -> None:
    """A search that finds products, and the states a member without JavaScript sees."""
    cycle, farms = big
    reports = []
    page = page_as(cast.member, bypass_csp=True, **PHONE)
    page.goto(order_url(cycle) + "?q=produit+07")
    expect(page.locator("tr[id^='offer-']")).to_have_count(4)
    reports.append(blocking_violations(page, "a search that finds products"))
    nojs = page_as(cast.member2, java_script_enabled=False, bypass_csp=True, **PHONE)
    nojs.goto(order_url(cycle) + f"?producer={farms[3].pk}")
    nojs.locator("button.step[id^='plus-']").nth(3).click()
    expect(nojs.locator("main .messages")).to_be_visible()
    # axe needs a script: the page the member without JavaScript got is scanned as served.
    served, where = nojs.content(), nojs.url.split("#")[0]
    scan = page_as(cast.member2, bypass_csp=True, **PHONE)
    scan.route(lambda url: url == where, lambda route: route.fulfill(body=served, content_type="text/html"))
    scan.goto(nojs.url)
    expect(scan.locator("main .messages")).to_be_visible()
    reports.append(blocking_violations(scan, "without JavaScript, back at the product after a +"))
    assert not any(reports), "\n\n".join(report for report in reports if report)
