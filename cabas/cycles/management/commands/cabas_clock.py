"""``manage.py cabas_clock [--once] [--interval SECONDS]``: run the cycle clock.

Announces openings, sends reminders, splits fair shares and sends recaps
when they fall due (see ``cabas.cycles.clock``), then runs the other apps'
clocks (``clock.ALSO``: the volunteer shifts' reminders and calls for help). Either from cron every
minute (``--once``: one tick, then exit) or as a long-running process that
ticks every ``--interval`` seconds (60 by default) and stops cleanly on
Ctrl-C or SIGTERM. Several may run at once: each action happens once.
Orders open and close on time without it; only the e-mails wait for it.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from cabas.cycles import clock
from cabas.ops.health import clock_ticked

logger = logging.getLogger("cabas.cycles.clock")


class Command(BaseCommand):
    help = (
        "Send cycle announcements, reminders and recaps and split fair shares when due. "
        "--once for cron; otherwise loops every --interval seconds until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit (for cron).")
        parser.add_argument(
            "--interval", type=int, default=60, help="Seconds between two ticks in a loop (default 60)."
        )

    def handle(self, *args: Any, once: bool, interval: int, **options: Any) -> None:
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        if once:
            if not self._tick():
                raise CommandError("The tick failed (see the log).")
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()  # finish the tick under way (its claims are transactions), then leave

        signal.signal(signal.SIGTERM, on_signal)
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # ignored when started in the background
            signal.signal(signal.SIGINT, on_signal)
        logger.info("Cycle clock started: a tick every %d s.", interval)
        try:
            while not stop.is_set():
                # A long-running process must not keep a connection the database closed.
                close_old_connections()
                self._tick()
                close_old_connections()
                stop.wait(interval)
        except KeyboardInterrupt:
            pass
        logger.info("Cycle clock stopped.")

    def _tick(self) -> bool:
        """One tick; False if it failed as a whole (each cycle's own errors are logged by ``tick``)."""
        try:
            done = clock.tick_all()
        except Exception:  # the database is down, say: log, and try again next time
            logger.exception("Cycle clock: the tick failed.")
            return False
        clock_ticked()
        if any(done.values()):
            logger.info("Cycle clock: %s", ", ".join(f"{what} {ids}" for what, ids in done.items() if ids))
        else:
            logger.debug("Cycle clock: nothing due.")
        return True
