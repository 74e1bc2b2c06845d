"""Money into the solidarity fund, in a browser: a member adds 5 % to their basket on a phone,
the treasurer records a gift and prints the donor's summary."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cabas.cycles.models import Order
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry
from cabas.solidarity.models import Gift
from tests.browser.helpers import assert_accessible, tr
from tests.browser.test_phone import PHONE, assert_no_sideways_scrolling
from tests.cycle_fixtures import make_cycle, make_offer
from tests.day_fixtures import order

pytestmark = pytest.mark.browser


def test_a_member_adds_five_percent_on_a_phone(page_as, cast) -> None:
    cycle = make_cycle(cast.group_a)
    bread = make_offer(cycle, cast.bakery, "Pain complet", price_cents=520)
    order(cycle, cast.member, {bread: 3000})  # 15,60 €

    page = page_as(cast.member, bypass_csp=True, **PHONE)
    page.goto(f"/g/saint-orens/cycles/{cycle.pk}/")
    section = page.locator("#contribution")
    expect(section).to_contain_text(tr("The solidarity fund"))
    section.get_by_label("5\u00a0% de mon panier (0,78\u00a0€)").check()
    section.get_by_role("button", name=tr("Save my contribution")).tap()

    expect(page.locator("main .messages")).to_contain_text("Merci")
    expect(page.locator("#basket-contribution")).to_contain_text("0,78\u00a0€")
    expect(page.locator("#basket-contribution")).to_contain_text("16,38\u00a0€")
    expect(page.locator("#fund-p5")).to_be_checked()
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "order page with a contribution, on a phone")
    stored = Order.objects.get(cycle=cycle, user=cast.member)
    assert (stored.fund_percent, stored.fund_amount_cents) == (5, 0)
    assert not Entry.objects.exists()  # promised, not paid: nothing in the fund's ledger

    # A mistyped amount: the message says why, what was typed stays, the 5 % stays.
    section.get_by_label(tr("Another amount"), exact=True).check()
    page.locator("#fund-amount-value").fill("3,555")
    section.get_by_role("button", name=tr("Save my contribution")).tap()
    expect(page.locator("#fund-amount-error")).to_be_visible()
    expect(page.locator("#fund-amount-value")).to_have_value("3,555")
    stored.refresh_from_db()
    assert stored.fund_percent == 5


def test_the_treasurer_records_a_gift_and_prints_the_summary(page_as, cast) -> None:
    page = page_as(cast.treasurer, bypass_csp=True)
    page.goto("/g/saint-orens/treasury/")
    page.get_by_role("link", name=tr("Gifts to the fund")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Gifts to the solidarity fund"))
    assert_accessible(page, "gifts to the fund")

    page.locator("#id_donor_name").fill("Jeanne Dupont")
    page.locator("#id_donor_address").fill("3 rue des Lilas, 31650 Saint-Orens")
    page.locator("#id_amount").fill("40")
    page.locator("#id_method").select_option("cheque")
    page.get_by_role("button", name=tr("Record the gift")).click()
    expect(page.locator("main .messages")).to_contain_text(
        tr("The gift is recorded: the fund has received it.")
    )
    assert Gift.objects.get().amount_cents == 4000
    assert ledger.balance(cast.group_a, Account.FUND) == 4000

    link = page.get_by_role("link", name="Récapitulatif de Jeanne Dupont (PDF)")
    expect(link).to_be_visible()
    pdf = page.request.get(link.get_attribute("href") or "")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    every = page.get_by_role(
        "link", name=tr("Print every donor's summary of %(year)s (PDF)").split("%")[0].strip(), exact=False
    )
    expect(every).to_be_visible()
    assert page.request.get(every.get_attribute("href") or "").body().startswith(b"%PDF")
    assert_accessible(page, "gifts to the fund, with a donor")
