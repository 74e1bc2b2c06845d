"""Backups that can be taken while the site runs, and restored on an empty instance.

A backup is one ``cabas-YYYYMMDD-HHMMSS.tar.gz`` holding:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy even while
  the site writes) or ``database.pgdump`` (``pg_dump`` custom format);
- ``media/``: the uploaded photos (documents live in the database);
- ``manifest.json``: the row count of every table and the sum of every money
  column (``*_cents``), plus the ledger's sum per account, all read from the
  very snapshot that was dumped, so a restore can prove it gave back every row
  and every cent.

On PostgreSQL the manifest and ``pg_dump`` share one exported snapshot
(``pg_export_snapshot``): a payment committed while the backup runs is either
in both or in neither. On SQLite the manifest is read from the copy itself.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

FORMAT = 1
PREFIX = "cabas-"
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup or a restore could not be done; the message says why."""


# --- What a database holds ---------------------------------------------------------


def existing_tables() -> list[tuple[str, list[str]]]:
    """The models' tables and money columns that this database has (an older schema has fewer)."""
    present = set(connection.introspection.table_names())
    found = []
    with connection.cursor() as cursor:
        for table, columns in _tables():
            if table in present:
                have = {c.name for c in connection.introspection.get_table_description(cursor, table)}
                found.append((table, [column for column in columns if column in have]))
    return found


def _tables() -> list[tuple[str, list[str]]]:
    """Every table of the project's models, with its money columns."""
    seen: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen[meta.db_table] = sorted(
            f.column for f in meta.concrete_fields if f.column and f.column.endswith("_cents")
        )
    return sorted(seen.items())


def inventory(cursor: Any, tables: list[tuple[str, list[str]]] | None = None) -> dict[str, Any]:
    """Row counts, money sums and the ledger per account, read through any DB-API cursor.

    ``tables`` (default: every table of the models, with its money columns) narrows it,
    e.g. to what an older schema has.
    """
    counts: dict[str, int] = {}
    money: dict[str, int] = {}
    for table, columns in _tables() if tables is None else tables:
        sums = "".join(f', COALESCE(SUM("{column}"), 0)' for column in columns)
        cursor.execute(f'SELECT COUNT(*){sums} FROM "{table}"')  # names come from the models
        row = cursor.fetchone()
        counts[table] = int(row[0])
        for column, total in zip(columns, row[1:], strict=True):
            money[f"{table}.{column}"] = int(total)
    cursor.execute('SELECT "account", COALESCE(SUM("amount_cents"), 0) FROM "ledger_line" GROUP BY "account"')
    ledger = {str(account): int(total) for account, total in cursor.fetchall()}
    return {"rows": counts, "money": money, "ledger": dict(sorted(ledger.items()))}


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What differs between two inventories, one line per figure (empty: identical)."""
    lines = []
    for section in ("rows", "money", "ledger"):
        want, got = expected.get(section, {}), actual.get(section, {})
        for key in sorted(set(want) | set(got)):
            if want.get(key) != got.get(key):
                lines.append(f"{section} {key}: expected {want.get(key)}, found {got.get(key)}")
    return lines


# --- Taking a backup ---------------------------------------------------------------


def backup(directory: Path, *, keep: int | None = None, now: datetime | None = None) -> Path:
    """Write a backup archive into ``directory`` and return its path; keep the ``keep`` newest."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(tz=UTC)).strftime("%Y%m%d-%H%M%S")
    target = directory / f"{PREFIX}{stamp}{SUFFIX}"
    with tempfile.TemporaryDirectory(prefix="cabas-backup-") as work:
        staging = Path(work)
        manifest = _dump_database(staging)
        manifest.update(format=FORMAT, engine=connection.vendor, created_at=stamp)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = directory / f".{target.name}.partial"
        with tarfile.open(partial, "w:gz") as archive:
            for name in (MANIFEST, SQLITE_FILE, PG_FILE):
                if (staging / name).exists():
                    archive.add(staging / name, arcname=name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, arcname="media")
        # A crash half-way leaves a hidden partial file, never a truncated backup.
        partial.replace(target)
    if keep is not None:
        prune(directory, keep=keep)
    return target


def prune(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups of ``directory``; return what was deleted."""
    archives = sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))
    doomed = archives[: max(len(archives) - keep, 0)]
    for path in doomed:
        path.unlink()
    return doomed


def _dump_database(staging: Path) -> dict[str, Any]:
    if connection.vendor == "sqlite":
        return _dump_sqlite(staging / SQLITE_FILE)
    if connection.vendor == "postgresql":
        return _dump_postgresql(staging / PG_FILE)
    raise BackupError(f"No backup for the {connection.vendor} database.")


def _dump_sqlite(path: Path) -> dict[str, Any]:
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
        # A self-contained file: no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        return inventory(copy.cursor())
    finally:
        copy.close()


def _dump_postgresql(path: Path) -> dict[str, Any]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        manifest = inventory(cursor)
        # The snapshot lives as long as this transaction: pg_dump must run inside it.
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={path}", *_pg_args()])
    return manifest


# --- Restoring ---------------------------------------------------------------------


def restore(archive: Path) -> dict[str, Any]:
    """Put ``archive`` back on this (empty) instance; return its manifest once verified."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    existing = connection.introspection.table_names()
    if existing:
        raise BackupError(
            f"The database already holds {len(existing)} tables: restore only into an empty database."
        )
    with tempfile.TemporaryDirectory(prefix="cabas-restore-") as work:
        staging = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        manifest = json.loads((staging / MANIFEST).read_text())
        if manifest.get("engine") != connection.vendor:
            raise BackupError(
                f"This backup is of a {manifest.get('engine')} database, not {connection.vendor}."
            )
        _load_database(staging)
        _restore_media(staging / "media")
    connection.close()
    with connection.cursor() as cursor:
        problems = differences(manifest, inventory(cursor))
    if problems:
        raise BackupError("The restored database differs from the backup:\n" + "\n".join(problems))
    return manifest


def _load_database(staging: Path) -> None:
    if connection.vendor == "sqlite":
        connection.close()
        source = sqlite3.connect(staging / SQLITE_FILE)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        connection.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *_pg_args(),
                str(staging / PG_FILE),
            ]
        )


def _restore_media(source: Path) -> None:
    if not source.is_dir():
        return
    shutil.copytree(source, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)


# --- PostgreSQL client tools ---------------------------------------------------------


def _pg_args() -> list[str]:
    db = connection.settings_dict
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    return args


def _run(command: list[str]) -> None:
    env = dict(os.environ)
    password = connection.settings_dict.get("PASSWORD")
    if password:
        env["PGPASSWORD"] = str(password)
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        ) from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
