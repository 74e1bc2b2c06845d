"""A federation on one instance: one group's pages among 100 groups, against the same group alone.

Run by hand on PostgreSQL (see bench/README.md)::

    .venv/bin/python bench/federation.py                   # 100 groups against 1, both kept for next time
    .venv/bin/python bench/federation.py --groups 20       # a quicker look
    .venv/bin/python bench/federation.py --explain         # and the plans of the slowest queries

Two databases: ``cabas_bench_fed<N>`` (``seed_demo --groups N``: the demo and
N-1 more groups of its size) and ``cabas_bench_single`` (``seed_demo``: the
demo alone). Each is built once and reused by later runs (``--rebuild`` to
start again); ``migrate`` runs on both every time, so a new index is in place.
Then one process per database (``bench/federation_db.py serve``) times
Saint-Orens' member journey and its coordinator's cycle pages, the two
databases taking turns journey by journey (so both see the same load of a
shared machine), and one generation of the closed cycle's documents on each.
The report gives, per request, the ratio of the medians (federation /
single: the goal is at most 1.2), the same ratio of the CPU time of the
process serving it, and the query counts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import PG_ADMIN, BenchError, last_json, psql, run

GOAL = 1.2
SINGLE = "cabas_bench_single"
STEPS_ORDER = (
    "home",
    "order: hub",
    "order: producer section",
    "order: category section",
    "order: basket",
    "line +",
    "line −",
    "confirm (POST)",
    "basket after confirm",
    "cycle detail",
    "cycle orders",
    "cycle cartons",
    "documents list",
)


def environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CABAS_DEBUG="1",
        DATABASE_URL=url,
        CABAS_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
        PYTHONUNBUFFERED="1",
    )
    return env


def exists(name: str) -> bool:
    done = subprocess.run(
        ["psql", f"{PG_ADMIN}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout.strip() == "1"


def groups_in(env: dict[str, str]) -> int:
    try:
        return int(last_json(run([sys.executable, "bench/federation_db.py", "groups"], env))["groups"])
    except BenchError:
        return 0


def prepare(name: str, groups: int, rebuild: bool) -> dict[str, str]:
    """The database ``name`` with ``groups`` groups: reused if it has them, else built again."""
    env = environment(f"{PG_ADMIN}/{name}")
    if not rebuild and exists(name):
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env, timeout=3600)
        run([sys.executable, "manage.py", "createcachetable"], env)
        if groups_in(env) == groups:
            print(f"   {name}: reused ({groups} group(s))", flush=True)
            return env
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    started = time.perf_counter()
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([sys.executable, "manage.py", "createcachetable"], env)
    migrated = time.perf_counter()
    out = run(
        [sys.executable, "manage.py", "seed_demo", "--groups", str(groups), "-v1"],
        env,
        timeout=600 + 30 * groups,
    )
    federation = [line for line in out.splitlines() if line.startswith("Fédération")]
    print(
        f"   {name}: built in {time.perf_counter() - started:.0f} s "
        f"(migrate {migrated - started:.0f} s, seed_demo {time.perf_counter() - migrated:.0f} s)"
        + (f"; {federation[0]}" if federation else ""),
        flush=True,
    )
    subprocess.run(
        ["psql", f"{PG_ADMIN}/{name}", "-q", "-c", "VACUUM ANALYZE"],
        check=True,
        capture_output=True,
        timeout=3600,
    )  # fresh statistics, as autovacuum would give a live instance
    return env


def median_ms(samples: list[list[float]], index: int = 0) -> float:
    return statistics.median(sample[index] for sample in samples) * 1000


def queries(samples: list[list[float]]) -> str:
    counts = sorted({int(sample[2]) for sample in samples})
    return str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"


Samples = dict[str, list[list[float]]]


def report(results: dict[str, Samples], documents: dict[str, list[Any]]) -> bool:
    fed, single = results["federation"], results["single"]
    print(
        f"\n   {'request':<26}{'n':>4}{'ratio':>7}{'cpu ratio':>10}  {'federation ms':>14}{'single ms':>10}"
        f"  {'queries fed / single':>21}"
    )
    ok = True
    for step in STEPS_ORDER:
        if step not in fed or step not in single:
            continue
        ratio = median_ms(fed[step]) / median_ms(single[step])
        cpu = median_ms(fed[step], 1) / median_ms(single[step], 1)
        ok &= ratio <= GOAL
        print(
            f"   {step:<26}{len(fed[step]):>4}{ratio:>7.2f}{cpu:>10.2f}  {median_ms(fed[step]):>14.1f}"
            f"{median_ms(single[step]):>10.1f}  {queries(fed[step]) + ' / ' + queries(single[step]):>21}"
            + ("" if ratio <= GOAL else f"   above {GOAL}")
        )
    if documents["federation"] and documents["single"]:
        fed_s = statistics.median(d["seconds"] for d in documents["federation"])
        single_s = statistics.median(d["seconds"] for d in documents["single"])
        ratio = fed_s / single_s
        cpu = statistics.median(d["cpu"] for d in documents["federation"]) / statistics.median(
            d["cpu"] for d in documents["single"]
        )
        ok &= ratio <= GOAL
        fed_q = documents["federation"][0]["queries"]
        single_q = documents["single"][0]["queries"]
        print(
            f"   {'documents generation':<26}{len(documents['federation']):>4}{ratio:>7.2f}{cpu:>10.2f}  "
            f"{fed_s * 1000:>14.0f}{single_s * 1000:>10.0f}  {f'{fed_q} / {single_q}':>21}"
            f"   ({documents['federation'][0]['documents']} documents)"
        )
    return ok


class Worker:
    """``federation_db.py serve`` on one database: one journey per line sent."""

    def __init__(self, env: dict[str, str], emails: Path) -> None:
        env = env | {"CABAS_TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend"}  # no e-mail
        self.process = subprocess.Popen(
            [sys.executable, "bench/federation_db.py", "serve", "--emails", str(emails)],
            env=env,
            cwd=harness.APP,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._expect("ready")

    def _read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise BenchError(f"federation_db.py serve stopped ({self.process.wait()})")
        return line.strip()

    def _expect(self, word: str) -> None:
        if (line := self._read()) != word:
            raise BenchError(f"federation_db.py serve said {line!r}")

    def journey(self) -> Samples:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return json.loads(self._read())["samples"]

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--groups", type=int, default=100, help="groups in the federation (default 100)")
    parser.add_argument(
        "--journeys", type=int, default=20, help="journeys on each database, one household each"
    )
    parser.add_argument("--documents", type=int, default=1, help="generations per database (1; 0: none)")
    parser.add_argument(
        "--explain", action="store_true", help="print the slowest queries' plans (federation)"
    )
    parser.add_argument("--rebuild", action="store_true", help="build both databases again")
    parser.add_argument("--drop", action="store_true", help="drop both databases at the end")
    args = parser.parse_args()
    if args.groups < 2:
        parser.error("--groups must be at least 2")

    workdir = Path(tempfile.mkdtemp(prefix="cabas-federation-"))
    print(f"Code: {harness.snapshot(workdir)}", flush=True)
    fed_name = f"cabas_bench_fed{args.groups}"
    print(
        f"== Databases (PostgreSQL): {fed_name} ({args.groups} groups) and {SINGLE} (the demo alone)",
        flush=True,
    )
    envs = {
        "federation": prepare(fed_name, args.groups, args.rebuild),
        "single": prepare(SINGLE, 1, args.rebuild),
    }
    results: dict[str, Samples] = {"federation": defaultdict(list), "single": defaultdict(list)}
    documents: dict[str, list[Any]] = {"federation": [], "single": []}
    print(f"== Pages: {args.journeys} journeys on each database, alternating", flush=True)
    # The same households on both databases: the first ones without an order on either.
    candidates = [
        last_json(run([sys.executable, "bench/federation_db.py", "candidates"], env))["emails"]
        for env in envs.values()
    ]
    both = [email for email in candidates[0] if email in set(candidates[1])][: args.journeys + 1]
    if len(both) < args.journeys + 1:
        raise BenchError("Not enough households without an order on both databases: use --rebuild.")
    emails = workdir / "households.json"
    emails.write_text(json.dumps(both))
    workers = {which: Worker(env, emails) for which, env in envs.items()}
    try:
        for number in range(args.journeys):
            order = ("federation", "single") if number % 2 == 0 else ("single", "federation")
            for which in order:
                for step, samples in workers[which].journey().items():
                    results[which][step].extend(samples)
    finally:
        for worker in workers.values():
            worker.stop()
    if args.documents:
        print(
            f"== Documents of the closed cycle: {args.documents} generation(s) on each database", flush=True
        )
        for number in range(args.documents):
            order = ("federation", "single") if number % 2 == 0 else ("single", "federation")
            for which in order:
                out = run([sys.executable, "bench/federation_db.py", "documents"], envs[which], timeout=3600)
                documents[which].append(last_json(out))
    print(f"== Saint-Orens among {args.groups} groups / alone (goal: ratio of the medians at most {GOAL})")
    ok = report(results, documents)
    if args.explain:
        print(f"\n== The slowest queries of one pass on {fed_name}, with their plans")
        print(run([sys.executable, "bench/federation_db.py", "explain"], envs["federation"]))
    if args.drop:
        psql(f"DROP DATABASE IF EXISTS {fed_name} WITH (FORCE)")
        psql(f"DROP DATABASE IF EXISTS {SINGLE} WITH (FORCE)")
    print("All ratios within the goal." if ok else f"Some ratios above {GOAL}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
