"""All the documents of a cycle: time and peak memory, at the demo's size and at ten times its orders.

Run by hand, from the repository root::

    .venv/bin/python bench/documents.py [--scale 10] [--skip-10x] [--db sqlite|postgres] [--keep]

A fresh database (SQLite temp file, or ``cabas_bench_docs`` on the local
PostgreSQL), migrate, demo data; the demo's closed cycle with the most orders.
Each measurement runs in a process of its own, so that its peak memory is its
own: first the unit, one purchase order PDF of one page rendered a few times;
then every document of the cycle (slips, matrix, summary, each producer's
purchase order and distribution list, in PDF, XLSX and CSV) generated through
the app's own path, ``services.request_generation`` and the task it enqueues,
run at once by Django's ``ImmediateBackend``. Then the same at ``--scale``
times the orders (more households, the same 25 producers). Prints time and peak
memory as ratios to the unit, and checks what was stored (status, one file per
document, purchase orders adding up to the cycle's lines). Exits 1 if a check
fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
from harness import SET_UP_TIMEOUT, Database, last_json, snapshot

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
# The code under test: a copy of the working tree taken at start (see snapshot()).
PG_NAME = "cabas_bench_docs"

IMMEDIATE = "django.tasks.backends.immediate.ImmediateBackend"
MB = 1024  # ru_maxrss is in kilobytes on Linux
# The documents of a cycle, in the order of generation.specs: (kind, format).
ROWS = (
    ("slips", "pdf"),
    ("matrix", "pdf"),
    ("matrix", "xlsx"),
    ("matrix", "csv"),
    ("summary", "pdf"),
    ("summary", "xlsx"),
    ("purchase_order", "pdf"),
    ("purchase_order", "xlsx"),
    ("purchase_order", "csv"),
    ("distribution_list", "pdf"),
    ("distribution_list", "xlsx"),
)


# --- Databases and processes -------------------------------------------------------


def django_env(db: Database) -> dict[str, str]:
    """Production settings (DEBUG off: Django keeps no list of every query), tasks run at once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CABAS_", "DJANGO_"))}
    env.update(
        DATABASE_URL=db.url,
        CABAS_SECRET_KEY="bench-documents-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        CABAS_LOG_LEVEL="WARNING",
        CABAS_TASKS_BACKEND=IMMEDIATE,
    )
    return env


def prepare(db: Database) -> None:
    env = django_env(db)
    manage = [PYTHON, "manage.py"]
    harness.run([*manage, "migrate", "--noinput"], env)
    harness.run([*manage, "createcachetable"], env)
    harness.run([*manage, "seed_demo", "--size", "1", "--verbosity", "0"], env)


def child(db: Database, command: str, *args: str, timeout: float = SET_UP_TIMEOUT) -> Any:
    """``bench/documents_db.py command args`` in a new process; its last line of JSON."""
    return last_json(harness.run([PYTHON, "bench/documents_db.py", command, *args], django_env(db), timeout))


# --- Measurements ----------------------------------------------------------------------------


@dataclass
class Measured:
    """One scale: the unit and the whole generation, each measured in its own process."""

    label: str
    unit: dict[str, Any]
    gen: dict[str, Any]
    seconds: dict[str, float]  # how long each part of the bench took, for the record

    @property
    def unit_seconds(self) -> float:
        return float(self.unit["median"])

    @property
    def unit_rss(self) -> float:
        return float(self.unit["peak_rss_kb"])

    @property
    def pages(self) -> int:
        return sum(self.gen["pages"].values())

    def passed(self) -> bool:
        return all(check["ok"] for check in self.gen["checks"])


