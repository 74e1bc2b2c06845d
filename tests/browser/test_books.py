"""Money after the day in the browser: « Mes paiements » on a phone, a statement, the treasurer's books."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.books_fixtures import books_scene
from tests.browser.helpers import assert_accessible, tr
from tests.browser.test_phone import PHONE, assert_no_sideways_scrolling

pytestmark = pytest.mark.browser


def test_my_payments_on_a_phone(page_as, cast):
    books = books_scene(cast)
    page = page_as(cast.member, bypass_csp=True, **PHONE)
    page.goto("/g/saint-orens/")
    page.get_by_role("link", name=tr("My payments")).tap()
    expect(page.locator("main h1")).to_have_text(tr("My payments"))
    section = page.locator(f"#cycle-{books.day.cycle.pk}")
    expect(section).to_contain_text("10,83")
    expect(section).to_contain_text("CABAS-")
    expect(section.locator(".pay-details").first).to_be_visible()
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "my payments on a phone")


def test_a_producers_statement(page_as, cast):
    books_scene(cast)
    page = page_as(cast.producer_user2, bypass_csp=True, **PHONE)
    page.goto("/producers/bergerie/")
    page.get_by_role("link", name=tr("Payments")).tap()
    expect(page.locator("main")).to_contain_text("Marie Membre")
    expect(page.locator("main")).to_contain_text(tr("paid at the welcome desk"))
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "a producer's statement on a phone")


def test_the_treasurers_books(page_as, cast):
    books = books_scene(cast)
    page = page_as(cast.treasurer, bypass_csp=True)
    page.goto("/g/saint-orens/")
    page.get_by_role("link", name=tr("Books"), exact=True).click()
    expect(page.locator("main h1")).to_have_text(tr("Books"))
    assert_accessible(page, "the treasurer's books")
    with page.expect_download() as download:
        page.locator(f"a[href$='/cycles/{books.day.cycle.pk}/journal.csv']").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.get_by_role("link", name=tr("Change the account codes")).click()
    page.locator("#id_bank_code").fill("411")
    page.get_by_role("button", name=tr("Save")).click()
    expect(page.locator("#id_bank_code_error")).to_be_visible()
    assert_accessible(page, "account codes with an error")
    page.locator("#id_bank_code").fill("5121")
    page.get_by_role("button", name=tr("Save")).click()
    expect(page.locator("main")).to_contain_text("5121")
