"""The opening rush: every household logs in and fills its basket in the same minutes.

Run by hand, from the repository root::

    .venv/bin/python bench/opening_rush.py [--db sqlite|postgres|both] [--clients 20,50] [--members 150]

For each database: a fresh database (SQLite temp file, or ``cabas_bench`` on the
local PostgreSQL), migrate, demo data, then gunicorn; for each client count, a
new open cycle (443-500 offers, ten first-come quotas of about 30 units), a
short baseline-only phase, and the rush itself: ``--members`` members, spread
over the clients, each logging in, opening the order page, changing about ten
lines with htmx and confirming the basket. A separate client fetches the home
page all along: its median latency is the unit every other latency is given in.
After each rush the database is checked (quotas, totals, duplicates, what each
member saw). Prints ratios; exits 1 if a check fails. See bench/README.md.

With ``--rehearsal`` the same rushes go through the production rehearsal
(``bin/rehearse``: nginx with TLS in front of two app servers, production
settings, PostgreSQL, Redis, the task worker) instead of a gunicorn of its own.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import rush_client
from harness import BenchError, Database, last_json, run, snapshot
from rush_client import (
    BASELINE,
    KINDS,
    LOGIN_FORM,
    Browser,
    Member,
    Offer,
    Plan,
    Recorder,
)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
GUNICORN = str(ROOT / ".venv/bin/gunicorn")
# The code under test: a copy of the working tree taken at start (see snapshot()).
HOST = "127.0.0.1"
PG_NAME = "cabas_bench"
PASSWORD = "cabas-demo"

READY_TIMEOUT = 60
# Set by --rehearsal inside bin/rehearse: the app servers and nginx are the rehearsal's.
REHEARSAL = False
BASELINE_PAUSE = 0.25  # seconds between the baseline client's requests during the rush


# --- Databases and processes -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def django_env(db: Database) -> dict[str, str]:
    if REHEARSAL:  # the rehearsal's own environment: production settings, its database
        return dict(os.environ)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CABAS_", "DJANGO_"))}
    env.update(
        DATABASE_URL=db.url,
        CABAS_DEBUG="1",
        CABAS_LOG_LEVEL="WARNING",
        # No e-mail (confirmations) during the rush: tasks go nowhere.
        CABAS_TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
    )
    return env


def prepare(db: Database) -> None:
    env = django_env(db)
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--noinput"], env)
    run([*manage, "createcachetable"], env)
    run([*manage, "seed_demo", "--size", "1", "--verbosity", "0"], env)


class Server:
    """gunicorn serving the app on a free port of 127.0.0.1; its log goes to a file."""

    def __init__(self, db: Database, args: argparse.Namespace, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.log = workdir / f"gunicorn-{db.kind}.log"
        env = django_env(db)
        env["CABAS_DB_CONN_MAX_AGE"] = str(args.conn_max_age)
        if not args.one_ip:
            env["DJANGO_SETTINGS_MODULE"] = "bench.behind_proxy"
        command = [
            GUNICORN,
            "cabas.wsgi",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(args.workers),
            "--threads",
            "1",
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--chdir",
            str(harness.APP),
        ]
        self.handle = self.log.open("ab")
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=harness.APP,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        probe = Browser(HOST, self.port, Recorder())
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited ({self.process.returncode}); see {self.log}")
            if probe.request("probe", "GET", "/")[0] == 200:
                return
            time.sleep(0.3)
        raise BenchError(f"gunicorn did not answer within {READY_TIMEOUT} s")

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def tracebacks(self, since: int) -> list[str]:
        with self.log.open("rb") as f:
            f.seek(since)
            text = f.read().decode("utf-8", "replace")
        found = []
        for part in text.split("Traceback (most recent call last):")[1:]:
            lines = [line for line in part.strip().splitlines() if line.strip()]
            found.append("\n".join(lines[-8:]))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop, workers included
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.handle.close()


# --- Phases --------------------------------------------------------------------------------


def new_cycle(db: Database, members: int, offset: int, label: str) -> dict[str, Any]:
    args = ["--members", str(members), "--offset", str(offset), "--label", label]
    return last_json(run([PYTHON, "bench/rush_db.py", "cycle", *args], django_env(db)))


def solo(port: int, plan: Plan, emails: list[str], *, seed: int, timeout: float) -> Recorder:
    """The unloaded cost of each request: a few members one after the other, home pages between."""
    recorder = Recorder()
    deadline = time.monotonic() + timeout
    browser = Browser(HOST, port, recorder)
    browser.deadline = deadline
    for email in emails:
        for _ in range(5):
            browser.request(BASELINE, "GET", "/")
        member = Member(
            plan, email, recorder, random.Random(f"{seed}:{email}"), f"10.255.0.{len(email) % 250}"
        )
        member.browser.deadline = deadline
        try:
            member.journey()
        except Exception as error:
            member._failed(f"{type(error).__name__}: {error}")
    return recorder


def baseline_only(port: int, clients: int, seconds: float) -> Recorder:
    """``clients`` clients fetching the home page as fast as it answers: the throughput unit."""
    recorder = Recorder()
    stop = time.monotonic() + seconds

    def loop() -> None:
        browser = Browser(HOST, port, recorder)
        while time.monotonic() < stop:
            browser.request(BASELINE, "GET", "/")

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return recorder


def rush(
    port: int, plan: Plan, emails: list[str], clients: int, *, one_ip: bool, seed: int, timeout: float
) -> tuple[Recorder, float]:
    """Every member's journey, ``clients`` at a time; the baseline client beside them."""
    recorder = Recorder()
    queue: Queue[tuple[int, str]] = Queue()
    for number, email in enumerate(emails):
        queue.put((number, email))
    deadline = time.monotonic() + timeout
    finished = threading.Event()

    def client() -> None:
        while time.monotonic() < deadline:
            try:
                number, email = queue.get_nowait()
            except Empty:
                return
            ip = None if one_ip else f"10.{number // 250}.{number % 250}.{1 + number % 200}"
            member = Member(plan, email, recorder, random.Random(f"{seed}:{email}"), ip)
            member.browser.deadline = deadline
            try:
                member.journey()
            except Exception as error:
                member._failed(f"{type(error).__name__}: {error}")

    def baseline() -> None:
        browser = Browser(HOST, port, recorder)
        while not finished.is_set():
            browser.request(BASELINE, "GET", "/")
            finished.wait(BASELINE_PAUSE)

    started = time.monotonic()
    watcher = threading.Thread(target=baseline, daemon=True)
    watcher.start()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 100)
    elapsed = time.monotonic() - started
    finished.set()
    watcher.join(100)
    if not queue.empty() or any(t.is_alive() for t in threads):
        recorder.journeys_failed.append(f"rush stopped after its {timeout:.0f} s timeout")
    return recorder, elapsed


