"""Ordering in a real browser: a member's basket across three producers, with and without
JavaScript, a coordinator ordering on a member's behalf, and axe scans of the ordering pages.

The cycle « Cabas de juin » of group A is open, with offers from three producers: the
bakery (« Fournil du Lauragais »: bread, and brioche capped at 3 first-come), the dairy
(« Ferme de la Bergerie »: tomme of variable weight) and a market garden (« Jardins de
la Saune »: carrots and courgettes by the kg, in steps of 0,5). Texts are looked up in
the app's catalogue (``tr``), amounts and quantities formatted by the app's own functions.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cabas.catalog.models import Category, Producer, ProducerAccount, SaleUnit
from cabas.cycles.models import ChangeKind, Cycle, Offer, Order, OrderChange
from cabas.cycles.ordering import LineChange, save_basket
from cabas.lib.money import format_cents
from tests.browser.helpers import blocking_violations, emails_to, tr
from tests.browser.test_phone import PHONE, assert_no_sideways_scrolling
from tests.cycle_fixtures import make_offer, make_producer, stored_lines
from tests.scene import Shop

pytestmark = pytest.mark.browser

GROUP = "/g/saint-orens/"


def euros(cents: int) -> str:
    return format_cents(cents, "fr")


@dataclass
class Market(Shop):
    """The shop, and a market gardener selling vegetables by the half-kilo."""

    garden: Producer
    carrots: Offer
    courgettes: Offer


@pytest.fixture(name="shop")
def market(shop: Shop) -> Market:
    garden = make_producer(shop.group_a, "Jardins de la Saune")

    def kilos(name: str, price_cents: int) -> Offer:
        return make_offer(
            shop.cycle,
            garden,
            name,
            price_cents=price_cents,
            unit=SaleUnit.KG,
            category=Category.VEGETABLES,
            quantity_step=500,
        )

    return Market(
        **{field.name: getattr(shop, field.name) for field in dataclasses.fields(Shop)},
        garden=garden,
        carrots=kilos("Carottes", 280),
        courgettes=kilos("Courgettes", 320),
    )


def order_url(shop: Market) -> str:
    return f"{GROUP}cycles/{shop.cycle.pk}/"


# --- Finding things on the order page --------------------------------------------------


def row(page: Page, offer: Offer):
    return page.locator(f"#offer-{offer.pk}")


def box(page: Page, offer: Offer):
    return page.get_by_label(f"{tr('Quantity of')} {offer.name}", exact=True)


def plus(page: Page, offer: Offer):
    return page.get_by_role("button", name=f"{tr('One step more of')} {offer.name}", exact=True)


def minus(page: Page, offer: Offer):
    return page.get_by_role("button", name=f"{tr('One step less of')} {offer.name}", exact=True)


def amount(page: Page, offer: Offer):
    return row(page, offer).locator("td.amount")


def producer_total(page: Page, producer):
    return page.locator(f"#producer-total-{producer.pk}")


def basket_total(page: Page):
    return page.locator("#basket-total")


def settled(page: Page) -> None:
    """Wait until htmx has sent its request, swapped the row and wired up the new one.

    htmx attaches its handlers to swapped-in content only after its settle delay: a
    button pressed before that submits the whole form the old way.
    """
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def press(page: Page, button) -> None:
    """Press a button that changes one line (htmx), tapping on a touch screen."""
    if page.viewport_size and page.viewport_size["width"] < 600:
        button.tap()
    else:
        button.click()
    settled(page)


def type_quantity(page: Page, offer: Offer, text: str) -> None:
    """Type in the box and leave it, as a person does (the ``change`` event)."""
    box(page, offer).fill(text)
    box(page, offer).press("Tab")
    settled(page)


def only_left(left: str) -> str:
    return tr("Only %(left)s left for you.") % {"left": left}


def take_button(page: Page, left: str):
    return page.get_by_role("button", name=tr("Take %(left)s") % {"left": left}, exact=True)


def save_button(page: Page, *, on_behalf: bool = False):
    label = "Save this basket" if on_behalf else "Save and confirm my basket"
    return page.get_by_role("button", name=tr(label), exact=True)


def messages(page: Page):
    return page.locator("main .messages")


def saved(page: Page, message: str) -> None:
    """The page after a whole-form save shows ``message``, with its scripts (htmx) ready."""
    expect(messages(page)).to_contain_text(message)
    page.wait_for_load_state("load")


def someone_else_buys(shop: Market, offer: Offer, quantity: int) -> None:
    """Mehdi, another member, orders meanwhile (straight through the one write path)."""
    result = save_basket(
        cycle=shop.cycle,
        member=shop.member2,
        changes=[LineChange(offer.pk, quantity)],
        by=shop.member2,
    )
    assert result.ok, result


def quantities(shop: Market, member) -> dict[str, int]:
    lines = stored_lines(member, shop.cycle)
    return {line.offer.name: line.quantity for line in lines.values()}


def close_orders(shop: Market) -> None:
    Cycle.objects.filter(pk=shop.cycle.pk).update(closes_at=timezone.now() - timedelta(minutes=1))


# --- 1. A member fills her basket on a phone ---------------------------------------------


def test_member_fills_confirms_and_edits_her_basket_on_a_phone(page_as, shop, browser_log):
    bread, brioche, tomme, carrots, courgettes = (
        shop.bread,
        shop.brioche,
        shop.tomme,
        shop.carrots,
        shop.courgettes,
    )
    page = page_as(shop.member, **PHONE)
    page.goto(GROUP)
    page.locator("main").get_by_role("link", name=tr("Order"), exact=True).tap()
    expect(page).to_have_url(re.compile(re.escape(order_url(shop)) + "$"))
    expect(page.locator("main h1")).to_have_text("Cabas de juin")
    page.wait_for_load_state("load")  # htmx is ready
    assert_no_sideways_scrolling(page)
    page.evaluate("window.stillTheSamePage = true")  # gone if anything below navigates
    # The basket total is a live region: its text changes, the element stays (or nothing is read out).
    page.evaluate("document.getElementById('basket-total').dataset.original = 'yes'")

    # The +/− buttons save one line at a time; only that row and the totals change.
    press(page, plus(page, bread))
    expect(box(page, bread)).to_have_value("1")
    press(page, plus(page, bread))
    expect(box(page, bread)).to_have_value("2")
    press(page, minus(page, bread))
    expect(box(page, bread)).to_have_value("1")
    expect(amount(page, bread)).to_have_text(euros(520))
    expect(producer_total(page, shop.bakery)).to_have_text(euros(520))
    expect(basket_total(page)).to_contain_text(euros(520))

    # A quantity typed in its box (French decimals), from a second producer…
    type_quantity(page, courgettes, "2")
    expect(amount(page, courgettes)).to_have_text(euros(640))
    expect(producer_total(page, shop.garden)).to_have_text(euros(640))
    # … and a third: a variable-weight tomme, at its estimated price.
    press(page, plus(page, tomme))
    expect(amount(page, tomme)).to_contain_text(euros(1800))
    expect(producer_total(page, shop.dairy)).to_have_text(euros(1800))
    expect(basket_total(page)).to_contain_text(euros(520 + 640 + 1800))

    # The live filter finds a product among all the producers' offers.
    search = page.get_by_label(tr("Find a product"))
    search.fill("carot")
    expect(row(page, carrots)).to_be_visible()
    expect(row(page, bread)).to_be_hidden()
    expect(page.locator(f"section[aria-labelledby='producer-{shop.bakery.pk}']")).to_be_hidden()
    type_quantity(page, carrots, "1,5")
    expect(amount(page, carrots)).to_have_text(euros(420))
    search.fill("")
    expect(row(page, bread)).to_be_visible()

    # Meanwhile Mehdi buys 2 of the 3 brioches; Marie asks for 3 and is offered the last one.
    someone_else_buys(shop, brioche, 2000)
    type_quantity(page, brioche, "3")
    expect(row(page, brioche)).to_contain_text(only_left("1"))
    expect(box(page, brioche)).to_have_value("3")  # what she typed stays
    assert "Brioche" not in quantities(shop, shop.member)
    press(page, take_button(page, "1"))
    expect(box(page, brioche)).to_have_value("1")
    expect(amount(page, brioche)).to_have_text(euros(650))
    expect(row(page, brioche)).not_to_contain_text(only_left("1"))
    expect(producer_total(page, shop.bakery)).to_have_text(euros(520 + 650))
    total = 520 + 650 + 1800 + 420 + 640
    expect(basket_total(page)).to_contain_text(euros(total))
    assert page.evaluate("window.stillTheSamePage === true"), "a +/− button or a box navigated away"
    assert page.evaluate("document.getElementById('basket-total').dataset.original") == "yes"

    # She confirms: a message, an e-mail with the right total, and the order in the database.
    save_button(page).tap()
    saved(page, tr("Your basket is saved. A confirmation e-mail is on its way."))
    order = Order.objects.get(cycle=shop.cycle, user=shop.member)
    assert order.submitted_at is not None
    assert order.total_cents() == total
    assert quantities(shop, shop.member) == {
        "Pain complet": 1000,
        "Brioche": 1000,
        "Tomme": 1000,
        "Carottes": 1500,
        "Courgettes": 2000,
    }
    (confirmation,) = emails_to("marie@example.org")
    assert euros(total) in confirmation.body
    assert "Jardins de la Saune" in confirmation.body

    # She changes her mind about the courgettes and saves again.
    type_quantity(page, courgettes, "3")
    expect(amount(page, courgettes)).to_have_text(euros(960))
    save_button(page).tap()
    saved(page, tr("Your basket is saved. A confirmation e-mail is on its way."))
    total += 960 - 640
    assert Order.objects.get(pk=order.pk).total_cents() == total
    assert euros(total) in emails_to("marie@example.org")[-1].body

    # The deadline passes: the basket is read-only, with what to pay to whom.
    close_orders(shop)
    page.reload()
    expect(page.get_by_role("heading", name=tr("What to pay, and to whom"))).to_be_visible()
    expect(page.locator("main input[name^='q-']")).to_have_count(0)
    expect(save_button(page)).to_have_count(0)
    expect(row(page, courgettes)).to_contain_text("3")
    expect(basket_total(page)).to_contain_text(euros(total))
    assert_no_sideways_scrolling(page)
    browser_log.assert_clean()


# --- 2. The same basket without JavaScript --------------------------------------------------


def test_member_orders_without_javascript(page_as, shop):
    bread, brioche, tomme, courgettes = shop.bread, shop.brioche, shop.tomme, shop.courgettes
    page = page_as(shop.member, java_script_enabled=False)
    page.goto(order_url(shop))
    expect(page.locator(".filter-bar")).to_be_hidden()  # the live filter needs JavaScript

    # "+" sends the whole form: the page comes back with the line saved, not confirmed.
    plus(page, bread).click()
    saved(page, tr("The basket is saved."))
    expect(box(page, bread)).to_have_value("1")
    expect(amount(page, bread)).to_have_text(euros(520))
    assert quantities(shop, shop.member) == {"Pain complet": 1000}

    # A quota conflict: nothing is saved, and every typed value is kept.
    someone_else_buys(shop, brioche, 2000)
    box(page, brioche).fill("3")
    box(page, courgettes).fill("2")
    save_button(page).click()
    expect(page.locator("#basket-problems")).to_be_visible()
    expect(row(page, brioche)).to_contain_text(only_left("1"))
    expect(box(page, brioche)).to_have_value("3")
    expect(box(page, courgettes)).to_have_value("2")
    expect(box(page, bread)).to_have_value("1")
    assert quantities(shop, shop.member) == {"Pain complet": 1000}

    # "Take 1" saves the whole basket with the remainder (still no e-mail).
    take_button(page, "1").click()
    saved(page, tr("The basket is saved."))
    assert emails_to("marie@example.org") == []
    expect(page.locator("#basket-problems")).to_have_count(0)
    expect(box(page, brioche)).to_have_value("1")
    expect(box(page, courgettes)).to_have_value("2")
    assert quantities(shop, shop.member) == {"Pain complet": 1000, "Brioche": 1000, "Courgettes": 2000}

    # And the save button saves and confirms: one e-mail.
    box(page, tomme).fill("1")
    save_button(page).click()
    saved(page, tr("Your basket is saved. A confirmation e-mail is on its way."))
    expect(basket_total(page)).to_contain_text(euros(520 + 650 + 640 + 1800))
    assert Order.objects.get(cycle=shop.cycle, user=shop.member).total_cents() == 520 + 650 + 640 + 1800
    (confirmation,) = emails_to("marie@example.org")
    assert euros(520 + 650 + 640 + 1800) in confirmation.body


# --- 3. A coordinator orders on a member's behalf -------------------------------------------


def test_coordinator_orders_on_behalf_of_a_member(page_as, shop, browser_log):
    page = page_as(shop.coordinator)
    page.goto(GROUP)
    page.get_by_role("link", name=tr("Manage the group")).click()
    page.get_by_role("navigation", name=tr("Group management")).get_by_role(
        "link", name=tr("Cycles"), exact=True
    ).click()
    page.locator("main table").get_by_role("link", name="Cabas de juin", exact=True).click()
    page.get_by_role("navigation", name=tr("This cycle")).get_by_role(
        "link", name=tr("Orders"), exact=True
    ).click()
    expect(page.locator("main h1")).to_have_text(tr("Orders of %(name)s") % {"name": "Cabas de juin"})

    page.get_by_label(tr("Member's name or e-mail")).fill("Bernadette")
    page.locator("main form[role=search]").get_by_role("button", name=tr("Search")).click()
    page.get_by_role("link", name="Bernadette Bénéficiaire", exact=True).click()
    expect(page.locator("#on-behalf")).to_contain_text("Bernadette Bénéficiaire")
    page.wait_for_load_state("load")  # htmx is ready
    expect(basket_total(page)).to_contain_text(euros(0))

    press(page, plus(page, shop.bread))
    expect(amount(page, shop.bread)).to_have_text(euros(520))
    type_quantity(page, shop.courgettes, "2")
    expect(amount(page, shop.courgettes)).to_have_text(euros(640))
    expect(basket_total(page)).to_contain_text(euros(520 + 640))
    save_button(page, on_behalf=True).click()
    saved(page, tr("The basket is saved."))
    expect(page).to_have_url(re.compile(rf"/manage/cycles/{shop.cycle.pk}/orders/{shop.beneficiary.pk}/$"))

    order = Order.objects.get(cycle=shop.cycle, user=shop.beneficiary)
    assert quantities(shop, shop.beneficiary) == {"Pain complet": 1000, "Courgettes": 2000}
    assert order.total_cents() == 520 + 640
    assert not Order.objects.filter(user=shop.coordinator).exists()
    changes = list(OrderChange.objects.filter(order=order))
    assert len(changes) == 2
    assert {(c.kind, c.changed_by_id) for c in changes} == {(ChangeKind.ON_BEHALF, shop.coordinator.pk)}
    (told,) = emails_to("bernadette@example.org")
    assert "Pain complet" in told.body and "Courgettes" in told.body
    assert not emails_to("claire@example.org")

    # Back to the cycle's orders, where her basket is now listed.
    page.locator("main").get_by_role(
        "link", name=tr("Orders of %(name)s") % {"name": "Cabas de juin"}
    ).click()
    listed = page.locator("main table tbody tr", has_text="Bernadette Bénéficiaire")
    expect(listed).to_contain_text(euros(520 + 640))
    browser_log.assert_clean()


# --- 4. Accessibility of the ordering pages ------------------------------------------------


def test_ordering_pages_have_no_serious_accessibility_violation(page_as, shop):
    ProducerAccount.objects.create(producer=shop.bakery, user=shop.producer_user)
    someone_else_buys(shop, shop.brioche, 2000)
    reports: list[str] = []

    def scan(page: Page, label: str) -> None:
        reports.append(blocking_violations(page, label))

    # On a phone: the group page with its "Order" link, the order page, then a quota conflict.
    phone = page_as(shop.member, bypass_csp=True, **PHONE)
    phone.goto(GROUP)
    scan(phone, "group page with an open cycle, on a phone")
    phone.goto(order_url(shop))
    scan(phone, "order page on a phone")
    type_quantity(phone, shop.brioche, "3")
    expect(row(phone, shop.brioche)).to_contain_text(only_left("1"))
    assert_no_sideways_scrolling(phone)
    scan(phone, "order page on a phone, quota conflict on a line")
    stepper = plus(phone, shop.bread).bounding_box()
    assert stepper is not None and stepper["height"] >= 24 and stepper["width"] >= 24, stepper  # WCAG 2.5.8
    press(phone, take_button(phone, "1"))
    expect(amount(phone, shop.brioche)).to_have_text(euros(650))

    # On a computer: the whole form sent back with a conflict, the cycles, the history.
    desktop = page_as(shop.member, bypass_csp=True)
    desktop.goto(order_url(shop))
    type_quantity(desktop, shop.brioche, "2")
    expect(row(desktop, shop.brioche)).to_contain_text(only_left("1"))
    save_button(desktop).click()
    expect(desktop.locator("#basket-problems")).to_be_visible()
    scan(desktop, "order page sent back with a quota conflict")
    desktop.goto(f"{GROUP}cycles/")
    scan(desktop, "cycles of the group")
    desktop.goto(f"{GROUP}orders/")
    expect(desktop.locator("main")).to_contain_text("Cabas de juin")
    scan(desktop, "order history")

    # The coordinator: the cycle's orders with a search, and a member's basket.
    claire = page_as(shop.coordinator, bypass_csp=True)
    claire.goto(f"{GROUP}manage/cycles/")
    scan(claire, "coordinator's cycles")
    claire.goto(f"{GROUP}manage/cycles/{shop.cycle.pk}/orders/?q=Bernadette")
    expect(claire.get_by_role("link", name="Bernadette Bénéficiaire")).to_be_visible()
    scan(claire, "coordinator's orders page")
    claire.goto(f"{GROUP}manage/cycles/{shop.cycle.pk}/orders/{shop.member.pk}/")
    scan(claire, "order on behalf of a member")

    # Paul, the baker: what was ordered of his products.
    paul = page_as(shop.producer_user, bypass_csp=True)
    paul.goto(f"/producers/{shop.bakery.slug}/cycles/{shop.cycle.pk}/")
    expect(paul.locator("main")).to_contain_text("Marie Membre")
    scan(paul, "producer's orders for the cycle")

    # After the deadline: the read-only basket, on a computer and on a phone.
    close_orders(shop)
    desktop.goto(order_url(shop))
    expect(desktop.get_by_role("heading", name=tr("What to pay, and to whom"))).to_be_visible()
    scan(desktop, "read-only basket")
    phone.goto(order_url(shop))
    assert_no_sideways_scrolling(phone)
    scan(phone, "read-only basket on a phone")

    problems = [report for report in reports if report]
    assert not problems, "\n\n".join(problems)


# --- 5. Keyboard ---------------------------------------------------------------------------


def test_keyboard_stays_on_the_line_when_it_is_swapped(page_as, shop):
    """htmx replaces the whole row: the keyboard must not be thrown back to the top of the page."""
    page = page_as(shop.member)
    page.goto(order_url(shop))
    plus(page, shop.bread).focus()
    page.keyboard.press("Enter")
    settled(page)
    expect(box(page, shop.bread)).to_have_value("1")
    page.keyboard.press("Enter")
    settled(page)
    expect(box(page, shop.bread)).to_have_value("2")
    expect(plus(page, shop.bread)).to_be_focused()

    someone_else_buys(shop, shop.brioche, 2000)
    box(page, shop.brioche).fill("3")
    page.keyboard.press("Tab")  # leaves the box: the line is sent, and refused
    settled(page)
    take_button(page, "1").focus()
    page.keyboard.press("Enter")
    settled(page)
    expect(amount(page, shop.brioche)).to_have_text(euros(650))
    expect(box(page, shop.brioche)).to_be_focused()


# --- 6. A large cycle ------------------------------------------------------------------------


def test_a_cycle_of_600_products_orders_with_and_without_javascript(page_as, shop, browser_log):
    """More products than Django's default 1,000 form fields: "+" sends its own line only, and the
    whole basket saved without JavaScript is not refused (it was: 400 from 450 products on)."""
    for n in range(600):
        make_offer(shop.cycle, shop.garden, f"Légume {n:03d}", price_cents=100 + n)
    page = page_as(shop.member)
    page.goto(order_url(shop))
    # A cycle this large opens on the producers and categories: one tap to the bakery.
    expect(page.locator("tr[id^='offer-']")).to_have_count(0)
    page.get_by_role("link", name=shop.bakery.name, exact=True).first.click()
    with page.expect_request(lambda request: "/line/" in request.url) as sent:
        press(page, plus(page, shop.bread))
    fields = [pair.split("=")[0] for pair in (sent.value.post_data or "").split("&")]
    assert sorted(fields) == sorted([f"e-{shop.bread.pk}", f"q-{shop.bread.pk}", f"take-{shop.bread.pk}"]), (
        fields
    )
    expect(amount(page, shop.bread)).to_have_text(euros(520))

    still = page_as(shop.member, java_script_enabled=False)
    still.goto(order_url(shop))
    still.get_by_role("link", name=shop.garden.name, exact=True).first.click()
    box(still, shop.carrots).fill("1,5")
    save_button(still).click()
    saved(still, tr("Your basket is saved. A confirmation e-mail is on its way."))
    assert quantities(shop, shop.member) == {"Pain complet": 1000, "Carottes": 1500}
