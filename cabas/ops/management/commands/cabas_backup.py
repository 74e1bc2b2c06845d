"""``manage.py cabas_backup DIRECTORY [--keep N]``: write a consistent backup while the site runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cabas.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a backup (database and uploaded media) into DIRECTORY as cabas-YYYYMMDD-HHMMSS.tar.gz; "
        "safe while the site runs. --keep N deletes all but the N newest backups there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--keep", type=int, help="How many backups to keep in DIRECTORY (the newest).")

    def handle(self, *args: Any, directory: Path, keep: int | None, **options: Any) -> None:
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            path = backup(directory, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
