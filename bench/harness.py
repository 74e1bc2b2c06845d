"""What the benchmarks share: a snapshot of the app to run from, its commands, and the database.

Each bench copies the working tree (``snapshot``) and runs the copy's management
commands and helper scripts (``run``), on SQLite or on a PostgreSQL database it
creates and drops (``Database``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT  # where the commands run: the snapshot, once taken
PG_ADMIN = "postgres://postgres@127.0.0.1:5432"
SET_UP_TIMEOUT = 300  # seconds per management command


class BenchError(Exception):
    pass


def snapshot(workdir: Path) -> str:
    """Copy the app (working tree as it is now) and run everything from the copy.

    Others keep editing the checkout; a change half-way through a run of
    twenty minutes would otherwise mix two versions of the code in one report.
    Returns a description of what was copied.
    """
    global APP
    APP = workdir / "app"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("cabas", "bench"):
        shutil.copytree(ROOT / name, APP / name, ignore=ignore)
    shutil.copy2(ROOT / "manage.py", APP / "manage.py")
    git = ["git", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "cabas"], capture_output=True, text=True)
    except OSError:
        return "working tree (no git)"
    changed = len(dirty.stdout.splitlines())
    return f"commit {head.strip()} + {changed} uncommitted path(s) under cabas/, copied at start"


def run(args: Sequence[str], env: dict[str, str], timeout: float = SET_UP_TIMEOUT) -> str:
    try:
        done = subprocess.run(args, env=env, cwd=APP, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{' '.join(args[:4])} took more than {timeout} s") from error
    if done.returncode:
        raise BenchError(f"{' '.join(args[:4])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def last_json(output: str) -> Any:
    return json.loads([line for line in output.splitlines() if line.strip()][-1])


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG_ADMIN}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
        timeout=60,
    )


@dataclass
class Database:
    kind: str
    url: str
    path: Path | None = None

    name: str = "cabas_bench"

    @classmethod
    def create(cls, kind: str, workdir: Path, name: str) -> Database:
        if kind == "sqlite":
            path = workdir / "bench.sqlite3"
            return cls(kind, f"sqlite:///{path}", path, name)
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(f"CREATE DATABASE {name}")
        return cls(kind, f"{PG_ADMIN}/{name}", None, name)

    def drop(self) -> None:
        if self.kind == "postgres":
            psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        elif self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    @property
    def label(self) -> str:
        return "SQLite (WAL, IMMEDIATE)" if self.kind == "sqlite" else "PostgreSQL"
