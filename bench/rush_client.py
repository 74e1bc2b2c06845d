"""HTTP side of ``bench/opening_rush.py``: one member's journey through the opening rush.

Standard library only (``http.client``): a cookie jar, the CSRF token, and the
few bits of HTML a browser with htmx would read (the row an htmx POST returns,
the hidden ``e-<offer>`` inputs, the basket total). Every request is recorded
with its kind, status and latency in a shared ``Recorder``.

No Django import here: the clients must not share the server's CPU budget more
than a browser would.
"""

from __future__ import annotations

import gettext
import http.client
import random
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

LOGIN = "login"
ORDER_PAGE = "order page"
LINE = "line change"
SUBMIT = "submit"
BASELINE = "baseline"
KINDS = (LOGIN, ORDER_PAGE, LINE, SUBMIT, BASELINE)
# The GET of the login form is recorded apart: it is part of logging in, but
# costs nothing like the password check of the POST.
LOGIN_FORM = "login form"

REQUEST_TIMEOUT = 90.0  # seconds; gunicorn's own worker timeout is below it
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HX_CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
HIDDEN_E = re.compile(r'name="e-(\d+)" value="(\d*)"')
TOLERANCE = re.compile(r'name="t-(\d+)" value="([^"]*)"')
CONFIRM = re.compile(r'<button type="submit" form="basket" name="([^"]+)" value="([^"]*)"')
STEPPER = re.compile(r'name="take-(\d+)" value="([^"]*)" aria-label')
TOTAL = re.compile(r'id="basket-total"[^>]*><strong>([^<]*)</strong>')


def _markers() -> dict[str, tuple[str, ...]]:
    """The messages the clients look for, in English and as the French catalogue has them."""
    msgids = {
        "sold_out": "Sold out: nothing left.",
        "stale": (
            "This line was changed elsewhere meanwhile (now %(now)s). Save again to keep what you typed."
        ),
    }
    mo = Path(__file__).resolve().parent.parent / "cabas/locale/fr/LC_MESSAGES/django.mo"
    french = gettext.GNUTranslations(mo.open("rb")) if mo.exists() else gettext.NullTranslations()
    return {
        key: tuple({text.split("%(")[0].strip(), french.gettext(text).split("%(")[0].strip()})
        for key, text in msgids.items()
    }


MARKERS = _markers()


# --- Recording ---------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int  # 0: no response (timeout, refused)
    seconds: float
    started: float


@dataclass
class Recorder:
    """Every request of a run, and what the members saw; shared by the client threads."""

    samples: list[Sample] = field(default_factory=list)
    error_samples: dict[str, list[str]] = field(default_factory=dict)
    quota_conflicts: dict[int, int] = field(default_factory=dict)
    max_left_offered: dict[int, int] = field(default_factory=dict)
    submit_conflicts: int = 0
    stale: int = 0
    other_errors: int = 0
    minus_errors: int = 0
    minus_error_samples: list[str] = field(default_factory=list)
    other_error_samples: list[str] = field(default_factory=list)
    final_pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    confirmed: list[str] = field(default_factory=list)
    journeys_done: int = 0
    journeys_failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, body: str = "") -> None:
        with self.lock:
            self.samples.append(sample)
            if not 200 <= sample.status < 400:
                errors = self.error_samples.setdefault(sample.kind, [])
                if len(errors) < 3:
                    errors.append(f"{sample.status}: {_error_summary(body)}")

    def quota_conflict(self, offer_id: int, left: int | None) -> None:
        with self.lock:
            self.quota_conflicts[offer_id] = self.quota_conflicts.get(offer_id, 0) + 1
            if left is not None:
                self.max_left_offered[offer_id] = max(left, self.max_left_offered.get(offer_id, 0))

    def seen(self) -> dict[str, Any]:
        """What the post-run checks compare with the database."""
        return {
            "quota_conflicts": {str(k): v for k, v in self.quota_conflicts.items()},
            "max_left_offered": {str(k): v for k, v in self.max_left_offered.items()},
            "stale": self.stale,
            "other_errors": self.other_errors,
            "minus_errors": self.minus_errors,
            "minus_error_samples": self.minus_error_samples,
            "error_samples": self.other_error_samples[:3],
            "final_pages": self.final_pages,
            "confirmed": self.confirmed,
        }