def check(db: Database, cycle: int, recorders: list[Recorder], workdir: Path) -> dict[str, Any]:
    """The database after the rush, compared with what every member (solo pass included) saw."""
    merged: dict[str, Any] = {}
    for recorder in recorders:
        for key, value in recorder.seen().items():
            if isinstance(value, dict) and key in ("final_pages",):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, dict) and key == "max_left_offered":
                into = merged.setdefault(key, {})
                for k, v in value.items():
                    into[k] = max(v, into.get(k, 0))
            elif isinstance(value, dict):
                into = merged.setdefault(key, {})
                for k, v in value.items():
                    into[k] = into.get(k, 0) + v
            else:
                merged[key] = merged.get(key, type(value)()) + value
    seen = workdir / f"seen-{cycle}.json"
    seen.write_text(json.dumps(merged))
    return last_json(
        run([PYTHON, "bench/rush_db.py", "check", "--cycle", str(cycle), "--seen", str(seen)], django_env(db))
    )


# --- Report ------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no value)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[rank]


def ok(status: int) -> bool:
    return 200 <= status < 400


def times(recorder: Recorder, kind: str) -> list[float]:
    return [s.seconds for s in recorder.samples if s.kind == kind]


@dataclass
class Run:
    """Everything measured for one database and one client count."""

    db: Database
    clients: int
    info: dict[str, Any]
    alone: Recorder
    alone_seconds: float
    solo: Recorder
    rush: Recorder
    elapsed: float
    checks: dict[str, Any]
    tracebacks: list[str]


