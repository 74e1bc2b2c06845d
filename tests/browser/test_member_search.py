"""The coordinator's member search: live with htmx, and the same form without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import tr

pytestmark = pytest.mark.browser

MEMBERS = "/g/saint-orens/manage/members/"


def test_live_search_updates_the_results_without_reloading_the_page(page_as, browser_log, cast):
    page = page_as(cast.coordinator)  # the Content-Security-Policy is enforced here
    page.goto(MEMBERS)
    rows = page.locator("#member-results tbody tr")
    expect(rows).to_have_count(7)
    assert page.evaluate("typeof htmx") == "object", "htmx did not load"
    # A full page load would wipe this marker; an htmx swap keeps it.
    page.evaluate("window.__sameDocument = true")

    page.locator("#id_q").press_sequentially("mari", delay=20)

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Marie Membre")
    assert page.evaluate("window.__sameDocument") is True, "the whole page was reloaded"
    expect(page).to_have_url(re.compile(r"[?&]q=mari"))  # the search can be bookmarked
    expect(page.locator("#id_q")).to_be_focused()  # typing is not interrupted

    page.locator("#id_q").fill("")
    page.locator("#id_role").select_option("treasurer")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Théo Trésorier")

    page.locator("#id_role").select_option("")
    page.locator("#id_q").fill("personne-de-ce-nom")
    expect(rows).to_have_count(0)
    expect(page.locator("#member-results")).not_to_contain_text("Marie Membre")
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator("#member-results").count() == 1  # swapped, not nested
    browser_log.assert_clean()


def test_search_works_without_javascript(page_as, cast):
    page = page_as(cast.coordinator, java_script_enabled=False)
    page.goto(MEMBERS)
    expect(page.locator("#member-results tbody tr")).to_have_count(7)

    page.locator("#id_q").fill("mehdi")
    page.get_by_role("search").get_by_role("button", name=tr("Search")).click()

    expect(page).to_have_url(re.compile(r"/manage/members/\?q=mehdi"))
    rows = page.locator("#member-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Mehdi Member")
    expect(page.locator("#id_q")).to_have_value("mehdi")  # the form keeps the search
