"""``manage.py cabas_retention``: warn and anonymise inactive accounts now (``cabas.privacy.retention``).

The clock already does this once a day; this command is for cron set-ups
without the clock, and for trying a retention period by hand.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cabas.privacy.retention import sweep


class Command(BaseCommand):
    help = "Warn accounts inactive for CABAS_RETENTION_DAYS, then anonymise them after the grace period."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CABAS_RETENTION_DAYS <= 0:
            self.stdout.write("Retention is off (CABAS_RETENTION_DAYS is 0).")
            return
        done = sweep()
        self.stdout.write(
            f"warned {len(done['warned'])}, forgiven {len(done['forgiven'])}, "
            f"anonymised {len(done['anonymised'])}"
        )
