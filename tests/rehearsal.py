"""The production rehearsal's browser journey (run by ``bin/rehearse``, not by pytest).

Through nginx over https://, against two app servers, the worker and the clock:
a member logs in with a code received by e-mail and orders; a coordinator closes
the orders, has the documents prepared by the worker and downloads one; a wrong
password typed again and again is throttled for that person whichever server
answers. Along the way: the ``__Host-`` cookies, the security headers, /media/
from nginx, and both app servers serving the same sessions.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cabas.settings")
django.setup()

from django.utils import timezone, translation  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from cabas.accounts.models import BuyingGroup  # noqa: E402
from cabas.cycles.models import Cycle  # noqa: E402
from cabas.demo import data  # noqa: E402

SITE = os.environ["REHEARSAL_SITE"]
LOGS = Path(os.environ["REHEARSAL_LOGS"])
WEB_PORTS = os.environ["REHEARSAL_WEB"].split(",")
CHROMIUM = os.environ.get("CABAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage"]
CODE_LINE = re.compile(r"^\s*([A-Z0-9]{3,6}(?:-[A-Z0-9]{3,6})+)\s*$", re.MULTILINE)
MEMBER = f"membre@{data.DOMAIN}"
COORDINATOR = f"coordination@{data.DOMAIN}"
TREASURER = data.TREASURER_LOGIN_EMAIL


def tr(message: str) -> str:
    with translation.override("fr"):
        return translation.gettext(message)


def step(text: str) -> None:
    print(f"-- {text}", flush=True)


def log_sizes() -> dict[Path, int]:
    return {log: log.stat().st_size for log in LOGS.glob("*.log")}


def emailed_code(address: str, since: dict[Path, int], timeout: float = 30) -> str:
    """The code e-mailed to ``address`` after ``since``, printed in a service's log (no SMTP here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for log in LOGS.glob("*.log"):
            with log.open("rb") as file:
                file.seek(since.get(log, 0))
                text = file.read().decode(errors="replace")
            start = text.find(f"To: {address}")
            match = CODE_LINE.search(text, start) if start >= 0 else None
            if match:
                return match.group(1)
        time.sleep(0.5)
    raise AssertionError(f"No login code e-mailed to {address} in {timeout} s")


def log_in_by_code(page: Page, address: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Envoyez-moi un code de connexion").click()
    page.locator("#id_email").fill(address)
    before = log_sizes()
    page.get_by_role("button", name="Demander un code").click()
    expect(page.locator("#id_code")).to_be_visible()
    page.locator("#id_code").fill(emailed_code(address, before))
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator("form[action='/accounts/logout/']")).to_have_count(1)


def log_in_with_password(page: Page, address: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(address)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").first.click()


def check_headers(page: Page) -> None:
    response = page.goto("/g/saint-orens/")
    assert response is not None and response.ok, response
    headers = response.headers
    assert "default-src 'self'" in headers["content-security-policy"], headers
    assert headers["strict-transport-security"].startswith("max-age=31536000"), headers
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"]), headers
    names = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert {"__Host-sessionid", "__Host-csrftoken"} <= set(names), names
    for cookie in names.values():
        if cookie["name"].startswith("__Host-"):
            assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"].startswith("."), cookie
    media = page.request.get("/media/products/rehearsal.svg")
    assert media.ok and "strict-transport-security" in media.headers, media.headers
    assert page.request.get("/healthz").json()["database"] is True


def order(page: Page, cycle: Cycle) -> None:
    page.goto(f"/g/saint-orens/cycles/{cycle.pk}/")
    page.locator("main a[href^='?producer=']").first.click()  # a large cycle shows one producer at a time
    plus = page.locator(f'main button.step[aria-label^="{tr("One step more of")}"]:not([disabled])').first
    with page.expect_response(lambda r: "/line/" in r.url and r.request.method == "POST") as saved:
        plus.click()
    assert saved.value.ok, saved.value.status
    page.get_by_role("button", name=tr("Save and confirm my basket"), exact=True).first.click()
    expect(page.locator(".messages")).to_contain_text(
        tr("Your basket is saved. A confirmation e-mail is on its way.")
    )


def close_and_prepare_documents(page: Page, cycle: Cycle) -> None:
    page.goto(f"/g/saint-orens/manage/cycles/{cycle.pk}/")
    page.get_by_text(tr("Close the orders now"), exact=True).click()
    page.get_by_role("button", name=tr("Yes, close the orders now")).click()
    expect(page.locator("main .messages")).to_contain_text(tr("Orders are closed."))
    page.get_by_role("link", name=tr("Documents"), exact=True).first.click()
    page.get_by_role("button", name=tr("Generate the documents")).click()
    # The worker builds them; the page follows its progress and shows the links.
    link = page.locator("#documents a[href$='.pdf'], main a[href$='.pdf']").first
    expect(link).to_be_visible(timeout=120_000)
    href = link.get_attribute("href")
    assert href
    for _ in range(4):  # on each app server in turn: the files are in the database
        download = page.request.get(href)
        assert download.ok, download.status
        assert download.body().startswith(b"%PDF"), download.body()[:20]


def throttled(page: Page) -> None:
    """Failed logins are counted per person in the shared cache, whichever app server answers."""
    message = (
        "Too many wrong passwords for this account from your connection. Wait a few minutes, "
        "or log in at once with a code sent by e-mail."
    )
    throttle = tr(message).split(".")[0]
    log_in_with_password(page, TREASURER, "not-the-password")
    expect(page.locator("main")).not_to_contain_text(throttle)
    for _ in range(6):
        log_in_with_password(page, TREASURER, "not-the-password")
    expect(page.locator("main")).to_contain_text(throttle)


def both_servers_served() -> None:
    for port in WEB_PORTS:
        log = (LOGS / f"web-{port}.log").read_text(errors="replace")
        served = len(re.findall(r'"(GET|POST) ', log))
        print(f"   app server on port {port}: {served} requests", flush=True)
        assert served > 5, f"the app server on port {port} served only {served} requests"


def main() -> None:
    group = BuyingGroup.objects.get(slug=data.SAINT_ORENS.slug)
    cycle = Cycle.objects.open_at(timezone.now()).filter(group=group).order_by("closes_at").first()
    assert cycle is not None, "the demo has a cycle open for orders"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def new_page() -> Page:
            return browser.new_context(base_url=SITE, ignore_https_errors=True, locale="fr-FR").new_page()

        step("a member logs in with a code received by e-mail")
        member = new_page()
        log_in_by_code(member, MEMBER)
        check_headers(member)
        step(f"she orders in « {cycle.name} »")
        order(member, cycle)
        step("a coordinator logs in, closes the orders and has the documents prepared")
        coordinator = new_page()
        log_in_by_code(coordinator, COORDINATOR)
        close_and_prepare_documents(coordinator, cycle)
        step("a wrong password again and again is throttled for that person")
        throttled(new_page())
        browser.close()
    both_servers_served()
    print("Journey passed.", flush=True)


if __name__ == "__main__":
    main()
