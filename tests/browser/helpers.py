"""Helpers shared by the browser tests: e-mailed codes, logging in, axe scans, console watching.

Buttons and links are found by the name a person reads. For the app's own strings that
name comes from the catalogue (``tr("Join this group")`` is "Rejoindre ce groupe"), so
rewording a translation does not break a test; allauth's strings are written as they
appear in French. Fields are found by id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, expect

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

# A code from allauth (login by code, e-mail verification) sits alone on its line: "ABCD-EFGH".
CODE_LINE = re.compile(r"^\s*([A-Z0-9]{3,6}(?:-[A-Z0-9]{3,6})+)\s*$", re.MULTILINE)


def tr(message: str, language: str = "fr") -> str:
    """``message`` as the app shows it in ``language`` (French, the default, unless told)."""
    with translation.override(language):
        return translation.gettext(message)


def trn(singular: str, plural: str, count: int, language: str = "fr") -> str:
    """A ``{% blocktranslate count counter=… %}`` message as shown for ``count``."""
    with translation.override(language):
        return translation.ngettext(singular, plural, count) % {"counter": count}


def tr_text(message: str, language: str = "fr", **values: object) -> str:
    """A translated message as a person reads it: filled in, without its markup.

    For accessible names of buttons whose message holds a visually hidden part,
    e.g. ``tr_text('Archive<span class="visually-hidden"> %(name)s</span>', name="Brioche")``
    is "Archiver Brioche".
    """
    with translation.override(language):
        text = translation.gettext(message)
    if values:
        text = text % values
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


# --- E-mails ---------------------------------------------------------------------------


def emails_to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if address in message.to]


def code_from_outbox(address: str) -> str:
    """The code in the latest e-mail sent to ``address`` (fails clearly if there is none)."""
    messages = emails_to(address)
    assert messages, f"No e-mail was sent to {address}; outbox: {[m.to for m in mail.outbox]}"
    body = messages[-1].body
    match = CODE_LINE.search(body)
    assert match, f"No code found in the e-mail to {address}:\n{body}"
    return match.group(1)


# --- Logging in --------------------------------------------------------------------------


def log_in(context: BrowserContext, user, base_url: str) -> None:
    """Give ``context`` a logged-in session for ``user`` without going through the form.

    Journeys that are about logging in use the real form; the other tests start
    logged in, which keeps the suite fast.
    """
    client = Client()
    client.force_login(user)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie.value, "url": base_url}]
    )


def log_in_with_password(page: Page, email: str, password: str) -> None:
    """Log in through allauth's form, as a person would."""
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form[action='/accounts/login/'] button[type=submit]").click()
    expect(logout_button(page)).to_be_visible()


def logout_button(page: Page):
    return page.locator("header form[action='/accounts/logout/'] button")


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""


# --- Accessibility -------------------------------------------------------------------------


def _describe(violation: dict) -> str:
    lines = [
        f"[{violation['impact']}] {violation['id']}: {violation['help']}",
        f"    {violation['helpUrl']}",
    ]
    for node in violation["nodes"][:10]:
        lines.append(f"    at {', '.join(map(str, node['target']))}")
        lines.append(f"       {node['html'][:200]}")
        summary = (node.get("failureSummary") or "").replace("\n", "\n         ")
        if summary:
            lines.append(f"       {summary}")
    if len(violation["nodes"]) > 10:
        lines.append(f"    … and {len(violation['nodes']) - 10} more elements")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page and return its violations.

    The page must come from a context created with ``bypass_csp=True``: the app's
    Content-Security-Policy rightly refuses the injected script otherwise.
    """
    try:
        page.add_script_tag(path=str(AXE_JS))
    except Error as error:
        raise AssertionError(
            "Could not inject axe-core; was the context created with bypass_csp=True?"
        ) from error
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_21_AA,
    )
    return result["violations"]


def blocking_violations(page: Page, label: str = "") -> str:
    """A readable report of the current page's "serious" and "critical" violations ("" if none)."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    if not blocking:
        return ""
    report = "\n\n".join(_describe(v) for v in blocking)
    where = label or page.url
    return f"{len(blocking)} serious or critical accessibility violation(s) on {where}:\n\n{report}"


def assert_accessible(page: Page, label: str = "") -> None:
    """No axe violation of impact "serious" or "critical" on the current page."""
    report = blocking_violations(page, label)
    assert not report, report


# --- Console and page errors ------------------------------------------------------------------


@dataclass
class BrowserLog:
    """Console messages and uncaught errors of every page of a test."""

    console: list[tuple[str, str, str]] = field(default_factory=list)  # (url, type, text)
    page_errors: list[tuple[str, str]] = field(default_factory=list)  # (url, error)

    def watch(self, page: Page) -> None:
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.page_errors.append((page.url, str(error))))

    def _on_console(self, page: Page, message: ConsoleMessage) -> None:
        self.console.append((page.url, message.type, message.text))

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        return [entry for entry in self.console if entry[1] == "error"]

    @property
    def csp_errors(self) -> list[tuple[str, str, str]]:
        return [entry for entry in self.console if "content security policy" in entry[2].lower()]

    def assert_no_csp_errors(self) -> None:
        problems = self.csp_errors
        assert not problems, "Content-Security-Policy violations:\n" + json.dumps(problems, indent=2)

    def assert_clean(self) -> None:
        """No console error at all (CSP or otherwise) and no uncaught JavaScript error."""
        self.assert_no_csp_errors()
        assert not self.errors, "Console errors:\n" + json.dumps(self.errors, indent=2)
        assert not self.page_errors, "Uncaught errors:\n" + json.dumps(self.page_errors, indent=2)