def _error_summary(body: str) -> str:
    """The exception of a Django debug page (its <title>), or the start of the body."""
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    text = title.group(1) if title else body[:160]
    return " ".join(text.split())[:200]


# --- A browser, minus the rendering ---------------------------------------------------


@dataclass
class Target:
    """How the clients reach the app: the bench's own gunicorn, or nginx over TLS (the rehearsal).

    Behind the rehearsal's nginx (``bin/rehearse``), the app trusts one proxy hop:
    the member's address is the one nginx saw. Each member then connects from its
    own loopback address (127.a.b.c, all of 127/8 is the loopback on Linux)
    instead of sending an ``X-Forwarded-For`` of its own, which nginx would keep
    in front of the real one.
    """

    tls: bool = False
    connect: str | None = None  # the address to connect to, when the Host header names another
    bind_client_ip: bool = False


TARGET = Target()
_UNVERIFIED = ssl._create_unverified_context()  # the rehearsal's certificate is self-signed


def _loopback(client_ip: str) -> str:
    return "127." + client_ip.split(".", 1)[1]


class Aborted(Exception):
    """The phase's time is up: the journey stops where it is."""


class Browser:
    """Cookies, CSRF token, and one new connection per request (gunicorn's sync workers close them)."""

    def __init__(self, host: str, port: int, recorder: Recorder, *, client_ip: str | None = None) -> None:
        self.host, self.port, self.recorder = host, port, recorder
        self.cookies: dict[str, str] = {}
        self.client_ip = client_ip
        self.deadline: float | None = None  # time.monotonic() after which no request starts

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise Aborted("the rush's timeout has passed")
        body = urlencode(data).encode() if data is not None else None
        sent = {
            "Host": f"{self.host}:{self.port}",
            "User-Agent": "cabas-bench/1",
            "Accept-Language": "fr-FR,fr;q=0.9",
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"{'https' if TARGET.tls else 'http'}://{self.host}:{self.port}"
        if self.client_ip and not TARGET.bind_client_ip:
            # As a reverse proxy would add it (the server trusts one proxy hop).
            sent["X-Forwarded-For"] = self.client_ip
        sent.update(headers or {})
        started = time.perf_counter()
        status, reply_headers, text = 0, {}, ""
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            reply_headers = {k.lower(): v for k, v in response.getheaders()}
            for cookie in response.headers.get_all("Set-Cookie") or []:
                self._keep(cookie)
        except (OSError, http.client.HTTPException) as error:
            text = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        self.recorder.add(Sample(kind, status, time.perf_counter() - started, started), text)
        return status, reply_headers, text

    def _connection(self) -> http.client.HTTPConnection:
        address = TARGET.connect or self.host
        source = (_loopback(self.client_ip), 0) if self.client_ip and TARGET.bind_client_ip else None
        if TARGET.tls:
            return http.client.HTTPSConnection(
                address, self.port, timeout=REQUEST_TIMEOUT, context=_UNVERIFIED, source_address=source
            )
        return http.client.HTTPConnection(address, self.port, timeout=REQUEST_TIMEOUT, source_address=source)

    def _keep(self, header: str) -> None:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


# --- Reading pages -------------------------------------------------------------------------


def format_quantity(thousandths: int) -> str:
    """As a French member types it: ``0,5``, ``2``."""
    units, rest = divmod(thousandths, 1000)
    return f"{units}" + (f",{f'{rest:03d}'.rstrip('0')}" if rest else "")


def parse_quantity(text: str) -> int:
    units, _, decimals = text.strip().replace(",", ".").partition(".")
    return int(units or "0") * 1000 + int(decimals.ljust(3, "0") or "0")


def parse_cents(text: str) -> int | None:
    """``Mon panier : 1 234,50 €`` or ``My basket: €1,234.50`` → 123450."""
    match = re.search(r"(\d[\d\s\u202f\u00a0,.]*)", text.replace("€", " "))
    if not match:
        return None
    figures = re.sub(r"[\s\u202f\u00a0]", "", match.group(1)).rstrip(".,")
    if re.search(r",\d\d$", figures):  # French: comma decimals
        figures = figures.replace(".", "").replace(",", ".")
    else:
        figures = figures.replace(",", "")
    units, _, cents = figures.partition(".")
    return int(units or "0") * 100 + int((cents or "0").ljust(2, "0")[:2])


@dataclass
class RowState:
    requested: int  # the hidden e- value: what is stored for the member
    typed: str  # the q- input as the page shows it
    minus: str = "0"  # the values the page put on the − and + buttons
    plus: str = ""
    tolerance: str | None = None  # the t- box of a carton product ("I'd take up to … more"), if any
    sold_out: bool = False
    take: str | None = None  # "Take X" button value, when the quota is short
    stale: bool = False
    error: str = ""


def read_row(html: str, offer_id: int) -> RowState | None:
    """The state of one offer's row in a page or an htmx fragment."""
    start = html.find(f'<tr id="offer-{offer_id}"')
    if start < 0:
        return None
    end = html.find("</tr>", start)
    row = html[start:end]
    hidden = re.search(rf'name="e-{offer_id}" value="(\d*)"', row)
    typed = re.search(rf'name="q-{offer_id}" value="([^"]*)"', row)
    message = re.search(rf'<div id="msg-{offer_id}" role="status">(.*?)</div>', row, re.S)
    text = message.group(1) if message else ""
    take = re.search(rf'class="secondary small" name="take-{offer_id}" value="([^"]*)"', text)
    buttons = re.findall(rf'name="take-{offer_id}" value="([^"]*)" aria-label', row)
    tolerance = re.search(rf'name="t-{offer_id}" value="([^"]*)"', row)
    state = RowState(
        requested=int(hidden.group(1) or 0) if hidden else 0,
        typed=typed.group(1) if typed else "",
        minus=buttons[0] if len(buttons) == 2 else "0",
        plus=buttons[1] if len(buttons) == 2 else "",
        tolerance=tolerance.group(1) if tolerance else None,
        take=take.group(1) if take else None,
        sold_out=any(marker in text for marker in MARKERS["sold_out"]),
        stale=any(marker in text for marker in MARKERS["stale"]),
    )
    if 'class="error"' in text and not (state.take or state.sold_out or state.stale):
        state.error = " ".join(re.sub(r"<[^>]+>", " ", text).split())[:120]
    return state


# --- The member ------------------------------------------------------------------------------


@dataclass
class Offer:
    id: int
    step: int
    minimum: int
    cap: int | None
    quota: int | None


@dataclass
class Plan:
    """What every member's journey shares: where to go and what is on sale."""

    host: str
    port: int
    group: str
    cycle: int
    password: str
    offers: list[Offer]
    capped: list[Offer]
    line_changes: tuple[int, int] = (8, 12)
    capped_share: float = 0.35
    submit_extra: bool = True

    @property
    def order_path(self) -> str:
        return f"/g/{self.group}/cycles/{self.cycle}/"

    def line_path(self, offer_id: int) -> str:
        return f"{self.order_path}line/{offer_id}/"


class Member:
    """One household: opens the link from the announcement, logs in, fills the basket, confirms."""

    def __init__(self, plan: Plan, email: str, recorder: Recorder, rng: random.Random, client_ip: str | None):
        self.plan, self.email, self.recorder, self.rng = plan, email, recorder, rng
        self.browser = Browser(plan.host, plan.port, recorder, client_ip=client_ip)
        self.rows: dict[int, RowState] = {}
        self.changed: list[int] = []
        self.csrf = ""
        self.confirm: dict[str, str] = {}

    def journey(self) -> None:
        if not self.login():
            return
        if not self.open_order_page():
            return
        for _ in range(self.rng.randint(*self.plan.line_changes)):
            self.change_a_line()
        self.submit()

    # -- steps

    def login(self) -> bool:
        next_path = self.plan.order_path
        status, _, page = self.browser.request(LOGIN_FORM, "GET", f"/accounts/login/?next={next_path}")
        token = CSRF_INPUT.search(page)
        if status != 200 or not token:
            return self._failed(f"login form {status}")
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "login": self.email,
            "password": self.plan.password,
            "next": next_path,
        }
        status, headers, _ = self.browser.request(LOGIN, "POST", "/accounts/login/", data)
        if status != 302 or urlsplit(headers.get("location", "")).path != next_path:
            return self._failed(f"login {status} -> {headers.get('location')}")
        return True

    def open_order_page(self) -> bool:
        status, _, page = self.browser.request(ORDER_PAGE, "GET", self.plan.order_path)
        token = HX_CSRF.search(page)
        if status != 200 or not token:
            return self._failed(f"order page {status}")
        self.csrf = token.group(1)
        confirm = CONFIRM.search(page)  # the main button's own name=value, sent with the form
        self.confirm = {confirm.group(1): confirm.group(2)} if confirm else {}
        buttons: dict[int, list[str]] = {}
        for offer_id, value in STEPPER.findall(page):
            buttons.setdefault(int(offer_id), []).append(value)
        tolerances = {int(offer_id): value for offer_id, value in TOLERANCE.findall(page)}
        for offer_id, value in HIDDEN_E.findall(page):
            minus, plus = buttons.get(int(offer_id), ["0", ""])[:2]
            tolerance = tolerances.get(int(offer_id))
            self.rows[int(offer_id)] = RowState(int(value or 0), "", minus, plus, tolerance=tolerance)
        return True

    def change_a_line(self) -> None:
        offer = self._pick_offer()
        row = self.rows.setdefault(offer.id, RowState(0, "", plus=format_quantity(offer.minimum)))
        action, typed = self._next_action(offer, row.requested)
        data = self._row_fields(offer.id)
        if action == "type":
            data[f"q-{offer.id}"] = typed
        else:  # the − and + buttons send the value the page put on them, as take-<offer>
            data[f"take-{offer.id}"] = row.minus if action == "minus" else row.plus
        after = self._post_line(offer, data, minus=action == "minus")
        if after is None:
            return
        if after.error and action == "minus":
            # "−" refused: the member types 0 to drop the product instead.
            self._post_line(offer, self._row_fields(offer.id) | {f"q-{offer.id}": ""})
        elif after.take and self.rng.random() < 0.5:
            # "Only 2 left for you": half the members take what is left.
            self._post_line(
                offer,
                self._row_fields(offer.id) | {f"take-{offer.id}": after.take},
            )

    def submit(self) -> None:
        """The "Save and confirm" button: every line touched, plus one product typed without htmx."""
        extra = None
        if self.plan.submit_extra:
            fresh = [o for o in self.plan.offers if not self.rows.get(o.id, RowState(0, "")).requested]
            extra = self.rng.choice(fresh) if fresh else None
        for attempt in range(2):
            data = {"csrfmiddlewaretoken": self.csrf, **self.confirm}
            for offer_id in dict.fromkeys(self.changed):
                row = self.rows[offer_id]
                data[f"q-{offer_id}"] = format_quantity(row.requested) if row.requested else ""
                data[f"e-{offer_id}"] = str(row.requested)
            if extra is not None and attempt == 0:
                data[f"q-{extra.id}"] = format_quantity(extra.minimum)
                data[f"e-{extra.id}"] = "0"
            status, headers, page = self.browser.request(SUBMIT, "POST", self.plan.order_path, data)
            if status == 302:
                self._after_submit(headers.get("location", ""))
                return
            if status != 200:
                self._failed(f"submit {status}")
                return
            # Not saved: the page says why; the member drops the product and saves again.
            with self.recorder.lock:
                self.recorder.submit_conflicts += 1
            self._note_rows(page, [*self.changed, *([extra.id] if extra else [])])
        self._failed("submit refused twice")

    def _after_submit(self, location: str) -> None:
        # The page opens on the producers and categories; the basket is one link away.
        status, _, page = self.browser.request(
            ORDER_PAGE, "GET", (urlsplit(location).path or self.plan.order_path) + "?view=basket"
        )
        if status != 200:
            self._failed(f"order page after submit {status}")
            return
        requested = {offer_id: int(value or 0) for offer_id, value in HIDDEN_E.findall(page)}
        total = TOTAL.search(page)
        with self.recorder.lock:
            self.recorder.confirmed.append(self.email)
            self.recorder.final_pages[self.email] = {
                "requested": {str(k): v for k, v in requested.items() if v},
                "total_cents": parse_cents(total.group(1)) if total else None,
            }
            self.recorder.journeys_done += 1

    # -- helpers

    def _row_fields(self, offer_id: int) -> dict[str, str]:
        """What htmx sends for a row (hx-include="closest tr"): its inputs as the page shows them."""
        row = self.rows[offer_id]
        fields = {f"q-{offer_id}": row.typed, f"e-{offer_id}": str(row.requested)}
        if row.tolerance is not None:
            fields[f"t-{offer_id}"] = row.tolerance
        return fields

    def _post_line(self, offer: Offer, data: dict[str, str], *, minus: bool = False) -> RowState | None:
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": f"http://{self.plan.host}:{self.plan.port}{self.plan.order_path}",
            "HX-Target": f"offer-{offer.id}",
            "X-CSRFToken": self.csrf,
        }
        status, _, fragment = self.browser.request(LINE, "POST", self.plan.line_path(offer.id), data, headers)
        if status != 200:
            return None
        self.changed.append(offer.id)
        rows = self._note_rows(fragment, [offer.id], minus=minus)
        return rows[0] if rows else None

    def _note_rows(self, html: str, offer_ids: list[int], *, minus: bool = False) -> list[RowState]:
        found = []
        for offer_id in dict.fromkeys(offer_ids):
            row = read_row(html, offer_id)
            if row is None:
                continue
            self.rows[offer_id] = row
            found.append(row)
            if row.take or row.sold_out:
                self.recorder.quota_conflict(offer_id, parse_quantity(row.take) if row.take else None)
            with self.recorder.lock:
                self.recorder.stale += row.stale
                if row.error and minus:
                    self.recorder.minus_errors += 1
                    if len(self.recorder.minus_error_samples) < 3:
                        self.recorder.minus_error_samples.append(f"offer {offer_id}: {row.error}")
                elif row.error:
                    self.recorder.other_errors += 1
                    if len(self.recorder.other_error_samples) < 5:
                        self.recorder.other_error_samples.append(f"offer {offer_id}: {row.error}")
        return found

    def _pick_offer(self) -> Offer:
        in_basket = [o for o in self.plan.offers if self.rows.get(o.id, RowState(0, "")).requested]
        draw = self.rng.random()
        if in_basket and draw < 0.2:
            return self.rng.choice(in_basket)
        if draw < 0.2 + self.plan.capped_share:
            return self.rng.choice(self.plan.capped)
        return self.rng.choice(self.plan.offers)

    def _next_action(self, offer: Offer, current: int) -> tuple[str, str]:
        """("plus" | "minus" | "type", what is typed): a quantity the offer accepts, or a button."""
        draw = self.rng.random()
        if current == 0:
            if draw < 0.3:
                return "plus", ""
            return "type", format_quantity(offer.minimum + offer.step * self.rng.choice((0, 0, 1, 2)))
        if draw < 0.35:
            return "plus", ""
        if draw < 0.6:
            return "minus", ""
        if draw < 0.8:
            return "type", ""  # 0: drop the product
        wanted = offer.minimum + offer.step * self.rng.randint(0, 3)
        if offer.cap is not None:
            wanted = min(wanted, offer.cap - offer.cap % offer.step)
        return "type", format_quantity(wanted)

    def _failed(self, why: str) -> bool:
        with self.recorder.lock:
            self.recorder.journeys_failed.append(f"{self.email}: {why}")
        return False
