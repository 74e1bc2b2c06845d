"""SQL that makes a table append-only: the database refuses any UPDATE or DELETE of its rows.

For journals whose rows are facts (the distribution day's events): a mistake is
corrected by a new row, never by changing an old one. Triggers are named
``<table>_no_update`` and ``<table>_no_delete``.
"""

from __future__ import annotations


def install(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"""CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
            for action in ("update", "delete")
        ]
    if vendor == "postgresql":
        return [
            f"""CREATE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '{table} is append-only' USING ERRCODE = '23000'; END $$""",
            *(
                f"""CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {table}_refuse()"""
                for action in ("update", "delete")
            ),
        ]
    return []


def uninstall(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{action}" for action in ("update", "delete")]
    if vendor == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS {table}_no_{action} ON {table}" for action in ("update", "delete")),
            f"DROP FUNCTION IF EXISTS {table}_refuse()",
        ]
    return []
