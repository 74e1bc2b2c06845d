"""``manage.py import_solalim SOURCE [--dry-run] [--origin NAME]``: bring groups over from Solalim.

SOURCE is the Solalim database: ``postgres://user:password@host/name``,
``sqlite:///path/db.sqlite3`` or a path. See ``cabas.imports.solalim`` for
the mapping; the README's « Venir de Solalim » for the people who run it.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cabas.imports import applying, source
from cabas.imports.notes import ODDITY, SKIPPED, describe
from cabas.imports.solalim import KINDS, build_plan


def safe_source(url: str) -> str:
    """The source without its password, for reports."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class Command(BaseCommand):
    help = (
        "Import the networks of a Solalim database (SQLite or PostgreSQL) as buying groups, with their "
        "people, passwords, producers, catalogues and past deliveries. Run it again to update."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="postgres://… or sqlite:///path or a path to Solalim's database")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done; write nothing.")
        parser.add_argument(
            "--origin",
            default="solalim",
            help="A name for this Solalim instance, to import a second one beside it (default: solalim).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        started = time.monotonic()
        try:
            data = source.read(options["source"])
        except source.SourceError as error:
            raise CommandError(str(error)) from error
        plan = build_plan(data, origin=options["origin"])
        self.print_report(plan.report())
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        stored = applying.apply(plan, source=safe_source(options["source"]))
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Imported in {seconds:.1f} s (report #{stored.pk})."))

    def print_report(self, report: dict[str, Any]) -> None:
        write = self.stdout.write
        write("Source: " + ", ".join(f"{n} {name}" for name, n in report["source"].items()))
        write("Groups: " + ", ".join(report["groups"]))
        for kind in KINDS:
            count = report["counts"][kind]
            write(f"  {kind:<12} {count['total']:>6}  (new {count['new']}, existing {count['existing']})")
        for level, title in ((ODDITY, "Oddities"), (SKIPPED, "Skipped")):
            entries = [n for n in report["notes"] if n["level"] == level]
            write(f"{title}: {len(entries)}")
            for entry in entries:
                write(f"  - {describe(entry)}")
