"""``manage.py bank_demo_statement [--group saint-orens] [--output FILE]``: write a demo bank statement.

A CSV in Crédit Agricole's layout whose transfers carry the references of the
group's latest distribution day (see ``cabas.demo.bank``), to try importing
a statement as the demo treasurer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cabas.accounts.models import BuyingGroup
from cabas.demo.bank import FILENAME, day_cycle, statement_csv


class Command(BaseCommand):
    help = "Write a demo bank statement matching the group's latest distribution day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--group", default="saint-orens", help="The group's address (slug).")
        parser.add_argument("--output", default=FILENAME, help=f"The file to write (default {FILENAME}).")

    def handle(self, *args: Any, group: str, output: str, **options: Any) -> None:
        found = BuyingGroup.objects.filter(slug=group).first()
        if found is None:
            raise CommandError(f"No group « {group} ».")
        cycle = day_cycle(found)
        if cycle is None:
            raise CommandError("This group has had no distribution day yet.")
        Path(output).write_bytes(statement_csv(cycle))
        self.stdout.write(f"{output}: statement for « {cycle.name} ».")
