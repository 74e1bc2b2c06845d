"""``manage.py cabas_restore ARCHIVE``: put a backup back on an empty instance, and check it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cabas.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by cabas_backup into this instance's empty database and media folder, "
        "then check every table's row count and every money total against the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: Any, archive: Path, **options: Any) -> None:
        try:
            manifest = restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows in {len(manifest['rows'])} tables; every figure checked."
            )
        )