def report(run: Run) -> bool:
    """Print one run's ratios and checks; True if every check passed."""
    rush = run.rush
    alone_rate = len(run.alone.samples) / run.alone_seconds
    unit = percentile(times(rush, BASELINE), 50)
    solo_unit = percentile(times(run.solo, BASELINE), 50)
    member_samples = [s for s in rush.samples if s.kind != BASELINE]
    rate = len(member_samples) / run.elapsed
    print()
    print(f"== {run.db.label} · {run.clients} clients · {len(run.info['rush_members'])} members in the rush")
    print(
        f"   cycle {run.info['cycle']}: {len(run.info['offers'])} offers from {run.info['producers']}"
        f" producers, {len(run.info['capped'])} first-come quotas of ~30 units"
    )
    print(
        f"   throughput: rush {rate:.1f} member req/s ({len(member_samples)} requests in {run.elapsed:.0f} s)"
        f" / baseline alone {alone_rate:.1f} req/s ({run.clients} clients on GET /)"
        f" = ratio {rate / alone_rate:.3f}"
    )
    print(
        f"   unit = baseline (GET /) p50 during the rush = {unit * 1000:.0f} ms"
        f" = {unit / solo_unit:.1f} x its p50 unloaded ({solo_unit * 1000:.0f} ms)"
    )
    print(
        f"   {'request':<12}{'count':>6}{'errors':>7}{'req/s':>7}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'unloaded':>10}    absolute ms p50 / p95 / p99"
    )
    for kind in (LOGIN_FORM, *KINDS):
        samples = [s for s in rush.samples if s.kind == kind]
        if not samples:
            continue
        taken = [s.seconds for s in samples]
        errors = sum(1 for s in samples if not ok(s.status))
        p50, p95, p99 = (percentile(taken, p) for p in (50, 95, 99))
        solo_ratio = percentile(times(run.solo, kind), 50) / solo_unit
        print(
            f"   {kind:<12}{len(samples):>6}{errors:>7}{len(samples) / run.elapsed:>7.1f}"
            f"{p50 / unit:>7.2f}x{p95 / unit:>7.2f}x{p99 / unit:>7.2f}x{solo_ratio:>9.1f}x"
            f"    {p50 * 1000:.0f} / {p95 * 1000:.0f} / {p99 * 1000:.0f}"
        )
    print(
        f"   journeys completed: {rush.journeys_done}/{len(run.info['rush_members'])};"
        f" quota messages seen: {sum(rush.quota_conflicts.values())} on line changes,"
        f" {rush.submit_conflicts} refused submits"
    )
    for kind, samples in rush.error_samples.items():
        for sample in samples:
            print(f"   error sample [{kind}] {sample}")
    for failure in [*run.solo.journeys_failed, *rush.journeys_failed][:5]:
        print(f"   journey failed: {failure}")
    sold = run.checks["info"]["capped_sold"]
    print(f"   capped offers, sold/quota (thousandths): {', '.join(sold.values())}")
    return print_checks(run)


def print_checks(run: Run) -> bool:
    errors = [s for r in (run.solo, run.rush) for s in r.samples if not ok(s.status)]
    failed = [*run.solo.journeys_failed, *run.rush.journeys_failed]
    last = f"; last lines:\n{run.tracebacks[0]}" if run.tracebacks else ""
    results = [
        *run.checks["checks"],
        {
            "name": "no HTTP error (non-2xx/3xx), every journey completed",
            "ok": not errors and not failed,
            "detail": f"{len(errors)} HTTP errors, {len(failed)} failed journeys",
        },
        {
            "name": "no traceback in the server log",
            "ok": not run.tracebacks,
            "detail": f"{len(run.tracebacks)} traceback(s){last}",
        },
    ]
    print("   checks:")
    for result in results:
        print(f"   {'PASS' if result['ok'] else 'FAIL'}  {result['name']}: {result['detail']}")
    return all(result["ok"] for result in results)


# --- Main ------------------------------------------------------------------------------------------


def one_run(db: Database, server: Server, index: int, clients: int, args: argparse.Namespace) -> Run:
    """A new cycle, the unloaded pass, the baseline alone, the rush, the checks."""
    wanted = args.solo + args.members
    info = new_cycle(db, wanted, index * wanted, f"{db.kind}, {clients} clients")
    offers = [Offer(o["id"], o["step"], o["min"], o["cap"], o["quota"]) for o in info["offers"]]
    plan = Plan(
        host=HOST,
        port=server.port,
        group=info["group"],
        cycle=info["cycle"],
        password=PASSWORD,
        offers=offers,
        capped=[o for o in offers if o.quota is not None],
    )
    solo_members, info["rush_members"] = info["members"][: args.solo], info["members"][args.solo :]
    mark = server.log_size()
    alone_recorder = solo(server.port, plan, solo_members, seed=args.seed, timeout=args.phase_timeout)
    alone = baseline_only(server.port, clients, args.baseline_seconds)
    recorder, elapsed = rush(
        server.port,
        plan,
        info["rush_members"],
        clients,
        one_ip=args.one_ip,
        seed=args.seed,
        timeout=args.rush_timeout,
    )
    return Run(
        db=db,
        clients=clients,
        info=info,
        alone=alone,
        alone_seconds=args.baseline_seconds,
        solo=alone_recorder,
        rush=recorder,
        elapsed=elapsed,
        checks=check(db, info["cycle"], [alone_recorder, recorder], server.workdir),
        tracebacks=server.tracebacks(mark),
    )


