"""With the Content-Security-Policy enforced, pages load cleanly: stylesheet and htmx included."""

from __future__ import annotations

import pytest

from tests.browser.helpers import BrowserLog

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/g/saint-orens/", "/accounts/login/", "/accounts/signup/", "/accounts/login/code/"]
COORDINATOR = [
    "/",
    "/g/saint-orens/",
    "/g/saint-orens/join/",  # Claire is a member: redirected to the group page
    "/g/saint-orens/members/",
    "/g/saint-orens/manage/members/",
    "/g/saint-orens/manage/members/add/",
    "/g/saint-orens/manage/requests/",
    "/g/saint-orens/manage/settings/",
    "/account/",
]
BRAND_GREEN = "rgb(31, 107, 58)"  # --brand in cabas.css


def _visit(page, paths: list[str], browser_log: BrowserLog) -> None:
    for path in paths:
        response = page.goto(path)
        assert response is not None
        assert response.ok, f"{path} answered {response.status}"
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), (
            f"{path} was served without the Content-Security-Policy"
        )
        page.wait_for_load_state("load")
        header_colour = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
        assert header_colour == BRAND_GREEN, f"the stylesheet did not apply on {path}"
        assert page.evaluate("typeof htmx") == "object", f"htmx did not load on {path}"
    browser_log.assert_clean()


def test_public_pages_load_under_the_policy(page, browser_log, cast):
    _visit(page, PUBLIC, browser_log)


def test_coordinator_pages_load_under_the_policy(page_as, browser_log, cast):
    _visit(page_as(cast.coordinator), COORDINATOR, browser_log)


def test_a_violation_would_be_noticed(page, browser_log, cast):
    """The watch works: an inline script, forbidden by the policy, shows up as a CSP error."""
    page.goto("/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__inline = 1'; document.body.append(s); }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.__inline") is None
    assert browser_log.csp_errors, browser_log.console
    browser_log.console.clear()  # expected here; any other CSP error fails its test