def measure(db: Database, label: str, cycle: int, producer: int | None, args: argparse.Namespace) -> Measured:
    """The unit (same producer at every scale), then every document of the cycle."""
    seconds = {}
    started = time.monotonic()
    producer_args = ["--producer", str(producer)] if producer else []
    unit = child(db, "unit", "--cycle", str(cycle), "--repeat", str(args.repeat), *producer_args)
    seconds["unit"] = time.monotonic() - started
    print(
        f"   {label}: unit measured in {seconds['unit']:.0f} s (median {unit['median']:.2f} s);"
        f" generating every document…"
    )
    started = time.monotonic()
    gen = child(db, "generate", "--cycle", str(cycle), timeout=args.timeout)
    seconds["generation"] = time.monotonic() - started
    print(f"   {label}: generation process done in {seconds['generation']:.0f} s")
    return Measured(label, unit, gen, seconds)


# --- Report ------------------------------------------------------------------------------------


def mb(kb: float) -> str:
    return f"{kb / MB:.0f} MB"


def size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count / 1000:.0f} kB"


def report_units(runs: list[Measured]) -> None:
    first = runs[0].unit
    print(
        f"\nunit = one purchase order PDF of {first['producer_name']}: {first['rows']} rows, 1 page"
        f" (the demo's fullest one-page purchase order), median of {len(first['seconds'])} renders"
        f" after a warm-up, in a fresh process before each generation"
    )
    print(
        f"   {'':<5}{'median':>9}{'cpu':>8}{'warm-up':>9}{'peak RSS':>10}{'in use':>8}{'Pss':>8}"
        "   vs the first unit"
    )
    for run in runs:
        unit = run.unit
        print(
            f"   {run.label:<5}{unit['median']:>8.3f}s{unit['cpu_median']:>7.3f}s{unit['warm_up']:>8.2f}s"
            f"{mb(unit['peak_rss_kb']):>10}{mb(unit['peak_used_kb']):>8}{mb(unit['peak_pss_kb']):>8}"
            f"   time {unit['median'] / first['median']:.2f}x,"
            f" RSS {unit['peak_rss_kb'] / first['peak_rss_kb']:.2f}x"
        )


def report_totals(runs: list[Measured]) -> None:
    print(
        "\nevery document of the cycle, through request_generation -> build_documents"
        " (wall time, CPU time and peak RSS as ratios to that scale's unit's; absolute values in parentheses)"
    )
    print(
        f"   {'':<5}{'orders':>7}{'lines':>7}{'docs':>6}{'pages':>7}"
        f"   {'time':<22}{'cpu time':<20}{'cpu/wall':>9}"
        f"   {'peak RSS':<17}{'in use at once':<17}{'Pss':>7}{'RSS before 1st doc':>19}{'stored':>10}"
    )
    for run in runs:
        gen, figures = run.gen, run.gen["figures"]
        time_ratio = f"{gen['seconds'] / run.unit_seconds:.0f}x ({gen['seconds']:.0f} s)"
        cpu_ratio = f"{gen['cpu'] / run.unit['cpu_median']:.0f}x ({gen['cpu']:.0f} s)"
        rss_ratio = f"{gen['peak_rss_kb'] / run.unit_rss:.2f}x ({mb(gen['peak_rss_kb'])})"
        used_ratio = f"{gen['peak_used_kb'] / run.unit['peak_used_kb']:.2f}x ({mb(gen['peak_used_kb'])})"
        print(
            f"   {run.label:<5}{figures['orders']:>7}{figures['lines']:>7}{figures['documents']:>6}"
            f"{run.pages:>7}   {time_ratio:<22}{cpu_ratio:<20}{gen['cpu'] / gen['seconds']:>9.2f}"
            f"   {rss_ratio:<17}{used_ratio:<17}{mb(gen['peak_pss_kb']):>7}"
            f"{mb(gen['rss_before_kb']):>19}{size(gen['bytes']):>10}"
        )
    print(
        "   memory: peak RSS is the upper bound (ru_maxrss of the process + of its largest child:"
        " shared pages count twice); in use at once is sampled every 20 ms (the process's Rss + its live"
        " children's private pages), Pss beside it; the sampling's own CPU time is left out of the CPU time: "
        + ", ".join(f"{run.label} {run.gen['sampling_cpu']:.1f} s" for run in runs)
    )
    print(
        "   in machine units (the CPU time of a fixed piece of pure-Python work, measured beside the unit:"
        " it does not depend on the PDF engine, so runs of different code compare):"
    )
    for run in runs:
        machine = run.unit["machine_cpu"]
        print(
            f"   {run.label:<5}machine unit {machine:.3f} s;"
            f" every document {run.gen['cpu'] / machine:.0f} machine"
            f" units of CPU time, the purchase order unit {run.unit['cpu_median'] / machine:.2f}"
        )
    if len(runs) == 2:
        small, big = runs
        in_units = (big.gen["seconds"] / big.unit_seconds) / (small.gen["seconds"] / small.unit_seconds)
        cpu_units = (big.gen["cpu"] / big.unit["cpu_median"]) / (small.gen["cpu"] / small.unit["cpu_median"])
        orders = big.gen["figures"]["orders"] / small.gen["figures"]["orders"]
        print(
            f"   {big.label} / {small.label}: orders {orders:.1f}x; time {in_units:.2f}x in units"
            f" ({big.gen['seconds'] / small.gen['seconds']:.2f}x in seconds), CPU time {cpu_units:.2f}x"
            f" in units;"
            f" peak RSS {big.gen['peak_rss_kb'] / small.gen['peak_rss_kb']:.2f}x"
            f" (in use at once {big.gen['peak_used_kb'] / small.gen['peak_used_kb']:.2f}x);"
            f" pages {big.pages / small.pages:.2f}x;"
            f" bytes stored {big.gen['bytes'] / small.gen['bytes']:.2f}x"
        )