def bench_database(kind: str, args: argparse.Namespace, workdir: Path) -> bool:
    db = Database.create(kind, workdir, PG_NAME)
    server: Server | None = None
    passed = True
    try:
        started = time.monotonic()
        prepare(db)
        server = Server(db, args, workdir)
        server.wait_ready()
        print(
            f"\n## {db.label}: set up in {time.monotonic() - started:.0f} s;"
            f" gunicorn on {HOST}:{server.port}, {args.workers} sync workers x 1 thread"
        )
        for index, clients in enumerate(args.clients):
            began = time.monotonic()
            passed &= report(one_run(db, server, index, clients, args))
            print(f"   (run took {time.monotonic() - began:.0f} s)")
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            db.drop()
    return passed


class RehearsalServers:
    """The rehearsal's two app servers behind its nginx, as ``Server`` offers them to the runs.

    ``bin/rehearse`` exports where they are: ``REHEARSAL_SITE`` (nginx,
    ``https://localhost:<port>``), ``REHEARSAL_LOGS`` (the folder of every log)
    and ``REHEARSAL_WEB`` (the two app servers' ports).
    """

    def __init__(self, workdir: Path) -> None:
        site = os.environ["REHEARSAL_SITE"]
        self.port = int(site.rsplit(":", 1)[1])
        self.workdir = workdir
        self.logs = Path(os.environ["REHEARSAL_LOGS"])
        self.web = [f"127.0.0.1:{port}" for port in os.environ["REHEARSAL_WEB"].split(",")]

    def _files(self) -> list[Path]:
        return [self.logs / f"web-{address.rsplit(':', 1)[1]}.log" for address in self.web]

    def log_size(self) -> dict[Path, int]:
        return {path: path.stat().st_size if path.exists() else 0 for path in self._files()}

    def tracebacks(self, since: dict[Path, int]) -> list[str]:
        found = []
        for path, offset in since.items():
            with path.open("rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", "replace")
            found += [
                f"{path.name}: ...{part[:400]}" for part in text.split("Traceback (most recent call")[1:]
            ]
        return found

    def access_lines(self) -> int:
        path = self.logs / "cabas.access.log"
        return len(path.read_bytes().splitlines()) if path.exists() else 0

    def spread(self, since: int) -> dict[str, int]:
        """Requests nginx sent to each app server since line ``since`` of its access log."""
        lines = (self.logs / "cabas.access.log").read_text(errors="replace").splitlines()[since:]
        counts = dict.fromkeys(self.web, 0)
        for line in lines:
            for address in self.web:
                if f" {address} " in line:
                    counts[address] += 1
        return counts


def bench_rehearsal(args: argparse.Namespace, workdir: Path) -> bool:
    """Inside ``bin/rehearse``: the rushes through its nginx (TLS) to its two app servers."""
    db = Database("postgres", os.environ["DATABASE_URL"], None, "rehearsal")
    servers = RehearsalServers(workdir)
    print(
        f"\n## The rehearsal: nginx (TLS) on {os.environ['REHEARSAL_SITE']} in front of"
        f" {' and '.join(servers.web)} (gunicorn as deploy/systemd/cabas-web@.service starts it),"
        f" production settings, PostgreSQL, Redis, the task worker"
    )
    passed = True
    for index, clients in enumerate(args.clients):
        began = time.monotonic()
        mark = servers.access_lines()
        passed &= report(one_run(db, servers, index, clients, args))  # type: ignore[arg-type]
        spread = servers.spread(mark)
        print(
            "   requests per app server (nginx's access log): "
            + ", ".join(f"{address} {count}" for address, count in spread.items())
        )
        passed &= all(spread.values())
        print(f"   (run took {time.monotonic() - began:.0f} s)")
    return passed


