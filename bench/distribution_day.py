"""The distribution day: 25 stands and 3 desk tablets replay the demo's whole day over HTTP, wifi dropping.

Run by hand, from the repository root::

    .venv/bin/python bench/distribution_day.py [--db sqlite|postgres|both] [--seed 1]

For each database: a fresh database, migrate, demo data, the demo's closed
cycle finalised (150 households, 25 producers), a stand login per producer and
two volunteers on the day team (``bench/day_db.py prepare``); then gunicorn on
127.0.0.1. The bench computes the day on its own: every line handed over, the
variable-weight ones weighed first (price per kg x grams, half up), some
households paying their whole basket at the desk on arrival, most of the others
paying at some stands. Each device logs in, loads its snapshot (``state.json``)
and works through its queue, going offline at random for a while (actions queue
up locally and go out in one batch when the network comes back, up to 100 at a
time); some batches are cut mid-request (half the body sent, or the whole
request sent and the answer never read) and sent again. After the day the
database is checked against the bench's own figures (``day_db.py check``): 0
lost, 0 duplicated, the same amounts, a balanced ledger. Prints each action's
cost and a 100-action sync as ratios to the home page in the same run. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import opening_rush as rush
from rush_client import BASELINE, CSRF_INPUT, REQUEST_TIMEOUT, Browser, Recorder, Sample

HOST = rush.HOST
PASSWORD = rush.PASSWORD
MAX_BATCH = 100  # what a device sends at once (the server takes up to 200)
LOGIN = "login"
STAND_STATE = "stand state.json"
DESK_STATE = "desk state.json"
BATCH = "sync, batch of 2-100"
SINGLE = "sync, 1 action: "


def sync_kind(action: dict[str, Any]) -> str:
    return SINGLE + str(action["kind"])


def euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


# --- The day, computed by the bench on its own ------------------------------------------------


@dataclass
class Expected:
    """What the database must hold after the day, from what the bench sent (filled as it goes)."""

    sent: set[tuple[str, str]] = field(default_factory=set)
    kinds: Counter[str] = field(default_factory=Counter)
    line_totals: dict[int, int] = field(default_factory=dict)
    due: Counter[str] = field(default_factory=Counter)
    stand_paid: Counter[str] = field(default_factory=Counter)
    desk_paid: Counter[str] = field(default_factory=Counter)
    handed_by_user: Counter[int] = field(default_factory=Counter)
    paid_by_user: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def queued(self, device: str, action: dict[str, Any]) -> None:
        with self.lock:
            self.sent.add((device, str(action["action"])))
            self.kinds[str(action["kind"])] += 1

    def as_json(self) -> dict[str, Any]:
        owes = {
            str(user): self.handed_by_user[user] - self.paid_by_user[user]
            for user in set(self.handed_by_user) | set(self.paid_by_user)
        }
        return {
            "sent": sorted(self.sent),
            "kinds": dict(self.kinds),
            "line_totals": {str(k): v for k, v in self.line_totals.items()},
            "due": dict(self.due),
            "stand_paid": dict(self.stand_paid),
            "desk_paid": dict(self.desk_paid),
            "owes": owes,
        }


def weighed_total(price_per_kg: int, grams: int) -> int:
    """Price per kg times the weight, rounded half up to the cent (the bench's own arithmetic)."""
    return (price_per_kg * grams * 2 + 1000) // 2000


def plan_day(info: dict[str, Any], rng: random.Random, args: argparse.Namespace, expected: Expected):
    """Each stand's queue of actions and each desk's list of households; fills ``expected``."""
    by_part: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    user_of: dict[int, int] = {}
    for line in info["lines"]:
        by_part[line["order"], line["producer"]].append(line)
        user_of[line["order"]] = line["user"]
    orders = sorted(user_of)
    desk_payers = set(rng.sample(orders, min(args.desk_payers, len(orders))))
    open_parts = [part for part in by_part if part[0] not in desk_payers]
    stand_paid = set(rng.sample(open_parts, min(args.stand_payments, len(open_parts))))
    weighable = sum(1 for line in info["lines"] if line["variable_weight"])
    # The demo has fewer variable-weight lines than a day's weighings: the rest are weights typed
    # again (a correction is a new weighing; the last one counts).
    per_line = max(1, round(args.weighings / weighable)) if weighable else 0
    stands: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n, ((order, producer), lines) in enumerate(sorted(by_part.items(), key=lambda _: rng.random())):
        queue, part_total = stands[producer], 0
        for line in lines:
            common = {"order": order, "producer": producer, "line": line["line"]}
            total = line["total_cents"]
            if line["variable_weight"]:
                estimate = (line["quantity"] * line["estimated_grams"] * 2 + 1000) // 2000
                for again in range(per_line):
                    grams = max(1, round(estimate * rng.uniform(0.8, 1.2)))
                    weight = f"{grams / 1000:.3f}".replace(".", ",")
                    action = {"action": f"w{line['line']}-{again}", "kind": "weighed", "weight": weight}
                    queue.append({**action, **common})
                total = weighed_total(line["price_cents"], grams)
            queue.append({"action": f"h{line['line']}", "kind": "handed", **common})
            expected.line_totals[line["line"]] = total
            expected.handed_by_user[user_of[order]] += total
            part_total += total
        expected.due[f"{order}:{producer}"] += part_total
        if (order, producer) in stand_paid and part_total > 0:
            method = rng.choice(("cash", "cash", "cheque", "card", "transfer"))
            queue.append(
                {
                    "action": f"p{order}-{producer}",
                    "kind": "paid",
                    "order": order,
                    "producer": producer,
                    "amount": euros(part_total),
                    "method": method,
                    "details": _details(method, n),
                }
            )
            expected.stand_paid[f"{order}:{producer}"] += part_total
            expected.paid_by_user[user_of[order]] += part_total
    arrivals = sorted(orders, key=lambda _: rng.random())
    desks: list[list[dict[str, Any]]] = [[] for _ in info["desks"]]
    for n, order in enumerate(arrivals):
        queue = desks[n % len(desks)]
        queue.append({"action": f"arr{order}", "kind": "arrived", "order": order})
        if order in desk_payers:
            queue.append(
                {
                    "action": f"desk{order}",
                    "kind": "desk_paid",
                    "order": order,
                    "amount": None,
                    "method": rng.choice(("cash", "cheque", "card")),
                    "user": user_of[order],
                }
            )
    return stands, desks


def _details(method: str, n: int) -> dict[str, str]:
    if method == "cheque":
        return {"number": f"{1_000_000 + n}", "bank": "Crédit Agricole", "drawer": "Foyer"}
    if method == "transfer":
        return {"reference": f"CABAS-{n}"}
    return {}


# --- A device: a phone at a stand, a tablet at the desk ---------------------------------------


@dataclass
class Stats:
    """What the devices met on the way, shared by them."""

    batches: list[tuple[int, float]] = field(default_factory=list)  # (size, seconds)
    statuses: Counter[str] = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)
    cuts: Counter[str] = field(default_factory=Counter)
    offline_periods: int = 0
    busy: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Device:
    def __init__(
        self,
        name: str,
        email: str,
        base: str,
        actions: list[dict[str, Any]],
        *,
        port: int,
        recorder: Recorder,
        stats: Stats,
        expected: Expected,
        rng: random.Random,
        args: argparse.Namespace,
        number: int,
    ) -> None:
        self.name, self.email, self.base = name, email, base
        self.todo = list(actions)
        self.queue: list[dict[str, Any]] = []
        self.port, self.recorder, self.stats, self.expected = port, recorder, stats, expected
        self.rng, self.args = rng, args
        self.browser = Browser(HOST, port, recorder, client_ip=f"10.1.{number // 250}.{1 + number % 250}")
        self.left: dict[int, int] = {}  # the desk's snapshot: what is left to collect per order
        self.is_desk = "/manage/" in base

    # -- HTTP

    def login(self) -> None:
        status, _, page = self.browser.request("login form", "GET", "/accounts/login/")
        token = CSRF_INPUT.search(page)
        if status != 200 or not token:
            raise RuntimeError(f"{self.name}: login form {status}")
        data = {"csrfmiddlewaretoken": token.group(1), "login": self.email, "password": PASSWORD}
        status, _, _ = self.browser.request(LOGIN, "POST", "/accounts/login/", data)
        if status != 302:
            raise RuntimeError(f"{self.name}: login {status}")

    def load_state(self) -> None:
        kind = DESK_STATE if self.is_desk else STAND_STATE
        status, _, text = self.browser.request(kind, "GET", f"{self.base}state.json")
        if status != 200:
            raise RuntimeError(f"{self.name}: state {status}")
        if self.is_desk:
            self.left = {h["order"]: h["left_cents"] for h in json.loads(text)["households"]}

    def _headers(self, length: int) -> dict[str, str]:
        token = self.browser.cookies.get("csrftoken") or self.browser.cookies.get("__Host-csrftoken", "")
        return {
            "Host": f"{HOST}:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.browser.cookies.items()),
            "Content-Type": "application/json",
            "Content-Length": str(length),
            "Origin": f"http://{HOST}:{self.port}",
            "X-CSRFToken": token,
            "X-Forwarded-For": self.browser.client_ip or "",
            "Accept-Language": "fr-FR,fr;q=0.9",
        }

    def post(self, kind: str, actions: list[dict[str, Any]], cut: str = "") -> tuple[int, Any, float]:
        body = json.dumps({"device": self.name, "actions": actions}).encode()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            if cut == "half":  # the wifi drops while the body goes out
                connection.putrequest("POST", f"{self.base}sync/", skip_host=True, skip_accept_encoding=True)
                for name, value in self._headers(len(body)).items():
                    connection.putheader(name, value)
                connection.endheaders()
                connection.send(body[: len(body) // 2])
                return 0, None, 0.0
            connection.request("POST", f"{self.base}sync/", body=body, headers=self._headers(len(body)))
            if cut == "answer":  # the request went out, the answer never comes back
                return 0, None, 0.0
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status, text = 0, f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        self.recorder.add(Sample(kind, status, seconds, started), text)
        try:
            data = json.loads(text) if status in (200, 503) else None
        except ValueError:
            data = None
        return status, data, seconds

    # -- The queue

    def do(self, action: dict[str, Any]) -> None:
        """The person taps: the action is queued on the device (the desk fills in what it collects)."""
        if action["kind"] == "desk_paid":
            cents = self.left.get(int(action["order"]), 0)
            user = action.pop("user")
            if cents <= 0:
                return
            action["amount"] = euros(cents)
            with self.expected.lock:
                self.expected.desk_paid[str(action["order"])] += cents
                self.expected.paid_by_user[user] += cents
        action["happened_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.expected.queued(self.name, action)
        self.queue.append(action)

    def flush(self) -> None:
        attempts = 0
        while self.queue:
            chunk = self.queue[:MAX_BATCH]
            kind = sync_kind(chunk[0]) if len(chunk) == 1 else BATCH
            if len(chunk) > 1 and self.rng.random() < self.args.cut:
                cut = self.rng.choice(("half", "answer"))
                self.post(kind, chunk, cut)
                with self.stats.lock:
                    self.stats.cuts[cut] += 1
            status, data, seconds = self.post(kind, chunk)
            if status == 200 and data is not None:
                self._note(chunk, data["results"], seconds)
                del self.queue[: len(chunk)]
                attempts = 0
                continue
            attempts += 1
            with self.stats.lock:
                self.stats.busy += status == 503
            if attempts >= 10:
                with self.stats.lock:
                    self.stats.failures.append(f"{self.name}: sync {status} ten times")
                raise RuntimeError(f"{self.name}: sync {status}")
            time.sleep(0.5 * attempts)

    def _note(self, chunk: list[dict[str, Any]], results: list[dict[str, Any]], seconds: float) -> None:
        with self.stats.lock:
            if len(chunk) > 1:
                self.stats.batches.append((len(chunk), seconds))
            if [r["action"] for r in results] != [a["action"] for a in chunk]:
                self.stats.failures.append(f"{self.name}: results out of order")
            for result in results:
                self.stats.statuses[result["status"]] += 1
                if result["status"] == "refused" and len(self.stats.refusals) < 5:
                    self.stats.refusals.append(f"{self.name} {result['action']}: {result['message']}")

    def work(self, count: int | None = None) -> None:
        """Work through ``count`` actions (all by default), online or not."""
        online, offline_for = True, 0
        while self.todo and count != 0:
            count = None if count is None else count - 1
            time.sleep(self.rng.uniform(0, self.args.think))
            if online and self.rng.random() < self.args.offline:
                online, offline_for = False, self.rng.randint(5, 60)
                with self.stats.lock:
                    self.stats.offline_periods += 1
            self.do(self.todo.pop(0))
            if not online:
                offline_for -= 1
                if offline_for > 0:
                    continue
                online = True
                self.flush()
                self.load_state()  # back online: what the others did meanwhile
                continue
            self.flush()
        self.flush()


# --- Phases -------------------------------------------------------------------------------------


def unloaded(
    devices: list[Device], stands: list[Device], recorder: Recorder, port: int, stats: Stats, args, expected
) -> dict[str, Any]:
    """Alone on the server: single actions of each kind, a 100-action sync and its replay."""
    home = Browser(HOST, port, recorder)
    probe_actions: list[dict[str, Any]] = []
    largest = sorted(stands, key=lambda d: -len(d.todo))[:4]
    for stand in largest:  # the start of the four busiest stands' day, sent at once
        take = min(MAX_BATCH // 4, len(stand.todo) - 10)
        probe_actions += stand.todo[:take]
        del stand.todo[:take]
    desk = next(d for d in devices if d.is_desk)
    probe = Device(
        "probe",
        desk.email,
        desk.base,
        probe_actions,
        port=port,
        recorder=recorder,
        stats=stats,
        expected=expected,
        rng=random.Random(0),
        args=args,
        number=999,
    )
    for device in devices:
        device.login()
        device.load_state()
    singles = [d for d in stands if d not in largest][:3]
    for device in [*singles, *[d for d in devices if d.is_desk][:1]]:
        for _ in range(8):
            home.request(BASELINE, "GET", "/")
            old = device.args.offline
            device.args.offline = 0.0
            device.work(1)
            device.args.offline = old
    for _ in range(10):
        home.request(BASELINE, "GET", "/")
    probe.login()
    for action in probe.todo:
        probe.do(action)
    status, data, first = probe.post("100-action sync", probe.queue)
    statuses = Counter(r["status"] for r in data["results"]) if data else Counter()
    status2, data2, replay = probe.post("100-action replay", probe.queue)
    replayed = Counter(r["status"] for r in data2["results"]) if data2 else Counter()
    for _ in range(10):
        home.request(BASELINE, "GET", "/")
    with stats.lock:
        stats.statuses.update(statuses)
        stats.statuses.update(replayed)
    return {
        "size": len(probe.queue),
        "first": first,
        "replay": replay,
        "statuses": statuses,
        "replayed": replayed,
        "ok": status == 200 and status2 == 200,
    }


def the_day(devices: list[Device], recorder: Recorder, port: int) -> float:
    finished = threading.Event()
    errors: list[str] = []

    def run(device: Device) -> None:
        try:
            device.work()
        except Exception as error:
            errors.append(f"{device.name}: {type(error).__name__}: {error}")

    def baseline() -> None:
        browser = Browser(HOST, port, recorder)
        while not finished.is_set():
            browser.request(BASELINE, "GET", "/")
            finished.wait(0.25)

    started = time.monotonic()
    watcher = threading.Thread(target=baseline, daemon=True)
    watcher.start()
    threads = [threading.Thread(target=run, args=(d,), daemon=True) for d in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(1800)
    finished.set()
    watcher.join(10)
    if errors:
        raise RuntimeError("; ".join(errors[:5]))
    return time.monotonic() - started


# --- Report -------------------------------------------------------------------------------------


def p(values: list[float], q: float) -> float:
    return rush.percentile(values, q)


def times(recorder: Recorder, kind: str) -> list[float]:
    return [s.seconds for s in recorder.samples if s.kind == kind]


def report(
    day: Recorder, solo: Recorder, probe: dict[str, Any], stats: Stats, elapsed: float, devices: int
) -> bool:
    unit = p(times(day, BASELINE), 50)
    solo_unit = p(times(solo, BASELINE), 50)
    errors = [s for s in day.samples + solo.samples if not 200 <= s.status < 400]
    actions = sum(stats.statuses.values())
    sizes = [b[0] for b in stats.batches]
    print(
        f"   day: {actions} action results from {devices} devices in {elapsed:.0f} s;"
        f" {stats.offline_periods} offline periods; {len(stats.batches)} batches of 2+"
        f" (median {p(sizes, 50):.0f}, max {max(sizes, default=0)});"
        f" cut mid-request: {stats.cuts['half']} while sending, {stats.cuts['answer']} before the answer;"
        f" 503 busy: {stats.busy}"
    )
    print(f"   answers: {dict(stats.statuses)}")
    print(
        f"   unit = GET / p50 during the day = {unit * 1000:.1f} ms"
        f" = {unit / solo_unit:.1f} x its p50 alone ({solo_unit * 1000:.1f} ms)"
    )
    print(
        f"   {'request':<30}{'count':>6}{'errors':>7}{'p50':>8}{'p95':>8}{'alone':>8}"
        "    absolute ms p50 / p95"
    )
    kinds = sorted({s.kind for s in day.samples} - {BASELINE})
    for kind in kinds:
        samples = [s for s in day.samples if s.kind == kind]
        taken = [s.seconds for s in samples]
        alone = times(solo, kind)
        alone_ratio = f"{p(alone, 50) / solo_unit:7.1f}x" if alone else "      -"
        print(
            f"   {kind:<30}{len(samples):>6}{sum(not 200 <= s.status < 400 for s in samples):>7}"
            f"{p(taken, 50) / unit:>7.2f}x{p(taken, 95) / unit:>7.2f}x{alone_ratio}"
            f"    {p(taken, 50) * 1000:.0f} / {p(taken, 95) * 1000:.0f}"
        )
    per_action = [seconds / size for size, seconds in stats.batches]
    if per_action:
        print(
            f"   batches during the day, per action: p50 {p(per_action, 50) / unit:.2f}x,"
            f" p95 {p(per_action, 95) / unit:.2f}x"
        )
    print(
        f"   alone, a {probe['size']}-action sync: {probe['first'] / solo_unit:.0f}x"
        f" ({probe['first'] / probe['size'] / solo_unit:.2f}x per action, {probe['first'] * 1000:.0f} ms);"
        f" its replay ({dict(probe['replayed'])}): {probe['replay'] / solo_unit:.0f}x"
        f" ({probe['replay'] * 1000:.0f} ms)"
    )
    for kind, samples in day.error_samples.items():
        for sample in samples:
            print(f"   error sample [{kind}] {sample}")
    return not errors and not stats.failures and not stats.statuses["refused"] and probe["ok"]


def bench_database(kind: str, args: argparse.Namespace, workdir: Path) -> bool:
    db = rush.Database.create(kind, workdir)
    server = None
    try:
        rush.prepare(db)
        info = rush.last_json(rush.run([rush.PYTHON, "bench/day_db.py", "prepare"], rush.django_env(db)))
        rng = random.Random(args.seed)
        expected = Expected()
        stand_queues, desk_queues = plan_day(info, rng, args, expected)
        server = rush.Server(db, args, workdir)
        server.wait_ready()
        log_start = server.log_size()
        solo, day, stats = Recorder(), Recorder(), Stats()
        devices: list[Device] = []
        for n, stand in enumerate(info["stands"]):
            base = f"/producers/{stand['slug']}/cycles/{info['cycle']}/day/"
            devices.append(
                Device(
                    f"stand-{stand['producer']}",
                    stand["email"],
                    base,
                    stand_queues[stand["producer"]],
                    port=server.port,
                    recorder=solo,
                    stats=stats,
                    expected=expected,
                    rng=random.Random(f"{args.seed}:{n}"),
                    args=args,
                    number=n,
                )
            )
        stands = list(devices)
        for n, email in enumerate(info["desks"]):
            base = f"/g/{info['group']}/manage/cycles/{info['cycle']}/day/"
            devices.append(
                Device(
                    f"desk-{n}",
                    email,
                    base,
                    desk_queues[n],
                    port=server.port,
                    recorder=solo,
                    stats=stats,
                    expected=expected,
                    rng=random.Random(f"{args.seed}:d{n}"),
                    args=args,
                    number=100 + n,
                )
            )
        planned = sum(len(d.todo) for d in devices)
        households = len({line["order"] for line in info["lines"]})
        print(
            f"\n== {db.label} · cycle {info['cycle']}: {households} households,"
            f" {len(info['lines'])} lines, {len(stands)} stands, {len(info['desks'])} desks;"
            f" {planned} actions planned: {dict(Counter(a['kind'] for d in devices for a in d.todo))}"
        )
        probe = unloaded(devices, stands, solo, server.port, stats, args, expected)
        for device in devices:
            device.recorder = day
            device.browser.recorder = day
        elapsed = the_day(devices, day, server.port)
        path = workdir / f"expected-{kind}.json"
        path.write_text(json.dumps(expected.as_json()))
        checks = rush.last_json(
            rush.run(
                [
                    rush.PYTHON,
                    "bench/day_db.py",
                    "check",
                    "--cycle",
                    str(info["cycle"]),
                    "--expected",
                    str(path),
                ],
                rush.django_env(db),
            )
        )
        passed = report(day, solo, probe, stats, elapsed, len(devices))
        tracebacks = server.tracebacks(log_start)
        results = [
            *checks["checks"],
            {
                "name": "no HTTP error, no refused action, answers in order",
                "ok": passed,
                "detail": f"refusals {stats.refusals[:3]}, failures {stats.failures[:3]}",
            },
            {
                "name": "no traceback in the server log",
                "ok": not tracebacks,
                "detail": f"{len(tracebacks)} traceback(s)" + (f":\n{tracebacks[0]}" if tracebacks else ""),
            },
        ]
        print(f"   journal: {checks['info']}")
        print("   checks:")
        for result in results:
            print(f"   {'PASS' if result['ok'] else 'FAIL'}  {result['name']}: {result['detail']}")
        return all(result["ok"] for result in results)
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            db.drop()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--desk-payers", type=int, default=30, help="households paying their basket at the desk"
    )
    parser.add_argument("--weighings", type=int, default=300, help="weighings in all (some typed again)")
    parser.add_argument("--stand-payments", type=int, default=370, help="parts paid at a stand")
    parser.add_argument("--think", type=float, default=0.3, help="at most this many seconds between two taps")
    parser.add_argument(
        "--offline", type=float, default=0.04, help="chance, at each tap, that the wifi drops"
    )
    parser.add_argument(
        "--cut", type=float, default=0.3, help="chance a batch is cut mid-request, then resent"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.one_ip = False  # each device its own X-Forwarded-For address (bench/behind_proxy.py)
    return args


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    workdir = Path(tempfile.mkdtemp(prefix="cabas-day-"))
    source = rush.snapshot(workdir)
    print(
        "Distribution day: the demo's closed cycle replayed by its stands and desks over HTTP,"
        f" databases {kinds}.\n"
        f"Server: gunicorn, {args.workers} sync workers, CABAS_DEBUG=1, on 127.0.0.1. Latencies: ratios to"
        f" GET / (p50) in the same phase. Work files: {workdir}\nCode: {source}."
    )
    started = time.monotonic()
    passed = True
    try:
        for kind in kinds:
            passed &= bench_database(kind, args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\n{'ALL CHECKS PASSED' if passed else 'SOME CHECKS FAILED'}"
        f" (total {time.monotonic() - started:.0f} s)"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