def per_kind(run: Measured) -> dict[tuple[str, str], dict[str, float]]:
    """Per (kind, format): documents, seconds, pages, bytes, and how much each raised the peak RSS."""
    rows: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    previous = run.gen["rss_before_kb"]
    for build in run.gen["builds"]:
        row = rows[build["kind"], build["fmt"]]
        row["docs"] += 1
        row["seconds"] += build["seconds"]
        row["bytes"] += build["bytes"]
        row["rss_kb"] += build["rss_kb"] - previous
        row["used_kb"] = max(row["used_kb"], build["used_kb"])
        previous = build["rss_kb"]
    for key, pages in run.gen["pages"].items():
        kind, fmt, _producer = key.split(":")
        rows[kind, fmt]["pages"] += pages
    return rows


def report_kinds(runs: list[Measured]) -> None:
    print(
        "\ntime per document kind (generation.build summed) as a ratio to the unit, share of the run,"
        " pages, and how much its builds raised the peak RSS"
    )
    header = f"   {'document':<24}{'docs':>5}"
    for run in runs:
        header += f"  | {run.label + ' time':>10}{'share':>7}{'pages':>7}{'+RSS':>8}{'in use':>8}"
    print(header + ("  | growth" if len(runs) == 2 else ""))
    tables = [per_kind(run) for run in runs]
    for kind, fmt in ROWS:
        line = f"   {kind.replace('_', ' ') + ' ' + fmt:<24}{tables[0][kind, fmt]['docs']:>5.0f}"
        for run, table in zip(runs, tables, strict=True):
            row = table[kind, fmt]
            pages = f"{row['pages']:.0f}" if fmt == "pdf" else ""
            share = 100 * row["seconds"] / run.gen["seconds"]
            line += (
                f"  | {row['seconds'] / run.unit_seconds:>9.1f}x{share:>6.1f}%"
                f"{pages:>7}{row['rss_kb'] / MB:>5.0f} MB{row['used_kb'] / MB:>5.0f} MB"
            )
        if len(runs) == 2:
            line += f"  | {tables[1][kind, fmt]['seconds'] / max(tables[0][kind, fmt]['seconds'], 1e-9):.1f}x"
        print(line)
    line = f"   {'rest of the task':<24}{'':>5}"
    for run in runs:
        rest = run.gen["seconds"] - sum(b["seconds"] for b in run.gen["builds"])
        line += f"  | {rest / run.unit_seconds:>9.1f}x{100 * rest / run.gen['seconds']:>6.1f}%{'':>23}"
    print(line + "   (storing the files, progress updates, the request itself)")
    for run in runs:
        previous, rises = run.gen["rss_before_kb"], []
        for build in run.gen["builds"]:
            rises.append((build["rss_kb"] - previous, build))
            previous = build["rss_kb"]
        rise, build = max(rises, key=lambda pair: pair[0])
        producer = f" of producer {build['producer']}" if build["producer"] else ""
        print(
            f"   {run.label}: the largest rise of the peak RSS in one document: {build['kind']}"
            f" {build['fmt']}{producer}, +{mb(rise)}, to {mb(build['rss_kb'])}"
            f" (RSS before the first document {mb(run.gen['rss_before_kb'])})"
        )
        build = max(run.gen["builds"], key=lambda build: build["used_kb"])
        producer = f" of producer {build['producer']}" if build["producer"] else ""
        print(
            f"   {run.label}: the most memory in use at once: {mb(build['used_kb'])} during {build['kind']}"
            f" {build['fmt']}{producer} (Pss {mb(build['pss_kb'])}; before the first document"
            f" {mb(run.gen['used_before_kb'])})"
        )


