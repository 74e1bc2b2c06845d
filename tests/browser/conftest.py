"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's live server.

One Chromium per test session, a fresh context (cookies, storage) per test. The
browser is Debian's (``apt-get install chromium``), never one downloaded by
``playwright install``; ``CABAS_CHROMIUM`` points elsewhere if needed. When
Chromium cannot start, every browser test fails: CI must not go green without them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.browser.helpers import BrowserLog, log_in
from tests.cast import Cast, build_cast

CHROMIUM = os.environ.get("CABAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000

# Playwright's sync API keeps an asyncio loop in the test thread, so Django's ORM would
# raise SynchronousOnlyOperation in the tests themselves (building the cast, checking the
# database). Nothing here is really async: it is safe to allow.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
expect.set_options(timeout=TIMEOUT_MS)

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's package (apt-get install chromium) "
            "or set CABAS_CHROMIUM to a Chromium binary. Do not use `playwright install`.",
            pytrace=False,
        )
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:
        pytest.fail(f"Chromium at {CHROMIUM} could not start: {error}", pytrace=False)
    yield browser
    browser.close()


@pytest.fixture
def cast(transactional_db) -> Cast:
    """The named cast, committed for real so that the live server's requests see it."""
    return build_cast()


@pytest.fixture
def browser_log() -> Iterator[BrowserLog]:
    """Console messages of every page of the test. Any CSP violation fails the test."""
    log = BrowserLog()
    yield log
    log.assert_no_csp_errors()


@pytest.fixture
def new_context(
    browser: Browser, live_server, browser_log: BrowserLog, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(**options)``: a fresh browser context on the live server, closed after the test.

    French-speaking by default (the app's audience). The app's Content-Security-Policy
    is enforced unless ``bypass_csp=True`` (needed to inject axe-core). Every page's
    console is recorded in ``browser_log``; on failure, screenshots and HTML go to
    ``test-artifacts/``.
    """
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        options = {"base_url": live_server.url, "locale": "fr-FR", **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        # The app has no favicon: answer the browser's automatic request here, so that it
        # neither logs a 404 nor races the next page on the live server.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        context.on("page", browser_log.watch)
        contexts.append(context)
        return context

    yield make

    call = request.node.stash.get(_REPORTS, {}).get("call")
    if call is not None and call.failed:
        _save_artifacts(request.node, contexts)
    for context in contexts:
        context.close()


def _save_artifacts(item: pytest.Item, contexts: list[BrowserContext]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)
    for c, context in enumerate(contexts):
        for p, page in enumerate(context.pages):
            name = f"{stem}-{c}-{p}"
            try:
                page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
                (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
            except Exception as error:  # a crashed page must not hide the real failure
                print(f"Could not save artifacts for {name}: {error}")


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """An anonymous visitor's page, with the Content-Security-Policy enforced."""
    return new_context().new_page()


@pytest.fixture
def page_as(new_context: Callable[..., BrowserContext], live_server) -> Callable[..., Page]:
    """``page_as(user, **context_options)``: a new page in a context where ``user`` is logged in."""

    def make(user, **options) -> Page:
        context = new_context(**options)
        if user is not None:
            log_in(context, user, live_server.url)
        return context.new_page()

    return make