def through_rehearsal(args: argparse.Namespace) -> int:
    """Run ``bin/rehearse`` with the demo at full size, and this bench inside it once its journey passed."""
    inner = [PYTHON, "bench/opening_rush.py", *sys.argv[1:]]  # --rehearsal among them
    env = dict(os.environ)
    env.update(
        CABAS_REHEARSAL_HOUSEHOLDS="400",
        CABAS_REHEARSAL_PRODUCERS="25",
        CABAS_REHEARSAL_DB="cabas_rehearsal_rush",
        CABAS_REHEARSAL_THEN=" ".join(inner),
    )
    return subprocess.run([str(ROOT / "bin/rehearse")], env=env, cwd=ROOT).returncode


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--clients", type=lambda s: [int(n) for n in s.split(",")], default=[20, 50], help="e.g. 20,50"
    )
    parser.add_argument("--members", type=int, default=150, help="distinct members in each rush")
    parser.add_argument("--solo", type=int, default=3, help="members of the unloaded pass before each rush")
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn sync workers (4: 2 per core, 2 cores)"
    )
    parser.add_argument(
        "--conn-max-age", type=int, default=60, help="CABAS_DB_CONN_MAX_AGE (.env.example: 60)"
    )
    parser.add_argument("--baseline-seconds", type=float, default=8.0)
    parser.add_argument("--phase-timeout", type=float, default=120.0, help="seconds for the unloaded pass")
    parser.add_argument("--rush-timeout", type=float, default=900.0, help="seconds for each rush")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--one-ip",
        action="store_true",
        help="no X-Forwarded-For, default settings: every login from 127.0.0.1 (allauth: 30 per minute)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database and the temp directory")
    parser.add_argument(
        "--rehearsal",
        action="store_true",
        help="through bin/rehearse: its nginx (TLS) and two app servers, production settings, PostgreSQL",
    )
    return parser.parse_args(argv)


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse_args()
    if args.rehearsal and "REHEARSAL_SITE" not in os.environ:
        return through_rehearsal(args)
    if args.rehearsal:
        return in_rehearsal(args)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    workdir = Path(tempfile.mkdtemp(prefix="cabas-rush-"))
    source = snapshot(workdir)
    print(
        f"Opening rush: {args.members} members per rush (+{args.solo} unloaded), clients {args.clients},"
        f" databases {kinds}.\n"
        f"Server: gunicorn (not runserver) with CABAS_DEBUG=1 (plain HTTP, cookies without __Host-),"
        f" tasks to DummyBackend (no e-mail), CABAS_DB_CONN_MAX_AGE={args.conn_max_age},"
        f" {'every login from 127.0.0.1' if args.one_ip else 'one X-Forwarded-For address per member'}.\n"
        f"Latencies: ratios to the baseline's (GET /) p50 in the same phase; load generator on the same"
        f" machine ({os.cpu_count()} CPUs). Work files: {workdir}\n"
        f"Code: {source}."
    )
    started = time.monotonic()
    passed = True
    try:
        for kind in kinds:
            passed &= bench_database(kind, args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    verdict = "ALL CHECKS PASSED" if passed else "SOME CHECKS FAILED"
    print(f"\n{verdict} (total {time.monotonic() - started:.0f} s)")
    return 0 if passed else 1


def in_rehearsal(args: argparse.Namespace) -> int:
    """The rushes against the running rehearsal (called by ``bin/rehearse``, see ``through_rehearsal``)."""
    global HOST, REHEARSAL
    REHEARSAL, HOST = True, "localhost"
    rush_client.TARGET = rush_client.Target(tls=True, connect="127.0.0.1", bind_client_ip=not args.one_ip)
    workdir = Path(tempfile.mkdtemp(prefix="cabas-rush-"))
    source = snapshot(workdir)
    print(
        f"Opening rush through the rehearsal: {args.members} members per rush (+{args.solo} unloaded),"
        f" clients {args.clients}; each member connects from its own loopback address"
        f" ({'no: every login from 127.0.0.1' if args.one_ip else '127.a.b.c'}), over TLS.\n"
        f"Code: {source}."
    )
    started = time.monotonic()
    try:
        passed = bench_rehearsal(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    verdict = "ALL CHECKS PASSED" if passed else "SOME CHECKS FAILED"
    print(f"\n{verdict} (total {time.monotonic() - started:.0f} s)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