def report_checks(runs: list[Measured]) -> bool:
    print("\nchecks")
    for run in runs:
        for check in run.gen["checks"]:
            print(f"   {'PASS' if check['ok'] else 'FAIL'}  {run.label}: {check['name']}: {check['detail']}")
    return all(run.passed() for run in runs)


# --- Main ------------------------------------------------------------------------------------------


def bench(args: argparse.Namespace, workdir: Path) -> bool:
    db = Database.create(args.db, workdir, PG_NAME)
    try:
        started = time.monotonic()
        prepare(db)
        info = child(db, "cycle")
        print(
            f"\n## {db.label}: set up in {time.monotonic() - started:.0f} s (migrate, seed_demo --size 1)."
            f"\n   Cycle {info['cycle']} « {info['name']} » ({info['group']}, {info['phase']}):"
            f" {info['orders']} orders, {info['lines']} lines, {info['producers']} producers,"
            f" {info['documents']} documents"
        )
        runs = [measure(db, "1x", info["cycle"], None, args)]
        print(f"   1x checks: {'all passed' if runs[0].passed() else 'SOME FAILED'}")
        if not args.skip_10x:
            started = time.monotonic()
            grown = child(
                db, "scale", "--cycle", str(info["cycle"]), "--factor", str(args.scale), "--seed", "1"
            )
            print(
                f"   scaled to {grown['orders']} orders, {grown['lines']} lines"
                f" ({grown['added_users']} households added) in {time.monotonic() - started:.0f} s"
            )
            runs.append(measure(db, f"{args.scale}x", info["cycle"], runs[0].unit["producer"], args))
        report_units(runs)
        report_totals(runs)
        report_kinds(runs)
        return report_checks(runs)
    finally:
        if not args.keep:
            db.drop()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=int, default=10, help="orders of the second run, times the demo's")
    parser.add_argument("--skip-10x", action="store_true", help="only the demo's size (a few minutes)")
    parser.add_argument("--repeat", type=int, default=5, help="renders of the unit after its warm-up")
    parser.add_argument(
        "--timeout", type=float, default=3600.0, help="seconds allowed for each whole generation"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database and the temp directory")
    args = parser.parse_args(argv)
    if args.scale < 2:
        parser.error("--scale must be at least 2")
    return args


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cabas-docs-"))
    source = snapshot(workdir)
    scales = "1x" if args.skip_10x else f"1x and {args.scale}x"
    print(
        f"Documents of a cycle: {scales} the demo's orders, database {args.db}.\n"
        f"Each measurement in a fresh process; tasks run by Django's ImmediateBackend; production"
        f" settings (DEBUG off). {os.cpu_count()} CPUs. Work files: {workdir}\n"
        f"Code: {source}."
    )
    started = time.monotonic()
    try:
        passed = bench(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    verdict = "ALL CHECKS PASSED" if passed else "SOME CHECKS FAILED"
    print(f"\n{verdict} (total {time.monotonic() - started:.0f} s)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
