"""Reading a Solalim database (``fab13n/caracole``, app ``floreal``) through plain SQL.

No Solalim code is needed: the tables are read with the standard library's
``sqlite3`` or with ``psycopg``, whichever the URL names. Values come back as
plain Python: decimals as ``Decimal`` (SQLite stores them as floats, read back
through their shortest text form, which is what was typed), datetimes aware in
UTC (Django's storage), booleans as ``bool``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TABLES = {
    "networks": "floreal_network",
    "subgroups": "floreal_networksubgroup",
    "users": "auth_user",
    "profiles": "floreal_florealuser",
    "memberships": "floreal_networkmembership",
    "deliveries": "floreal_delivery",
    "products": "floreal_product",
    "purchases": "floreal_purchase",
}
# Tables older Solalim versions may lack; the import reads them as empty.
OPTIONAL = {"subgroups", "profiles"}


class SourceError(Exception):
    """The source cannot be read as a Solalim database; the message says why."""


Row = dict[str, Any]


@dataclass
class Solalim:
    """Every row the import needs, table by table, ordered by id."""

    networks: list[Row] = field(default_factory=list)
    subgroups: list[Row] = field(default_factory=list)
    users: list[Row] = field(default_factory=list)
    profiles: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    deliveries: list[Row] = field(default_factory=list)
    products: list[Row] = field(default_factory=list)
    purchases: list[Row] = field(default_factory=list)


def read(url: str) -> Solalim:
    """Read the Solalim database at ``url``: ``postgres://…``, ``sqlite:///path`` or a file path."""
    scheme = urlsplit(url).scheme
    if scheme in {"postgres", "postgresql"}:
        return _read_postgres(url)
    path = url.removeprefix("sqlite://") if scheme == "sqlite" else url
    if not Path(path).is_file():
        raise SourceError(f"No SQLite database at {path}")
    return _read_sqlite(path)


def _read_sqlite(path: str) -> Solalim:
    # Read-only: the import never writes to Solalim's database.
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        data = Solalim()
        for attr, table in TABLES.items():
            if table not in names:
                _missing(attr, table)
                continue
            rows = connection.execute(f'SELECT * FROM "{table}" ORDER BY id')  # table names are constants
            setattr(data, attr, [_clean(dict(row)) for row in rows])
        return data
    except sqlite3.DatabaseError as error:
        raise SourceError(f"Cannot read {path}: {error}") from error
    finally:
        connection.close()


def _read_postgres(url: str) -> Solalim:
    import psycopg
    from psycopg.rows import dict_row

    try:
        connection = psycopg.connect(url, row_factory=dict_row)
    except psycopg.Error as error:
        raise SourceError(f"Cannot connect to the source database: {error}") from error
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            names = {row["tablename"] for row in cursor.fetchall()}
            data = Solalim()
            for attr, table in TABLES.items():
                if table not in names:
                    _missing(attr, table)
                    continue
                cursor.execute(f'SELECT * FROM "{table}" ORDER BY id')  # table names are constants
                setattr(data, attr, [_clean(row) for row in cursor.fetchall()])
        return data
    finally:
        connection.close()


def _missing(attr: str, table: str) -> None:
    if attr not in OPTIONAL:
        raise SourceError(f"Not a Solalim database: table {table} is missing")


BOOLEAN_COLUMNS = {
    "is_staff",
    "is_superuser",
    "is_active",
    "is_subgroup_staff",
    "is_producer",
    "is_buyer",
    "is_candidate",
    "auto_validate",
    "visible",
    "active",
}
DECIMAL_COLUMNS = {"price", "quantity", "quantum", "unit_weight"}
DATETIME_COLUMNS = {
    "date_joined",
    "last_login",
    "valid_from",
    "valid_until",
    "creation_date",
    "created",
    "modified",
}
DATE_COLUMNS = {"freeze_date", "distribution_date"}


def _clean(row: Row) -> Row:
    """Give every value its Python type, whichever database it came from."""
    for column, value in row.items():
        if value is None:
            continue
        if column in BOOLEAN_COLUMNS:
            row[column] = bool(value)
        elif column in DECIMAL_COLUMNS:
            row[column] = value if isinstance(value, Decimal) else Decimal(str(value))
        elif column in DATETIME_COLUMNS:
            row[column] = _datetime(value)
        elif column in DATE_COLUMNS:
            row[column] = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return row


def _datetime(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
